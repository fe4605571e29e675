"""The office a command acts in, and the checks that what it names belongs there.

The office is chosen once per run: ``--office NAME`` (a root option, read in ``main.run``),
else ``PUFA_OFFICE``, else (PostgreSQL) the office granted to the role pufa connects as, else
the database's default office (the one every database made before
offices holds everything in), so a single-office database needs neither. Plans and units are
looked up within that office; a plan or unit of another office named in a command is refused
with one line naming its office.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _

if TYPE_CHECKING:  # main.run imports this module on every start: keep it light
    from pufa_cli.offices.tree import OfficeRef
    from pufa_cli.store import Connection

_chosen: str | None = None


def select(name: str | None) -> None:
    """Record ``--office`` for this run (None: PUFA_OFFICE, else the default office)."""
    global _chosen
    _chosen = name


def chosen_name() -> str | None:
    if _chosen is not None:
        return _chosen
    env = os.environ.get("PUFA_OFFICE", "").strip()
    return env or None


def current_office(conn: Connection) -> OfficeRef:
    """The office this run acts in (resolved once per connection)."""
    from pufa_cli.offices.tree import default_office, resolve_office

    cached = getattr(conn, "_pufa_office", None)
    name = chosen_name()
    if cached is not None and cached[0] == name:
        found: OfficeRef = cached[1]
        return found
    if name is not None:
        office = resolve_office(conn, name)
    else:
        from pufa_cli.offices.grants import granted_office
        from pufa_cli.offices.tree import office_by_id

        granted = granted_office(conn)  # a district clerk's role: its office
        office = default_office(conn) if granted is None else office_by_id(conn, granted)
    try:
        conn._pufa_office = (name, office)  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - a connection class with __slots__
        pass
    return office


def office_id(conn: Connection) -> int:
    return current_office(conn).id


def other_office_plan(conn: Connection, code: str) -> None:
    """BadInput when plan ``code`` exists only in another office."""
    row = conn.one(
        "SELECT o.name FROM plans p JOIN offices o ON o.id = p.office_id "
        "WHERE p.code = :c AND p.office_id <> :o ORDER BY o.id",
        {"c": code, "o": office_id(conn)},
    )
    if row is not None:
        raise BadInput(
            _("plan {id} belongs to office '{other}', not to '{office}'").format(
                id=code, other=row[0], office=current_office(conn).name
            )
        )


def other_office_unit(conn: Connection, name: str, key: str) -> None:
    """BadInput when unit ``name`` exists only in another office."""
    row = conn.one(
        "SELECT u.name, o.name FROM units u JOIN offices o ON o.id = u.office_id "
        "WHERE (u.name = :n OR u.match_key = :k) AND u.office_id <> :o ORDER BY u.id",
        {"n": name, "k": key, "o": office_id(conn)},
    )
    if row is not None:
        raise BadInput(
            _("unit '{name}' belongs to office '{other}', not to '{office}'").format(
                name=row[0], other=row[1], office=current_office(conn).name
            )
        )


def require_office_of(conn: Connection, office_name: str | None) -> OfficeRef:
    """A plan file's ``office:``: it must be the office this run acts in (or the run's office
    is taken from it when neither --office nor PUFA_OFFICE was given)."""
    from pufa_cli.offices.tree import resolve_office

    if office_name is None:
        return current_office(conn)
    named = resolve_office(conn, office_name)
    if chosen_name() is not None:
        here = current_office(conn)
        if here.id != named.id:
            raise BadInput(
                _(
                    "the plan file is for office '{named}', but this command acts in '{office}'"
                ).format(named=named.name, office=here.name)
            )
    try:
        conn._pufa_office = (None, named)  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover
        pass
    return named

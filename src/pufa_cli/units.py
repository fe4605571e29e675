"""The registry of responsible units (區司法局, 區教育局, 各街道 …): finding one by name.

A typed name is normalised (``names.normalize_name``) and matched exactly first; failing that,
by its script- and case-folded key, so 区司法局 finds 區司法局. An unknown name is an error with a
"did you mean …?" suggestion; no unit is ever created by a typo.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from pufa_cli.db import Connection
from pufa_cli.errors import NotFound
from pufa_cli.i18n import _
from pufa_cli.names import match_key, normalize_name


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str


def find_unit(conn: Connection, typed: str) -> UnitRef | None:
    name = normalize_name(typed)
    row = conn.one("SELECT id, name FROM units WHERE name = :n", {"n": name})
    if row is None:
        row = conn.one(
            "SELECT id, name FROM units WHERE match_key = :k ORDER BY id LIMIT 1",
            {"k": match_key(name)},
        )
    return None if row is None else UnitRef(int(row[0]), str(row[1]))


def resolve_unit(conn: Connection, typed: str) -> UnitRef:
    """The unit called ``typed``; NotFound with a suggestion otherwise."""
    unit = find_unit(conn, typed)
    if unit is not None:
        return unit
    raise NotFound(unknown_unit_message(conn, typed))


def unknown_unit_message(conn: Connection, typed: str) -> str:
    name = normalize_name(typed)
    names = [str(r[0]) for r in conn.rows("SELECT name FROM units ORDER BY name")]
    keyed = {match_key(n): n for n in names}
    close = difflib.get_close_matches(match_key(name), list(keyed), n=1, cutoff=0.5)
    if close:
        return _("unknown unit '{name}'; did you mean '{suggestion}'?").format(
            name=name, suggestion=keyed[close[0]]
        )
    return _("unknown unit '{name}' (add it with: pufa unit add NAME)").format(name=name)

"""The office tree: a city's 依法治市辦 at the root, districts below it, street offices below
them. Names are unique in the database (so ``PUFA_OFFICE`` names one office) and matched like
unit names (Traditional or Simplified, full or half width)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from pufa_cli.errors import BadInput, Conflict, NotFound
from pufa_cli.i18n import _
from pufa_cli.names import match_key, normalize_name
from pufa_cli.store import Connection


class OfficeRef(NamedTuple):
    id: int
    name: str
    parent_id: int | None


_COLUMNS = "id, name, parent_id"


def _ref(row: tuple[Any, ...]) -> OfficeRef:
    office_id, name, parent_id = row
    return OfficeRef(int(office_id), str(name), None if parent_id is None else int(parent_id))


def find_office(conn: Connection, typed: str) -> OfficeRef | None:
    name = normalize_name(typed, office=True)
    row = conn.one(f"SELECT {_COLUMNS} FROM offices WHERE name = :n", {"n": name})
    if row is None:
        row = conn.one(
            f"SELECT {_COLUMNS} FROM offices WHERE match_key = :k ORDER BY id LIMIT 1",
            {"k": match_key(name)},
        )
    return None if row is None else _ref(row)


def resolve_office(conn: Connection, typed: str) -> OfficeRef:
    office = find_office(conn, typed)
    if office is None:
        names = [str(n) for (n,) in conn.rows("SELECT name FROM offices ORDER BY id")]
        raise NotFound(
            _("unknown office '{name}' (offices: {names})").format(
                name=normalize_name(typed, office=True), names=", ".join(names) or "-"
            )
        )
    return office


def default_office(conn: Connection) -> OfficeRef:
    row = conn.one(f"SELECT {_COLUMNS} FROM offices WHERE is_default = 1 ORDER BY id LIMIT 1")
    if row is None:  # every database has one (migration 0009); a city may have removed the flag
        row = conn.one(f"SELECT {_COLUMNS} FROM offices WHERE parent_id IS NULL ORDER BY id")
    if row is None:
        raise NotFound(_("this database has no office: add one with 'pufa office add NAME'"))
    return _ref(row)


def office_by_id(conn: Connection, office_id: int) -> OfficeRef:
    row = conn.one(f"SELECT {_COLUMNS} FROM offices WHERE id = :i", {"i": office_id})
    assert row is not None
    return _ref(row)


def add_office(conn: Connection, typed: str, parent: str | None, now: datetime) -> OfficeRef:
    """A new office under ``parent`` (None: a root, such as the city)."""
    name = normalize_name(typed, office=True)  # 1 to names.MAX_NAME characters
    existing = find_office(conn, name)
    if existing is not None:
        raise Conflict(_("office '{name}' already exists").format(name=existing.name))
    parent_ref = resolve_office(conn, parent) if parent is not None else None
    office_id = conn.insert(
        "INSERT INTO offices (name, match_key, parent_id, is_default, created_at) "
        "VALUES (:n, :k, :p, 0, :at) RETURNING id",
        {
            "n": name,
            "k": match_key(name),
            "p": parent_ref.id if parent_ref else None,
            "at": now,
        },
    )
    return OfficeRef(office_id, name, parent_ref.id if parent_ref else None)


def rename_office(conn: Connection, old: str, new: str) -> tuple[str, str]:
    office = resolve_office(conn, old)
    name = normalize_name(new, office=True)
    clash = find_office(conn, name)
    if clash is not None and clash.id != office.id:
        raise Conflict(_("office '{name}' already exists").format(name=clash.name))
    conn.run(
        "UPDATE offices SET name = :n, match_key = :k WHERE id = :i",
        {"n": name, "k": match_key(name), "i": office.id},
    )
    return office.name, name


def move_office(conn: Connection, typed: str, parent: str) -> OfficeRef:
    """Put an office under ``parent``; an office under itself or its own descendant is a cycle."""
    office = resolve_office(conn, typed)
    parent_ref = resolve_office(conn, parent)
    if parent_ref.id in subtree_ids(conn, office.id):
        raise BadInput(
            _("office '{parent}' is '{name}' or below it: that would make a cycle").format(
                parent=parent_ref.name, name=office.name
            )
        )
    conn.run(
        "UPDATE offices SET parent_id = :p WHERE id = :i", {"p": parent_ref.id, "i": office.id}
    )
    return OfficeRef(office.id, office.name, parent_ref.id)


SUBTREE_CTE = (
    "WITH RECURSIVE sub(id) AS (SELECT id FROM offices WHERE id = :root "
    "UNION SELECT o.id FROM offices o JOIN sub ON o.parent_id = sub.id)"
)


def subtree_ids(conn: Connection, office_id: int) -> set[int]:
    """The office and every office below it."""
    return {int(i) for (i,) in conn.rows(SUBTREE_CTE + " SELECT id FROM sub", {"root": office_id})}


def ancestor_ids(conn: Connection, office_id: int) -> list[int]:
    """The office's parent, its parent's parent … up to the root (nearest first)."""
    out: list[int] = []
    current = office_by_id(conn, office_id).parent_id
    while current is not None and current not in out:
        out.append(current)
        current = office_by_id(conn, current).parent_id
    return out


class OfficeRow(NamedTuple):
    name: str
    parent: str | None
    depth: int
    plans: int
    units: int
    default: bool


class _Stored(NamedTuple):
    id: int
    name: str
    parent_id: int | None
    default: bool
    plans: int
    units: int


def list_offices(conn: Connection) -> list[OfficeRow]:
    """Every office, depth first from the roots, with its number of plans and units."""
    rows = [
        _Stored(int(i), str(n), None if p is None else int(p), bool(d), int(plans), int(units))
        for i, n, p, d, plans, units in conn.rows(
            "SELECT o.id, o.name, o.parent_id, o.is_default, "
            "(SELECT count(*) FROM plans p WHERE p.office_id = o.id), "
            "(SELECT count(*) FROM units u WHERE u.office_id = o.id) FROM offices o ORDER BY o.id"
        )
    ]
    by_parent: dict[int | None, list[_Stored]] = {}
    names = {r.id: r.name for r in rows}
    for r in rows:
        parent = r.parent_id if r.parent_id in names else None
        by_parent.setdefault(parent, []).append(r)
    out: list[OfficeRow] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for r in sorted(by_parent.get(parent, []), key=lambda r: r.name):
            if r.id in seen:
                continue
            seen.add(r.id)
            parent_name = names.get(parent) if parent is not None else None
            out.append(OfficeRow(r.name, parent_name, depth, r.plans, r.units, r.default))
            walk(r.id, depth + 1)

    walk(None, 0)
    return out

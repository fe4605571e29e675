"""The registry of responsible units (區司法局, 區教育局, 各街道 …): finding one by name.

A typed name is normalised (``names.normalize_name``) and matched exactly first; failing that,
by its script- and case-folded key, so 区司法局 finds 區司法局. An unknown name is an error with a
"did you mean …?" suggestion; no unit is ever created by a typo.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from pufa_cli.errors import BadInput, Conflict, NotFound
from pufa_cli.i18n import _
from pufa_cli.names import match_key, normalize_name
from pufa_cli.progress import TASK_CTES, PlanRef
from pufa_cli.store import Connection
from pufa_cli.store.sql import INSERT_UNIT


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
    close = difflib.get_close_matches(match_key(name), list(keyed), n=1, cutoff=0.6)
    if close:
        return _("unknown unit '{name}'; did you mean '{suggestion}'?").format(
            name=name, suggestion=keyed[close[0]]
        )
    return _("unknown unit '{name}' (add it with: pufa unit add NAME)").format(name=name)


def add_unit(conn: Connection, typed: str, kind: str | None, now: datetime) -> UnitRef:
    """Register a unit; Conflict if it exists already (in either script or width)."""
    name = normalize_name(typed)
    existing = find_unit(conn, name)
    if existing is not None:
        raise Conflict(_("unit '{name}' already exists").format(name=existing.name))
    if kind is not None:
        kind = " ".join(unicodedata.normalize("NFKC", kind).split())
        if not kind or len(kind) > 40:
            raise BadInput(_("--kind must be 1 to 40 characters"))
    unit_id = conn.insert(INSERT_UNIT, {"n": name, "k": match_key(name), "kind": kind, "at": now})
    return UnitRef(unit_id, name)


def rename_unit(conn: Connection, old: str, new: str) -> tuple[str, str]:
    """Rename a unit; its assignments and history follow it."""
    unit = resolve_unit(conn, old)
    name = normalize_name(new)
    clash = find_unit(conn, name)
    if clash is not None and clash.id != unit.id:
        raise Conflict(_("unit '{name}' already exists").format(name=clash.name))
    if name == unit.name:
        raise BadInput(_("'{name}' is already the unit's name").format(name=name))
    conn.run(
        "UPDATE units SET name = :n, match_key = :k WHERE id = :id",
        {"n": name, "k": match_key(name), "id": unit.id},
    )
    return unit.name, name


@dataclass(frozen=True)
class UnitSummary:
    name: str
    kind: str | None
    lead: int
    support: int
    done: int
    overdue: int


def list_units(conn: Connection, plan: PlanRef | None, as_of: date) -> list[UnitSummary]:
    """Every unit with its tasks in ``plan`` as lead / supporting, done and overdue."""
    if plan is None:
        rows = conn.rows("SELECT name, kind, 0, 0, 0, 0 FROM units ORDER BY name")
    else:
        rows = conn.rows(
            TASK_CTES + ", st AS (SELECT task_id, CASE WHEN pct >= 100 THEN 1 ELSE 0 END AS done, "
            "CASE WHEN pct < 100 AND due < :as_of THEN 1 ELSE 0 END AS overdue FROM ts) "
            "SELECT u.name, u.kind, "
            "COALESCE(SUM(CASE WHEN a.role IN ('lead', 'colead') THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN a.role = 'support' THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(st.done), 0), COALESCE(SUM(st.overdue), 0) "
            "FROM units u LEFT JOIN (assignments a JOIN st ON st.task_id = a.task_id) "
            "ON a.unit_id = u.id GROUP BY u.id, u.name, u.kind ORDER BY u.name",
            {"plan": plan.id, "as_of": as_of},
        )
    return [UnitSummary(str(n), k, int(a), int(b), int(c), int(d)) for n, k, a, b, c, d in rows]

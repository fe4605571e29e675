"""The registry of responsible units (區司法局, 區教育局, 各街道 …): finding one by name, and
changing the registry (add, rename, merge, set, remove) with every change recorded.

A typed name is folded (``names.lookup_name``) and matched exactly first; failing that, by its
script- and case-folded key, so 区司法局 finds 區司法局. An unknown name is an error with a
"did you mean …?" suggestion — the new name when it is an old name of a renamed or merged
unit; no unit is ever created by a typo.

Every change is a ``unit_events`` row (append-only, like entries): a merge also records each
entry it moved (``unit_event_entries``), so an entry's original unit can always be told.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from pufa_cli.errors import BadInput, Conflict, NotFound
from pufa_cli.i18n import _, ngettext, unit_text
from pufa_cli.names import lookup_name, match_key, normalize_name
from pufa_cli.progress import OVERDUE_SQL, TASK_CTES, PlanRef
from pufa_cli.store import Connection
from pufa_cli.store.sql import INSERT_UNIT


class UnitRef(NamedTuple):
    id: int
    name: str


def find_unit(conn: Connection, typed: str) -> UnitRef | None:
    """The unit called ``typed`` in the office this run acts in (offices/scoping.py)."""
    from pufa_cli.offices.scoping import office_id

    name = lookup_name(typed)
    here = office_id(conn)
    row = conn.one(
        "SELECT id, name FROM units WHERE name = :n AND office_id = :o", {"n": name, "o": here}
    )
    if row is None:
        row = conn.one(
            "SELECT id, name FROM units WHERE match_key = :k AND office_id = :o "
            "ORDER BY id LIMIT 1",
            {"k": match_key(name), "o": here},
        )
    if row is None:
        return None
    unit_id, unit_name = row
    return UnitRef(int(unit_id), str(unit_name))


def resolve_unit(conn: Connection, typed: str) -> UnitRef:
    """The unit called ``typed``; BadInput naming its office when it is another office's;
    NotFound with a suggestion otherwise."""
    from pufa_cli.offices.scoping import other_office_unit

    unit = find_unit(conn, typed)
    if unit is not None:
        return unit
    name = normalize_name(typed)
    other_office_unit(conn, name, match_key(name))
    raise NotFound(unknown_unit_message(conn, typed))


def unknown_unit_message(conn: Connection, typed: str) -> str:
    from pufa_cli.offices.scoping import office_id

    name = lookup_name(typed)
    key = match_key(name)
    here = office_id(conn)
    for old, current, action in conn.rows(
        "SELECT e.old_value, u.name, e.action FROM unit_events e JOIN units u ON u.id = e.unit_id "
        "WHERE e.action IN ('rename', 'merge') AND u.office_id = :o ORDER BY e.id DESC",
        {"o": here},
    ):
        if old is not None and match_key(str(old)) == key:
            how = _("renamed to") if action == "rename" else _("merged into")
            return _("unknown unit '{name}' ({how} '{current}'); did you mean '{current}'?").format(
                name=unit_text(name), how=how, current=unit_text(current)
            )
    names = [
        str(r[0])
        for r in conn.rows("SELECT name FROM units WHERE office_id = :o ORDER BY name", {"o": here})
    ]
    keyed = {match_key(n): n for n in names}
    close = difflib.get_close_matches(key, list(keyed), n=1, cutoff=0.6)
    if close:
        return _("unknown unit '{name}'; did you mean '{suggestion}'?").format(
            name=unit_text(name), suggestion=unit_text(keyed[close[0]])
        )
    return _("unknown unit '{name}' (add it with: pufa unit add NAME)").format(name=unit_text(name))


def add_unit(conn: Connection, typed: str, kind: str | None, now: datetime) -> UnitRef:
    """Register a unit; Conflict if it exists already (in either script or width)."""
    name = normalize_name(typed)
    existing = find_unit(conn, name)
    if existing is not None:
        raise Conflict(_("unit '{name}' already exists").format(name=unit_text(existing.name)))
    if kind is not None:
        kind = _kind(kind)
    from pufa_cli.offices.scoping import office_id

    unit_id = conn.insert(
        INSERT_UNIT,
        {"o": office_id(conn), "n": name, "k": match_key(name), "kind": kind, "at": now},
    )
    return UnitRef(unit_id, name)


def record_event(
    conn: Connection,
    action: str,
    unit_id: int | None,
    *,
    old: str | None,
    new: str | None,
    by: str,
    now: datetime,
    task_id: int | None = None,
    office_id: int | None = None,
) -> int:
    """One row of the registry's history (append-only), in the office of its unit
    (``office_id``, else the unit's, else the office this run acts in)."""
    if office_id is None and unit_id is not None:
        office_id = conn.scalar("SELECT office_id FROM units WHERE id = :u", {"u": unit_id})
    if office_id is None:
        from pufa_cli.offices.scoping import office_id as current_office_id

        office_id = current_office_id(conn)
    return conn.insert(
        "INSERT INTO unit_events (action, unit_id, task_id, old_value, new_value, recorded_by, "
        "created_at, office_id) VALUES (:a, :u, :t, :o, :n, :b, :at, :of) RETURNING id",
        {
            "a": action,
            "u": unit_id,
            "t": task_id,
            "o": old,
            "n": new,
            "b": by,
            "at": now,
            "of": int(office_id),
        },
    )


def _kind(kind: str) -> str:
    text = " ".join(unicodedata.normalize("NFKC", kind).split())
    if not text or len(text) > 40:
        raise BadInput(_("--kind must be 1 to 40 characters"))
    return text


def rename_unit(
    conn: Connection, old: str, new: str, *, by: str = "", now: datetime | None = None
) -> tuple[str, str]:
    """Rename a unit; its assignments and history follow it, and the old name is recorded."""
    unit = resolve_unit(conn, old)
    name = normalize_name(new)
    clash = find_unit(conn, name)
    if clash is not None and clash.id != unit.id:
        raise Conflict(_("unit '{name}' already exists").format(name=unit_text(clash.name)))
    if name == unit.name:
        raise BadInput(_("'{name}' is already the unit's name").format(name=name))
    conn.run(
        "UPDATE units SET name = :n, match_key = :k WHERE id = :id",
        {"n": name, "k": match_key(name), "id": unit.id},
    )
    record_event(conn, "rename", unit.id, old=unit.name, new=name, by=by, now=now or datetime.now())
    return unit.name, name


def set_kind(conn: Connection, typed: str, kind: str, *, by: str, now: datetime) -> UnitRef:
    """Change a unit's kind (部門, 街道 …); the old kind is recorded."""
    unit = resolve_unit(conn, typed)
    new = _kind(kind)
    old = conn.scalar("SELECT kind FROM units WHERE id = :id", {"id": unit.id})
    if old == new:
        raise BadInput(
            _("unit '{name}' is already of kind '{kind}'").format(
                name=unit_text(unit.name), kind=new
            )
        )
    conn.run("UPDATE units SET kind = :k WHERE id = :id", {"k": new, "id": unit.id})
    record_event(conn, "kind", unit.id, old=old, new=new, by=by, now=now)
    return unit


def remove_unit(conn: Connection, typed: str, *, by: str, now: datetime) -> str:
    """Delete a unit nothing refers to (no assignment, no entry); recorded by name."""
    unit = resolve_unit(conn, typed)
    assigned = int(
        conn.scalar("SELECT COUNT(*) FROM assignments WHERE unit_id = :u", {"u": unit.id}) or 0
    )
    entries = int(
        conn.scalar("SELECT COUNT(*) FROM entries WHERE unit_id = :u", {"u": unit.id}) or 0
    )
    if assigned or entries:
        raise Conflict(
            _(
                "unit '{name}' is still in use ({assignments}, {entries}): unassign it, or "
                "merge it into another unit with 'pufa unit merge'"
            ).format(
                name=unit_text(unit.name),
                assignments=count_text("assignment", assigned),
                entries=count_text("entry", entries),
            )
        )
    # Its earlier events keep their rows; they no longer point at a unit.
    office = conn.scalar("SELECT office_id FROM units WHERE id = :u", {"u": unit.id})
    conn.run("UPDATE unit_events SET unit_id = NULL WHERE unit_id = :u", {"u": unit.id})
    conn.run("DELETE FROM units WHERE id = :u", {"u": unit.id})
    record_event(conn, "remove", None, old=unit.name, new=None, by=by, now=now, office_id=office)
    return unit.name


def count_text(what: str, n: int) -> str:
    """``1 assignment``, ``2 entries``: a count with its noun in the reader's plural form."""
    if what == "assignment":
        return ngettext("{n} assignment", "{n} assignments", n).format(n=n)
    return ngettext("{n} progress entry", "{n} progress entries", n).format(n=n)


class MergeResult(NamedTuple):
    old: str
    new: str
    assignments: int
    entries: int


def merge_units(conn: Connection, old: str, new: str, *, by: str, now: datetime) -> MergeResult:
    """Merge unit ``old`` into ``new``: its assignments and entries become ``new``'s, ``old``
    leaves the registry, and the merge is recorded with every entry it moved."""
    src = resolve_unit(conn, old)
    dst = resolve_unit(conn, new)
    if src.id == dst.id:
        raise BadInput(
            _("'{name}' and '{other}' are the same unit").format(
                name=unit_text(src.name), other=unit_text(new)
            )
        )
    moved_assignments = 0
    for aid, task_id, role in conn.rows(
        "SELECT id, task_id, role FROM assignments WHERE unit_id = :u ORDER BY id", {"u": src.id}
    ):
        both = conn.one(
            "SELECT id, role FROM assignments WHERE task_id = :t AND unit_id = :u",
            {"t": task_id, "u": dst.id},
        )
        if both is None:
            conn.run("UPDATE assignments SET unit_id = :u WHERE id = :id", {"u": dst.id, "id": aid})
        else:
            # Both were assigned: one assignment stays, with the higher of the two roles
            # (lead, then colead, then support): the lead role if either led, a co-lead's if
            # either was a co-lead (OLD's row goes first, so there is never a second lead).
            conn.run("DELETE FROM assignments WHERE id = :id", {"id": aid})
            rank = {"lead": 2, "colead": 1}
            if rank.get(str(role), 0) > rank.get(str(both[1]), 0):
                conn.run(
                    "UPDATE assignments SET role = :r WHERE id = :id", {"r": role, "id": both[0]}
                )
        moved_assignments += 1
    event = record_event(conn, "merge", dst.id, old=src.name, new=dst.name, by=by, now=now)
    entry_ids = [
        int(e)
        for (e,) in conn.rows(
            "SELECT id FROM entries WHERE unit_id = :u ORDER BY id", {"u": src.id}
        )
    ]
    if entry_ids:
        conn.run_many(
            "INSERT INTO unit_event_entries (event_id, entry_id) VALUES (:ev, :e)",
            [{"ev": event, "e": e} for e in entry_ids],
        )
        conn.run("UPDATE entries SET unit_id = :n WHERE unit_id = :o", {"n": dst.id, "o": src.id})
    conn.run("UPDATE unit_events SET unit_id = :n WHERE unit_id = :o", {"n": dst.id, "o": src.id})
    conn.run("DELETE FROM units WHERE id = :u", {"u": src.id})
    return MergeResult(src.name, dst.name, moved_assignments, len(entry_ids))


class UnitSummary(NamedTuple):
    name: str
    kind: str | None
    lead: int
    support: int
    done: int
    overdue: int


def list_units(
    conn: Connection, plan: PlanRef | None, as_of: date, *, only_plan: bool = False
) -> list[UnitSummary]:
    """Every unit of the office this run acts in with its tasks in ``plan`` as lead /
    supporting, done and overdue; with ``only_plan``, only the units assigned to a task of
    ``plan``."""
    from pufa_cli.offices.scoping import office_id

    here = office_id(conn)
    if plan is None:
        rows = conn.rows(
            "SELECT name, kind, 0, 0, 0, 0 FROM units WHERE office_id = :o ORDER BY name",
            {"o": here},
        )
    else:
        rows = conn.rows(
            TASK_CTES + ", st AS (SELECT task_id, CASE WHEN pct >= 100 THEN 1 ELSE 0 END AS done, "
            f"CASE WHEN {OVERDUE_SQL} THEN 1 ELSE 0 END AS overdue FROM ts) "
            "SELECT u.name, u.kind, "
            "COALESCE(SUM(CASE WHEN a.role IN ('lead', 'colead') THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN a.role = 'support' THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(st.done), 0), COALESCE(SUM(st.overdue), 0) "
            "FROM units u LEFT JOIN (assignments a JOIN st ON st.task_id = a.task_id) "
            "ON a.unit_id = u.id WHERE u.office_id = :o GROUP BY u.id, u.name, u.kind "
            + ("HAVING COUNT(a.id) > 0 " if only_plan else "")
            + "ORDER BY u.name",
            {"plan": plan.id, "as_of": as_of, "o": here},
        )
    return [UnitSummary(str(n), k, int(a), int(b), int(c), int(d)) for n, k, a, b, c, d in rows]


def expand_groups(conn: Connection, plan: PlanRef, names: Sequence[str]) -> list[str]:
    """Unit names with each of the plan's groups (各街道辦事處) replaced by its units."""
    import json

    raw = conn.scalar("SELECT groups FROM plans WHERE id = :p", {"p": plan.id})
    groups: dict[str, list[str]] = json.loads(raw or "{}")
    if not groups:
        return list(names)
    from pufa_cli.names import normalize_name

    out: list[str] = []
    for name in names:
        out.extend(groups.get(normalize_name(name), [name]))
    return out

"""Loading a validated plan into the database (``pufa init``), idempotently.

Running it again with the same plan writes nothing. An edited plan of the same year updates
texts, timing and targets and adds new tasks; a task that disappeared from the file is kept
(marked as no longer in the plan, with a message) unless ``prune`` is asked for. Pruning keeps
(and names) a task that has progress entries or assignments the office made itself: history
and the office's own work are never deleted. Pruning every task a plan had is refused unless
``prune_all`` says so (a wrong or truncated file must not empty a plan).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from pufa_cli.errors import Conflict
from pufa_cli.i18n import _, detect_script, ngettext
from pufa_cli.loading_sync import Writes, sync_assignments, sync_targets
from pufa_cli.names import match_key
from pufa_cli.plan import Plan, Task
from pufa_cli.refs import json_ref
from pufa_cli.store import Connection, as_date
from pufa_cli.store.sql import INSERT_UNIT
from pufa_cli.units import find_unit


class StoredTask(NamedTuple):
    """A task of the plan as stored, read back by :func:`load_plan` (its columns, in order)."""

    id: int
    number: int
    section_id: int
    title: str
    text: str
    due_word: str
    due_date: Any  # a date, or its ISO text on SQLite
    checks: str
    timing: str | None
    responsible: str | None
    in_plan: int
    plan_units: str
    cadence: str | None
    leader: str | None
    label: str | None
    carries: str | None
    item: int


@dataclass
class LoadResult:
    plan: str
    year: int
    sections: int
    tasks: int
    targets: int
    units: int
    # Task numbers (9), and sub-items as written (9.2).
    added: list[int | str] = field(default_factory=list)
    updated: list[int | str] = field(default_factory=list)
    missing: list[int | str] = field(default_factory=list)
    pruned: list[int | str] = field(default_factory=list)
    # Left out of the plan but kept by --prune: (task, progress entries) and (task, assignments
    # the office made itself); neither is ever deleted.
    kept_entries: list[tuple[int | str, int]] = field(default_factory=list)
    kept_assigned: list[tuple[int | str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan_script(plan: Plan) -> str:
    """'Hans' when the plan is written in Simplified characters, else 'Hant'."""
    # The script is told from the distinct characters: gather those, not the whole text.
    chars = set(plan.title + plan.preamble)
    for sec in plan.sections:
        for t in sec.tasks:
            chars.update(t.title)
            chars.update(t.text)
    return detect_script("".join(sorted(chars)))


def ensure_unit(conn: Connection, name: str, now: datetime, kind: str | None = None) -> int:
    """The id of unit ``name`` (already normalised), created when the plan names it."""
    from pufa_cli.offices.scoping import office_id

    unit = find_unit(conn, name)
    if unit is not None:
        return unit.id
    return conn.insert(
        INSERT_UNIT,
        {"o": office_id(conn), "n": name, "k": match_key(name), "kind": kind, "at": now},
    )


def load_plan(
    conn: Connection,
    plan: Plan,
    now: datetime,
    *,
    prune: bool = False,
    prune_all: bool = False,
    replace: bool = False,
) -> LoadResult:
    """Write ``plan`` into the database inside the caller's write transaction."""
    res = LoadResult(
        plan=plan.id,
        year=plan.year,
        sections=len(plan.sections),
        tasks=len(plan.tasks),
        targets=sum(len(t.targets) for t in plan.rows),
        units=len(plan.units),
    )
    script = plan_script(plan)
    meta = {
        "y": plan.year,
        "t": plan.title,
        "p": plan.preamble,
        "s": plan.source,
        "sc": script,
        "dn": plan.doc_number,
        "iss": plan.issuer,
        "issued": plan.issued,
        "to": json.dumps(list(plan.addressees), ensure_ascii=False),
        "gr": json.dumps({g: list(m) for g, m in plan.groups.items()}, ensure_ascii=False),
        "sco": None if plan.scoring is None else plan.scoring.to_json(),
    }
    from pufa_cli.offices.scoping import require_office_of

    here = require_office_of(conn, plan.office).id
    row = conn.one(
        "SELECT id, year, title, preamble, source, script, doc_number, issuer, issued, "
        "addressees, groups, scoring FROM plans WHERE code = :c AND office_id = :o",
        {"c": plan.id, "o": here},
    )
    if row is None:
        plan_id = conn.insert(
            "INSERT INTO plans (office_id, code, year, title, preamble, source, script, "
            "doc_number, issuer, issued, addressees, groups, scoring, loaded_at) VALUES (:o, :c, "
            ":y, :t, :p, :s, :sc, :dn, :iss, :issued, :to, :gr, :sco, :at) RETURNING id",
            {"o": here, "c": plan.id, "at": now, **meta},
        )
    else:
        plan_id = int(row[0])
        if not replace and (int(row[1]), str(row[2])) != (plan.year, plan.title):
            raise Conflict(
                _(
                    "plan {id} is already loaded as {old_year} '{old}'; this file is {year} "
                    "'{new}': give the file its own 'id:' to keep both, or pass --replace to "
                    "replace the plan"
                ).format(id=plan.id, old_year=row[1], old=row[2], year=plan.year, new=plan.title)
            )
        stored = (
            int(row[1]),
            *row[2:6],
            row[6],
            row[7],
            as_date(row[8]),
            str(row[9]),
            str(row[10]),
            row[11],
        )
        if stored != tuple(meta.values()):
            conn.run(
                "UPDATE plans SET year=:y, title=:t, preamble=:p, source=:s, script=:sc, "
                "doc_number=:dn, issuer=:iss, issued=:issued, addressees=:to, groups=:gr, "
                "scoring=:sco, "
                "loaded_at=:at "
                "WHERE id=:id",
                {"at": now, "id": plan_id, **meta},
            )
            res.notes.append(_("plan {id}: title or details updated").format(id=plan.id))

    # Whether the plan requires review (issue 16): follows the plan file on every load.
    conn.run(
        "UPDATE plans SET review = :r, reporting = :rp WHERE id = :id "
        "AND (review <> :r OR reporting <> :rp)",
        {"r": plan.review, "rp": plan.reporting, "id": plan_id},
    )
    unit_ids = {name: ensure_unit(conn, name, now) for name in plan.units}

    existing_sections = {
        int(n): (int(i), t, lb)
        for i, n, t, lb in conn.rows(
            "SELECT id, number, title, label FROM sections WHERE plan_id = :p", {"p": plan_id}
        )
    }
    section_ids: dict[int, int] = {}
    for sec in plan.sections:
        if sec.number in existing_sections:
            sid, title, label = existing_sections[sec.number]
            if (title, label) != (sec.title, sec.label):
                conn.run(
                    "UPDATE sections SET title=:t, label=:lb WHERE id=:id",
                    {"t": sec.title, "lb": sec.label, "id": sid},
                )
                res.notes.append(_("section {n}: title updated").format(n=sec.number))
        else:
            sid = conn.insert(
                "INSERT INTO sections (plan_id, number, title, label) VALUES (:p, :n, :t, :lb) "
                "RETURNING id",
                {"p": plan_id, "n": sec.number, "t": sec.title, "lb": sec.label},
            )
        section_ids[sec.number] = sid

    existing_tasks = {
        (int(t.number), int(t.item)): t
        for t in map(
            StoredTask._make,
            conn.rows(
                f"SELECT {', '.join(StoredTask._fields)} FROM tasks WHERE plan_id = :p",
                {"p": plan_id},
            ),
        )
    }
    # The targets and assignments the plan's tasks have: one query each, not one per task.
    old_targets: dict[int, dict[str, Any]] = {}
    old_roles: dict[int, dict[int, str]] = {}
    if existing_tasks:
        for r in conn.rows(
            "SELECT g.task_id, g.id, g.key, g.label, g.target, g.unit, g.phrase, g.position, "
            "g.aggregate FROM targets g JOIN tasks t ON t.id = g.task_id WHERE t.plan_id = :p "
            "ORDER BY g.id",
            {"p": plan_id},
        ):
            old_targets.setdefault(int(r[0]), {})[r[2]] = r[1:]
        for t, u, role in conn.rows(
            "SELECT a.task_id, a.unit_id, a.role FROM assignments a "
            "JOIN tasks t ON t.id = a.task_id WHERE t.plan_id = :p ORDER BY a.id",
            {"p": plan_id},
        ):
            old_roles.setdefault(int(t), {})[int(u)] = str(role)
    writes = Writes(now)
    new_rows: list[tuple[Any, ...]] = []  # tasks to insert, in the order of the plan
    new_tasks: list[Task] = []
    # New sub-items: (index in new_rows, the id of their task or the index of their new task)
    new_items: list[tuple[int, int | None, int | None]] = []
    parent_id: int | None = None
    parent_new: int | None = None
    for sec in plan.sections:
        section_id = section_ids[sec.number]
        for task in (row for t in sec.tasks for row in (t, *t.items)):
            if task.item == 0:
                parent_id = parent_new = None
            named = _plan_units(task)
            old = existing_tasks.get((task.number, task.item))
            if old is None:
                if task.item:
                    new_items.append((len(new_rows), parent_id, parent_new))
                else:
                    parent_new = len(new_rows)
                new_rows.append(
                    (
                        plan_id,
                        task.number,
                        section_id,
                        task.title,
                        task.text,
                        task.due_word,
                        task.due,
                        _checks(task),
                        task.timing,
                        task.responsible,
                        1,
                        named,
                        task.cadence,
                        task.leader,
                        task.label,
                        task.carries,
                        task.item,
                    )
                )
                new_tasks.append(task)
                res.added.append(_ref(task))
                continue
            ref = _ref(task)
            values = {
                "section_id": section_id,
                "title": task.title,
                "text": task.text,
                "due_word": task.due_word,
                "due_date": task.due.isoformat(),
                "checks": _checks(task),
                "timing": task.timing,
                "responsible": task.responsible,
                "in_plan": 1,
                "cadence": task.cadence,
                "leader": task.leader,
                "label": task.label,
                "carries": task.carries,
            }
            task_id = int(old.id)
            if old.title != task.title and not replace:
                _refuse_moving_history(conn, plan, task, old, named)
            if task.items:
                _refuse_items_on_history(conn, plan, task, task_id)
            current = {k: getattr(old, k) for k in values}
            current["due_date"] = str(old.due_date)[:10]
            if current != values:
                conn.run(
                    "UPDATE tasks SET section_id=:section_id, title=:title, text=:text, "
                    "due_word=:due_word, due_date=:due_date, checks=:checks, "
                    "timing=:timing, responsible=:responsible, in_plan=:in_plan, "
                    "cadence=:cadence, leader=:leader, label=:label, carries=:carries "
                    "WHERE id=:id",
                    {"id": task_id, **_dates(values)},
                )
                res.updated.append(ref)
            # Loaded before plan_units existed: as the plan names them now.
            before = str(old.plan_units) or named
            if old.plan_units != named:
                conn.run(
                    "UPDATE tasks SET plan_units = :named WHERE id = :id",
                    {"named": named, "id": task_id},
                )
            if task.item == 0:
                parent_id = task_id
            if sync_targets(conn, task_id, task, old_targets.get(task_id, {}), writes, res):
                if ref not in res.added and ref not in res.updated:
                    res.updated.append(ref)
            if not task.items:  # a task with items has no units of its own: its items do
                roles = old_roles.get(task_id, {})
                sync_assignments(task_id, task, _named_units(before), roles, unit_ids, writes, res)

    # The new tasks in bulk, in the plan's order (their ids ascend in that order).
    ids = conn.insert_many("tasks", _TASK_COLUMNS, new_rows, returning_ids=True)
    del new_rows
    if new_items:
        conn.run_many(
            "UPDATE tasks SET parent_id = :parent WHERE id = :id",
            (
                {"id": ids[i], "parent": parent if parent is not None else ids[k or 0]}
                for i, parent, k in new_items
            ),
        )
    for task_id, task in zip(ids, new_tasks, strict=True):
        for pos, tg in enumerate(task.targets):
            writes.target(task_id, tg, pos)
        if not task.items:
            sync_assignments(task_id, task, set(), {}, unit_ids, writes, res)
    writes.flush(conn)

    plan_numbers = {(t.number, t.item) for t in plan.rows}
    gone = [
        (f"{n}.{i}" if i else n, old)
        for (n, i), old in sorted(existing_tasks.items())
        if (n, i) not in plan_numbers
    ]
    if prune and gone and len(gone) == len(existing_tasks) and not prune_all:
        raise Conflict(
            _(
                "--prune would delete every task plan {plan} had ({count}); check that the file "
                "is the right one, or add --prune-all to delete them"
            ).format(plan=plan.id, count=len(gone))
        )
    for number, old in gone:
        task_id = int(old.id)
        if prune:
            entries = int(
                conn.scalar("SELECT count(*) FROM entries WHERE task_id = :t", {"t": task_id})
            )
            office = _office_assignments(conn, task_id, str(old.plan_units))
            if entries:
                res.kept_entries.append((number, entries))
            elif office:
                res.kept_assigned.append((number, office))
            else:
                conn.run("DELETE FROM tasks WHERE id = :t", {"t": task_id})
                res.pruned.append(number)
                continue
        if old.in_plan:
            conn.run("UPDATE tasks SET in_plan = 0 WHERE id = :t", {"t": task_id})
        if not prune:
            res.missing.append(number)
    return res


def _refuse_moving_history(
    conn: Connection, plan: Plan, task: Task, old: StoredTask, named: str
) -> None:
    """A task retitled under the same number keeps its history only when it has none: entries
    and the office's assignments never move to another task silently."""
    task_id = int(old.id)
    entries = int(conn.scalar("SELECT count(*) FROM entries WHERE task_id = :t", {"t": task_id}))
    office = _office_assignments(conn, task_id, str(old.plan_units) or named)
    if not entries and not office:
        return
    history = []
    if entries:
        history.append(
            ngettext("{n} progress entry", "{n} progress entries", entries).format(n=entries)
        )
    if office:
        history.append(
            ngettext(
                "{n} assignment made by the office", "{n} assignments made by the office", office
            ).format(n=office)
        )
    raise Conflict(
        _(
            "plan {id}, task {n}: would change its title from '{old}' to '{new}' but it has "
            "{history}; give the file its own 'id:' if it is another plan, or pass --replace if "
            "it is the same task"
        ).format(
            id=plan.id, n=task.number, old=old.title, new=task.title, history=", ".join(history)
        )
    )


def _office_assignments(conn: Connection, task_id: int, plan_units: str) -> int:
    """How many of the task's assignments the office made or changed itself: a unit the plan
    file did not name, or an assignment given its own due date. Before the plan's units were
    remembered (``plan_units`` empty) nobody can tell, so every assignment counts."""
    named = _named_units(plan_units) if plan_units else set()
    rows = conn.rows(
        "SELECT u.name, a.due_word FROM assignments a JOIN units u ON u.id = a.unit_id "
        "WHERE a.task_id = :t",
        {"t": task_id},
    )
    return sum(1 for name, due_word in rows if not plan_units or name not in named or due_word)


def _ref(task: Task) -> int | str:
    """A task's number (9), or a sub-item's reference (9.2), as load messages show them."""
    return json_ref(task.number, task.item)


def _refuse_items_on_history(conn: Connection, plan: Plan, task: Task, task_id: int) -> None:
    """A task that already has progress entries cannot take sub-items: its percent would come
    from the items and its own entries would stop counting without anyone saying so."""
    entries = int(
        conn.scalar(
            "SELECT count(*) FROM entries e WHERE e.task_id = :t AND NOT EXISTS "
            "(SELECT 1 FROM retractions r WHERE r.entry_id = e.id)",
            {"t": task_id},
        )
    )
    if entries:
        raise Conflict(
            _(
                "plan {id}, task {n}: has {count} progress entries and cannot take items; "
                "give the items to a new task, or retract the entries first"
            ).format(id=plan.id, n=task.number, count=entries)
        )


def _plan_units(task: Task) -> str:
    """``tasks.plan_units``: [lead or null, [supporting…]], and [co-leads…] third when the plan
    names co-leads (so a task without co-leads keeps the text it had before co-leads existed)."""
    named: list[object] = [task.lead, list(task.support)]
    if task.coleads:
        named.append(list(task.coleads))
    return json.dumps(named, ensure_ascii=False)


def _named_units(plan_units: str) -> set[str]:
    lead, support, *more = json.loads(plan_units)
    coleads = more[0] if more else []
    return {lead, *support, *coleads} - {None}


_TASK_COLUMNS = (
    "plan_id",
    "number",
    "section_id",
    "title",
    "text",
    "due_word",
    "due_date",
    "checks",
    "timing",
    "responsible",
    "in_plan",
    "plan_units",
    "cadence",
    "leader",
    "label",
    "carries",
    "item",
)


def _checks(task: Task) -> str:
    """``tasks.checks``: [[word, ISO date] …]."""
    if not task.checks:
        return "[]"
    return json.dumps([[c.word, c.date.isoformat()] for c in task.checks], ensure_ascii=False)


def _dates(values: dict[str, object]) -> dict[str, object]:
    out = dict(values)
    out["due_date"] = date.fromisoformat(str(values["due_date"]))
    return out

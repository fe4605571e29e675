"""The office's daily writes: assign tasks to units, log progress, retract entries.

History is append-only (一事一記、全程留痕): an entry is never updated or deleted; a correction is
a retraction row of its own (who, when, why), after which the entry stops counting and stays in
the history. Every function validates everything before its first write and runs inside the
caller's write transaction, so a refused command leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from pufa_cli import inputs
from pufa_cli.errors import BadInput, Conflict, NotFound, escape_controls
from pufa_cli.i18n import _, unit_text
from pufa_cli.inputs import MAX_BY, MAX_NOTE, clean_text
from pufa_cli.ledger import MAX_ID, TaskNo, task_id_for, tracked_task_id, unit_metric_values
from pufa_cli.progress import PlanRef
from pufa_cli.refs import task_ref
from pufa_cli.roles import ROLE_COLEAD, ROLE_LEAD, ROLE_SUPPORT
from pufa_cli.store import Connection, as_date
from pufa_cli.store.sql import INSERT_ASSIGNMENT, latest_counting
from pufa_cli.timing import parse_period
from pufa_cli.units import UnitRef, expand_groups, record_event, resolve_unit


class AssignResult(NamedTuple):
    task: TaskNo | int
    added: list[str]
    changed: list[str]
    unchanged: list[str]
    # (old lead, new lead) when this --lead made another unit the lead.
    lead_change: tuple[str, str] | None = None


def entry_key(
    year: int,
    task: TaskNo | int | str,
    unit: str,
    day: date,
    percent: int,
    metrics: Mapping[str, float],
    note: str,
    by: str,
    problems: str = "",
    next_steps: str = "",
) -> str:
    """A content key: the same report imported twice is recognised, an edited one is new.

    The SHA-256 (hex) of ``year|task|date|percent|`` then the unit, the note and who recorded
    it, each as ``length|text|``, then ``length|key|value|`` for each metric by key (the value
    as ``repr(float)``). Numbers, dates and float reprs never hold a ``|`` and every text
    carries its length, so two different entries never share a canonical form, whatever
    their text holds. ``pufa log`` and ``pufa import`` both key entries here; keys are stored,
    so this form must never change (an old export would then be imported again as new).
    Problems and next steps (issue 16), when either is given, follow as ``s|`` then each as
    ``length|text|`` (``s`` is never a metric's length, so no form is shared).
    """
    text = (
        f"{year}|{task}|{day.isoformat()}|{percent}|"
        f"{len(unit)}|{unit}|{len(note)}|{note}|{len(by)}|{by}|"
    )
    if metrics:
        text += "".join(f"{len(k)}|{k}|{float(v)!r}|" for k, v in sorted(metrics.items()))
    if problems or next_steps:
        text += f"s|{len(problems)}|{problems}|{len(next_steps)}|{next_steps}|"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _targets(conn: Connection, task_id: int) -> dict[str, tuple[int, float]]:
    return {
        str(k): (int(i), float(t))
        for i, k, t in conn.rows(
            "SELECT id, key, target FROM targets WHERE task_id = :t ORDER BY position",
            {"t": task_id},
        )
    }


def _target_words(conn: Connection, task_id: int) -> dict[str, tuple[str, str]]:
    """key → (label, unit) of the task's targets: what people may type for a metric."""
    return {
        str(k): (str(label), str(unit))
        for k, label, unit in conn.rows(
            "SELECT key, label, unit FROM targets WHERE task_id = :t", {"t": task_id}
        )
    }


def entry_window(conn: Connection, plan: PlanRef, task: TaskNo | int) -> tuple[date, date]:
    """The dates an entry of ``task`` may carry (``inputs.entry_window``)."""
    due = conn.scalar(
        "SELECT due_date FROM tasks WHERE id = :t", {"t": task_id_for(conn, plan, task)}
    )
    return inputs.entry_window(plan.year, as_date(due))


def _assignment(conn: Connection, task_id: int, unit_id: int) -> tuple[int, str] | None:
    row = conn.one(
        "SELECT id, role FROM assignments WHERE task_id = :t AND unit_id = :u",
        {"t": task_id, "u": unit_id},
    )
    return None if row is None else (int(row[0]), str(row[1]))


def assign(
    conn: Connection,
    plan: PlanRef,
    task: TaskNo | int,
    units: Sequence[str],
    *,
    lead: str | Sequence[str] | None,
    due_word: str | None,
    now: datetime,
    person: str | None = None,
    by: str = "",
) -> AssignResult:
    """Assign units to a task; ``lead`` names its lead unit, or several (co-leads, 共同牽頭);
    ``due_word`` overrides the plan's timing.

    A task keeps one lead (role ``lead``); further leads are co-leads (role ``colead``), shown
    and reported as lead. Naming the task's lead among the leads (``--lead 甲 --lead 乙``) keeps
    it and adds the others as co-leads; naming leads without it changes the lead in place (the
    first named becomes the lead, the old lead a supporting unit, recorded in unit_events)."""
    task_id = tracked_task_id(conn, plan, task)
    due = parse_period(due_word, plan.year).end if due_word is not None else None
    person = check_person(person)
    resolved: list[UnitRef] = []
    for name in expand_groups(conn, plan, units):  # a group assigns each of its units
        unit = resolve_unit(conn, name)
        if unit not in resolved:
            resolved.append(unit)
    lead_names = [lead] if isinstance(lead, str) else list(lead or ())
    lead_units: list[UnitRef] = []
    for name in lead_names:
        if expand_groups(conn, plan, [name]) != [name]:
            raise BadInput(
                _(
                    "'{name}' is a group: name its units as leads (--lead UNIT, repeated), or "
                    "assign the group without --lead"
                ).format(name=name)
            )
        unit = resolve_unit(conn, name)
        if unit not in lead_units:
            lead_units.append(unit)
    for unit in reversed(lead_units):
        if unit not in resolved:
            resolved.insert(0, unit)
    if not resolved:
        raise BadInput(_("name at least one unit to assign"))
    result = AssignResult(task, [], [], [])
    roles: dict[int, str] = {}
    if lead_units:
        row = conn.one(
            "SELECT a.id, u.id, u.name FROM assignments a JOIN units u ON u.id = a.unit_id "
            "WHERE a.task_id = :t AND a.role = 'lead'",
            {"t": task_id},
        )
        ids = [u.id for u in lead_units]
        if row is not None and int(row[1]) not in ids:
            # The lead changes in place: the first lead named becomes the lead, the old lead
            # stays on as a supporting unit (set before the new lead, so there is never a
            # second lead), and the change is recorded. Naming the old lead too
            # (--lead OLD --lead NEW) keeps it and adds co-leads instead (below).
            conn.run(
                "UPDATE assignments SET role = :r WHERE id = :id", {"r": ROLE_SUPPORT, "id": row[0]}
            )
            record_event(
                conn,
                "lead",
                lead_units[0].id,
                old=str(row[2]),
                new=lead_units[0].name,
                by=by,
                now=now,
                task_id=task_id,
            )
            result = result._replace(lead_change=(str(row[2]), lead_units[0].name))
            row = None
        first = int(row[1]) if row is not None else ids[0]
        roles = {uid: ROLE_LEAD if uid == first else ROLE_COLEAD for uid in ids}
    for unit in resolved:
        role = roles.get(unit.id)
        existing = _assignment(conn, task_id, unit.id)
        if existing is None:
            conn.run(
                INSERT_ASSIGNMENT,
                {
                    "t": task_id,
                    "u": unit.id,
                    "r": role or ROLE_SUPPORT,
                    "w": due_word,
                    "d": due,
                    "at": now,
                    "person": person,
                },
            )
            result.added.append(unit.name)
            continue
        sets = []
        params: dict[str, object] = {"id": existing[0]}
        if role is not None and existing[1] != role:
            sets.append("role = :r")
            params["r"] = role
        if due is not None:
            sets.append("due_word = :w, due_date = :d")
            params.update({"w": due_word, "d": due})
        if person is not None:
            sets.append("person = :person")
            params["person"] = person
        if sets:
            conn.run(f"UPDATE assignments SET {', '.join(sets)} WHERE id = :id", params)
            result.changed.append(unit.name)
        else:
            result.unchanged.append(unit.name)
    return result


def check_person(person: str | None) -> str | None:
    """``--person`` (責任人): a name of 1-100 characters, no control characters."""
    if person is None:
        return None
    text = " ".join(person.split())
    if not text or len(text) > 100 or any(ord(ch) < 32 or ord(ch) == 127 for ch in person):
        raise BadInput(
            _("--person must be a name of 1 to 100 characters, not '{value}'").format(
                value=escape_controls(person[:120])
            )
        )
    return text


def unassign(conn: Connection, plan: PlanRef, task: TaskNo | int, unit_name: str) -> str:
    """Remove a unit from a task. Its entries stay in the history."""
    task_id = task_id_for(conn, plan, task)
    unit = resolve_unit(conn, unit_name)
    if _assignment(conn, task_id, unit.id) is None:
        raise NotFound(
            _("unit {unit} is not assigned to task {task}").format(
                unit=unit_text(unit.name), task=task
            )
        )
    conn.run(
        "DELETE FROM assignments WHERE task_id = :t AND unit_id = :u", {"t": task_id, "u": unit.id}
    )
    # A co-lead exists only beside a lead: the earliest co-lead becomes the lead.
    if conn.one("SELECT 1 FROM assignments WHERE task_id = :t AND role = 'lead'", {"t": task_id}):
        return unit.name
    row = conn.one(
        "SELECT MIN(id) FROM assignments WHERE task_id = :t AND role = 'colead'", {"t": task_id}
    )
    if row is not None and row[0] is not None:
        conn.run("UPDATE assignments SET role = 'lead' WHERE id = :id", {"id": int(row[0])})
    return unit.name


def check_percent(value: int) -> int:
    if isinstance(value, bool) or not 0 <= int(value) <= 100:
        raise BadInput(
            _("percent must be a whole number from 0 to 100, not {value}").format(value=value)
        )
    return int(value)


def derived_percent(
    conn: Connection,
    task_id: int,
    unit_id: int,
    day: date,
    targets: Mapping[str, tuple[int, float]],
    metrics: Mapping[str, float],
) -> int:
    """Mean over the task's targets of min(100, latest value / target × 100), rounded down;
    the new entry's own values count as the latest."""
    if not targets:
        return 0
    total = 0.0
    for key, (target_id, target) in targets.items():
        value = metrics.get(key)
        if value is None:
            row = conn.one(
                latest_counting(
                    "m.value",
                    "entry_metrics m JOIN entries e ON e.id = m.entry_id",
                    "m.target_id = :g AND e.unit_id = :u AND e.task_id = :t AND e.entry_date <= :d",
                ),
                {"g": target_id, "u": unit_id, "t": task_id, "d": day},
            )
            value = float(row[0]) if row else 0.0
        total += min(100.0, value / target * 100.0)
    # floor of the mean, guarded against 99.99999 from float division
    return min(100, math.floor(total / len(targets) + 1e-9))


class Retraction(NamedTuple):
    """An entry's retraction as a sheet or bundle brings it: when (None: now), by whom, why."""

    at: datetime | None
    by: str
    reason: str


class NewEntry(NamedTuple):
    """An entry ready to insert: one ``pufa log`` records, or a row an import adds (with what
    only a file carries: when it was recorded, its retraction, its evidence files)."""

    key: str
    task_id: int
    unit_id: int
    day: date
    percent: int
    note: str
    by: str
    metrics: dict[int, float]  # target id → value
    problems: str = ""
    next_steps: str = ""
    recorded_at: datetime | None = None  # None: now
    retraction: Retraction | None = None
    evidence: tuple[Any, ...] = ()  # read and checked (supervision.evidence.EvidenceFile)


ENTRY_COLUMNS = (
    "task_id",
    "unit_id",
    "entry_date",
    "percent",
    "note",
    "recorded_by",
    "created_at",
    "key",
    "problems",
    "next_steps",
)


def entry_values(rows: Iterable[NewEntry], now: datetime) -> Iterator[tuple[Any, ...]]:
    """Each entry's values of ``ENTRY_COLUMNS``."""
    return (
        (
            r.task_id,
            r.unit_id,
            r.day,
            r.percent,
            r.note,
            r.by,
            r.recorded_at or now,
            r.key,
            r.problems,
            r.next_steps,
        )
        for r in rows
    )


def insert_entry(conn: Connection, entry: NewEntry, now: datetime) -> int:
    [entry_id] = conn.insert_many(
        "entries", ENTRY_COLUMNS, entry_values([entry], now), returning_ids=True
    )
    insert_metrics(conn, [entry_id], [entry])
    return entry_id


def insert_metrics(conn: Connection, ids: Sequence[int], entries: Sequence[NewEntry]) -> None:
    """The metric values of newly inserted ``entries`` (``ids``: their ids, in their order)."""
    values = [(i, g, v) for i, e in zip(ids, entries, strict=True) for g, v in e.metrics.items()]
    if values:
        conn.insert_many("entry_metrics", ("entry_id", "target_id", "value"), values)


def log_progress(
    conn: Connection,
    plan: PlanRef,
    task: TaskNo | int,
    unit_name: str,
    *,
    percent: int | None,
    done: bool,
    metrics: Sequence[str],
    note: str,
    day: date,
    by: str,
    now: datetime,
    today: date,
    assign_unit: bool = False,
    problems: str = "",
    next_steps: str = "",
    again: bool = False,
) -> int:
    """Append one progress entry; return its id. The same entry as one already counting (same
    task, unit, date, percent, metrics and note) is refused with that entry's id unless
    ``again``: a retried script or a double click does not count twice."""
    if percent is not None and done:
        raise BadInput(_("give either --percent or --done, not both"))
    if percent is not None:
        percent = check_percent(percent)
    note = clean_text(note, _("note"), MAX_NOTE, multiline=True)
    problems = clean_text(problems, "--problems", MAX_NOTE, multiline=True)
    next_steps = clean_text(next_steps, "--next", MAX_NOTE, multiline=True)
    by = clean_text(by, _("--by"), MAX_BY)
    if not by:
        raise BadInput(_("--by must not be empty"))
    task_id = tracked_task_id(conn, plan, task)
    inputs.check_entry_date(day, today, plan.year, entry_window(conn, plan, task), option=True)
    targets = _targets(conn, task_id)
    values = inputs.parse_metrics(metrics, targets, task, _target_words(conn, task_id))
    if percent is None and not done and not values:
        raise BadInput(_("say how far the task has got: --percent P, --done or --metric KEY=VALUE"))
    unit = resolve_unit(conn, unit_name)
    if _assignment(conn, task_id, unit.id) is None:
        if not assign_unit:
            raise BadInput(
                _(
                    "unit {unit} is not assigned to task {task} (assign it with "
                    "'pufa assign {task} {unit}', or log with --assign)"
                ).format(unit=unit_text(unit.name), task=task)
            )
        conn.run(
            INSERT_ASSIGNMENT,
            {
                "t": task_id,
                "u": unit.id,
                "r": ROLE_SUPPORT,
                "w": None,
                "d": None,
                "at": now,
                "person": None,
            },
        )
    if done:
        percent = 100
    elif percent is None:
        percent = derived_percent(conn, task_id, unit.id, day, targets, values)
    metric_ids = {targets[k][0]: v for k, v in values.items()}
    if not again:
        first = _same_entry(
            conn, task_id, unit.id, day, percent, note, metric_ids, problems, next_steps
        )
        if first is not None:
            raise Conflict(
                _(
                    "the same entry is already recorded as entry {id} (task {task}, {unit}, "
                    "{day}); to record it a second time, add --again"
                ).format(id=first, task=task, unit=unit_text(unit.name), day=day.isoformat())
            )
    key = entry_key(
        plan.year, task, unit.name, day, percent, values, note, by, problems, next_steps
    )
    return insert_entry(
        conn,
        NewEntry(key, task_id, unit.id, day, percent, note, by, metric_ids, problems, next_steps),
        now,
    )


def _same_entry(
    conn: Connection,
    task_id: int,
    unit_id: int,
    day: date,
    percent: int,
    note: str,
    metrics: Mapping[int, float],
    problems: str = "",
    next_steps: str = "",
) -> int | None:
    """The first counting (not retracted) entry with these very values (problems and next
    steps included: a new reason is a new report), or None. A retracted one does not stand in
    the way: logging it again is how a figure is restored."""
    candidates = [
        int(eid)
        for (eid,) in conn.rows(
            "SELECT e.id FROM entries e WHERE e.task_id = :t AND e.unit_id = :u "
            "AND e.entry_date = :d AND e.percent = :p AND e.note = :n "
            "AND COALESCE(e.problems, '') = :pr AND COALESCE(e.next_steps, '') = :nx "
            "AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = e.id) ORDER BY e.id",
            {
                "t": task_id,
                "u": unit_id,
                "d": day,
                "p": percent,
                "n": note,
                "pr": problems,
                "nx": next_steps,
            },
        )
    ]
    for eid in candidates:
        stored = {
            int(g): float(v)
            for g, v in conn.rows(
                "SELECT target_id, value FROM entry_metrics WHERE entry_id = :e", {"e": eid}
            )
        }
        if stored == dict(metrics):
            return eid
    return None


class EntrySummary(NamedTuple):
    """What an entry counts as: its task, unit and percent, and the unit's value against each
    of the task's targets as of the entry's date (``37/100 個``)."""

    id: int
    task: str  # as commands name it: 9, or 9.2 for a sub-item (refs.task_ref)
    unit: str
    percent: int
    targets: list[tuple[float, float, str]]


def entry_summary(conn: Connection, entry_id: int) -> EntrySummary:
    row = conn.one(
        "SELECT e.task_id, t.number, t.item, e.unit_id, u.name, e.percent, e.entry_date "
        "FROM entries e "
        "JOIN tasks t ON t.id = e.task_id JOIN units u ON u.id = e.unit_id WHERE e.id = :e",
        {"e": entry_id},
    )
    if row is None:
        raise NotFound(_("no entry {id}").format(id=entry_id))
    task_id, number, item, unit_id, unit, percent, day = row
    entry_day = as_date(day)
    assert entry_day is not None  # entry_date is NOT NULL
    values = unit_metric_values(conn, int(task_id), entry_day)
    targets = [
        (values.get((int(unit_id), str(key)), 0.0), float(target), str(measure))
        for key, target, measure in conn.rows(
            "SELECT key, target, unit FROM targets WHERE task_id = :t ORDER BY position",
            {"t": task_id},
        )
    ]
    ref = task_ref(int(number), int(item))
    return EntrySummary(entry_id, ref, str(unit), int(percent), targets)


def retract(conn: Connection, entry_id: int, reason: str, by: str, now: datetime) -> int:
    """Record that an entry no longer counts; the entry itself is never changed."""
    reason = clean_text(reason, _("reason"), MAX_NOTE, multiline=True)
    if not reason:
        raise BadInput(_("give a reason for the retraction (--reason)"))
    by = clean_text(by, _("--by"), MAX_BY)
    if not by:
        raise BadInput(_("--by must not be empty"))
    if not 1 <= entry_id <= MAX_ID or (
        conn.one("SELECT id FROM entries WHERE id = :e", {"e": entry_id}) is None
    ):
        raise NotFound(_("no entry {id}").format(id=entry_id))
    if conn.one("SELECT entry_id FROM retractions WHERE entry_id = :e", {"e": entry_id}):
        raise Conflict(_("entry {id} is already retracted").format(id=entry_id))
    conn.run(
        "INSERT INTO retractions (entry_id, reason, retracted_by, retracted_at) "
        "VALUES (:e, :r, :b, :at)",
        {"e": entry_id, "r": reason, "b": by, "at": now},
    )
    return entry_id

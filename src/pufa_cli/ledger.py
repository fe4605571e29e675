"""Reading the ledger: tasks with their units, targets and history, as of a date.

Percent and status come from ``progress`` (computed in SQL); this module adds the per-task
details a person reads: assigned units, targets with their latest values, the full history.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any, NamedTuple

from pufa_cli.checkpoints import Checkpoint, checkpoint_states
from pufa_cli.errors import BadInput, NotFound
from pufa_cli.i18n import _
from pufa_cli.progress import (
    BEHIND,
    OVERDUE,
    WHOLE_PLAN,
    PlanRef,
    Scope,
    TaskStatus,
    UnitStatus,
    awaiting_tasks,
    due_sql,
    round1,
    task_statuses,
    unit_statuses,
    without_extensions,
    without_unit_dues,
)
from pufa_cli.refs import task_ref
from pufa_cli.store import Connection, as_date, as_datetime
from pufa_cli.store.sql import latest_counting

# Targets live in targets.py; these names are read from here too.
from pufa_cli.targets import TargetProgress as TargetProgress
from pufa_cli.targets import fmt_number as fmt_number
from pufa_cli.targets import task_targets as task_targets
from pufa_cli.timing import quarter_of

# The largest id or number the schema's INTEGER columns hold on every engine (PostgreSQL int4).
MAX_ID = 2_147_483_647

# Metric values with their entries (aliased e), for latest_counting.
_METRICS = "entry_metrics m JOIN entries e ON e.id = m.entry_id"


class TaskView(NamedTuple):
    status: TaskStatus
    due_word: str
    units: Sequence[UnitStatus] = ()
    targets: Sequence[TargetProgress] = ()
    checkpoints: Sequence[Checkpoint] = ()
    planned_due: date | None = None  # the due date without extensions (issue 16)

    @property
    def missed(self) -> int:
        return sum(1 for c in self.checkpoints if c.met is False)


# Tasks computed per query: the lists stream in slices of this many task numbers (a task with
# its items), so memory does not grow with the plan and a filter reads only its slices.
CHUNK = 2000


def list_tasks(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    *,
    section: int | None = None,
    unit_id: int | None = None,
    status: str | None = None,
    due_quarter: int | None = None,
    task_id: int | None = None,
) -> list[TaskView]:
    """The plan's tasks as of ``as_of`` that pass the filters (see :func:`iter_tasks`), in
    full."""
    return list(
        iter_tasks(
            conn,
            plan,
            as_of,
            section=section,
            unit_id=unit_id,
            status=status,
            due_quarter=due_quarter,
            task_id=task_id,
        )
    )


def iter_tasks(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    *,
    section: int | None = None,
    unit_id: int | None = None,
    status: str | None = None,
    due_quarter: int | None = None,
    task_id: int | None = None,
    chunk: int | None = None,
    brief: bool = False,
) -> Iterator[TaskView]:
    """The plan's current tasks (each followed by its items) as of ``as_of`` that pass the
    filters, in order, computed a slice of task numbers at a time (issue 19).

    The filters that are plain columns narrow the tasks in SQL (``task_id``, ``section``,
    ``unit_id``; ``due_quarter`` by every date a task's due date can be): only the candidates
    are computed, with the items of a candidate task (its percent is their mean); the exact
    test then runs on each computed task, as it always did. ``status`` is computed, so it is
    tested on the candidates the other filters leave.

    ``brief``: what the ``tasks`` table shows, each view's status and targets only (its units,
    due word, planned due and checkpoints are left empty and not read, except what a filter
    needs to test): half the queries of a slice."""
    cand, params = _candidates(conn, plan, as_of, section, unit_id, due_quarter, task_id)
    numbers = [
        int(r[0])
        for r in conn.rows(
            "SELECT DISTINCT t.number FROM tasks t WHERE t.plan_id = :plan AND t.in_plan = 1"
            + (f" AND {cand('t')}" if cand else "")
            + " ORDER BY t.number",
            {"plan": plan.id, **params},
        )
    ]
    if not numbers:
        return
    # A candidate's items come with it, though they may not pass the filters themselves.
    with_items = (
        f" AND ({cand('t')} OR EXISTS (SELECT 1 FROM tasks tp WHERE tp.id = t.parent_id "
        f"AND {cand('tp')}))"
        if cand
        else ""
    )
    waiting = awaiting_tasks(conn, plan, as_of)
    # Where due dates can differ from the plan's, read once (each a scan when there are none).
    dues = _Dues(not without_unit_dues(conn), not without_extensions(conn)) if not brief else None
    size = chunk or CHUNK
    for start in range(0, len(numbers), size):
        part = numbers[start : start + size]
        scope = Scope(
            " AND t.number BETWEEN :f_lo AND :f_hi" + with_items,
            {**params, "f_lo": part[0], "f_hi": part[-1]},
        )
        yield from _views(
            conn, plan, as_of, scope, waiting, section, unit_id, status, due_quarter, brief, dues
        )


def _candidates(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    section: int | None,
    unit_id: int | None,
    due_quarter: int | None,
    task_id: int | None,
) -> tuple[Callable[[str], str] | None, dict[str, Any]]:
    """The filters as SQL on a ``tasks`` alias: a task that passes them satisfies it (for
    ``due_quarter``, one of its dates is in the quarter: a superset, tested exactly later)."""
    conds: list[Callable[[str], str]] = []
    params: dict[str, Any] = {}
    if task_id is not None:
        conds.append(lambda a: f"{a}.id = :f_task")
        params["f_task"] = task_id
    if section is not None:
        conds.append(
            lambda a: (
                f"{a}.section_id IN (SELECT fs.id FROM sections fs "
                "WHERE fs.plan_id = :plan AND fs.number = :f_section)"
            )
        )
        params["f_section"] = section
    if unit_id is not None:
        conds.append(
            lambda a: (
                "EXISTS (SELECT 1 FROM assignments fa "
                f"WHERE fa.task_id = {a}.id AND fa.unit_id = :f_unit)"
            )
        )
        params["f_unit"] = unit_id
    if due_quarter is not None:
        # [first day of the quarter, first day of the next)
        params["f_from"] = date(plan.year, 3 * due_quarter - 2, 1)
        after = plan.year * 12 + 3 * due_quarter  # the next quarter's first month, 0-based
        params["f_until"] = date(after // 12, after % 12 + 1, 1)
        in_quarter = ".due_date >= :f_from AND {0}.due_date < :f_until"
        conds.append(
            lambda a: (
                f"({a}{in_quarter.format(a)} "
                f"OR EXISTS (SELECT 1 FROM assignments fa WHERE fa.task_id = {a}.id "
                f"AND fa{in_quarter.format('fa')}) "
                f"OR EXISTS (SELECT 1 FROM extensions fx WHERE fx.task_id = {a}.id "
                f"AND fx{in_quarter.format('fx')}))"
            )
        )
    if not conds:
        return None, params
    return (lambda a: " AND ".join(c(a) for c in conds)), params


def _views(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    scope: Scope,
    waiting: set[int],
    section: int | None,
    unit_id: int | None,
    status: str | None,
    due_quarter: int | None,
    brief: bool = False,
    dues: _Dues | None = None,
) -> Iterator[TaskView]:
    """The views of ``scope``'s tasks that pass the filters (tested exactly, in Python); in
    ``brief``, status and targets only (see :func:`iter_tasks`)."""
    statuses = task_statuses(conn, plan, as_of, scope, waiting)
    if not statuses:
        return
    by_task: dict[int, list[UnitStatus]] = defaultdict(list)
    due_words: dict[tuple[int, date | None], str] = {}
    planned: dict[int, date] = {}
    if not brief:
        for us in unit_statuses(conn, plan, as_of, scope=scope):
            by_task[us.task_id].append(us)
        dues = dues or _Dues()
        due_words = _due_words(conn, plan, scope, dues)
        if dues.units or dues.extensions:  # else every task's planned due is its due date
            planned = _planned_dues(conn, plan, scope)
    targets = task_targets(conn, plan, as_of, scope=scope)
    checkpoints = {}
    if not brief or status == BEHIND:
        checkpoints = checkpoint_states(conn, plan, as_of, scope=scope)
    with_unit: set[int] = set()
    if unit_id is not None:
        with_unit = (
            _tasks_of_unit(conn, plan, scope, unit_id)
            if brief
            else {u.task_id for us in by_task.values() for u in us if u.unit_id == unit_id}
        )
    for ts in statuses:
        if section is not None and ts.section != section:
            continue
        if unit_id is not None and ts.task_id not in with_unit:
            continue
        cps = checkpoints.get(ts.task_id)
        if status is not None:
            if status == OVERDUE:
                if not ts.overdue:
                    continue
            elif status == BEHIND:
                if cps is None or not cps.missed:
                    continue
            elif ts.status != status:
                continue
        if due_quarter is not None and (
            ts.due.year != plan.year or quarter_of(ts.due) != due_quarter
        ):
            continue
        if brief:
            yield TaskView(ts, "", targets=targets.get(ts.task_id, []))
            continue
        yield TaskView(
            ts,
            due_words.get((ts.task_id, ts.due), due_words.get((ts.task_id, None), "")),
            by_task[ts.task_id],
            targets.get(ts.task_id, []),
            cps.checkpoints if cps is not None else [],
            planned.get(ts.task_id),
        )


def _tasks_of_unit(conn: Connection, plan: PlanRef, scope: Scope, unit_id: int) -> set[int]:
    """The ids of ``scope``'s current tasks assigned to the unit."""
    return {
        int(r[0])
        for r in conn.rows(
            "SELECT t.id FROM tasks t JOIN assignments a ON a.task_id = t.id "
            f"WHERE t.plan_id = :plan AND t.in_plan = 1 AND a.unit_id = :f_unit_id{scope.where}",
            scope.bind({"plan": plan.id, "f_unit_id": unit_id}),
        )
    }


def _planned_dues(conn: Connection, plan: PlanRef, scope: Scope) -> dict[int, date]:
    """task id → its due date without extensions (the latest of its units', else the plan's):
    ``supervision.extensions.planned_dues`` for ``scope``'s tasks."""
    out: dict[int, date] = {}
    for tid, due in conn.rows(
        f"SELECT t.id, MAX({due_sql(True)}) FROM tasks t "
        "LEFT JOIN assignments a ON a.task_id = t.id "
        f"WHERE t.plan_id = :plan{scope.where} GROUP BY t.id",
        scope.bind({"plan": plan.id}),
    ):
        d = as_date(due)
        assert d is not None
        out[int(tid)] = d
    return out


class _Dues(NamedTuple):
    """Whether any assignment has its own due date (``units``) and any extension was granted
    (``extensions``): when not, their queries are skipped (nothing to find)."""

    units: bool = True
    extensions: bool = True


def _due_words(
    conn: Connection, plan: PlanRef, scope: Scope = WHOLE_PLAN, dues: _Dues = _Dues()
) -> dict[tuple[int, date | None], str]:
    """(task id, None) → the plan's due word; (task id, date) → the word for a task due on that
    date: the plan's own word on the plan's due date (an override written ``Q4`` for 年底's
    12-31 does not replace 年底), else the word of the assignment whose own date it is."""
    out: dict[tuple[int, date | None], str] = {}
    params = scope.bind({"plan": plan.id})
    sources = []
    if dues.units:
        sources.append(
            "SELECT a.task_id, a.due_word, a.due_date FROM assignments a "
            "JOIN tasks t ON t.id = a.task_id WHERE t.plan_id = :plan AND a.due_date IS NOT NULL"
            + scope.where
        )
    if dues.extensions:  # an extension's own word (延期至…)
        sources.append(
            "SELECT x.task_id, x.due_word, x.due_date FROM extensions x "
            f"JOIN tasks t ON t.id = x.task_id WHERE t.plan_id = :plan{scope.where} ORDER BY x.id"
        )
    for sql in sources:
        for tid, word, due in conn.rows(sql, params):
            out[(int(tid), as_date(due))] = str(word)
    for tid, word, due in conn.rows(
        f"SELECT t.id, t.due_word, t.due_date FROM tasks t WHERE t.plan_id = :plan{scope.where}",
        params,
    ):
        out[(int(tid), None)] = out[(int(tid), as_date(due))] = str(word)
    return out


class TaskNo(NamedTuple):
    """How a command names a task: ``9``, or ``9.2`` for sub-item 2 of task 9."""

    number: int
    item: int = 0

    def __str__(self) -> str:
        return task_ref(self.number, self.item)

    @property
    def json(self) -> int | str:
        """JSON's ``number``: a task's stays a plain integer (9), a sub-item's is "9.2"."""
        return str(self) if self.item else self.number


def task_id_for(conn: Connection, plan: PlanRef, number: TaskNo | int) -> int:
    ref = number if isinstance(number, TaskNo) else TaskNo(number)
    row = conn.one(
        "SELECT id FROM tasks WHERE plan_id = :p AND number = :n AND item = :i",
        {"p": plan.id, "n": ref.number, "i": ref.item},
    )
    if row is None:
        raise NotFound(_("no task {n} in plan {year}").format(n=ref, year=plan.year))
    return int(row[0])


def tracked_task_id(conn: Connection, plan: PlanRef, number: TaskNo | int) -> int:
    """The task's id for ``log`` and ``assign``; a task with sub-items is refused, naming them:
    its percent is the mean of its items, so work is logged and assigned against them."""
    task_id = task_id_for(conn, plan, number)
    items = conn.rows(
        "SELECT number, item FROM tasks WHERE parent_id = :t AND in_plan = 1 ORDER BY item",
        {"t": task_id},
    )
    if items:
        raise BadInput(
            _("task {n} has items {items}: its percent is their mean; name an item").format(
                n=number, items=", ".join(f"{n}.{i}" for n, i in items)
            )
        )
    return task_id


def parse_task_number(text: str) -> TaskNo:
    """``9`` or ``9.2`` (sub-item 2 of task 9); BadInput otherwise."""
    raw = str(text).strip()
    head, dot, tail = raw.partition(".")
    try:
        if dot and not (tail.isascii() and tail.isdigit()):
            raise ValueError(tail)
        value = int(head)
        item = int(tail) if dot else 0
    except ValueError:
        raise BadInput(_("'{text}' is not a task number").format(text=text)) from None
    # The upper bound keeps a huge number from overflowing the database's integer column.
    if not 1 <= value <= MAX_ID or not 0 <= item <= MAX_ID or (dot and item < 1):
        raise BadInput(_("'{text}' is not a task number").format(text=text))
    return TaskNo(value, item)


def history(conn: Connection, task_id: int, as_of: date) -> list[dict[str, Any]]:
    """Every entry of a task dated on or before ``as_of``, oldest first, retracted ones included
    and marked: the entries the figures as of that date are made of."""
    metrics: dict[int, dict[str, float]] = defaultdict(dict)
    params = {"t": task_id, "as_of": as_of}
    for eid, key, value in conn.rows(
        "SELECT m.entry_id, g.key, m.value FROM entry_metrics m "
        "JOIN targets g ON g.id = m.target_id JOIN entries e ON e.id = m.entry_id "
        "WHERE e.task_id = :t AND e.entry_date <= :as_of",
        params,
    ):
        metrics[int(eid)][str(key)] = float(value)
    out = []
    for row in conn.rows(
        "SELECT e.id, e.entry_date, u.name, e.percent, e.note, e.recorded_by, e.created_at, "
        "r.retracted_at, r.reason, r.retracted_by, e.problems, e.next_steps FROM entries e "
        "JOIN units u ON u.id = e.unit_id LEFT JOIN retractions r ON r.entry_id = e.id "
        "WHERE e.task_id = :t AND e.entry_date <= :as_of ORDER BY e.entry_date, e.id",
        params,
    ):
        eid, day, unit, pct, note, by, created, r_at, r_reason, r_by, problems, next_ = row
        out.append(
            {
                "id": int(eid),
                "date": _iso(as_date(day)),
                "unit": str(unit),
                "percent": int(pct),
                "metrics": {k: json_number(v) for k, v in metrics.get(int(eid), {}).items()},
                "note": note or "",
                "problems": problems or "",
                "next": next_ or "",
                "by": by,
                "recorded_at": _iso(as_datetime(created)),
                "retracted": r_at is not None,
                "retracted_at": _iso(as_datetime(r_at)) if r_at is not None else None,
                "retracted_by": r_by,
                "retraction_reason": r_reason,
            }
        )
    return out


def later_entries(conn: Connection, task_id: int, as_of: date) -> int:
    """How many entries of a task are dated after ``as_of`` (left out of its history then)."""
    return int(
        conn.scalar(
            "SELECT COUNT(*) FROM entries WHERE task_id = :t AND entry_date > :as_of",
            {"t": task_id, "as_of": as_of},
        )
        or 0
    )


def unit_metric_values(conn: Connection, task_id: int, as_of: date) -> dict[tuple[int, str], float]:
    """(unit id, target key) → that unit's latest value as of ``as_of``."""
    rows = conn.rows(
        "SELECT a.unit_id, g.key, ("
        + latest_counting(
            "m.value",
            _METRICS,
            "m.target_id = g.id AND e.unit_id = a.unit_id AND e.entry_date <= :as_of",
        )
        + ") FROM assignments a JOIN targets g ON g.task_id = a.task_id WHERE a.task_id = :t",
        {"t": task_id, "as_of": as_of},
    )
    return {(int(u), str(k)): float(v) for u, k, v in rows if v is not None}


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def json_number(value: float) -> float | int:
    """A number for JSON: 37, not 37.0; 12.5 stays 12.5."""
    return int(value) if float(value).is_integer() else value


def task_json(view: TaskView, plan: PlanRef, text_fn: Any) -> dict[str, Any]:
    """The stable JSON object of a task (keys never change with the language)."""
    ts = view.status
    return {
        "year": plan.year,
        "plan": plan.code,
        "number": ts.json_number,  # 9, or "9.2" for a sub-item
        "label": ts.label,
        "section": ts.section,
        "title": text_fn(ts.title),
        "due": ts.due.isoformat(),
        "planned_due": (view.planned_due or ts.due).isoformat(),
        "due_word": view.due_word,
        "ongoing": ts.ongoing,
        "checkpoints": [{"date": c.date.isoformat(), "met": c.met} for c in view.checkpoints],
        "percent": round1(ts.percent),
        "status": ts.status,
        "overdue": ts.overdue,
        "units": [
            {
                "unit": u.unit,
                "role": u.role,
                "due": u.due.isoformat(),
                "percent": u.percent,
                "person": u.person,
            }
            for u in view.units
        ],
        "targets": [
            {
                "key": g.key,
                "label": text_fn(g.label),
                "target": json_number(g.target),
                "unit": g.unit,
                "value": None if g.value is None else json_number(g.value),
            }
            for g in view.targets
        ],
    }


def checks_of(raw: str) -> list[tuple[str, str]]:
    return [(str(w), str(d)) for w, d in json.loads(raw or "[]")]

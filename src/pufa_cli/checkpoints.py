"""Checkpoints that count (issue 14.5): a task's ``checks`` and ``cadence``, met or missed as of D.

A task's checkpoints are its one-off ``checks`` and the dates of its ``cadence`` (每月, 每季度末 …)
from the plan's start to the task's plan due date. As of D:

* a checkpoint dated after D is not yet due (``met`` None);
* an assigned unit met a checkpoint when it has a counting (non-retracted) entry dated after the
  previous checkpoint and on or before this one; the task met it when every unit assigned now
  met it; a task with no assigned unit met it when any unit has such an entry;
* a past checkpoint that is not met is **missed**.

One query answers every (checkpoint, assigned unit) pair of the plan: the checkpoints go in as a
``VALUES`` table and an ``EXISTS`` per pair walks ``ix_entries_latest`` (task, unit, date), so no
entry is read into Python. Plans have few checkpoints (a monthly task has twelve), so the pairs
number in the hundreds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any, NamedTuple

from pufa_cli.progress import PlanRef, Scope
from pufa_cli.store import Connection, as_date
from pufa_cli.store.sql import COUNTING, HAS_CHECKPOINTS
from pufa_cli.timing import parse_cadence

# Pairs per query: 3 parameters each, well under SQLite's 32,766 bound variables.
_CHUNK = 2000


def _met(unit: str = "") -> str:
    """An entry of the task (of the unit, with ``unit``'s condition) that counts and is dated
    after the previous checkpoint and on or before this one."""
    return (
        f"EXISTS (SELECT 1 FROM entries e WHERE e.task_id = cp.task_id{unit} "
        f"AND e.entry_date > cp.after_d AND e.entry_date <= cp.cp_d AND {COUNTING})"
    )


def _pairs_sql(unitless: bool) -> str:
    """One row per (checkpoint, unit assigned now), or one per checkpoint of a task with no
    unit (its row of the LEFT JOIN, a.unit_id NULL), with 1 when an entry met it. Each probe in
    its own CASE branch, not ``a.unit_id IS NULL OR e.unit_id = a.unit_id``: the OR keeps SQLite
    from seeking (task, unit, date) in ix_entries_latest (10 × slower on the large benchmark
    ledger). ``unitless=False`` (every task has a unit): the units' probe alone, ~15 % less."""
    met, join = f"CASE WHEN {_met(' AND e.unit_id = a.unit_id')} THEN 1 ELSE 0 END", "JOIN"
    if unitless:
        any_unit = f"CASE WHEN {_met()} THEN 1 ELSE 0 END"
        met, join = f"CASE WHEN a.unit_id IS NULL THEN ({any_unit}) ELSE {met} END", "LEFT JOIN"
    return (
        "WITH cp(task_id, after_d, cp_d) AS (VALUES {values}) "
        f"SELECT cp.task_id, cp.cp_d, a.unit_id, {met} "
        f"FROM cp {join} assignments a ON a.task_id = cp.task_id"
    )


class Checkpoint(NamedTuple):
    date: date
    met: bool | None  # None: not yet due as of D


class TaskCheckpoints:
    """A task's checkpoints in date order, filled by :func:`checkpoint_states`."""

    __slots__ = ("checkpoints", "missed_by_unit")

    def __init__(self) -> None:
        self.checkpoints: list[Checkpoint] = []
        # unit id → checkpoints that unit missed (assigned units only)
        self.missed_by_unit: dict[int, int] = {}

    @property
    def missed(self) -> int:
        return sum(1 for c in self.checkpoints if c.met is False)


def checkpoint_dates(checks: str, cadence: str | None, start: date, due: date) -> list[date]:
    """The task's checkpoints, in order: its ``checks`` (stored JSON ``[[word, ISO date], …]``)
    and its cadence's dates from ``start`` to ``due``."""
    days = {date.fromisoformat(str(d)) for _w, d in json.loads(checks or "[]")}
    if cadence:
        days.update(parse_cadence(cadence).dates(start, due))
    return sorted(days)


def checkpoint_states(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    task_id: int | None = None,
    *,
    scope: Scope | None = None,
    unitless: bool = True,
) -> dict[int, TaskCheckpoints]:
    """Every current task of the plan (or of ``scope``) that has checkpoints (or the one
    ``task_id``). ``unitless=False``: the caller knows every such task has a unit."""
    where = "" if task_id is None else " AND t.id = :task"
    params: dict[str, Any] = {"plan": plan.id}
    if task_id is not None:
        params["task"] = task_id
    if scope is not None:
        where += scope.where
        params = scope.bind(params)
    tasks = conn.rows(
        "SELECT t.id, t.checks, t.cadence, t.due_date FROM tasks t WHERE t.plan_id = :plan "
        f"AND {HAS_CHECKPOINTS}{where}",
        params,
    )
    out: dict[int, TaskCheckpoints] = {}
    dates_of: dict[int, list[date]] = {}
    # (task, previous checkpoint or None, checkpoint) for every checkpoint due by D
    due_pairs: list[tuple[int, date, date]] = []
    floor = date(plan.year - 1, 1, 1)  # "after the previous checkpoint" for the first one
    for tid, checks, cadence, due in tasks:
        due_d = as_date(due)
        assert due_d is not None
        days = checkpoint_dates(str(checks), cadence, plan.start, due_d)
        if not days:
            continue
        out[int(tid)] = TaskCheckpoints()
        dates_of[int(tid)] = days
        previous = floor
        for day in days:
            if day <= as_of:
                due_pairs.append((int(tid), previous, day))
            previous = day
    met: dict[tuple[int, date], list[tuple[int | None, bool]]] = defaultdict(list)
    pairs_sql = _pairs_sql(unitless)
    for start in range(0, len(due_pairs), _CHUNK):
        chunk = due_pairs[start : start + _CHUNK]
        # Task ids written in (integers from the database); each distinct date bound once:
        # a plan's checkpoints share a few dozen dates, so a statement carries a few dozen
        # parameters, not three a pair (preparing ~6,000 cost ~0.1 s at 10,000 tasks).
        names: dict[date, str] = {}
        for _tid, after, day in chunk:
            names.setdefault(after, f"d{len(names)}")
            names.setdefault(day, f"d{len(names)}")
        values = ", ".join(
            f"({int(tid)}, :{names[after]}, :{names[day]})" for tid, after, day in chunk
        )
        chunk_params: dict[str, Any] = {name: day for day, name in names.items()}
        for tid, day, unit_id, ok in conn.rows(pairs_sql.format(values=values), chunk_params):
            day_d = as_date(day)
            assert day_d is not None
            met[(int(tid), day_d)].append((None if unit_id is None else int(unit_id), bool(ok)))
    for tid, state in out.items():
        for day in dates_of[tid]:
            if day > as_of:
                state.checkpoints.append(Checkpoint(day, None))
                continue
            units = met.get((tid, day), [])
            state.checkpoints.append(Checkpoint(day, all(ok for _u, ok in units)))
            for unit_id, ok in units:
                if unit_id is not None and not ok:
                    state.missed_by_unit[unit_id] = state.missed_by_unit.get(unit_id, 0) + 1
    return out

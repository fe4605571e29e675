"""The report's rows: plain values, no printing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from pufa_cli.progress import (
    PlanRef,
)
from pufa_cli.refs import json_ref
from pufa_cli.report.schedule import Thresholds


class Counts(NamedTuple):
    """Task counts of a group: done + in_progress + not_started (+ awaiting_review in a review
    plan) == tasks; overdue overlaps in_progress and not_started. ``percent`` is the mean
    percent (None for an empty group)."""

    tasks: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0
    red: int = 0
    yellow: int = 0
    percent: float | None = None
    missed: int = 0  # checkpoints missed, summed over the group's tasks (or the unit's shares)
    # Plans with `review: required` only (None otherwise): tasks at 100 % awaiting review,
    # counted apart from done (issue 16).
    awaiting_review: int | None = None


class TaskRow(NamedTuple):
    task_id: int
    number: int
    section: int
    section_title: str
    title: str
    due: date
    percent: float
    expected: float
    behind: float
    status: str
    overdue: bool
    colour: str
    ongoing: bool = False
    missed: int = 0  # checkpoints missed as of D (checkpoints.py)
    units: tuple[str, ...] = ()  # lead first, then the others by name
    targets: tuple[Any, ...] = ()  # ledger.TargetProgress, by=task only
    problems: str = ""  # the latest 存在問題 given as of D, by=task only (issue 16)
    next_steps: str = ""  # the latest 下一步措施 given as of D, by=task only
    planned_due: date | None = None  # without extensions, by=task only
    item: int = 0  # N for sub-item N of task ``number``; 0 for a task
    parent_id: int | None = None  # a sub-item's task

    @property
    def json_number(self) -> int | str:
        """JSON ``number``: a task's a plain integer (9), a sub-item's a string ("9.2")."""
        return json_ref(self.number, self.item)


class SectionRow(NamedTuple):
    section: int
    title: str
    counts: Counts


class UnitRow(NamedTuple):
    """One unit: its own percent on each assigned task (not the task's mean over units)."""

    unit_id: int
    unit: str
    rank: int
    lead: int
    supporting: int
    counts: Counts
    # Reporting rounds (a plan with ``reporting:`` only, else None): rounds late and missing.
    late: int | None = None
    missing: int | None = None
    score: float | None = None  # where the plan scores (scoring/compute.py)


class Report(NamedTuple):
    plan: PlanRef
    as_of: date
    by: str
    thresholds: Thresholds
    rows: list[Any]
    total: Counts
    overdue: list[int | str]  # task numbers; a sub-item as "9.2"
    due_next: list[int | str]
    # (year, quarter) after as_of's quarter, None when it falls outside the plan year.
    next_quarter: tuple[int, int] | None
    section: int | None = None
    unit: str | None = None
    # Every task in scope, in task order (``units`` and ``targets`` filled only by task).
    tasks: Sequence[TaskRow] = ()

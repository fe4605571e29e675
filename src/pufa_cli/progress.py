"""The rules of progress, as of a date D, computed in SQL (see README "Rules").

* A unit's percent on a task is that of its latest non-retracted entry dated <= D (same date:
  the later entry wins); 0 if none.
* A task's percent is the mean over the units assigned to it now; a task with no assigned unit
  takes the percent of its latest non-retracted entry dated <= D.
* A task is due at its plan due date; an assignment's own due date overrides it for that unit,
  and the task is due when its last unit is.
* Status: ``done`` at 100; ``not-started`` when no counting entry is dated <= D; otherwise
  ``in-progress``. A task not done whose due date is before D is ``overdue``.

The latest entry is found by a correlated ``ORDER BY entry_date DESC, id DESC LIMIT 1``
subquery that walks ``ix_entries_latest`` backwards: on SQLite over 1,000,000 entries it is
~20 × faster than a ``ROW_NUMBER()`` window, and PostgreSQL plans it as an index scan too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pufa_cli.db import Connection, as_date
from pufa_cli.errors import NotFound
from pufa_cli.i18n import _

DONE = "done"
IN_PROGRESS = "in-progress"
NOT_STARTED = "not-started"
OVERDUE = "overdue"
STATUSES = (DONE, IN_PROGRESS, NOT_STARTED)

# The latest counting entry of (task :task_col, unit :unit_col) dated <= :as_of.
_LATEST = (
    "SELECT e.{col} FROM entries e "
    "WHERE e.task_id = {task} AND e.unit_id = {unit} AND e.entry_date <= :as_of "
    "AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = e.id) "
    "ORDER BY e.entry_date DESC, e.id DESC LIMIT 1"
)
_LATEST_ANY_UNIT = (
    "SELECT e.percent FROM entries e "
    "WHERE e.task_id = t.id AND e.entry_date <= :as_of "
    "AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = e.id) "
    "ORDER BY e.entry_date DESC, e.id DESC LIMIT 1"
)


def latest_sql(col: str = "percent", task: str = "a.task_id", unit: str = "a.unit_id") -> str:
    return _LATEST.format(col=col, task=task, unit=unit)


# One row per (assignment) of the plan's current tasks: percent NULL when nothing counts yet.
ASSIGNMENT_CTE = (
    "au AS ("
    "SELECT a.task_id, a.unit_id, a.role, COALESCE(a.due_date, t.due_date) AS due, "
    f"({latest_sql()}) AS pct "
    "FROM assignments a JOIN tasks t ON t.id = a.task_id "
    "WHERE t.plan_id = :plan AND t.in_plan = 1)"
)

# One row per current task of the plan: percent (float), counting units, due date.
TASK_CTES = (
    f"WITH {ASSIGNMENT_CTE}, "
    "agg AS (SELECT task_id, AVG(CAST(COALESCE(pct, 0) AS FLOAT)) AS pct, "
    "COUNT(pct) AS reported, MAX(due) AS due, COUNT(*) AS units FROM au GROUP BY task_id), "
    "solo AS (SELECT t.id AS task_id, "
    f"({_LATEST_ANY_UNIT}) AS pct "
    "FROM tasks t WHERE t.plan_id = :plan AND t.in_plan = 1 "
    "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id)), "
    "ts AS (SELECT t.id AS task_id, t.number, t.section_id, "
    "COALESCE(agg.pct, CAST(solo.pct AS FLOAT), 0.0) AS pct, "
    "CASE WHEN agg.task_id IS NOT NULL THEN agg.reported "
    "WHEN solo.pct IS NOT NULL THEN 1 ELSE 0 END AS reported, "
    "COALESCE(agg.due, t.due_date) AS due, COALESCE(agg.units, 0) AS units "
    "FROM tasks t LEFT JOIN agg ON agg.task_id = t.id LEFT JOIN solo ON solo.task_id = t.id "
    "WHERE t.plan_id = :plan AND t.in_plan = 1)"
)


@dataclass(frozen=True)
class PlanRef:
    id: int
    year: int
    title: str
    script: str


@dataclass(frozen=True)
class TaskStatus:
    task_id: int
    number: int
    section: int
    section_title: str
    title: str
    due: date
    percent: float
    reported: int
    units: int
    status: str
    overdue: bool


@dataclass(frozen=True)
class UnitStatus:
    task_id: int
    task_number: int
    unit_id: int
    unit: str
    role: str
    due: date
    percent: int
    reported: bool


def round1(value: float | None) -> float | None:
    """Every percent pufa shows: one decimal, half up (四捨五入, as offices round: 12.25 → 12.3),
    and below 100 never 100.0 (2099/21 = 99.95 is not done), so nobody reads 100.0 beside a
    status other than done."""
    if value is None:
        return None
    rounded = float(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return min(rounded, 99.9) if value < 100 else rounded


def status_of(percent: float, reported: int, due: date, as_of: date) -> tuple[str, bool]:
    """(status, overdue) by the rules above."""
    if percent >= 100:
        return DONE, False
    status = IN_PROGRESS if reported else NOT_STARTED
    return status, due < as_of


def find_plan(conn: Connection, year: int | None) -> PlanRef:
    """The plan of ``year``, or the latest loaded plan when ``year`` is None."""
    if year is None:
        row = conn.one("SELECT id, year, title, script FROM plans ORDER BY year DESC LIMIT 1")
        if row is None:
            raise NotFound(_("no plan is loaded: run 'pufa init' first"))
    else:
        # A year out of range is simply not loaded (and must not overflow the INTEGER column).
        row = (
            conn.one("SELECT id, year, title, script FROM plans WHERE year = :y", {"y": year})
            if 1 <= year <= 9999
            else None
        )
        if row is None:
            years = [str(r[0]) for r in conn.rows("SELECT year FROM plans ORDER BY year")]
            raise NotFound(
                _("no plan for {year} (loaded: {years})").format(
                    year=year, years=", ".join(years) or "-"
                )
            )
    return PlanRef(int(row[0]), int(row[1]), str(row[2]), str(row[3]))


def task_statuses(conn: Connection, plan: PlanRef, as_of: date) -> list[TaskStatus]:
    """Every current task of the plan with its percent and status as of ``as_of``."""
    rows = conn.rows(
        TASK_CTES + " SELECT ts.task_id, ts.number, s.number, s.title, t.title, ts.due, ts.pct, "
        "ts.reported, ts.units FROM ts JOIN tasks t ON t.id = ts.task_id "
        "JOIN sections s ON s.id = ts.section_id ORDER BY ts.number",
        {"plan": plan.id, "as_of": as_of},
    )
    out = []
    for tid, num, snum, stitle, title, due, pct, reported, units in rows:
        due_d = as_date(due)
        assert due_d is not None
        status, overdue = status_of(float(pct), int(reported), due_d, as_of)
        out.append(
            TaskStatus(
                int(tid),
                int(num),
                int(snum),
                str(stitle),
                str(title),
                due_d,
                float(pct),
                int(reported),
                int(units),
                status,
                overdue,
            )
        )
    return out


def unit_statuses(
    conn: Connection, plan: PlanRef, as_of: date, task_id: int | None = None
) -> list[UnitStatus]:
    """Every assignment (of one task, or of the whole plan) with the unit's percent."""
    where = "" if task_id is None else " WHERE au.task_id = :task"
    params: dict[str, Any] = {"plan": plan.id, "as_of": as_of}
    if task_id is not None:
        params["task"] = task_id
    rows = conn.rows(
        f"WITH {ASSIGNMENT_CTE} SELECT au.task_id, t.number, au.unit_id, u.name, au.role, "
        "au.due, au.pct FROM au JOIN tasks t ON t.id = au.task_id "
        f"JOIN units u ON u.id = au.unit_id{where} "
        "ORDER BY t.number, CASE WHEN au.role = 'lead' THEN 0 ELSE 1 END, u.name",
        params,
    )
    out = []
    for tid, num, uid, name, role, due, pct in rows:
        due_d = as_date(due)
        assert due_d is not None
        out.append(
            UnitStatus(
                int(tid),
                int(num),
                int(uid),
                str(name),
                str(role),
                due_d,
                int(pct or 0),
                pct is not None,
            )
        )
    return out

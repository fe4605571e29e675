"""Structured progress (issue 16): 進展情況 (the note), 存在問題 (``--problems``) and 下一步措施
(``--next``). A unit logging on a task that is yellow or red as of the entry's date, without
saying what the problems are, is warned (the entry is kept: a warning, not a refusal)."""

from __future__ import annotations

from datetime import date

from pufa_cli.progress import PlanRef, task_rows_sql
from pufa_cli.store import Connection, as_date


def colour_on(conn: Connection, plan: PlanRef, task_id: int, day: date) -> str:
    """The task's colour (green, yellow, red) as of ``day``, by the report's rules."""
    from pufa_cli.report import judge, thresholds_from

    row = conn.one(
        task_rows_sql(where=" AND t.id = :task"), {"plan": plan.id, "as_of": day, "task": task_id}
    )
    if row is None:  # a task no longer in the plan
        return ""
    _task, _number, _section, pct, reported, due_value, _units = row[:7]  # progress.task_rows_sql
    due = as_date(due_value)
    assert due is not None
    _status, _overdue, _expected, _behind, colour = judge(
        float(pct), bool(reported), due, day, plan.start, thresholds_from(None, None)
    )
    return colour

"""Extensions (延期): a unit's due date on a task moved, as a row of its own.

``pufa extend TASK --unit U --to WHEN --reason R [--approved-by NAME]`` records the new due
date, why, who approved it and the day it was granted (``--date``, default today). The latest
extension granted on or before D is the unit's due date as of D (``progress.due_sql``); the
plan's date stays known as ``planned_due`` and ``report --against plan`` judges against it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from pufa_cli.errors import BadInput, NotFound
from pufa_cli.i18n import _
from pufa_cli.inputs import MAX_BY, MAX_NOTE, clean_text
from pufa_cli.ledger import TaskNo, task_id_for
from pufa_cli.progress import PlanRef, due_sql
from pufa_cli.store import Connection, as_date
from pufa_cli.timing import _YMD_RE, normalize_word, parse_date, parse_period
from pufa_cli.units import resolve_unit

# ``--to 10個工作日``: a deadline stated in working days, counted from the day it is granted.
_WORKING_DAYS = re.compile(r"^(\d+)[個个]?工作日[內内]?$")


def add_working_days(start: date, n: int) -> date:
    """The ``n``th working day after ``start`` (China's holidays, see workdays.py)."""
    from pufa_cli.supervision.workdays import is_working_day_fn

    working = is_working_day_fn()
    day = start
    while n > 0:
        day += timedelta(days=1)
        n -= working(day)
    return day


def new_due(word: str, year: int, granted: date | None = None) -> date:
    """``--to``: a period word of the plan year, any date from 1 January of the plan year, or
    N working days (``10個工作日``) after ``granted``."""
    w = normalize_word(str(word))
    m = _WORKING_DAYS.match(w)
    if m and granted is not None:
        n = int(m.group(1))
        if not 1 <= n <= 366:
            raise BadInput(_("{n} working days: give 1 to 366").format(n=n))
        return add_working_days(granted, n)
    if _YMD_RE.match(w):
        day = parse_date(w)
        if day < date(year, 1, 1):
            raise BadInput(
                _("the date {day} is before the plan year {year}").format(
                    day=day.isoformat(), year=year
                )
            )
        return day
    return parse_period(word, year).end


def current_due(conn: Connection, task_id: int, unit_id: int, as_of: date) -> date | None:
    """The unit's due date on the task as of ``as_of`` (None when it is not assigned)."""
    row = conn.one(
        f"SELECT {due_sql()} FROM assignments a JOIN tasks t ON t.id = a.task_id "
        "WHERE a.task_id = :task AND a.unit_id = :unit",
        {"task": task_id, "unit": unit_id, "as_of": as_of},
    )
    return None if row is None else as_date(row[0])


def extend(
    conn: Connection,
    plan: PlanRef,
    task: TaskNo | int,  # 9, or 9.2 for a sub-item
    unit_name: str,
    *,
    to: str,
    reason: str,
    approved_by: str | None,
    day: date,
    today: date,
    by: str,
    now: datetime,
) -> tuple[str, date, date]:
    """Record an extension; return (unit name, previous due date, new due date)."""
    reason = clean_text(reason, _("reason"), MAX_NOTE, multiline=True)
    if not reason:
        raise BadInput(_("give a reason for the extension (--reason)"))
    approver = clean_text(approved_by, "--approved-by", MAX_BY) if approved_by else None
    by = clean_text(by, _("--by"), MAX_BY)
    if not by:
        raise BadInput(_("--by must not be empty"))
    if day > today:
        raise BadInput(_("the date {day} is in the future").format(day=day.isoformat()))
    if day.year < plan.year:
        raise BadInput(
            _("the date {day} is before the plan year {year}").format(
                day=day.isoformat(), year=plan.year
            )
        )
    due = new_due(to, plan.year, day)
    task_id = task_id_for(conn, plan, task)
    unit = resolve_unit(conn, unit_name)
    previous = current_due(conn, task_id, unit.id, day)
    if previous is None:
        raise NotFound(
            _("unit {unit} is not assigned to task {task}").format(unit=unit.name, task=task)
        )
    if due <= previous:
        raise BadInput(
            _("{unit} is already due on {due} for task {task}; an extension must be later").format(
                unit=unit.name, due=previous.isoformat(), task=task
            )
        )
    conn.run(
        "INSERT INTO extensions (task_id, unit_id, due_word, due_date, reason, approved_by, "
        "granted_on, recorded_by, created_at) VALUES (:t, :u, :w, :d, :r, :a, :g, :b, :at)",
        {
            "t": task_id,
            "u": unit.id,
            "w": str(to).strip(),
            "d": due,
            "r": reason,
            "a": approver,
            "g": day,
            "b": by,
            "at": now,
        },
    )
    return unit.name, previous, due


def planned_dues(conn: Connection, plan: PlanRef) -> dict[int, date]:
    """task id → its due date without extensions (the latest of its units', else the plan's)."""
    out: dict[int, date] = {}
    for tid, due in conn.rows(
        f"SELECT t.id, MAX({due_sql(True)}) FROM tasks t "
        "LEFT JOIN assignments a ON a.task_id = t.id WHERE t.plan_id = :p GROUP BY t.id",
        {"p": plan.id},
    ):
        d = as_date(due)
        assert d is not None
        out[int(tid)] = d
    return out


def by_task(conn: Connection, task_id: int) -> list[dict[str, Any]]:
    """The extensions of a task, oldest first, for ``show``."""
    out = []
    for unit, word, due, reason, approver, granted, by in conn.rows(
        "SELECT u.name, x.due_word, x.due_date, x.reason, x.approved_by, x.granted_on, "
        "x.recorded_by FROM extensions x JOIN units u ON u.id = x.unit_id "
        "WHERE x.task_id = :t ORDER BY x.granted_on, x.id",
        {"t": task_id},
    ):
        d, g = as_date(due), as_date(granted)
        out.append(
            {
                "unit": str(unit),
                "to": d.isoformat() if d else None,
                "word": str(word),
                "reason": str(reason),
                "approved_by": approver,
                "date": g.isoformat() if g else None,
                "by": str(by),
            }
        )
    return out

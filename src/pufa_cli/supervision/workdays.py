"""Working days (工作日): China's statutory holidays and make-up working days (調休).

The holiday table comes from the ``chinesecalendar`` package (maintained each year when the
State Council publishes the next year's arrangements). A day is a working day when the table
says it is a make-up working day, not when it says it is a holiday, else when it is Monday to
Friday; so outside the table's years (2004 until the latest year published) every weekday
works, and ``PUFA_CALENDAR=weekdays`` turns the table off altogether.

Days left: the working days after D up to and including the due date (as of 2011-09-30, a task
due 2011-10-10 has 3: 1–7 October were holidays, 8 and 9 October make-up working days, then
the 10th). Past the due date the count is negative: minus the working days after the due date
up to and including D.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _

CALENDARS = ("china", "weekdays")


def calendar_name() -> str:
    raw = os.environ.get("PUFA_CALENDAR", "").strip().lower() or "china"
    if raw not in CALENDARS:
        raise BadInput(
            _("PUFA_CALENDAR must be china or weekdays, not '{value}'").format(value=raw)
        )
    return raw


@lru_cache(maxsize=2)
def _tables(name: str) -> tuple[frozenset[date], frozenset[date]]:
    """(holidays, make-up working days) of the calendar ``name``."""
    if name == "weekdays":
        return frozenset(), frozenset()
    import chinese_calendar

    return frozenset(chinese_calendar.holidays), frozenset(chinese_calendar.workdays)


def is_working_day_fn() -> Callable[[date], bool]:
    """A function telling whether a day is a working day, by ``PUFA_CALENDAR``."""
    holidays, workdays = _tables(calendar_name())

    def working(day: date) -> bool:
        if day in workdays:
            return True
        if day in holidays:
            return False
        return day.weekday() < 5

    return working


def working_days_left(as_of: date, due: date, working: Callable[[date], bool]) -> int:
    """Working days after ``as_of`` up to ``due`` (negative once ``due`` is past)."""
    if due >= as_of:
        first, last, sign = as_of, due, 1
    else:
        first, last, sign = due, as_of, -1
    count = 0
    day = first + timedelta(days=1)
    while day <= last:
        count += working(day)
        day += timedelta(days=1)
    return sign * count


class WorkingDays:
    """Working days left for many due dates at once: one pass over the days they span."""

    def __init__(self, as_of: date, dues: list[date], working: Callable[[date], bool]) -> None:
        self.as_of = as_of
        self.first = min([as_of, *dues])
        last = max([as_of, *dues])
        self.prefix = [0]  # prefix[i]: working days in (first, first + i]
        day = self.first
        while day < last:
            day += timedelta(days=1)
            self.prefix.append(self.prefix[-1] + int(working(day)))

    def left(self, due: date) -> int:
        """Working days after as_of up to ``due`` (negative once ``due`` is past)."""
        return self.prefix[(due - self.first).days] - self.prefix[(self.as_of - self.first).days]

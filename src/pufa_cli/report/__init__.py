"""The report: completion by section, unit or task as of a date, with the on-schedule check.

Everything here builds on the rules in ``progress`` (latest entry per task and unit as of D,
task percent = mean over its units, status, overdue); nothing is re-implemented. One query
gives every in-scope task with its percent (``progress.task_rows_sql``: the latest-entry
lookups run once per assignment, walking ``ix_entries_latest``, never over the entries in
Python), one row a task. Only ``--by unit`` reads the units' own percents (one row an
assignment, ``progress.ASSIGNMENT_CTE``); ``--by task`` and ``--unit`` read the assignments
alone. Grouping into sections or units then runs over those rows. ``pufa report`` by section
and by unit does not read them: ``build_report(aggregate=True)`` counts in SQL instead
(``aggregate.py``, issue 19), with the same numbers.

The on-schedule check (序時進度): a task's window runs from the plan's start (its ``issued``
date, else 1 January of the plan year) to its due date, both days included. As of D, the
expected percent is the share of the window's days elapsed up to and including D (100 from the
due date on; 0 before the start); ``behind`` is expected − percent. A task not done is red
when it is overdue or ``behind > red``, yellow when ``behind > yellow``, else green; a done
task is green. See docs/report.md.

Plain values only: plan text is passed through ``text_fn`` by the caller (``report_json``,
``report_rows``), so this module stays language-agnostic and prints nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The names below load on first use (PEP 562): ``show`` and ``tasks`` need only
# ``report.schedule``'s colours, and importing this package used to load the whole report
# builder with them (~5 ms of those commands' start-up). The imports here say where each lives.
if TYPE_CHECKING:
    from pufa_cli.progress import round1
    from pufa_cli.report.build import build_report, check_section, next_quarter_of, section_numbers
    from pufa_cli.report.output import (
        HEADERS,
        counts_json,
        report_json,
        report_rows,
        row_json,
        targets_text,
    )
    from pufa_cli.report.rows import Counts, Report, SectionRow, TaskRow, UnitRow
    from pufa_cli.report.schedule import (
        BY_CHOICES,
        BY_SECTION,
        BY_TASK,
        BY_UNIT,
        GREEN,
        RED,
        YELLOW,
        Thresholds,
        colour_of,
        expected_percent,
        judge,
        thresholds_from,
    )

__all__ = [
    "BY_CHOICES",
    "BY_SECTION",
    "BY_TASK",
    "BY_UNIT",
    "GREEN",
    "HEADERS",
    "RED",
    "YELLOW",
    "Counts",
    "Report",
    "SectionRow",
    "TaskRow",
    "Thresholds",
    "UnitRow",
    "build_report",
    "check_section",
    "colour_of",
    "counts_json",
    "expected_percent",
    "judge",
    "next_quarter_of",
    "report_json",
    "report_rows",
    "round1",
    "row_json",
    "section_numbers",
    "targets_text",
    "thresholds_from",
]

# Where a name is looked for, lightest module first.
_MODULES = ("schedule", "rows", "output", "build")


def __getattr__(name: str) -> Any:
    if name in __all__:
        from importlib import import_module

        for module in _MODULES:
            found = getattr(import_module(f"pufa_cli.report.{module}"), name, None)
            if found is not None:
                globals()[name] = found
                return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

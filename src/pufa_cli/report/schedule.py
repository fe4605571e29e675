"""The on-schedule check (序時進度): thresholds, expected percent, the light."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import NamedTuple

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _
from pufa_cli.ledger import json_number
from pufa_cli.progress import (
    DONE,
    status_of,
)

BY_SECTION = "section"
BY_UNIT = "unit"
BY_TASK = "task"
BY_CHOICES = (BY_SECTION, BY_UNIT, BY_TASK)

GREEN = "green"
YELLOW = "yellow"
RED = "red"

TextFn = Callable[[str], str]

# Floating-point noise (a mean such as 59.999999999) must not flip a colour at an exact boundary:
# ``behind`` is compared after rounding to this many decimals.
_BEHIND_DIGITS = 9


class _Points(NamedTuple):
    yellow: float = 10.0
    red: float = 30.0


class Thresholds(_Points):
    """Points behind schedule beyond which a task is yellow or red (strictly greater than)."""

    __slots__ = ()

    def __new__(cls, yellow: float = 10.0, red: float = 30.0) -> Thresholds:
        if not 0 <= yellow <= red <= 100:
            raise BadInput(
                _(
                    "thresholds must satisfy 0 <= yellow <= red <= 100 (yellow {yellow}, red {red})"
                ).format(yellow=json_number(yellow), red=json_number(red))
            )
        return super().__new__(cls, yellow, red)


def thresholds_from(
    yellow: float | None, red: float | None, env: Mapping[str, str] | None = None
) -> Thresholds:
    """Options first, then ``PUFA_YELLOW`` / ``PUFA_RED``, then the defaults (10 and 30)."""
    from pufa_cli.config import number_from_env

    default = Thresholds()

    def pick(value: float | None, var: str, fallback: float) -> float:
        if value is not None:
            return float(value)
        found = number_from_env(var, env)
        return fallback if found is None else found

    return Thresholds(
        pick(yellow, "PUFA_YELLOW", default.yellow), pick(red, "PUFA_RED", default.red)
    )


# --- the on-schedule check ---------------------------------------------------------------


def expected_percent(due: date, as_of: date, start: date) -> float:
    """Elapsed share of the window ``start`` .. ``due`` (both days included). ``start`` is the
    plan's issue date, else 1 January of its year (``PlanRef.start``)."""
    if due < start:
        return 100.0 if as_of >= due else 0.0
    if as_of >= due:
        return 100.0
    if as_of < start:
        return 0.0
    window = (due - start).days + 1
    return 100.0 * ((as_of - start).days + 1) / window


def colour_of(
    status: str, overdue: bool, behind: float, thresholds: Thresholds, missed: int = 0
) -> str:
    """green / yellow / red: red when overdue or more than ``red`` points behind, yellow when
    more than ``yellow`` points behind or a checkpoint was missed; a done task is green."""
    if status == DONE:
        return GREEN
    if overdue:
        return RED
    behind = round(behind, _BEHIND_DIGITS)
    if behind > thresholds.red:
        return RED
    if behind > thresholds.yellow or missed:
        return YELLOW
    return GREEN


def judge(
    percent: float,
    reported: bool,
    due: date,
    as_of: date,
    start: date,
    thresholds: Thresholds,
    missed: int = 0,
) -> tuple[str, bool, float, float, str]:
    """(status, overdue, expected, behind, colour) of one task or one unit's share of it."""
    status, overdue = status_of(percent, int(reported), due, as_of)
    expected = expected_percent(due, as_of, start)
    behind = expected - percent
    return (
        status,
        overdue,
        expected,
        behind,
        colour_of(status, overdue, behind, thresholds, missed),
    )


def light(status: str, overdue: bool, percent: float, due: date, as_of: date, start: date) -> str:
    """The light of a task as ``tasks`` and ``show`` colour it: thresholds from the environment
    (``PUFA_YELLOW`` / ``PUFA_RED``) or the defaults, as ``report`` uses without options."""
    return lights(as_of, start)(status, overdue, percent, due)


def lights(as_of: date, start: date) -> Callable[[str, bool, float, date], str]:
    """:func:`light` for many tasks as of one date: the thresholds read once (at the first
    task, as :func:`light` reads them: a bad ``PUFA_YELLOW`` fails a list only when it has a
    task), each due date's expected percent computed once (issue 19: 100,000 tasks)."""
    read: list[Thresholds] = []
    expected: dict[date, float] = {}

    def light_of(status: str, overdue: bool, percent: float, due: date) -> str:
        if not read:
            read.append(thresholds_from(None, None))
        share = expected.get(due)
        if share is None:
            share = expected[due] = expected_percent(due, as_of, start)
        return colour_of(status, overdue, share - percent, read[0])

    return light_of

"""Reporting rounds (定期報送): a plan may set ``reporting: 每月5日前`` (or ``每月末``,
``每季度末``, ``每半年末`` …); every assigned unit then owes a report each period, due on
that day.

A unit's report for a round is its first counting entry (any task of the plan) dated after the
previous round's due day and after its report for the previous round, so each entry answers
one round. It is ``on-time`` when dated on or before the round's due day, ``late`` after it. As
of D a round whose due day is before D with no report yet is ``missing``; one not yet due and
not yet answered is ``open``. Rounds are listed from the first up to the one whose window
(the day after the previous due day onwards) D falls in.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _
from pufa_cli.progress import PlanRef
from pufa_cli.store import Connection, as_date
from pufa_cli.timing import quarter_end

ON_TIME = "on-time"
LATE = "late"
MISSING = "missing"
OPEN = "open"

_MONTH_DAY = re.compile(r"^每月(\d{1,2})[日號号]?(?:前|之前|以前)?$")
_MONTH_END = {"每月末", "每月底", "每月月底", "每月月末"}
_QUARTER_END = {"每季度末", "每季末", "每季度底", "每季底", "每季度最後一天", "每季度最后一天"}
_HALF_END = {"每半年末", "每半年底"}


@dataclass(frozen=True)
class Round:
    period: str  # 2011-01, 2011-Q1, 2011-H1
    due: date


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def rounds_of(word: str, year: int) -> list[Round]:
    """The rounds of plan year ``year`` for a ``reporting`` word; BadInput for an unknown word."""
    w = unicodedata.normalize("NFKC", str(word)).strip().replace(" ", "")
    m = _MONTH_DAY.match(w)
    if m:
        day = int(m.group(1))
        if not 1 <= day <= 28:
            raise BadInput(
                _("reporting day {day} must be from 1 to 28 (every month has it)").format(day=day)
            )
        return [Round(f"{year}-{mo:02d}", date(year, mo, day)) for mo in range(1, 13)]
    if w in _MONTH_END:
        return [Round(f"{year}-{mo:02d}", _month_end(year, mo)) for mo in range(1, 13)]
    if w in _QUARTER_END:
        return [Round(f"{year}-Q{q}", quarter_end(year, q)) for q in range(1, 5)]
    if w in _HALF_END:
        return [Round(f"{year}-H1", date(year, 6, 30)), Round(f"{year}-H2", date(year, 12, 31))]
    raise BadInput(
        _("unknown reporting word '{word}' (e.g. 每月5日前, 每月末, 每季度末, 每半年末)").format(
            word=word
        )
    )


@dataclass(frozen=True)
class RoundRow:
    unit_id: int
    unit: str
    period: str
    due: date
    status: str
    date: date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "period": self.period,
            "due": self.due.isoformat(),
            "status": self.status,
            "date": self.date.isoformat() if self.date else None,
        }


def unit_rounds(
    conn: Connection, plan: PlanRef, word: str, as_of: date, unit_id: int | None = None
) -> list[RoundRow]:
    """Each assigned unit's rounds as of ``as_of`` (by unit name, then round)."""
    rounds = rounds_of(word, plan.year)
    params: dict[str, Any] = {"plan": plan.id, "as_of": as_of}
    where = ""
    if unit_id is not None:
        where = " AND u.id = :unit"
        params["unit"] = unit_id
    units = conn.rows(
        "SELECT DISTINCT u.id, u.name FROM units u JOIN assignments a ON a.unit_id = u.id "
        f"JOIN tasks t ON t.id = a.task_id WHERE t.plan_id = :plan AND t.in_plan = 1{where}",
        params,
    )
    # (unit, day) → entries that day: the days answer rounds in order, one entry per round.
    days: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for uid, day, n in conn.rows(
        "SELECT e.unit_id, e.entry_date, COUNT(*) FROM entries e "
        "JOIN tasks t ON t.id = e.task_id WHERE t.plan_id = :plan AND e.entry_date <= :as_of "
        f"AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = e.id)"
        f"{where.replace('u.id', 'e.unit_id')} GROUP BY e.unit_id, e.entry_date",
        params,
    ):
        d = as_date(day)
        assert d is not None
        days[int(uid)].append((d, int(n)))
    out = []
    for uid, name in sorted(((int(u), str(n)) for u, n in units), key=lambda x: x[1]):
        queue = sorted(days.get(uid, []))
        pos, used = 0, 0  # next unanswered entry: queue[pos], its first ``used`` taken
        previous_due: date | None = None
        for rnd in rounds:
            if previous_due is not None and previous_due >= as_of:
                break  # this round's window has not opened as of D
            while pos < len(queue) and (
                used >= queue[pos][1]
                or (previous_due is not None and queue[pos][0] <= previous_due)
            ):
                pos, used = pos + 1, 0
            if pos < len(queue):
                day = queue[pos][0]
                used += 1
                status = ON_TIME if day <= rnd.due else LATE
                out.append(RoundRow(uid, name, rnd.period, rnd.due, status, day))
            else:
                status = MISSING if rnd.due < as_of else OPEN
                out.append(RoundRow(uid, name, rnd.period, rnd.due, status, None))
            previous_due = rnd.due
    return out


def late_missing(rows: list[RoundRow]) -> dict[int, tuple[int, int]]:
    """unit id → (late, missing) rounds."""
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        counts = out[r.unit_id]
        counts[0] += r.status == LATE
        counts[1] += r.status == MISSING
    return {u: (c[0], c[1]) for u, c in out.items()}

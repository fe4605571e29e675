"""Reminders (三色督辦單): per unit, each open item with its colour, as of D.

An open item is a unit's share of a current task (an assignment) below 100 %. Its colour:

* ``red`` — overdue: the unit's due date (extensions included) is before D;
* ``yellow`` — behind the 序時進度 by more than the yellow threshold (the report's rule,
  ``PUFA_YELLOW``), or a checkpoint of the task before D passed without a counting entry of
  the unit dated after the previous checkpoint (or the year's start) and on or before it;
* ``blue`` — due within N working days (``--within``, default 5): 0 ≤ working days left ≤ N.

The first that applies wins; other items are not listed. ``reminders`` counts the notices
recorded for the item (``--record``, one row an item, dated D) on or before D, this one
included when recording, so an office can escalate after the third.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _
from pufa_cli.ledger import checks_of
from pufa_cli.progress import PlanRef, assignment_cte
from pufa_cli.report import RED, YELLOW, Thresholds, judge
from pufa_cli.store import Connection, as_date
from pufa_cli.supervision.workdays import WorkingDays, is_working_day_fn

BLUE = "blue"
COLOURS = (RED, YELLOW, BLUE)
MAX_WITHIN = 366

_ITEMS_SQL = (
    f"WITH {assignment_cte()} SELECT au.task_id, t.number, t.title, t.checks, au.unit_id, "
    "u.name, au.due, au.pct FROM au JOIN tasks t ON t.id = au.task_id "
    "JOIN units u ON u.id = au.unit_id WHERE COALESCE(au.pct, 0) < 100{where}"
)

# Is there a counting entry of (task, unit) dated in (:after, :until]?
_REPORTED_SQL = (
    "SELECT 1 FROM entries e WHERE e.task_id = :task AND e.unit_id = :unit "
    "AND e.entry_date > :after AND e.entry_date <= :until "
    "AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = e.id) LIMIT 1"
)


@dataclass(frozen=True)
class Item:
    task_id: int
    unit_id: int
    unit: str
    task: int
    title: str
    due: date
    working_days_left: int
    colour: str
    reminders: int

    def as_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "task": self.task,
            "due": self.due.isoformat(),
            "working_days_left": self.working_days_left,
            "colour": self.colour,
            "reminders": self.reminders,
        }


def check_within(within: int) -> int:
    if not 0 <= within <= MAX_WITHIN:
        raise BadInput(
            _("--within must be a number of working days from 0 to {n}, not {v}").format(
                n=MAX_WITHIN, v=within
            )
        )
    return within


def _missed_checkpoint(
    conn: Connection, task_id: int, unit_id: int, checks_raw: str, due: date, as_of: date
) -> bool:
    after = date(due.year - 1, 12, 31)
    for _word, iso in checks_of(checks_raw):
        point = date.fromisoformat(iso)
        if point >= as_of or point >= due:
            return False  # the due date itself is judged as overdue, not as a checkpoint
        if (
            conn.one(
                _REPORTED_SQL, {"task": task_id, "unit": unit_id, "after": after, "until": point}
            )
            is None
        ):
            return True
        after = point
    return False


def open_items(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    *,
    within: int = 5,
    unit_id: int | None = None,
    thresholds: Thresholds | None = None,
) -> list[Item]:
    """The items to remind of as of ``as_of``, by unit name, then colour, then task."""
    from pufa_cli.report import thresholds_from

    check_within(within)
    thresholds = thresholds or thresholds_from(None, None)
    working = is_working_day_fn()
    params: dict[str, object] = {"plan": plan.id, "as_of": as_of}
    where = ""
    if unit_id is not None:
        where = " AND au.unit_id = :unit"
        params["unit"] = unit_id
    rows = conn.rows(_ITEMS_SQL.format(where=where), params)
    dues = [d for d in (as_date(r[6]) for r in rows) if d is not None]
    counter = WorkingDays(as_of, dues, working)
    sent = _sent_counts(conn, plan, as_of)
    out = []
    for tid, number, title, checks, uid, name, due, pct in rows:
        due_d = as_date(due)
        assert due_d is not None
        percent = float(pct or 0)
        left = counter.left(due_d)
        _status, overdue, _exp, _behind, colour = judge(
            percent, pct is not None, due_d, as_of, plan.start, thresholds
        )
        if overdue:
            tone = RED
        elif colour in (RED, YELLOW) or _missed_checkpoint(
            conn, int(tid), int(uid), str(checks), due_d, as_of
        ):
            tone = YELLOW
        elif 0 <= left <= within:
            tone = BLUE
        else:
            continue
        out.append(
            Item(
                int(tid),
                int(uid),
                str(name),
                int(number),
                str(title),
                due_d,
                left,
                tone,
                sent.get((int(tid), int(uid)), 0),
            )
        )
    out.sort(key=lambda i: (i.unit, COLOURS.index(i.colour), i.task))
    return out


def _sent_counts(conn: Connection, plan: PlanRef, as_of: date) -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for tid, uid, n in conn.rows(
        "SELECT m.task_id, m.unit_id, COUNT(*) FROM reminders m JOIN tasks t ON t.id = m.task_id "
        "WHERE t.plan_id = :plan AND m.sent_on <= :as_of GROUP BY m.task_id, m.unit_id",
        {"plan": plan.id, "as_of": as_of},
    ):
        counts[(int(tid), int(uid))] = int(n)
    return counts


def record(conn: Connection, items: list[Item], as_of: date, by: str, now: datetime) -> list[Item]:
    """Record that the notices of ``items`` went out on ``as_of``; the items, counted anew."""
    from dataclasses import replace

    from pufa_cli.tracker import MAX_BY, clean_text

    by = clean_text(by, _("--by"), MAX_BY)
    if not by:
        raise BadInput(_("--by must not be empty"))
    conn.run_many(
        "INSERT INTO reminders (task_id, unit_id, colour, sent_on, recorded_by, created_at) "
        "VALUES (:t, :u, :c, :d, :b, :at)",
        [
            {"t": i.task_id, "u": i.unit_id, "c": i.colour, "d": as_of, "b": by, "at": now}
            for i in items
        ],
    )
    return [replace(i, reminders=i.reminders + 1) for i in items]

"""Reminders (三色督辦單): per unit, each open item with its colour, as of D.

An open item is a unit's share of a current task (an assignment) below 100 %. Its colour:

* ``red`` — overdue: the unit's due date (extensions included) is on or before D;
* ``yellow`` — behind the 序時進度 by more than the yellow threshold (the report's rule,
  ``PUFA_YELLOW``), or the unit missed a checkpoint of the task (``checks`` and ``cadence``)
  as of D — the rule of ``checkpoints.checkpoint_states``, the one ``show``, ``report`` and
  scoring use: a checkpoint dated on or before D with no counting entry of the unit dated after
  the previous checkpoint and on or before it;
* ``blue`` — due within N working days (``--within``, default 5): 0 ≤ working days left ≤ N.

The first that applies wins; other items are not listed. ``reminders`` counts the notices
recorded for the item (``--record``, one row an item, dated D) on or before D, this one
included when recording, so an office can escalate after the third.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import NamedTuple

from pufa_cli.checkpoints import checkpoint_states
from pufa_cli.errors import BadInput
from pufa_cli.i18n import _
from pufa_cli.progress import PlanRef, assignment_cte
from pufa_cli.refs import json_ref
from pufa_cli.report import RED, YELLOW, Thresholds, judge
from pufa_cli.store import Connection, as_date
from pufa_cli.supervision.workdays import WorkingDays, is_working_day_fn

BLUE = "blue"
COLOURS = (RED, YELLOW, BLUE)
MAX_WITHIN = 366

_ITEMS_SQL = (
    f"WITH {assignment_cte()} SELECT au.task_id, t.number, t.title, au.unit_id, "
    "u.name, au.due, au.pct, t.item FROM au JOIN tasks t ON t.id = au.task_id "
    "JOIN units u ON u.id = au.unit_id WHERE COALESCE(au.pct, 0) < 100{where}"
)


class Item(NamedTuple):
    task_id: int
    unit_id: int
    unit: str
    task: int
    title: str
    due: date
    working_days_left: int
    colour: str
    reminders: int
    item: int = 0  # N of a sub-item (9.2), 0 for a task

    @property
    def ref(self) -> int | str:
        """The task as commands name it: 9, or "9.2" for a sub-item (JSON's convention)."""
        return json_ref(self.task, self.item)

    def as_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "task": self.ref,
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
    dues = [d for *_, due, _pct, _item in rows if (d := as_date(due)) is not None]
    counter = WorkingDays(as_of, dues, working)
    sent = _sent_counts(conn, plan, as_of)
    # unit ids that missed a checkpoint, per task id (one query for the whole plan)
    missed = {
        tid: {u for u, n in state.missed_by_unit.items() if n}
        for tid, state in checkpoint_states(conn, plan, as_of).items()
    }
    out = []
    for tid, number, title, uid, name, due, pct, item in rows:
        due_d = as_date(due)
        assert due_d is not None
        percent = float(pct or 0)
        left = counter.left(due_d)
        _status, overdue, _exp, _behind, colour = judge(
            percent, pct is not None, due_d, as_of, plan.start, thresholds
        )
        if overdue:
            tone = RED
        elif colour in (RED, YELLOW) or int(uid) in missed.get(int(tid), ()):
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
                int(item),
            )
        )
    out.sort(key=lambda i: (i.unit, COLOURS.index(i.colour), i.task, i.item))
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
    from pufa_cli.inputs import MAX_BY, clean_text

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
    return [i._replace(reminders=i.reminders + 1) for i in items]

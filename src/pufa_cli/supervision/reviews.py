"""Review and closure (審核 → 銷號) for plans with ``review: required``.

A unit's entry at 100 % is a claim: the task is ``awaiting-review`` (not ``done``) until the
office approves that entry (``pufa review ENTRY --approve``, dated; it counts as of its date).
A return (``--return --reason R``) sends the claim back: besides its review row it retracts the
entry (same reason, same person), so the entry stops counting everywhere a retraction does and
stays in the history; the unit logs again. Reviews are rows of their own, never changed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from pufa_cli.errors import BadInput, Conflict, NotFound
from pufa_cli.i18n import _
from pufa_cli.inputs import MAX_BY, MAX_NOTE, clean_text
from pufa_cli.ledger import MAX_ID
from pufa_cli.progress import _LATEST_ANY_UNIT_ID, PlanRef, latest_sql
from pufa_cli.store import Connection, as_date, as_datetime

APPROVE = "approve"
RETURN = "return"

# The approval of entry e as of :as_of.
_APPROVED = (
    "EXISTS (SELECT 1 FROM reviews v WHERE v.entry_id = e.id AND v.decision = 'approve' "
    "AND v.review_date <= :as_of)"
)

# (task, unit) whose latest counting entry as of :as_of is a claim (100 %) not yet approved:
# for assigned units, and for a task without units its latest entry of any unit.
_AWAITING_SQL = (
    "SELECT a.task_id, a.unit_id FROM tasks t JOIN assignments a ON a.task_id = t.id "
    f"JOIN entries e ON e.id = ({latest_sql('id', alias='l')}) "
    f"WHERE t.plan_id = :plan AND t.in_plan = 1 AND e.percent >= 100 AND NOT {_APPROVED} "
    "UNION ALL "
    f"SELECT t.id, e.unit_id FROM tasks t JOIN entries e ON e.id = ({_LATEST_ANY_UNIT_ID}) "
    "WHERE t.plan_id = :plan AND t.in_plan = 1 "
    "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id) "
    f"AND e.percent >= 100 AND NOT {_APPROVED}"
)


def awaiting(conn: Connection, plan: PlanRef, as_of: date) -> set[tuple[int, int]]:
    """(task id, unit id) pairs whose claim awaits review as of ``as_of`` (review plans)."""
    if not plan.review:
        return set()
    return {
        (int(t), int(u)) for t, u in conn.rows(_AWAITING_SQL, {"plan": plan.id, "as_of": as_of})
    }


def review(
    conn: Connection,
    entry_id: int,
    *,
    approve: bool,
    text: str,
    day: date | None,
    today: date,
    by: str,
    now: datetime,
) -> tuple[str, date]:
    """Approve or return an entry; return the decision recorded and its date. Without a date
    (``day`` None) the review is dated today, or the last day an entry of its task may carry
    when today is past it (as ``pufa log`` dates an entry: a past year's ledger brought up to
    date)."""
    decision = APPROVE if approve else RETURN
    text = clean_text(text, _("reason") if not approve else _("note"), MAX_NOTE, multiline=True)
    if not approve and not text:
        raise BadInput(_("give a reason for the return (--reason)"))
    by = clean_text(by, _("--by"), MAX_BY)
    if not by:
        raise BadInput(_("--by must not be empty"))
    if day is not None and day > today:
        raise BadInput(_("the date {day} is in the future").format(day=day.isoformat()))
    row = (
        conn.one(
            "SELECT e.entry_date, e.percent, p.review, p.year, t.due_date FROM entries e "
            "JOIN tasks t ON t.id = e.task_id JOIN plans p ON p.id = t.plan_id WHERE e.id = :e",
            {"e": entry_id},
        )
        if 1 <= entry_id <= MAX_ID
        else None
    )
    if row is None:
        raise NotFound(_("no entry {id}").format(id=entry_id))
    entry_date, percent_value, plan_review, plan_year, due = row
    entry_day, percent, year = as_date(entry_date), int(percent_value), int(plan_year)
    if day is None:
        from pufa_cli.inputs import default_day, entry_window

        day = default_day(today, entry_window(year, as_date(due)))
    if plan_review != "required":
        raise BadInput(
            _(
                "plan {year} does not require review (add 'review: required' to its plan file)"
            ).format(year=year)
        )
    if conn.one("SELECT entry_id FROM retractions WHERE entry_id = :e", {"e": entry_id}):
        raise Conflict(_("entry {id} is retracted; it cannot be reviewed").format(id=entry_id))
    if conn.one(
        "SELECT id FROM reviews WHERE entry_id = :e AND decision = 'approve'", {"e": entry_id}
    ):
        raise Conflict(_("entry {id} is already approved").format(id=entry_id))
    if approve and percent < 100:
        raise Conflict(
            _("entry {id} is at {p}%: only a 100% entry can be approved").format(
                id=entry_id, p=percent
            )
        )
    assert entry_day is not None
    if day < entry_day:
        raise BadInput(
            _("the review date {day} is before the entry's date {entry}").format(
                day=day.isoformat(), entry=entry_day.isoformat()
            )
        )
    conn.run(
        "INSERT INTO reviews (entry_id, decision, review_date, note, reviewed_by, reviewed_at) "
        "VALUES (:e, :d, :day, :n, :b, :at)",
        {"e": entry_id, "d": decision, "day": day, "n": text, "b": by, "at": now},
    )
    if not approve:
        conn.run(
            "INSERT INTO retractions (entry_id, reason, retracted_by, retracted_at) "
            "VALUES (:e, :r, :b, :at)",
            {"e": entry_id, "r": text, "b": by, "at": now},
        )
    return decision, day


def by_entry(conn: Connection, task_id: int) -> dict[int, list[dict[str, Any]]]:
    """entry id → its reviews ``{"decision", "date", "note", "by", "recorded_at"}``, in order."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for eid, decision, day, note, by, at in conn.rows(
        "SELECT v.entry_id, v.decision, v.review_date, v.note, v.reviewed_by, v.reviewed_at "
        "FROM reviews v JOIN entries e ON e.id = v.entry_id WHERE e.task_id = :t ORDER BY v.id",
        {"t": task_id},
    ):
        d, t = as_date(day), as_datetime(at)
        out[int(eid)].append(
            {
                "decision": str(decision),
                "date": d.isoformat() if d else None,
                "note": note or "",
                "by": str(by),
                "recorded_at": t.isoformat() if t else None,
            }
        )
    return out

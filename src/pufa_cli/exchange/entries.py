"""The entries as they leave the database: streamed in id order, grouped per entry."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from pufa_cli.exchange.columns import day_text, num_text, time_text
from pufa_cli.progress import PlanRef
from pufa_cli.refs import json_ref
from pufa_cli.store import Connection

# id order, so the rows of one entry are consecutive and are grouped in Python as they stream.
# Task, unit and target names come from small dicts (``_Names``), not from joins: a million
# rows then cost a million small ints instead of a million decoded strings.
_ENTRIES_SQL = (
    "SELECT e.id, e.task_id, e.unit_id, e.entry_date, e.percent, e.note, e.recorded_by, "
    "e.created_at, e.key, r.retracted_at, r.retracted_by, r.reason, m.target_id, m.value, "
    "e.problems, e.next_steps "
    "FROM entries e "
    "LEFT JOIN retractions r ON r.entry_id = e.id "
    "LEFT JOIN entry_metrics m ON m.entry_id = e.id"
    "{where} ORDER BY e.id"
)
# Where the grouping reads a streamed row (a plain tuple: a million rows are not wrapped);
# the whole row is unpacked by name where it is written out.
ROW_ID, ROW_TARGET, ROW_VALUE = 0, 12, 13


@dataclass(frozen=True)
class _Names:
    tasks: dict[int, tuple[int, int | str]]  # task id → (plan year, task number or "9.2")
    units: dict[int, str]
    targets: dict[int, str]  # target id → key


def entry_names(conn: Connection, plan: PlanRef | None) -> _Names:
    where = "" if plan is None else " WHERE t.plan_id = :plan"
    params = {} if plan is None else {"plan": plan.id}
    tasks: dict[int, tuple[int, int | str]] = {
        int(i): (int(y), json_ref(int(n), int(item)))
        for i, y, n, item in conn.rows(
            "SELECT t.id, p.year, t.number, t.item FROM tasks t "
            f"JOIN plans p ON p.id = t.plan_id{where}",
            params,
        )
    }
    targets = {
        int(i): str(k)
        for i, k in conn.rows(
            f"SELECT g.id, g.key FROM targets g JOIN tasks t ON t.id = g.task_id{where}", params
        )
    }
    units = {int(i): str(n) for i, n in conn.rows("SELECT id, name FROM units")}
    return _Names(tasks, units, targets)


# An entry's review: decision (approve / return), date (ISO), reviewer, note.
Review = tuple[str, str, str, str]


def entry_reviews(conn: Connection, plan: PlanRef | None) -> dict[int, Review]:
    """entry id → its review, for every reviewed entry of ``plan`` (of every plan when None).

    Reviews are few (one per claim the office checked), so they are read into a dict once
    rather than joined to the streamed entries. pufa records at most one review an entry (an
    approved entry cannot be reviewed again, a returned one is retracted); should a database
    hold more, the latest is taken."""
    sql = (
        "SELECT v.entry_id, v.decision, v.review_date, v.reviewed_by, v.note FROM reviews v"
        if plan is None
        else "SELECT v.entry_id, v.decision, v.review_date, v.reviewed_by, v.note "
        "FROM reviews v JOIN entries e ON e.id = v.entry_id "
        "JOIN tasks t ON t.id = e.task_id WHERE t.plan_id = :plan"
    )
    params = {} if plan is None else {"plan": plan.id}
    return {
        int(eid): (str(decision), day_text(day), str(by), str(note or ""))
        for eid, decision, day, by, note in conn.rows(sql + " ORDER BY v.id", params)
    }


def entry_rows(conn: Connection, plan: PlanRef | None) -> Iterator[Any]:
    if plan is None:
        return conn.stream(_ENTRIES_SQL.format(where=""), {}, size=5000)
    # ``+e.task_id`` keeps SQLite walking the entries in id order (no sort of the whole result)
    # rather than through the task index; PostgreSQL reads it as the plain column.
    return conn.stream(
        _ENTRIES_SQL.format(
            where=" WHERE +e.task_id IN (SELECT id FROM tasks WHERE plan_id = :plan)"
        ),
        {"plan": plan.id},
        size=5000,
    )


class EntryRecord(NamedTuple):
    """One entry as every export writes it (csv, json, the workbook's Entries sheet)."""

    year: int
    task: int | str  # task number, or "9.2" for a sub-item
    unit: str
    date: str  # ISO
    percent: int
    metrics: list[tuple[str, float]]  # (key, value), sorted by key
    note: str
    by: str
    recorded_at: str  # ISO
    id: int
    key: str
    retracted_at: Any  # None when the entry counts
    retracted_by: Any
    retraction_reason: Any
    problems: str
    next: str
    review: Review | None


def entry_records(conn: Connection, plan: PlanRef | None) -> Iterator[EntryRecord]:
    """Every entry of ``plan`` (of every plan when None), retracted ones included, by id."""
    names = entry_names(conn, plan)
    reviews = entry_reviews(conn, plan)
    current: Any = None
    metrics: list[tuple[str, float]] = []
    for row in entry_rows(conn, plan):
        if current is None or row[ROW_ID] != current[ROW_ID]:
            if current is not None:
                yield _record(current, metrics, names, reviews)
            current = row
            metrics = []
        if row[ROW_TARGET] is not None:
            metrics.append((names.targets[int(row[ROW_TARGET])], float(row[ROW_VALUE])))
    if current is not None:
        yield _record(current, metrics, names, reviews)


def _record(
    row: Any, metrics: list[tuple[str, float]], names: _Names, reviews: dict[int, Review]
) -> EntryRecord:
    if len(metrics) > 1:
        metrics.sort()
    (eid, tid, uid, day, pct, note, by, created, key) = row[:9]
    (r_at, r_by, reason, _t, _v, problems, nxt) = row[9:]  # _t, _v: the metric, in ``metrics``
    year, number = names.tasks[int(tid)]
    return EntryRecord(
        year,
        number,
        names.units[int(uid)],
        day_text(day),
        int(pct),
        metrics,
        note or "",
        str(by),
        time_text(created),
        int(eid),
        str(key),
        r_at,
        r_by,
        reason,
        problems or "",
        nxt or "",
        reviews.get(int(eid)),
    )


def metrics_text(metrics: Sequence[tuple[str, float]]) -> str:
    return ";".join(f"{k}={num_text(v)}" for k, v in metrics)

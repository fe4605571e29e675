"""The report by section and by unit, aggregated in SQL (issue 19).

``build.build_report`` judges each task in Python (it must, ``--by task`` lists them); a
report by section or by unit only needs counts, sums and the task numbers of two lists, so
here the per-task judgement is written as SQL ``CASE`` expressions over the per-task query
(``progress.task_rows_one_pass_sql``, the rows of ``progress.task_rows_sql`` in one pass) and
grouped by section (or, by unit, over the assignments, ``progress.assignment_cte``): one row a
section or a unit comes back, not one a task.

The same rules as ``schedule.judge`` and ``build.build_report``, rule by rule:

* status: ``done`` at 100, ``awaiting-review`` for a done task with a claim awaiting review,
  ``in-progress`` with a counting entry, else ``not-started``; overdue ``pct < 100 AND due <=
  :as_of`` (``progress.OVERDUE_SQL``);
* expected percent (``schedule.expected_percent``): 100 from the due date on, 0 before the
  start, else ``100 × (D − start + 1) / (due − start + 1)``: the same double-precision
  operations as Python (``100 × (D − start + 1)`` passed in as a float, divided by the window);
* the light (``schedule.colour_of``): green when done, red when overdue or ``round(behind, 9)
  > red``, yellow when ``round(behind, 9) > yellow`` or a checkpoint missed, else green. The
  rounded comparison is made exact and cheap: ``behind >= first_above(red)``, the least double
  that rounds above the threshold, found in Python once (no ``ROUND`` a row, none of SQLite's
  and PostgreSQL's rounding differences);
* a task with sub-items takes the mean of its items (``progress.item_means``), their counting
  units added up, and the checkpoints its items missed; totals and sections count an item only
  when its task is out of scope; co-leads count as leads.

Three inputs stay in Python, because they are not SQL today: checkpoints missed
(``checkpoints.checkpoint_states``: the dates come from parsing cadence words, 每月 …),
percents from targets (``targets.target_percents``: the metrics' aggregation rules) and claims
awaiting review (``supervision.reviews.awaiting``, review plans only). Each is a short list
(tasks with checkpoints missed, with aggregating targets, with a claim pending). They go in as
``IN`` lists of integers written into the SQL text, one list per number of checkpoints missed
(SQLite and PostgreSQL search such a list as an index; a ``VALUES`` table joined instead was
scanned once a task by SQLite 3.40: 70 s at 100,000 tasks). The target percents (floats) are
bound as parameters and looked up only for the tasks in their ``IN`` list, up to
``MAX_BOUND`` of them, beyond which the caller falls back to ``build_report``'s per-task path.

Means add floats in another order than Python's loop (SQL's ``SUM``), so a section's percent
can differ from the per-task path's in the last bits (below 10⁻¹²); counts are exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, NamedTuple

from pufa_cli.progress import (
    PlanRef,
    assignment_cte,
    task_rows_one_pass_sql,
)
from pufa_cli.report.rows import Counts
from pufa_cli.report.schedule import Thresholds
from pufa_cli.report.shape import PlanShape
from pufa_cli.roles import ROLE_COLEAD, ROLE_LEAD
from pufa_cli.store import Connection
from pufa_cli.store.sql import maintained

# Target percents bound as parameters (two each), each looked up in a scan of the list: a few
# thousand at most (a plan has a few targets that aggregate, not one a task).
MAX_BOUND = 2_000
# (task, unit) pairs as one integer in an IN list: task id × 2³² + unit id.
_PAIR = 4294967296

_TASK_COLUMNS = {"item": "t.item", "parent_id": "t.parent_id"}


class Inputs(NamedTuple):
    """What Python knows of the tasks that SQL does not (see the module doc)."""

    missed: Mapping[int, int]  # task id → checkpoints it missed (its own, not its items')
    missed_by_unit: Mapping[tuple[int, int], int]  # (task, unit) → checkpoints missed
    from_targets: Mapping[int, float]  # task id → percent from its targets
    waiting: frozenset[tuple[int, int]]  # (task, unit) claims awaiting review


class Group(NamedTuple):
    """One section's (or the whole scope's) counts, with the task numbers of the lists."""

    key: int
    title: str
    counts: Counts
    overdue: list[tuple[int, int]]  # (number, item)
    due_next: list[tuple[int, int]]


class _Dialect:
    """The few fragments that differ between SQLite and PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self.pg = conn.dialect == "postgresql"

    def window(self, due: str) -> str:
        """Days from the plan's start (:start) to ``due``, both included, as a double."""
        if self.pg:
            return f"CAST({due} - CAST(:start AS DATE) + 1 AS DOUBLE PRECISION)"
        return f"(julianday({due}) - :start_jd + 1.0)"

    def text(self, value: str) -> str:
        return f"CAST({value} AS TEXT)" if self.pg else value

    def concat(self, value: str) -> str:
        return f"STRING_AGG({value}, ',')" if self.pg else f"GROUP_CONCAT({value}, ',')"


def _in(value: str, keys: Iterable[int]) -> str:
    """``value IN (…)``: integers written into the SQL (no parameters: any number of them)."""
    return f"{value} IN ({', '.join(str(int(k)) for k in sorted(keys))})"


def _counted_in(value: str, counts: Mapping[int, int]) -> str:
    """``counts[value]`` (0 when absent) as a CASE of IN lists, one a distinct count."""
    by_count: dict[int, list[int]] = {}
    for key, n in counts.items():
        if n:
            by_count.setdefault(int(n), []).append(key)
    if not by_count:
        return "0"
    whens = " ".join(f"WHEN {_in(value, keys)} THEN {n}" for n, keys in sorted(by_count.items()))
    return f"CASE {whens} ELSE 0 END"


def _params(plan: PlanRef, as_of: date, thresholds: Thresholds) -> dict[str, Any]:
    start = plan.start
    return {
        "plan": plan.id,
        "as_of": as_of,
        "start": start,
        "start_jd": start.toordinal() + 1721424.5,  # julianday() of the start (SQLite)
        # 100 × the days elapsed, both ends included (schedule.expected_percent's numerator)
        "hk": 100.0 * ((as_of - start).days + 1),
        "hundred": 100.0,
        "zero": 0.0,
        # behind >= these: more than yellow / red points behind (schedule.colour_of)
        "yellow_b": first_above(float(thresholds.yellow)),
        "red_b": first_above(float(thresholds.red)),
    }


def first_above(threshold: float) -> float:
    """The least double ``b`` with ``round(b, 9) > threshold``: ``colour_of``'s comparison of
    ``behind`` rounded to 9 decimals as one plain comparison, ``behind >= first_above(t)``
    (``round`` is monotonic), exact for every double and the same on every engine."""
    import math

    lo, hi = threshold - 1e-6, threshold + 1e-6  # round(lo, 9) <= threshold < round(hi, 9)
    while math.nextafter(lo, math.inf) < hi:
        mid = (lo + hi) / 2
        if mid <= lo or mid >= hi:
            break
        if round(mid, 9) > threshold:
            hi = mid
        else:
            lo = mid
    return hi


def _light(d: _Dialect, plan: PlanRef, as_of: date, pct: str, due: str, missed: str) -> str:
    """The light (0 green, 1 yellow, 2 red) of a task or a unit's share (``colour_of``)."""
    if as_of < plan.start:
        expected = ":zero"  # not yet due (a due task is red before this is asked)
    else:
        expected = f"CASE WHEN {due} < :start THEN :zero ELSE :hk / {d.window(due)} END"
    behind = f"({expected}) - {pct}"
    return (
        f"CASE WHEN {pct} >= 100 THEN 0 WHEN {due} <= :as_of THEN 2 "
        f"WHEN {behind} >= :red_b THEN 2 "
        f"WHEN {behind} >= :yellow_b OR {missed} > 0 THEN 1 ELSE 0 END"
    )


def _number_text(number: str, item: str) -> str:
    return (
        f"CASE WHEN {item} = 0 THEN CAST({number} AS TEXT) "
        f"ELSE CAST({number} AS TEXT) || '.' || CAST({item} AS TEXT) END"
    )


def _parse_numbers(text: Any) -> list[tuple[int, int]]:
    out = []
    for part in str(text or "").split(","):
        if part:
            number, _dot, item = part.partition(".")
            out.append((int(number), int(item or 0)))
    return out


def section_groups(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    inputs: Inputs,
    *,
    section: int | None,
    unit_id: int | None,
    thresholds: Thresholds,
    against_plan: bool,
    next_quarter: tuple[date, date] | None,
    shape: PlanShape,
) -> list[Group]:
    """One group per section with tasks in scope (by section number): counts over the tasks
    counted (an item only when its task is out of scope), lists over every task in scope.
    ``shape``: the plan's (``shape.plan_shape``), which parts of the statement to write."""
    d = _Dialect(conn)
    params = _params(plan, as_of, thresholds)
    items = shape.items
    where = ""
    if section is not None:
        where = (
            " AND t.section_id = (SELECT id FROM sections WHERE plan_id = :plan "
            "AND number = :section)"
        )
        params["section"] = section
    tasks = task_rows_one_pass_sql(
        _TASK_COLUMNS if items else {},
        "",
        where,
        against_plan=against_plan,
        kept=maintained(conn),
        unitless=shape.unitless,
    )
    ctes = [f"ts AS ({tasks})"]
    pct = "ts.pct"
    if inputs.from_targets:
        pairs = sorted(inputs.from_targets.items())
        ctes.append(
            "ov(task_id, pct) AS (VALUES "
            + ", ".join(f"(:ovt{i}, :ovp{i})" for i in range(len(pairs)))
            + ")"
        )
        for i, (tid, value) in enumerate(pairs):
            params[f"ovt{i}"], params[f"ovp{i}"] = tid, float(value)
        pct = (
            f"CASE WHEN {_in('ts.task_id', inputs.from_targets)} THEN (SELECT ov.pct FROM ov "
            "WHERE ov.task_id = ts.task_id) ELSE ts.pct END"
        )
    missed = _counted_in("ts.task_id", inputs.missed)
    waiting = "0"
    if inputs.waiting:
        waiting_ids = {t for t, _u in inputs.waiting}
        waiting = f"CASE WHEN {_in('ts.task_id', waiting_ids)} THEN 1 ELSE 0 END"
    in_scope = "1"
    if unit_id is not None:
        params["unit"] = unit_id
        in_scope = (
            "CASE WHEN EXISTS (SELECT 1 FROM assignments x WHERE x.task_id = ts.task_id "
            "AND x.unit_id = :unit) THEN 1 ELSE 0 END"
        )
    if items:
        # A task with items: their mean, counting units and missed checkpoints (item_means);
        # an item is counted only when its task is out of scope.
        ctes.append(
            "tp AS (SELECT ts.task_id, ts.number, ts.item, ts.parent_id, ts.section_id, ts.due, "
            f"{pct} AS p0, ts.reported AS r0, {missed} AS m0, {waiting} AS waiting, "
            f"{in_scope} AS in_scope FROM ts)"
        )
        ctes.append(
            "fam AS (SELECT parent_id, AVG(p0) AS p, SUM(r0) AS r, SUM(m0) AS m FROM tp "
            "WHERE parent_id IS NOT NULL GROUP BY parent_id)"
        )
        ctes.append(
            "tj AS (SELECT tp.number, tp.item, tp.section_id, tp.due, "
            "COALESCE(fam.p, tp.p0) AS p, COALESCE(fam.r, tp.r0) AS r, "
            "tp.m0 + COALESCE(fam.m, 0) AS m, tp.waiting, "
            "CASE WHEN par.task_id IS NULL OR par.in_scope = 0 THEN 1 ELSE 0 END AS counted "
            "FROM tp LEFT JOIN fam ON fam.parent_id = tp.task_id "
            "LEFT JOIN tp par ON par.task_id = tp.parent_id WHERE tp.in_scope = 1)"
        )
        counted_col, waiting_col, missed_col = "counted", "waiting", "m"
    else:
        ctes.append(
            f"tj AS (SELECT ts.number, ts.section_id, ts.due, {pct} AS p, "
            f"ts.reported AS r, {missed} AS m, {waiting} AS waiting FROM ts"
            + ("" if unit_id is None else f" WHERE {in_scope} = 1")
            + ")"
        )
        counted_col = ""  # every task in scope counts
        waiting_col = "waiting" if inputs.waiting else ""
        missed_col = "m" if inputs.missed else "0"

    def count(*conds: str) -> str:
        both = " AND ".join(c for c in (*conds, counted_col and f"{counted_col} = 1") if c)
        return f"SUM(CASE WHEN {both} THEN 1 ELSE 0 END)" if both else "COUNT(*)"

    number = _number_text("number", "item") if items else d.text("number")
    not_done = f"(p < 100 OR {waiting_col} = 1)" if waiting_col else "p < 100"
    due_next = "NULL"
    if next_quarter is not None:
        params["next_first"], params["next_last"] = next_quarter
        # not done (a claim awaiting review is not done) and due in the next quarter
        due_next = (
            f"CASE WHEN {not_done} AND due >= :next_first AND due <= :next_last THEN {number} END"
        )
    light = _light(d, plan, as_of, "p", "due", missed_col)
    columns = [
        count(),
        count("p >= 100", waiting_col and f"{waiting_col} = 0"),
        count("p >= 100", f"{waiting_col} = 1") if waiting_col else "0",
        count("p < 100", "r > 0"),
        count("p < 100", "due <= :as_of"),
        count(f"{light} = 2"),
        count(f"{light} = 1"),
        f"SUM(CASE WHEN {counted_col} = 1 THEN p ELSE 0 END)" if counted_col else "SUM(p)",
        (f"SUM(CASE WHEN {counted_col} = 1 THEN m ELSE 0 END)" if counted_col else "SUM(m)")
        if missed_col != "0"
        else "0",
        d.concat(f"CASE WHEN p < 100 AND due <= :as_of THEN {number} END"),
        d.concat(due_next),
    ]
    sql = (
        f"WITH {', '.join(ctes)}, g AS (SELECT section_id, "
        + ", ".join(f"{c} AS c{i}" for i, c in enumerate(columns))
        + " FROM tj "
        "GROUP BY section_id) SELECT s.number, s.title, g.* FROM g "
        "JOIN sections s ON s.id = g.section_id"
    )
    groups = []
    for row in conn.rows(sql, params):
        snum, stitle, _sid, n, done, review, doing, overdue, red, yellow, psum, msum = row[:12]
        n, done, review, doing = int(n or 0), int(done or 0), int(review or 0), int(doing or 0)
        groups.append(
            Group(
                int(snum),
                str(stitle),
                Counts(
                    n,
                    done,
                    doing,
                    n - done - review - doing,
                    int(overdue or 0),
                    int(red or 0),
                    int(yellow or 0),
                    float(psum or 0.0),  # the sum: the caller divides
                    int(msum or 0),
                    review if plan.review else None,
                ),
                _parse_numbers(row[12]),
                _parse_numbers(row[13]),
            )
        )
    groups.sort(key=lambda g: g.key)
    return groups


class UnitGroup(NamedTuple):
    unit_id: int
    name: str
    lead: int
    supporting: int
    counts: Counts  # percent: the sum (the caller divides)


def unit_groups(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    inputs: Inputs,
    *,
    section: int | None,
    unit_id: int | None,
    thresholds: Thresholds,
    against_plan: bool,
) -> list[UnitGroup]:
    """Per unit, over its own share of each task in scope: its latest percent and own due
    date, judged (``build._by_unit``'s rules)."""
    d = _Dialect(conn)
    params = _params(plan, as_of, thresholds)
    ctes = [assignment_cte(against_plan, kept=maintained(conn))]
    joins = ""
    where = []
    if section is not None:
        joins += " JOIN tasks t ON t.id = au.task_id JOIN sections s ON s.id = t.section_id"
        where.append("s.number = :section")
        params["section"] = section
    if unit_id is not None:
        where.append("au.unit_id = :unit")
        params["unit"] = unit_id
    pair = f"au.task_id * {_PAIR} + au.unit_id"
    missed = _counted_in(pair, {t * _PAIR + u: m for (t, u), m in inputs.missed_by_unit.items()})
    waiting = "0"
    if inputs.waiting:
        waiting = (
            f"CASE WHEN {_in(pair, (t * _PAIR + u for t, u in inputs.waiting))} THEN 1 ELSE 0 END"
        )
    lead = f"'{ROLE_LEAD}', '{ROLE_COLEAD}'"
    # Grouped by unit id alone, the names joined after: 50 rows, not one a share.
    ctes.append(
        f"sh AS (SELECT au.unit_id, CASE WHEN au.role IN ({lead}) THEN 1 ELSE 0 END AS lead, "
        f"CAST(COALESCE(au.pct, 0) AS FLOAT) AS p, au.pct AS given, au.due, {missed} AS m, "
        f"{waiting} AS waiting FROM au{joins}"
        + (" WHERE " + " AND ".join(where) if where else "")
        + ")"
    )

    def count(cond: str) -> str:
        return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    light = _light(d, plan, as_of, "p", "due", "m")
    columns = [
        "COUNT(*)",
        "SUM(lead)",
        count("p >= 100 AND waiting = 0"),
        count("p >= 100 AND waiting = 1"),
        count("p < 100 AND given IS NOT NULL"),
        count("given IS NULL"),
        count("p < 100 AND due <= :as_of"),
        count(f"{light} = 2"),
        count(f"{light} = 1"),
        "SUM(p)",
        "SUM(m)",
    ]
    sql = (
        f"WITH {', '.join(ctes)}, g AS (SELECT unit_id, {', '.join(columns)} FROM sh "
        "GROUP BY unit_id) SELECT g.*, u.name FROM g JOIN units u ON u.id = g.unit_id"
    )
    out = []
    for (
        uid,
        n,
        lead_n,
        done,
        review,
        doing,
        todo,
        overdue,
        red,
        yellow,
        psum,
        msum,
        name,
    ) in conn.rows(sql, params):
        out.append(
            UnitGroup(
                int(uid),
                str(name),
                int(lead_n),
                int(n) - int(lead_n),
                Counts(
                    int(n),
                    int(done),
                    int(doing),
                    int(todo),
                    int(overdue),
                    int(red),
                    int(yellow),
                    float(psum or 0.0),
                    int(msum or 0),
                    int(review) if plan.review else None,
                ),
            )
        )
    return out

"""Building the report: one query for the tasks in scope, then grouping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from pufa_cli.checkpoints import TaskCheckpoints, checkpoint_states
from pufa_cli.errors import BadInput, NotFound
from pufa_cli.i18n import _
from pufa_cli.progress import (
    AWAITING_REVIEW,
    DONE,
    IN_PROGRESS,
    PlanRef,
    assignment_cte,
    item_means,
    task_rows_sql,
    without_extensions,
)
from pufa_cli.report.rows import Counts, Report, SectionRow, TaskRow, UnitRow
from pufa_cli.report.schedule import (
    BY_CHOICES,
    BY_SECTION,
    BY_TASK,
    BY_UNIT,
    RED,
    YELLOW,
    Thresholds,
    judge,
)
from pufa_cli.report.shape import PlanShape, plan_shape
from pufa_cli.roles import ROLE_COLEAD, ROLE_LEAD
from pufa_cli.store import Connection, as_date
from pufa_cli.store.sql import maintained
from pufa_cli.targets import target_percents
from pufa_cli.timing import is_ongoing, quarter_end, quarter_of

# --- building the report -----------------------------------------------------------------


class Tally:
    """Tasks counted one by one (``add``), then their :class:`Counts`. A plain class, not a
    dataclass: making one costs ~0.5 ms at every start (issue 11)."""

    __slots__ = (
        "awaiting_review",
        "done",
        "in_progress",
        "missed",
        "not_started",
        "overdue",
        "percent_sum",
        "red",
        "review",
        "tasks",
        "yellow",
    )  # fmt: skip

    def __init__(self, review: bool = False) -> None:
        self.review = review  # count awaiting_review (a plan with `review: required`, issue 16)
        self.tasks = self.done = self.in_progress = self.not_started = self.overdue = 0
        self.red = self.yellow = self.missed = self.awaiting_review = 0
        self.percent_sum = 0.0

    def add(self, percent: float, status: str, overdue: bool, colour: str, missed: int) -> None:
        self.tasks += 1
        self.missed += missed
        self.percent_sum += percent
        if status == DONE:
            self.done += 1
        elif status == AWAITING_REVIEW:
            self.awaiting_review += 1
        elif status == IN_PROGRESS:
            self.in_progress += 1
        else:
            self.not_started += 1
        self.overdue += int(overdue)
        self.red += int(colour == RED)
        self.yellow += int(colour == YELLOW)

    def counts(self) -> Counts:
        return Counts(
            self.tasks,
            self.done,
            self.in_progress,
            self.not_started,
            self.overdue,
            self.red,
            self.yellow,
            self.percent_sum / self.tasks if self.tasks else None,
            self.missed,
            self.awaiting_review if self.review else None,
        )


# Every current task of the plan, one row each, with its section and titles (see
# progress.task_rows_sql for the columns before these).
TASK_COLUMNS = {
    "section_number": "s.number",
    "section_title": "s.title",
    "title": "t.title",
    "due_word": "t.due_word",
    "item": "t.item",
    "parent_id": "t.parent_id",
}
SECTION_JOIN = " JOIN sections s ON s.id = t.section_id"


# Each assignment of the plan's current tasks with the unit's own percent (NULL: no entry yet).
def _shares_sql(where: str, against_plan: bool, kept: bool) -> str:
    return (
        f"WITH {assignment_cte(against_plan, kept=kept)} SELECT au.task_id, au.unit_id, "
        f"u.name, au.role, au.due, au.pct FROM au JOIN units u ON u.id = au.unit_id{where}"
    )


# Who is assigned to each current task of the plan (no progress needed).
_UNITS_SQL = (
    "SELECT a.task_id, a.role, u.name FROM tasks t JOIN assignments a ON a.task_id = t.id "
    "JOIN units u ON u.id = a.unit_id WHERE t.plan_id = :plan AND t.in_plan = 1"
)


class Given(NamedTuple):
    """A plan's task rows for :func:`build_report`, read with other plans' (``report --by
    office``: offices/rollup.py),
    and whether it has checkpoints and aggregating targets to read (if not, there are none)."""

    raw: list[Any]
    checks: bool
    targets: bool


def section_numbers(conn: Connection, plan: PlanRef) -> list[int]:
    return [
        int(r[0])
        for r in conn.rows(
            "SELECT number FROM sections WHERE plan_id = :p ORDER BY number", {"p": plan.id}
        )
    ]


def check_section(conn: Connection, plan: PlanRef, section: int) -> None:
    numbers = section_numbers(conn, plan)
    if section not in numbers:
        raise NotFound(
            _("no section {n} in plan {year} (sections: {numbers})").format(
                n=section, year=plan.year, numbers=", ".join(str(n) for n in numbers) or "-"
            )
        )


def next_quarter_of(as_of: date, year: int) -> tuple[int, int] | None:
    """The quarter after ``as_of``'s, if it lies in the plan year (next year is another plan)."""
    q = quarter_of(as_of)
    nxt = (as_of.year, q + 1) if q < 4 else (as_of.year + 1, 1)
    return nxt if nxt[0] == year else None


def build_report(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    *,
    by: str = BY_SECTION,
    section: int | None = None,
    unit_id: int | None = None,
    thresholds: Thresholds = Thresholds(),
    against_plan: bool = False,
    aggregate: bool = False,
    given: Given | None = None,
) -> Report:
    """The report of ``plan`` as of ``as_of`` grouped ``by`` section, unit or task.

    ``section`` and ``unit_id`` narrow the tasks in scope (a unit: the tasks assigned to it);
    ``total``, ``overdue`` and ``due_next`` are over the tasks in scope. ``against_plan``
    judges due dates, overdue and colours against the plan, ignoring extensions (issue 16).

    ``aggregate``: by section or unit, count in SQL (``aggregate.py``) and leave ``tasks``
    empty, for a caller that shows only the rows, the total and the lists (``pufa report``);
    the numbers are those of the per-task path. ``given``: the plan's rows read beforehand
    (:class:`Given`), for a caller that reports many plans (``report --by office``).
    """
    if by not in BY_CHOICES:
        raise BadInput(_("--by must be section, unit or task, not '{by}'").format(by=by))
    if section is not None:
        check_section(conn, plan, section)
    where = ""
    params: dict[str, Any] = {"plan": plan.id, "as_of": as_of}
    if section is not None:
        where = " AND s.number = :section"
        params["section"] = section
    if aggregate and by != BY_TASK:
        shape = plan_shape(conn, plan)
        # No extension recorded at all: the plan's due dates are exact, skip the lookup.
        against_plan = against_plan or not shape.extensions
        aggregated = _aggregated(
            conn, plan, as_of, by, section, unit_id, thresholds, against_plan, shape
        )
        if aggregated is not None:
            return aggregated
    else:
        against_plan = against_plan or without_extensions(conn)
    if given is not None and section is None:
        raw = list(given.raw)
    else:
        kept = maintained(conn)
        cols, join = TASK_COLUMNS, SECTION_JOIN
        sql = task_rows_sql(cols, join, where, against_plan=against_plan, kept=kept)
        raw = conn.rows(sql, params)
    raw.sort(key=lambda r: (int(r[1]), int(r[11])))  # each task, then its items
    from pufa_cli.supervision.reviews import awaiting

    waiting = awaiting(conn, plan, as_of)  # (task, unit) claims not yet approved (issue 16)
    waiting_tasks = {t for t, _u in waiting}
    checkpoints = checkpoint_states(conn, plan, as_of) if given is None or given.checks else {}
    from_targets = target_percents(conn, plan, as_of) if given is None or given.targets else {}
    percents = {int(r[0]): from_targets.get(int(r[0]), float(r[3])) for r in raw}
    rolled = item_means((r[12], percents[int(r[0])], int(r[4]), int(r[6])) for r in raw)
    missed_of = {tid: (c.missed if c is not None else 0) for tid, c in checkpoints.items()}
    for r in raw:  # a task with items: the checkpoints its items missed
        if r[12] is not None:
            missed_of[int(r[12])] = missed_of.get(int(r[12]), 0) + missed_of.get(int(r[0]), 0)

    tasks: dict[int, TaskRow] = {}
    for tid, num, _sid, _pct, reported, due, _units, snum, stitle, title, word, item, parent in raw:
        due_d = as_date(due)
        assert due_d is not None
        percent = percents[int(tid)]
        if int(tid) in rolled:  # a task with items takes their mean
            percent, reported, _units = rolled[int(tid)]
        missed = missed_of.get(int(tid), 0)
        status, overdue, expected, behind, colour = judge(
            percent, bool(reported), due_d, as_of, plan.start, thresholds, missed
        )
        if status == DONE and int(tid) in waiting_tasks:
            status = AWAITING_REVIEW
        tasks[int(tid)] = TaskRow(
            int(tid),
            int(num),
            int(snum),
            str(stitle),
            str(title),
            due_d,
            percent,
            expected,
            behind,
            status,
            overdue,
            colour,
            is_ongoing(word),
            missed,
            item=int(item),
            parent_id=None if parent is None else int(parent),
        )

    shares: list[tuple[int, int, str, str, date, Any]] = []  # (task, unit, name, role, due, pct)
    # (0 lead, 1 co-lead, 2 supporting; name): the lead first, then co-leads, then the others
    units_of: dict[int, list[tuple[int, str]]] = {tid: [] for tid in tasks}
    if by == BY_UNIT:
        unit_where = ""
        if unit_id is not None:
            unit_where = " WHERE au.unit_id = :unit"
            params["unit"] = unit_id
        for tid, uid, uname, role, udue, upct in conn.rows(
            _shares_sql(unit_where, against_plan, maintained(conn)), params
        ):
            if int(tid) in tasks:
                udue_d = as_date(udue)
                assert udue_d is not None
                shares.append((int(tid), int(uid), str(uname), str(role), udue_d, upct))
        scope_ids = {s[0] for s in shares} if unit_id is not None else set(tasks)
    elif unit_id is not None:
        assigned = conn.rows(
            "SELECT task_id FROM assignments WHERE unit_id = :unit", {"unit": unit_id}
        )
        scope_ids = {int(r[0]) for r in assigned} & set(tasks)
    else:
        scope_ids = set(tasks)
    if by == BY_TASK:
        for tid, role, uname in conn.rows(_UNITS_SQL, {"plan": plan.id}):
            if int(tid) in units_of:
                rank = 0 if role == ROLE_LEAD else 1 if role == ROLE_COLEAD else 2
                units_of[int(tid)].append((rank, str(uname)))
    in_scope = [t for t in tasks.values() if t.task_id in scope_ids]
    # Totals and sections count each task once: a sub-item only when its task is not in scope
    # (its task already holds the mean of its items).
    counted = [t for t in in_scope if t.parent_id not in scope_ids]

    total = Tally(review=plan.review)
    for t in counted:
        total.add(t.percent, t.status, t.overdue, t.colour, t.missed)

    rows: list[Any]
    if by == BY_SECTION:
        rows = _by_section(counted, plan.review)
    elif by == BY_UNIT:
        rows = _by_unit(shares, as_of, plan.start, thresholds, checkpoints, waiting, plan.review)
        rows = _unit_extras(conn, plan, as_of, unit_id, rows)
    else:
        from pufa_cli.targets import task_targets

        targets = task_targets(conn, plan, as_of)
        from pufa_cli.supervision.extensions import planned_dues

        said = latest_problems(conn, plan, as_of)
        planned = planned_dues(conn, plan)
        rows = [
            t._replace(
                # Sorted here, not by the database's collation: the same order on every engine.
                units=tuple(name for _lead, name in sorted(units_of[t.task_id])),
                targets=tuple(targets.get(t.task_id, [])),
                problems=said.get(t.task_id, ("", ""))[0],
                next_steps=said.get(t.task_id, ("", ""))[1],
                planned_due=planned.get(t.task_id),
            )
            for t in in_scope
        ]

    nxt = next_quarter_of(as_of, plan.year)
    due_next: list[int | str] = []
    if nxt is not None:
        first, last = date(nxt[0], 3 * nxt[1] - 2, 1), quarter_end(nxt[0], nxt[1])
        due_next = [t.json_number for t in in_scope if t.status != DONE and first <= t.due <= last]
    unit_name = None
    if unit_id is not None:
        unit_name = conn.scalar("SELECT name FROM units WHERE id = :u", {"u": unit_id})
    return Report(
        plan=plan,
        as_of=as_of,
        by=by,
        thresholds=thresholds,
        rows=rows,
        total=total.counts(),
        overdue=[t.json_number for t in in_scope if t.overdue],
        due_next=due_next,
        next_quarter=nxt,
        section=section,
        unit=None if unit_name is None else str(unit_name),
        tasks=in_scope,
    )


def _latest_given(col: str) -> str:
    return (
        f"(SELECT e.{col} FROM entries e WHERE e.task_id = t.id AND e.entry_date <= :as_of "
        f"AND e.{col} <> '' AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = e.id) "
        "ORDER BY e.entry_date DESC, e.id DESC LIMIT 1)"
    )


def latest_problems(conn: Connection, plan: PlanRef, as_of: date) -> dict[int, tuple[str, str]]:
    """task id → (latest problems, latest next steps) given in a counting entry as of D."""
    rows = conn.rows(
        f"SELECT t.id, {_latest_given('problems')}, {_latest_given('next_steps')} FROM tasks t "
        "WHERE t.plan_id = :plan AND t.in_plan = 1",
        {"plan": plan.id, "as_of": as_of},
    )
    return {int(t): (p or "", n or "") for t, p, n in rows if p or n}


def _unit_extras(
    conn: Connection, plan: PlanRef, as_of: date, unit_id: int | None, rows: list[Any]
) -> list[Any]:
    """Rows by unit with the reporting rounds each was late for or missed (issue 16), where the
    plan has rounds, and the score, where it scores (issue 17)."""
    if plan.reporting:
        from pufa_cli.supervision.rounds import late_missing, unit_rounds

        tally = late_missing(unit_rounds(conn, plan, plan.reporting, as_of, unit_id))
        rows = [
            r._replace(
                late=tally.get(r.unit_id, (0, 0))[0], missing=tally.get(r.unit_id, (0, 0))[1]
            )
            for r in rows
        ]
    return _with_scores(conn, plan, as_of, rows)


def _with_scores(conn: Connection, plan: PlanRef, as_of: date, rows: list[Any]) -> list[Any]:
    """By-unit rows with each unit's score, where the plan scores (docs/scoring.md)."""
    from pufa_cli.scoring.compute import compute_scores, plan_scoring

    scoring = plan_scoring(conn, plan)
    if scoring is None:
        return rows
    scores = compute_scores(conn, plan, as_of, scoring=scoring, previous=("", {}))
    by_id = {u.unit_id: u.score for u in scores.units}
    return [r._replace(score=by_id.get(r.unit_id)) for r in rows]


def _by_section(tasks: Sequence[TaskRow], review: bool = False) -> list[SectionRow]:
    tallies: dict[int, Tally] = {}
    titles: dict[int, str] = {}
    for t in tasks:
        if t.section not in tallies:
            tallies[t.section] = Tally(review=review)
            titles[t.section] = t.section_title
        tallies[t.section].add(t.percent, t.status, t.overdue, t.colour, t.missed)
    return [SectionRow(n, titles[n], tallies[n].counts()) for n in sorted(tallies)]


def _by_unit(
    shares: Sequence[tuple[int, int, str, str, date, Any]],
    as_of: date,
    start: date,
    thresholds: Thresholds,
    checkpoints: Mapping[int, TaskCheckpoints],
    waiting: set[tuple[int, int]] | None = None,
    review: bool = False,
) -> list[UnitRow]:
    """Per unit, over its own share of each assigned task: its latest percent, its own due
    date (the assignment's, else the task's), status, overdue and colour judged on those."""
    tallies: dict[int, Tally] = {}
    names: dict[int, str] = {}
    roles: dict[int, list[int]] = {}
    for task_id, uid, name, role, due, pct in shares:
        if uid not in tallies:
            tallies[uid] = Tally(review=review)
            names[uid] = name
            roles[uid] = [0, 0]
        percent = float(pct or 0)
        cps = checkpoints.get(task_id)
        missed = cps.missed_by_unit.get(uid, 0) if cps is not None else 0
        status, overdue, _exp, _behind, colour = judge(
            percent, pct is not None, due, as_of, start, thresholds, missed
        )
        if status == DONE and waiting and (task_id, uid) in waiting:
            status = AWAITING_REVIEW
        tallies[uid].add(percent, status, overdue, colour, missed)
        roles[uid][0 if role in (ROLE_LEAD, ROLE_COLEAD) else 1] += 1
    counted = {uid: t.counts() for uid, t in tallies.items()}
    return _ranked(
        [(uid, names[uid], roles[uid][0], roles[uid][1], counted[uid]) for uid in counted]
    )


def _ranked(units: Sequence[tuple[int, str, int, int, Counts]]) -> list[UnitRow]:
    """(unit id, name, lead, supporting, counts) → unit rows by mean percent, highest first,
    then by name."""
    order = sorted(units, key=lambda u: (-(u[4].percent or 0.0), u[1]))
    rows: list[UnitRow] = []
    for pos, (uid, name, lead, supporting, counts) in enumerate(order, start=1):
        # Competition ranking (1, 2, 2, 4): equal means share a rank.
        rank = pos
        if rows and rows[-1].counts.percent == counts.percent:
            rank = rows[-1].rank
        rows.append(UnitRow(uid, name, rank, lead, supporting, counts))
    return rows


def _mean(c: Counts) -> Counts:
    """Counts whose ``percent`` holds a sum, with the mean instead."""
    return c._replace(percent=(c.percent or 0.0) / c.tasks if c.tasks else None)


def _add(a: Counts, b: Counts) -> Counts:
    """Two groups' counts added up (``percent`` a sum)."""

    def plus(x: int | None, y: int | None) -> int | None:
        return None if x is None and y is None else (x or 0) + (y or 0)

    return Counts(
        a.tasks + b.tasks,
        a.done + b.done,
        a.in_progress + b.in_progress,
        a.not_started + b.not_started,
        a.overdue + b.overdue,
        a.red + b.red,
        a.yellow + b.yellow,
        (a.percent or 0.0) + (b.percent or 0.0),
        a.missed + b.missed,
        plus(a.awaiting_review, b.awaiting_review),
    )


def _aggregated(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    by: str,
    section: int | None,
    unit_id: int | None,
    thresholds: Thresholds,
    against_plan: bool,
    shape: PlanShape,
) -> Report | None:
    """The report by section or unit counted in SQL (aggregate.py); None when too many target
    percents would have to be bound (the per-task path then answers). ``shape``: the plan's,
    so that no statement is made for what it does not use."""
    from pufa_cli.report.aggregate import MAX_BOUND, Inputs, section_groups, unit_groups

    waiting: frozenset[tuple[int, int]] = frozenset()
    if plan.review:  # imported only then: supervision.reviews loads the tracker (~30 ms)
        from pufa_cli.supervision.reviews import awaiting

        waiting = frozenset(awaiting(conn, plan, as_of))
    from_targets = target_percents(conn, plan, as_of, aggregating=shape.targets)
    if len(from_targets) > MAX_BOUND:
        return None
    checkpoints: dict[int, TaskCheckpoints] = {}
    if shape.checks:
        checkpoints = checkpoint_states(conn, plan, as_of, unitless=shape.unitless)
    inputs = Inputs(
        missed={tid: c.missed for tid, c in checkpoints.items()},
        missed_by_unit={
            (tid, uid): m for tid, c in checkpoints.items() for uid, m in c.missed_by_unit.items()
        },
        from_targets=from_targets,
        waiting=waiting,
    )
    nxt = next_quarter_of(as_of, plan.year)
    window = None
    if nxt is not None:
        window = (date(nxt[0], 3 * nxt[1] - 2, 1), quarter_end(nxt[0], nxt[1]))
    groups = section_groups(
        conn,
        plan,
        as_of,
        inputs,
        section=section,
        unit_id=unit_id,
        thresholds=thresholds,
        against_plan=against_plan,
        next_quarter=window,
        shape=shape,
    )
    total = Counts(awaiting_review=0 if plan.review else None, percent=0.0)
    overdue: list[tuple[int, int]] = []
    due_next: list[tuple[int, int]] = []
    for g in groups:
        total = _add(total, g.counts)
        overdue += g.overdue
        due_next += g.due_next
    rows: list[Any]
    if by == BY_SECTION:
        # A section whose tasks in scope are all items of tasks in scope has no row.
        rows = [SectionRow(g.key, g.title, _mean(g.counts)) for g in groups if g.counts.tasks]
    else:
        units = unit_groups(
            conn,
            plan,
            as_of,
            inputs,
            section=section,
            unit_id=unit_id,
            thresholds=thresholds,
            against_plan=against_plan,
        )
        rows = _ranked([(u.unit_id, u.name, u.lead, u.supporting, _mean(u.counts)) for u in units])
        rows = _unit_extras(conn, plan, as_of, unit_id, rows)
    unit_name = None
    if unit_id is not None:
        unit_name = conn.scalar("SELECT name FROM units WHERE id = :u", {"u": unit_id})

    def numbers(pairs: list[tuple[int, int]]) -> list[int | str]:
        return [f"{n}.{i}" if i else n for n, i in sorted(pairs)]

    return Report(
        plan=plan,
        as_of=as_of,
        by=by,
        thresholds=thresholds,
        rows=rows,
        total=_mean(total),
        overdue=numbers(overdue),
        due_next=numbers(due_next) if nxt is not None else [],
        next_quarter=nxt,
        section=section,
        unit=None if unit_name is None else str(unit_name),
        tasks=[],
    )

"""The rules of progress, as of a date D, computed in SQL (see README "Rules").

* A unit's percent on a task is that of its latest non-retracted entry dated <= D (same date:
  the later entry wins); 0 if none.
* A task's percent is the mean over the units assigned to it now; a task with no assigned unit
  takes the percent of its latest non-retracted entry dated <= D.
* A task is due at its plan due date; an assignment's own due date overrides it for that unit,
  and the task is due when its last unit is.
* Status: ``done`` at 100; ``not-started`` when no counting entry is dated <= D; otherwise
  ``in-progress``. A task not done at the end of its due date is ``overdue``: as of D when
  ``due <= D`` (one definition: :func:`is_overdue` and :data:`OVERDUE_SQL`).

The latest entry is found by a correlated ``ORDER BY entry_date DESC, id DESC LIMIT 1``
subquery that walks ``ix_entries_latest`` backwards: on SQLite over 1,000,000 entries it is
~20 × faster than a ``ROW_NUMBER()`` window, and PostgreSQL plans it as an index scan too.
The subquery yields the entry's id and the row is joined on it (``LEFT JOIN entries e ON e.id =
(…)``), so it runs once per assignment however often its percent is used: a scalar subquery
whose value is used twice is evaluated twice once SQLite flattens the query around it.
See docs/performance.md for the measurements behind each shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from pufa_cli.errors import BadInput, NotFound
from pufa_cli.i18n import _
from pufa_cli.refs import json_ref, task_ref
from pufa_cli.store import Connection, as_date
from pufa_cli.store.sql import id_list, latest_join
from pufa_cli.store.sql import latest_sql as latest_sql  # progress.latest_sql, as before
from pufa_cli.timing import is_ongoing

DONE = "done"
IN_PROGRESS = "in-progress"
NOT_STARTED = "not-started"
OVERDUE = "overdue"
# A filter, not a status: a task that missed a checkpoint (see checkpoints.py).
BEHIND = "behind"
# A plan with `review: required`: a task at 100 % whose latest claims are not all approved.
AWAITING_REVIEW = "awaiting-review"

# Overdue as of D: not done by the end of the due date. The same rule in SQL, over a CTE's
# ``pct`` and ``due`` columns and the ``:as_of`` parameter.
OVERDUE_SQL = "pct < 100 AND due <= :as_of"


def is_overdue(due: date, as_of: date) -> bool:
    """A task not done is overdue as of ``as_of`` once its due date has ended: ``due <= as_of``
    (a task due 12-31 and not done is overdue in the year-end report as of 12-31)."""
    return due <= as_of


# The id of the latest counting entry of task t, whichever unit wrote it, dated <= :as_of: the
# latest of each unit's latest. ix_entries_latest is ordered by unit within a task, so ordering
# all the task's entries by date would read and sort every one of them (and check each for a
# retraction); this reads the task's part of the index once for its units, then walks back
# from D per unit, as for an assigned unit. Only tasks without an assigned unit need it.
_LATEST_ANY_UNIT_ID = (
    "SELECT k.id FROM (SELECT DISTINCT d.unit_id FROM entries d WHERE d.task_id = t.id) du "
    f"JOIN entries k ON k.id = ({latest_sql('id', 't.id', 'du.unit_id', alias='l')}) "
    "ORDER BY k.entry_date DESC, k.id DESC LIMIT 1"
)

# An assignment's due date (assignment ``a`` of task ``t``): its latest extension granted on or
# before :as_of (issue 16), else its own --due, else the task's plan due date. With
# ``against_plan`` extensions are ignored: the date that was promised.
_EXTENDED_DUE = (
    "(SELECT x.due_date FROM extensions x WHERE x.task_id = a.task_id AND x.unit_id = a.unit_id "
    "AND x.granted_on <= :as_of ORDER BY x.granted_on DESC, x.id DESC LIMIT 1)"
)


def due_sql(against_plan: bool = False) -> str:
    if against_plan:
        return "COALESCE(a.due_date, t.due_date)"
    return f"COALESCE({_EXTENDED_DUE}, a.due_date, t.due_date)"


def assignment_cte(against_plan: bool = False, where: str = "", kept: bool = True) -> str:
    """One row per (assignment) of the plan's current tasks: percent NULL when nothing counts
    yet. ``where``: `` AND …`` conditions on ``tasks t`` (a :class:`Scope`'s); ``kept``:
    :func:`latest_join`'s."""
    join, pct = latest_join(kept)
    return (
        "au AS ("
        f"SELECT a.task_id, a.unit_id, a.role, {due_sql(against_plan)} AS due, "
        f"{pct} AS pct, a.person "
        f"FROM tasks t JOIN assignments a ON a.task_id = t.id {join} "
        f"WHERE t.plan_id = :plan AND t.in_plan = 1{where})"
    )


ASSIGNMENT_CTE = assignment_cte()


def without_extensions(conn: Connection) -> bool:
    """True when no extension was ever recorded: the plain due date is then exact, and the
    queries skip the per-assignment extension lookup (~20 % of the report's query)."""
    return conn.one("SELECT 1 FROM extensions LIMIT 1") is None


def without_unit_dues(conn: Connection) -> bool:
    """True when no assignment of any plan has its own due date (``assign --due``): a task is
    then due at its plan due date, extensions aside."""
    return conn.one("SELECT 1 FROM assignments WHERE due_date IS NOT NULL LIMIT 1") is None


# The per-task GROUP BY in the order SQLite reads a plan's tasks: uq_tasks_plan_id (plan_id,
# number, item), then the row id that ends every index. Grouped as ``t.number, t.id`` (before
# sub-items joined the key) SQLite sorted every task into a temporary B-tree first.
GROUP_ORDER = "t.number, t.item, t.id, t.section_id"


def task_rows_sql(
    extra: Mapping[str, str] | None = None,
    join: str = "",
    where: str = "",
    *,
    against_plan: bool = False,
    kept: bool = True,
    plans: Iterable[int] | None = None,
) -> str:
    """A SELECT of one row per current task of the plan (params :plan, :as_of): ``task_id``,
    ``number``, ``section_id``, ``pct`` (float), ``reported`` (units with a counting entry),
    ``due``, ``units``, then the ``extra`` columns.

    ``extra``: name → a plain column of ``tasks t`` or of a table in ``join`` (grouped by; the
    names must differ from those above); ``join``: `` JOIN …`` clauses; ``where``: `` AND …``
    conditions. Rows come in no particular order.

    A task with units takes the mean over them, computed in one pass over its assignments:
    grouped by ``t.number, t.item, t.id`` first, the order in which SQLite reads a plan's tasks
    (its unique index on plan, number and item, then the row id), so no sort is needed
    (``GROUP_ORDER``). A task with none takes the latest entry of any unit (the second half of
    the UNION). ``against_plan``: due dates without extensions;
    ``kept``: :func:`latest_join`'s; ``plans``: these plans' tasks (ids written in), not :plan's.
    """
    cols = "".join(f", {col} AS {name}" for name, col in (extra or {}).items())
    group = "".join(f", {col}" for col in (extra or {}).values())
    latest, pct = latest_join(kept)
    of_plan = "t.plan_id = :plan"
    if plans is not None:
        of_plan = f"t.plan_id IN ({id_list(plans)})"
    return (
        "SELECT t.id AS task_id, t.number, t.section_id, "
        f"AVG(CAST(COALESCE({pct}, 0) AS FLOAT)) AS pct, COUNT({pct}) AS reported, "
        f"MAX({due_sql(against_plan)}) AS due, COUNT(*) AS units{cols} "
        f"FROM tasks t{join} JOIN assignments a ON a.task_id = t.id {latest} "
        f"WHERE {of_plan} AND t.in_plan = 1{where} "
        f"GROUP BY {GROUP_ORDER}{group} "
        "UNION ALL "
        "SELECT t.id, t.number, t.section_id, COALESCE(CAST(e.percent AS FLOAT), 0.0), "
        f"CASE WHEN e.id IS NULL THEN 0 ELSE 1 END, t.due_date, 0{cols} "
        f"FROM tasks t{join} LEFT JOIN entries e ON e.id = ({_LATEST_ANY_UNIT_ID}) "
        f"WHERE {of_plan} AND t.in_plan = 1{where} "
        "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id)"
    )


def task_rows_one_pass_sql(
    extra: Mapping[str, str] | None = None,
    join: str = "",
    where: str = "",
    *,
    against_plan: bool = False,
    kept: bool = True,
    unitless: bool = True,
) -> str:
    """:func:`task_rows_sql`'s rows and columns in one pass over the tasks: the assignments
    LEFT JOINed, and a task without any taking the latest entry of any unit in its group's
    ``CASE`` (evaluated once a group, only for those). Reading the plan's tasks once, not twice
    (the second half's ``NOT EXISTS`` a task), is ~7 % of the report's aggregate (issue 19).
    Written in each branch, not once in a ``LEFT JOIN entries x ON x.id = CASE WHEN a.unit_id
    IS NULL THEN (…) END``: that saved SQLite ~0.05 ms of preparing, but PostgreSQL 15 planned
    the join as a scan of the entries (a district's report 6 ms → 231 ms, issue 11).

    Each assignment's unit and own due date come from ``ix_assignments_task_unit_due`` alone
    (migration 0014), never from the row: a plan whose units have no due dates of their own
    no longer needs asking so (the ``plain_due`` probe before it). ``kept``:
    :func:`latest_join`'s. ``unitless=False`` (every task has a unit, the caller asked) leaves
    out the any-unit branches: unused, they were still prepared (~10 % of the statement)."""
    cols = "".join(f", {col} AS {name}" for name, col in (extra or {}).items())
    group = "".join(f", {col}" for col in (extra or {}).values())
    latest, pct = latest_join(kept)
    mean, reported = f"AVG(CAST(COALESCE({pct}, 0) AS FLOAT))", f"COUNT({pct})"
    if unitless:
        any_unit = f"(SELECT x.percent FROM entries x WHERE x.id = ({_LATEST_ANY_UNIT_ID}))"
        none = "CASE WHEN COUNT(a.unit_id) = 0 THEN"
        mean = f"{none} COALESCE(CAST({any_unit} AS FLOAT), 0.0) ELSE {mean} END"
        reported = f"{none} CASE WHEN {any_unit} IS NULL THEN 0 ELSE 1 END ELSE {reported} END"
    return (
        "SELECT t.id AS task_id, t.number, t.section_id, "
        f"{mean} AS pct, {reported} AS reported, "
        f"MAX({due_sql(against_plan)}) AS due, "
        f"COUNT(a.unit_id) AS units{cols} "
        f"FROM tasks t{join} LEFT JOIN assignments a ON a.task_id = t.id {latest} "
        f"WHERE t.plan_id = :plan AND t.in_plan = 1{where} "
        f"GROUP BY {GROUP_ORDER}{group}"
    )


# ``au`` (ASSIGNMENT_CTE) and ``ts``: one row per current task of the plan with its percent
# (float), counting units (``reported``), due date and number of units (see task_rows_sql).
TASK_CTES = f"WITH {ASSIGNMENT_CTE}, ts AS ({task_rows_sql()})"


class Scope(NamedTuple):
    """Which of a plan's tasks a query reads (issue 19: ``show N`` and the filters of ``tasks``
    read only theirs): ``where`` is `` AND …`` conditions on ``tasks t`` with their ``params``
    (named so as not to clash with :plan, :as_of or :task). The default reads the whole plan."""

    where: str = ""
    params: Mapping[str, Any] = MappingProxyType({})

    def bind(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {**params, **self.params}


WHOLE_PLAN = Scope()


class PlanRef(NamedTuple):
    id: int
    year: int
    title: str
    script: str
    code: str = ""  # the plan's id as users write it (``2011``, ``2023-fzzf``)
    issued: date | None = None
    review: bool = False  # the plan requires review (issue 16)
    reporting: str = ""  # the plan's reporting rounds word, '' for none (issue 16)

    @property
    def start(self) -> date:
        """The day the on-schedule clock starts: the plan's issue date, else 1 January."""
        if self.issued is not None and self.issued.year == self.year:
            return self.issued
        return date(self.year, 1, 1)


class TaskStatus(NamedTuple):
    task_id: int
    number: int
    section: int
    section_title: str
    title: str
    due: date
    percent: float
    reported: int
    units: int
    status: str
    overdue: bool
    ongoing: bool = False  # due 持續/常態化/長期/全年: ongoing work, judged as due at year end
    label: str | None = None  # the source's own numbering, for display
    item: int = 0  # N for sub-item N of task ``number`` (9.2); 0 for a task
    parent_id: int | None = None  # a sub-item's task

    @property
    def ref(self) -> str:
        """``9``, or ``9.2`` for a sub-item: how commands name it."""
        return task_ref(self.number, self.item)

    @property
    def json_number(self) -> int | str:
        """JSON ``number``: a task's a plain integer (9), a sub-item's a string ("9.2")."""
        return json_ref(self.number, self.item)


class UnitStatus(NamedTuple):
    task_id: int
    task_number: int
    unit_id: int
    unit: str
    role: str
    due: date
    percent: int
    reported: bool
    person: str | None = None  # 責任人


def round1(value: float | None) -> float | None:
    """Every percent pufa shows: one decimal, half up (四捨五入, as offices round: 12.25 → 12.3),
    and below 100 never 100.0 (2099/21 = 99.95 is not done), so nobody reads 100.0 beside a
    status other than done."""
    if value is None:
        return None
    rounded = float(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return min(rounded, 99.9) if value < 100 else rounded


def status_of(percent: float, reported: int, due: date, as_of: date) -> tuple[str, bool]:
    """(status, overdue) by the rules above."""
    if percent >= 100:
        return DONE, False
    status = IN_PROGRESS if reported else NOT_STARTED
    return status, is_overdue(due, as_of)


PLAN_COLUMNS = "id, year, title, script, code, issued, review, reporting"


def plan_ref(row: Any) -> PlanRef:
    plan_id, year, title, script, code, issued, review, reporting = row  # PLAN_COLUMNS
    return PlanRef(
        int(plan_id),
        int(year),
        str(title),
        str(script),
        str(code),
        as_date(issued),
        review == "required",
        str(reporting or ""),
    )


def find_plan(conn: Connection, year: int | None, code: str | None = None) -> PlanRef:
    """The plan chosen by its id (``--plan-id`` / ``PUFA_PLAN``), else by ``year``, else the
    latest year's, among the plans of the office this run acts in (offices/scoping.py). A year
    with several plans is ambiguous: BadInput naming their ids; a plan of another office named
    by its id: BadInput naming that office."""
    from pufa_cli.offices.scoping import office_id, other_office_plan

    here = office_id(conn)
    if code is not None:
        row = conn.one(
            f"SELECT {PLAN_COLUMNS} FROM plans WHERE code = :c AND office_id = :o",
            {"c": code, "o": here},
        )
        if row is None:
            other_office_plan(conn, code)
            codes = [
                str(c)
                for (c,) in conn.rows(
                    "SELECT code FROM plans WHERE office_id = :o ORDER BY year, code", {"o": here}
                )
            ]
            raise NotFound(
                _("no plan '{id}' (loaded: {ids})").format(id=code, ids=", ".join(codes) or "-")
            )
        plan = plan_ref(row)
        if year is not None and plan.year != year:
            raise BadInput(
                _("plan {id} is a plan of {plan_year}, not of {year}").format(
                    id=code, plan_year=plan.year, year=year
                )
            )
        return plan
    if year is None:
        rows = conn.rows(
            f"SELECT {PLAN_COLUMNS} FROM plans WHERE office_id = :o AND year = "
            "(SELECT max(year) FROM plans WHERE office_id = :o) ORDER BY code",
            {"o": here},
        )
        if not rows:
            raise NotFound(_("no plan is loaded: run 'pufa init' first"))
    else:
        # A year out of range is simply not loaded (and must not overflow the INTEGER column).
        rows = (
            conn.rows(
                f"SELECT {PLAN_COLUMNS} FROM plans WHERE year = :y AND office_id = :o "
                "ORDER BY code",
                {"y": year, "o": here},
            )
            if 1 <= year <= 9999
            else []
        )
        if not rows:
            years = [
                str(y)
                for (y,) in conn.rows(
                    "SELECT DISTINCT year FROM plans WHERE office_id = :o ORDER BY year",
                    {"o": here},
                )
            ]
            raise NotFound(
                _("no plan for {year} (loaded: {years})").format(
                    year=year, years=", ".join(years) or "-"
                )
            )
    plans = [plan_ref(r) for r in rows]
    if len(plans) > 1:
        raise BadInput(
            _("{year} has {n} plans: {ids}; choose one with --plan-id ID or PUFA_PLAN").format(
                year=plans[0].year, n=len(plans), ids=", ".join(p.code for p in plans)
            )
        )
    return plans[0]


class PlanSummary(NamedTuple):
    """A loaded plan as ``plan list`` and ``show`` present it, with its metadata."""

    code: str
    year: int
    title: str
    script: str
    tasks: int
    doc_number: str | None = None
    issuer: str | None = None
    issued: date | None = None
    addressees: tuple[str, ...] = ()


# Tasks, not their sub-items (each counted with its task).
_COUNT_TASKS = (
    "(SELECT count(*) FROM tasks t WHERE t.plan_id = p.id AND t.in_plan = 1 AND t.item = 0)"
)
_SUMMARY_SQL = (
    "SELECT p.code, p.year, p.title, p.script, "
    f"{_COUNT_TASKS}, "
    "p.doc_number, p.issuer, p.issued, p.addressees FROM plans p"
)


def _summary(row: Any) -> PlanSummary:
    import json

    code, year, title, script, tasks, doc_number, issuer, issued, addressees = row
    return PlanSummary(
        str(code),
        int(year),
        str(title),
        str(script),
        int(tasks),
        doc_number,
        issuer,
        as_date(issued),
        tuple(json.loads(addressees or "[]")),
    )


def list_plans(conn: Connection) -> list[PlanSummary]:
    """Every plan of the current office with its number of current tasks, by year then id."""
    from pufa_cli.offices.scoping import office_id

    return [
        _summary(r)
        for r in conn.rows(
            f"{_SUMMARY_SQL} WHERE p.office_id = :o ORDER BY p.year, p.code",
            {"o": office_id(conn)},
        )
    ]


def plan_summary(conn: Connection, plan: PlanRef, *, count: bool = True) -> PlanSummary:
    """The plan's metadata; without ``count`` its tasks are not counted (``tasks`` is 0): what
    ``show`` reads, in time independent of the plan's size."""
    sql = _SUMMARY_SQL if count else _SUMMARY_SQL.replace(_COUNT_TASKS, "0")
    row = conn.one(f"{sql} WHERE p.id = :p", {"p": plan.id})
    assert row is not None
    return _summary(row)


def task_statuses(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    scope: Scope = WHOLE_PLAN,
    waiting: set[int] | None = None,
) -> list[TaskStatus]:
    """Every current task of the plan (or of ``scope``: a task with items needs them in the
    same scope) with its percent and status as of ``as_of``. ``waiting``: the tasks awaiting
    review (:func:`awaiting_tasks`), when the caller already has them."""
    rows = conn.rows(
        task_rows_sql(
            {
                "section_number": "s.number",
                "section_title": "s.title",
                "title": "t.title",
                "due_word": "t.due_word",
                "label": "t.label",
                "item": "t.item",
                "parent_id": "t.parent_id",
            },
            " JOIN sections s ON s.id = t.section_id",
            scope.where,
            against_plan=without_extensions(conn),
        ),
        scope.bind({"plan": plan.id, "as_of": as_of}),
    )
    rows.sort(key=lambda r: (int(r[1]), int(r[12])))  # each task, then its items
    if waiting is None:
        waiting = awaiting_tasks(conn, plan, as_of)
    from pufa_cli.targets import target_percents

    from_targets = target_percents(conn, plan, as_of, scope=scope) if rows else {}
    percents = {int(r[0]): from_targets.get(int(r[0]), float(r[3])) for r in rows}
    rolled = item_means((r[13], percents[int(r[0])], int(r[4]), int(r[6])) for r in rows)
    out = []
    for row in rows:
        tid, num, _sid, pct, reported, due, units, snum, stitle, title, word, label = row[:12]
        item, parent = int(row[12]), row[13]
        due_d = as_date(due)
        assert due_d is not None
        pct = percents[int(tid)]
        if int(tid) in rolled:  # a task with items: their mean
            pct, reported, units = rolled[int(tid)]
        status, overdue = status_of(float(pct), int(reported), due_d, as_of)
        if status == DONE and int(tid) in waiting:
            status = AWAITING_REVIEW
        out.append(
            TaskStatus(
                int(tid),
                int(num),
                int(snum),
                str(stitle),
                str(title),
                due_d,
                float(pct),
                int(reported),
                int(units),
                status,
                overdue,
                is_ongoing(word),
                label,
                item,
                None if parent is None else int(parent),
            )
        )
    return out


def awaiting_tasks(conn: Connection, plan: PlanRef, as_of: date) -> set[int]:
    """Tasks of a review plan with a claim (100 %) not yet approved as of ``as_of``."""
    if not plan.review:
        return set()
    from pufa_cli.supervision.reviews import awaiting

    return {task for task, _unit in awaiting(conn, plan, as_of)}


def item_means(
    items: Iterable[tuple[Any, float, int, int]],
) -> dict[int, tuple[float, int, int]]:
    """Sub-items' (parent id, percent, reported, units) → each task with items: the mean of its
    items' percents (each by the task rules, targets included), and their reported units and
    units added up. A task's own entries and units do not count once it has items."""
    acc: dict[int, list[float]] = {}
    for parent, pct, reported, units in items:
        if parent is None:
            continue
        a = acc.setdefault(int(parent), [0.0, 0, 0, 0])
        a[0] += pct
        a[1] += reported
        a[2] += units
        a[3] += 1
    return {p: (a[0] / a[3], int(a[1]), int(a[2])) for p, a in acc.items()}


def unit_statuses(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    task_id: int | None = None,
    scope: Scope = WHOLE_PLAN,
) -> list[UnitStatus]:
    """Every assignment (of one task, of ``scope``'s tasks, or of the whole plan) with the
    unit's percent."""
    where = "" if task_id is None else " WHERE au.task_id = :task"
    params: dict[str, Any] = scope.bind({"plan": plan.id, "as_of": as_of})
    if task_id is not None:
        params["task"] = task_id
    rows = conn.rows(
        f"WITH {assignment_cte(without_extensions(conn), scope.where)} SELECT au.task_id, "
        "t.number, "
        # A co-lead (共同牽頭) is a lead to everyone who reads: listed after the lead.
        "au.unit_id, u.name, CASE WHEN au.role = 'colead' THEN 'lead' ELSE au.role END, "
        "au.due, au.pct, au.person FROM au JOIN tasks t ON t.id = au.task_id "
        f"JOIN units u ON u.id = au.unit_id{where} "
        "ORDER BY t.number, CASE au.role WHEN 'lead' THEN 0 WHEN 'colead' THEN 1 ELSE 2 END, "
        "u.name",
        params,
    )
    out = []
    for tid, num, uid, name, role, due, pct, person in rows:
        due_d = as_date(due)
        assert due_d is not None
        out.append(
            UnitStatus(
                int(tid),
                int(num),
                int(uid),
                str(name),
                str(role),
                due_d,
                int(pct or 0),
                pct is not None,
                person,
            )
        )
    return out

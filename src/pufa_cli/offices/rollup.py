"""``report --by office``: per office directly below the current one, the completion of its
whole plan and of the tasks that carry the current plan's tasks (``carries: PLAN_ID#N``).

An office's plan is every plan it holds of the report's year (a district usually has one).
Each plan is judged exactly as its own ``pufa report`` judges it (report/build.py), so a city's
row for a district agrees with the district's own report; the rows then tally those tasks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pufa_cli.errors import BadInput, NotFound
from pufa_cli.i18n import _
from pufa_cli.offices.scoping import current_office
from pufa_cli.progress import PLAN_COLUMNS, PlanRef, plan_ref, task_rows_sql, without_extensions
from pufa_cli.report.build import SECTION_JOIN, TASK_COLUMNS, Given, Tally, build_report
from pufa_cli.report.rows import Counts
from pufa_cli.report.schedule import BY_SECTION, Thresholds
from pufa_cli.store import Connection
from pufa_cli.store.sql import AGGREGATES, HAS_CHECKPOINTS, id_list, maintained

TASK_RE = re.compile(r"^([a-z0-9][a-z0-9-]{0,39})#([1-9][0-9]{0,5})$")


@dataclass(frozen=True)
class OfficeRow:
    office: str
    plans: tuple[str, ...]
    counts: Counts  # every current task of the office's plans
    carried: Counts  # those that carry the report's plan (or the --task)


@dataclass
class OfficeReport:
    office: str
    plan: PlanRef
    as_of: date
    thresholds: Thresholds
    task: str | None
    rows: list[OfficeRow]
    total: Counts
    carried_total: Counts


def parse_task(text: str) -> tuple[str, int]:
    """``PLAN_ID#N`` → (plan id, task number); BadInput otherwise."""
    m = TASK_RE.match(text.strip())
    if m is None:
        raise BadInput(
            _("--task must be PLAN_ID#N (e.g. 2023-city#5), not '{value}'").format(value=text)
        )
    return m.group(1), int(m.group(2))


def check_task(conn: Connection, plan: PlanRef, number: int) -> None:
    row = conn.one(
        "SELECT 1 FROM tasks WHERE plan_id = :p AND number = :n AND in_plan = 1",
        {"p": plan.id, "n": number},
    )
    if row is None:
        raise NotFound(_("plan {id} has no task {n}").format(id=plan.code, n=number))


def _plan_refs(conn: Connection, office_ids: list[int], year: int) -> dict[int, list[PlanRef]]:
    """Each office's plans of ``year``, by code; one statement for all the offices."""
    out: dict[int, list[PlanRef]] = {o: [] for o in office_ids}
    rows = conn.rows(
        f"SELECT office_id, {PLAN_COLUMNS} FROM plans "
        f"WHERE office_id IN ({id_list(office_ids)}) AND year = :y ORDER BY code",
        {"y": year},
    )
    for r in rows:
        # The plan as the district's own commands read it (its review rule included).
        out[int(r[0])].append(plan_ref(r[1:]))
    return out


def given_for(
    conn: Connection, plan_ids: Sequence[int], as_of: date, against_plan: bool
) -> dict[int, Given]:
    """:class:`Given` for each plan of ``plan_ids``, in three statements for all of them (the
    task rows as build_report reads them; which plans have checkpoints or aggregating targets,
    as ``checkpoint_states`` and ``target_percents`` first ask)."""
    ids = id_list(plan_ids)
    sql = task_rows_sql(
        {**TASK_COLUMNS, "plan_id": "t.plan_id"},
        SECTION_JOIN,
        against_plan=against_plan,
        kept=maintained(conn),
        plans=plan_ids,
    )
    raw: dict[int, list[Any]] = {int(p): [] for p in plan_ids}
    for r in conn.rows(sql, {"as_of": as_of}):
        raw[int(r[13])].append(r[:13])
    checks = {
        int(r[0])
        for r in conn.rows(
            f"SELECT DISTINCT t.plan_id FROM tasks t WHERE t.plan_id IN ({ids}) "
            f"AND {HAS_CHECKPOINTS}"
        )
    }
    targets = {
        int(r[0])
        for r in conn.rows(
            "SELECT DISTINCT t.plan_id FROM targets g JOIN tasks t ON t.id = g.task_id "
            f"WHERE t.plan_id IN ({ids}) AND {AGGREGATES}"
        )
    }
    return {p: Given(rows, p in checks, p in targets) for p, rows in raw.items()}


def office_report(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    *,
    task: int | None = None,
    thresholds: Thresholds = Thresholds(),
    against_plan: bool = False,
) -> OfficeReport:
    """The by-office report of the current office's ``plan`` as of ``as_of`` (``against_plan``:
    due dates as the plans promised them, extensions ignored, as ``report --against plan``)."""
    here = current_office(conn)
    if task is not None:
        check_task(conn, plan, task)
    wanted = f"{plan.code}#{task}" if task is not None else None
    prefix = f"{plan.code}#"
    # Sorted here, not by the database's collation: the same order on every engine.
    children = sorted(
        conn.rows("SELECT id, name FROM offices WHERE parent_id = :o", {"o": here.id}),
        key=lambda r: str(r[1]),
    )
    rows: list[OfficeRow] = []
    total, carried_total = Tally(), Tally()
    # Read once for every district plan, not a plan at a time (a city has a hundred): the
    # plans, the tasks that carry, the task rows (build.given_for); no extension anywhere
    # means every plan is judged against its own dates (build_report would ask each time).
    plans_of = _plan_refs(conn, [int(r[0]) for r in children], plan.year)
    plan_ids = [p.id for plans in plans_of.values() for p in plans]
    against_plan = against_plan or without_extensions(conn)
    given = given_for(conn, plan_ids, as_of, against_plan)
    carries = {
        int(r[0]): str(r[1])
        for r in conn.rows(
            f"SELECT id, carries FROM tasks WHERE plan_id IN ({id_list(plan_ids)}) "
            "AND carries IS NOT NULL"
        )
    }
    for office_id, name in children:
        plans = plans_of[int(office_id)]
        whole, carried = Tally(), Tally()
        for p in plans:
            result = build_report(
                conn,
                p,
                as_of,
                by=BY_SECTION,
                thresholds=thresholds,
                against_plan=against_plan,
                given=given[p.id],
            )
            for t in result.tasks:
                args = (t.percent, t.status, t.overdue, t.colour, t.missed)
                whole.add(*args)
                total.add(*args)
                c = carries.get(t.task_id)
                if c is not None and (c == wanted if wanted else c.startswith(prefix)):
                    carried.add(*args)
                    carried_total.add(*args)
        rows.append(
            OfficeRow(str(name), tuple(p.code for p in plans), whole.counts(), carried.counts())
        )
    return OfficeReport(
        office=here.name,
        plan=plan,
        as_of=as_of,
        thresholds=thresholds,
        task=wanted,
        rows=rows,
        total=total.counts(),
        carried_total=carried_total.counts(),
    )

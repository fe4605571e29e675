"""Reading commands: tasks (the list) and show (one task in full)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

from pufa_cli.cli.common import (
    AsOfOption,
    DbOption,
    Format,
    FormatOption,
    PlanIdOption,
    QuietOption,
    SectionOption,
    UnitFilterOption,
    YearOption,
    as_of_date,
    plan_value,
    session,
    year_value,
)
from pufa_cli.i18n import _


class QuarterFilter(str, Enum):
    Q1 = "Q1"
    Q2 = "Q2"
    Q3 = "Q3"
    Q4 = "Q4"


def tasks(
    section: SectionOption = None,
    unit: UnitFilterOption = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help=_(
                "Only tasks with this status: done, in-progress, not-started or overdue "
                "(or the word in your language: 逾期), or behind (a checkpoint missed)."
            ),
            show_default=False,
        ),
    ] = None,
    due: Annotated[
        QuarterFilter | None,
        typer.Option(
            "--due",
            help=_("Only tasks due in this quarter."),
            show_default=False,
            case_sensitive=False,
        ),
    ] = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.table,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli.i18n import plan_text
    from pufa_cli.ledger import iter_tasks
    from pufa_cli.progress import find_plan
    from pufa_cli.render.stream import PackedRows

    with session(db) as conn:
        plan = find_plan(conn, year_value(year), plan_value(plan_id))
        day = as_of_date(as_of, plan.year)
        unit_id = None
        if unit is not None:  # (imported when needed: a list's start-up counts, issue 19)
            from pufa_cli.units import resolve_unit

            unit_id = resolve_unit(conn, unit).id
        if status is not None:
            from pufa_cli.inputs import parse_status

            status = parse_status(status)
        if section is not None:  # the same rule as report: an unknown section is an error
            from pufa_cli.report.build import check_section

            check_section(conn, plan, section)

        def text(value: str) -> str:
            return plan_text(value, plan.script)

        # Streamed: the filters narrow the tasks in SQL, and the tasks come a slice at a time
        # (issue 19); JSON is written as they come, a table's rows are kept packed.
        views = iter_tasks(
            conn,
            plan,
            day,
            section=section,
            unit_id=unit_id,
            status=status,
            due_quarter=int(due.value[1]) if due else None,
            brief=fmt is not Format.json,  # the table shows status and targets only
        )
        if fmt is Format.json:
            from pufa_cli.render import print_json_list
            from pufa_cli.render.task_json import task_json_text

            print_json_list(views, lambda v, newline: task_json_text(v, plan, text, newline))
            return
        from pufa_cli.render.task_view import TasksRows
        from pufa_cli.report.schedule import lights

        row, light = TasksRows(text), lights(day, plan.start)
        rows = PackedRows()
        for v in views:
            ts = v.status
            rows.append(row(v, light(ts.status, ts.overdue, ts.percent, ts.due)))
    from pufa_cli.render.stream import print_table
    from pufa_cli.render.task_view import tasks_caption, tasks_cols, tasks_title

    print_table(tasks_title(plan, day, text), tasks_cols(), rows, tasks_caption(len(rows)))


def _light(ts: Any, day: Any, plan: Any) -> str:
    from pufa_cli.report.schedule import light

    return light(ts.status, ts.overdue, ts.percent, ts.due, day, plan.start)


def show_task(
    number: Annotated[str, typer.Argument(help=_("Task number."), show_default=False)],
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.table,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli.i18n import plan_text
    from pufa_cli.ledger import (
        checks_of,
        history,
        json_number,
        later_entries,
        list_tasks,
        parse_task_number,
        task_id_for,
        task_json,
        unit_metric_values,
    )
    from pufa_cli.progress import find_plan, plan_summary

    task_number = parse_task_number(number)
    with session(db) as conn:
        plan = find_plan(conn, year_value(year), plan_value(plan_id))
        details = plan_summary(conn, plan, count=False)
        day = as_of_date(as_of, plan.year)
        task_id = task_id_for(conn, plan, task_number)
        row = conn.one(
            "SELECT t.text, t.timing, t.responsible, t.checks, t.in_plan, s.title, t.leader, "
            "s.label FROM tasks t JOIN sections s ON s.id = t.section_id WHERE t.id = :t",
            {"t": task_id},
        )
        assert row is not None
        # Only this task (and its items, for its percent): as fast in a plan of 100,000 tasks.
        views = [
            v for v in list_tasks(conn, plan, day, task_id=task_id) if v.status.task_id == task_id
        ]
        entries = history(conn, task_id, day)
        later = later_entries(conn, task_id, day)
        from pufa_cli.supervision import evidence, reviews

        attached = evidence.by_entry(conn, task_id)
        reviewed = reviews.by_entry(conn, task_id)
        from pufa_cli.supervision.extensions import by_task

        extended = by_task(conn, task_id)
        metric_values = unit_metric_values(conn, task_id, day)
    if not views:
        from pufa_cli.errors import NotFound

        raise NotFound(
            _("task {n} is no longer in plan {year}").format(n=task_number, year=plan.year)
        )
    view = views[0]
    text_body, timing, responsible, checks_raw, _in_plan, section_title, leader, section_label = row

    def text(value: str | None) -> str:
        return plan_text(value, plan.script)

    data = task_json(view, plan, text)
    data.update(
        {
            "as_of": day.isoformat(),
            "section_title": text(section_title),
            "section_label": section_label,
            "text": text(text_body),
            "timing": text(timing) if timing else None,
            "responsible": text(responsible) if responsible else None,
            "leader": text(leader) if leader else None,
            "checks": [{"word": w, "date": d} for w, d in checks_of(checks_raw)],
            "plan_title": text(details.title),
            "doc_number": details.doc_number,
            "issuer": text(details.issuer) if details.issuer else None,
            "issued": details.issued.isoformat() if details.issued else None,
            "addressees": [text(a) for a in details.addressees],
            "extensions": extended,
            "history": [
                dict(e, evidence=attached.get(e["id"], []), reviews=reviewed.get(e["id"], []))
                for e in entries
            ],
            "later_entries": later,
        }
    )
    by_unit = {u["unit"]: u for u in data["units"]}
    for u in view.units:
        by_unit[u.unit]["metrics"] = {
            g.key: None if (v := metric_values.get((u.unit_id, g.key))) is None else json_number(v)
            for g in view.targets
        }
    if fmt is Format.json:
        from pufa_cli.render import print_json

        print_json(data)
        return
    from pufa_cli.render.stream import show_page
    from pufa_cli.render.task_view import task_page

    show_page(task_page(data, view, text, _light(view.status, day, plan)))


def register(app: typer.Typer) -> None:
    app.command(
        "tasks",
        help=_(
            "List the plan's tasks with due dates, targets, percent and "
            "status. Example: pufa tasks --status overdue --as-of Q2"
        ),
    )(tasks)
    app.command(
        "show",
        help=_(
            "Show one task in full: text, timing, targets, units and history. Example: pufa show 19"
        ),
    )(show_task)

"""pufa report: completion by section, unit or task as of a date, for people and scripts."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from pufa_cli.cli.common import (
    AsOfOption,
    By,
    DbOption,
    PlanIdOption,
    QuarterOption,
    QuietOption,
    RedOption,
    RowsFormat,
    RowsFormatOption,
    SectionOption,
    UnitFilterOption,
    YearOption,
    YellowOption,
    check_when,
    plan_session,
    plan_value,
    report_day,
    unit_filter,
    year_value,
)
from pufa_cli.i18n import _


class Against(str, Enum):
    """Due dates to judge by: as extended (the default) or as the plan promised (issue 16)."""

    due = "due"
    plan = "plan"


class ReportBy(str, Enum):
    """By's groupings and ``office`` (the offices below, docs/offices.md)."""

    section = "section"
    unit = "unit"
    task = "task"
    office = "office"


def report(
    quarter: QuarterOption = None,
    as_of: AsOfOption = None,
    by: Annotated[
        ReportBy,
        typer.Option(
            "--by", help=_("Group by section, unit, task or office."), case_sensitive=False
        ),
    ] = ReportBy.section,
    task: Annotated[
        str | None,
        typer.Option(
            "--task",
            help=_("With --by office: only the tasks carrying PLAN_ID#N (e.g. 2023-city#5)."),
            show_default=False,
        ),
    ] = None,
    section: SectionOption = None,
    unit: UnitFilterOption = None,
    yellow: YellowOption = None,
    red: RedOption = None,
    against: Annotated[
        Against,
        typer.Option(
            "--against",
            help=_("Judge due dates as extended (due) or as the plan promised (plan)."),
            case_sensitive=False,
        ),
    ] = Against.due,
    fmt: RowsFormatOption = RowsFormat.table,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help=_("csv for a spreadsheet: a byte-order mark, CRLF, formulas neutralised."),
        ),
    ] = False,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli.i18n import plan_text
    from pufa_cli.report import build_report, thresholds_from

    check_when(quarter, as_of)
    if excel and fmt is not RowsFormat.csv:
        from pufa_cli.errors import BadInput

        raise BadInput(_("--excel is a form of csv: give it with --format csv"))
    thresholds = thresholds_from(yellow, red)
    if by is ReportBy.office or task is not None:
        from pufa_cli.cli.offices import report_by_office

        if by is not ReportBy.office:
            from pufa_cli.errors import BadInput

            raise BadInput(_("--task goes with --by office"))
        report_by_office(
            db,
            quarter,
            as_of,
            task,
            thresholds,
            fmt.value,
            year_value(year),
            plan_value(plan_id),
            against_plan=against is Against.plan,
        )
        return
    with plan_session(db, year, plan_id) as (conn, plan):
        day = report_day(quarter, as_of, plan.year)
        unit_id = unit_filter(conn, unit)
        result = build_report(
            conn,
            plan,
            day,
            by=By(by.value).value,
            section=section,
            unit_id=unit_id,
            thresholds=thresholds,
            against_plan=against is Against.plan,
            aggregate=True,  # counted in SQL: the rows, the total and the lists only
        )

    def text(value: str) -> str:
        return plan_text(value, plan.script)

    if fmt is RowsFormat.json:
        from pufa_cli.render import print_json
        from pufa_cli.report import report_json

        print_json(report_json(result, text))
    elif fmt is RowsFormat.csv:
        import sys

        from pufa_cli.render import csv_text
        from pufa_cli.report import report_rows

        headers, rows = report_rows(result, text)
        if excel:
            from pufa_cli.exchange.csv import write_excel_csv
            from pufa_cli.files import stdout_text

            with stdout_text() as out:
                write_excel_csv(out, headers, rows)
        else:
            sys.stdout.write(csv_text(headers, rows))
    elif fmt is RowsFormat.markdown:
        import sys

        from pufa_cli.render import visible
        from pufa_cli.render.report_view import markdown_report

        # Read on a terminal as often as in a file: control characters escaped, as in tables.
        sys.stdout.write(visible(markdown_report(result, text)))
    else:
        from pufa_cli.render.report_view import report_parts
        from pufa_cli.render.stream import show_page

        show_page(report_parts(result, text))


def register(app: typer.Typer) -> None:
    app.command(
        "report",
        help=_(
            "Report completion by section, unit or task as of a date, with the on-schedule "
            "check. Example: pufa report --quarter 4 --by unit"
        ),
    )(report)

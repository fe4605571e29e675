"""pufa report: completion by section, unit or task as of a date, for people and scripts."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

from pufa_cli.cli.common import (
    AsOfOption,
    By,
    DbOption,
    PlanIdOption,
    QuarterOption,
    QuietOption,
    RedOption,
    SectionOption,
    UnitFilterOption,
    YearOption,
    YellowOption,
    check_when,
    plan_value,
    report_day,
    session,
    year_value,
)
from pufa_cli.i18n import _, npgettext, pgettext


class Against(str, Enum):
    """Due dates to judge by: as extended (the default) or as the plan promised (issue 16)."""

    due = "due"
    plan = "plan"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


# A flexible column (title, unit) keeps at least this many cells before optional columns
# (the bar, then in the task view targets, units and section) make way for it.
MIN_TITLE_CELLS = 24


def report(
    quarter: QuarterOption = None,
    as_of: AsOfOption = None,
    by: Annotated[
        By, typer.Option("--by", help=_("Group by section, unit or task."), case_sensitive=False)
    ] = By.section,
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
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format", "-f", help=_("Output: table, json, csv or markdown."), case_sensitive=False
        ),
    ] = ReportFormat.table,
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
    """Report completion by section, unit or task as of a date."""
    from pufa_cli.i18n import plan_text
    from pufa_cli.progress import find_plan
    from pufa_cli.report import build_report, thresholds_from
    from pufa_cli.units import resolve_unit

    check_when(quarter, as_of)
    if excel and fmt is not ReportFormat.csv:
        from pufa_cli.errors import BadInput

        raise BadInput(_("--excel is a form of csv: give it with --format csv"))
    thresholds = thresholds_from(yellow, red)
    with session(db) as conn:
        plan = find_plan(conn, year_value(year), plan_value(plan_id))
        day = report_day(quarter, as_of, plan.year)
        unit_id = resolve_unit(conn, unit).id if unit is not None else None
        result = build_report(
            conn,
            plan,
            day,
            by=by.value,
            section=section,
            unit_id=unit_id,
            thresholds=thresholds,
            against_plan=against is Against.plan,
        )

    def text(value: str) -> str:
        return plan_text(value, plan.script)

    if fmt is ReportFormat.json:
        from pufa_cli.render import print_json
        from pufa_cli.report import report_json

        print_json(report_json(result, text))
    elif fmt is ReportFormat.csv:
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
    elif fmt is ReportFormat.markdown:
        import sys

        sys.stdout.write(markdown_report(result, text))
    else:
        from pufa_cli.render import show

        show(report_renderable(result, text))


def column_labels() -> dict[str, str]:
    """What a person reads for each machine column name (csv keeps the machine names).

    The count columns hold numbers of one or two digits, so their headers are the short
    words of the report (in Chinese 完成 / 進行 / 未啟, not 已完成 / 進行中 / 未開始, which
    left an 80-column table five characters of the section title); the context keeps them
    apart from the full words of the export's headers.
    """
    return {
        "section": _("Sec."),
        "title": _("Title"),
        "tasks": pgettext("report column", "Tasks"),
        "done": pgettext("report column", "Done"),
        "in_progress": pgettext("report column", "Doing"),
        "not_started": pgettext("report column", "To do"),
        "overdue": _("Late"),
        "red": _("Red"),
        "yellow": _("Yel."),
        "percent": "%",
        "rank": _("Rank"),
        "unit": _("Unit"),
        "lead": _("Lead"),
        "supporting": _("Supp."),
        "number": _("No."),
        "units": _("Units"),
        "due": _("Due"),
        "planned_due": _("Planned"),
        "expected": _("Exp."),
        "status": _("Status"),
        "colour": _("Light"),
        "targets": _("Targets"),
        # checkpoints missed (checks and cadence; docs/rules.md)
        "missed": _("Missed"),
        # issue 16: review plans and structured progress
        "awaiting_review": pgettext("report column", "Review"),
        "problems": _("Problems"),
        "next": _("Next steps"),
        "late": _("Late rpt."),  # reporting rounds answered late (遲報)
        "missing": _("Missed rpt."),  # reporting rounds missed (漏報)
        "score": _("Score"),
    }


def _heading(result: Any, text: Any) -> str:
    by_words = {
        "section": _("by section"),
        "unit": _("by unit"),
        "task": _("by task"),
    }
    head = _("{title} ({year}) — {by} as of {day}").format(
        title=text(result.plan.title),
        year=result.plan.year,
        by=by_words[result.by],
        day=result.as_of.isoformat(),
    )
    if result.section is not None:
        head += " · " + _("section {n}").format(n=result.section)
    if result.unit is not None:
        head += " · " + _("unit {name}").format(name=text(result.unit))
    return head


def under_table(result: Any) -> list[str]:
    """The lines under the table: overdue tasks, tasks due next quarter, the colour rule."""
    from pufa_cli.ledger import fmt_number

    def numbers(values: list[int | str]) -> str:
        return ", ".join(str(n) for n in values) if values else _("none")

    lines = [
        _("Overdue as of {day}: {tasks}").format(
            day=result.as_of.isoformat(), tasks=numbers(result.overdue)
        )
    ]
    if result.next_quarter is None:
        lines.append(_("Due next quarter: none (next year is another plan)"))
    else:
        year, q = result.next_quarter
        lines.append(
            _("Not done and due in Q{q} {year}: {tasks}").format(
                q=q, year=year, tasks=numbers(result.due_next)
            )
        )
    th = result.thresholds
    lines.append(
        _(
            "Yellow: more than {yellow} points behind schedule, or a checkpoint missed; red: more "
            "than {red}, or overdue."
        ).format(yellow=fmt_number(th.yellow), red=fmt_number(th.red))
    )
    return lines


def markdown_report(result: Any, text: Any) -> str:
    """The csv's rows for people: the table's words (status, light, yes/no, headers) and names
    in the reader's script, then the lines under the table."""
    from pufa_cli.render import markdown_table, status_label
    from pufa_cli.report import report_rows

    headers, rows = report_rows(result, text, total=result.by == "section")
    labels = column_labels()
    if result.by == "section":
        labels["title"] = pgettext("section title", "Section")
        rows[-1][headers.index("title")] = _("Total")
    col = {h: i for i, h in enumerate(headers)}
    for cells, r in zip(rows, result.rows, strict=False):
        if result.by == "unit":
            cells[col["unit"]] = text(r.unit)
        elif result.by == "task":
            cells[col["units"]] = text("、".join(r.units))
            cells[col["status"]] = status_label(r.status)
            cells[col["overdue"]] = _("yes") if r.overdue else _("no")
            cells[col["colour"]] = _light(r.colour)
    out = [f"## {_heading(result, text)}", "", markdown_table([labels[h] for h in headers], rows)]
    out += [line + "  " for line in under_table(result)]
    return "\n".join(out).rstrip() + "\n"


def report_renderable(result: Any, text: Any, width: int | None = None) -> Any:
    """The Rich table with the lines under it (``width``: default the console's)."""
    from rich.console import Group
    from rich.text import Text

    from pufa_cli.render import console

    total_width = width or console().width
    if result.by == "section":
        table = _section_table(result, text, total_width)
    elif result.by == "unit":
        table = _unit_table(result, text, total_width)
    else:
        table = _task_table(result, text, total_width)
    return Group(table, Text("\n".join(under_table(result))))


def _fit(
    cols: list[Any],
    rows: list[list[Any]],
    footer: list[Any] | None,
    width: int,
    optional: list[int],
) -> tuple[list[Any], list[list[Any]], list[Any] | None]:
    """Drop optional columns (in the order given) until the flexible ones get enough room."""
    from rich.cells import cell_len

    from pufa_cli.render import fixed_width

    def room(c: list[Any], r: list[list[Any]], f: list[Any] | None) -> bool:
        flex = [i for i, col in enumerate(c) if col.flexible]
        wanted = sum(
            min(MIN_TITLE_CELLS, max([cell_len(c[i].header)] + [cell_len(str(x[i])) for x in r]))
            for i in flex
        )
        return width - fixed_width(c, r, f) >= wanted

    drop: list[int] = []
    for i in optional:
        keep = [j for j in range(len(cols)) if j not in drop]
        if room(
            [cols[j] for j in keep],
            [[row[j] for j in keep] for row in rows],
            None if footer is None else [footer[j] for j in keep],
        ):
            break
        drop.append(i)
    keep = [j for j in range(len(cols)) if j not in drop]
    return (
        [cols[j] for j in keep],
        [[row[j] for j in keep] for row in rows],
        None if footer is None else [footer[j] for j in keep],
    )


def _count_cell(value: int, style: str) -> Any:
    from rich.text import Text

    return Text(str(value), style=style if value else "")


def _counts_cells(c: Any) -> list[Any]:
    from rich.text import Text

    from pufa_cli.render import bar, percent_text

    pct = c.percent or 0.0
    cells: list[Any] = [
        c.tasks,
        c.done,
        *([] if c.awaiting_review is None else [_count_cell(c.awaiting_review, "cyan")]),
        c.in_progress,
        c.not_started,
        _count_cell(c.overdue, "red"),
        _count_cell(c.red, "red"),
        _count_cell(c.yellow, "yellow"),
        percent_text(c.percent) if c.percent is not None else "-",
        Text(bar(pct), style="green" if pct >= 100 else ""),
    ]
    return cells


def _count_cols(review: bool = False) -> list[Any]:
    from pufa_cli.render import Col

    labels = column_labels()
    keys = ["tasks", "done", "in_progress", "not_started", "overdue", "red", "yellow"]
    if review:  # a plan with `review: required` counts awaiting_review after done
        keys.insert(2, "awaiting_review")
    return [Col(labels[k], "right") for k in keys] + [
        Col(labels["percent"], "right"),
        Col(_("Progress")),
    ]


def _section_table(result: Any, text: Any, width: int) -> Any:
    from pufa_cli.render import Col, table

    labels = column_labels()
    title_col = Col(pgettext("section title", "Section"), flexible=True)
    cols = [Col(labels["section"], "right"), title_col, *_count_cols(result.plan.review)]
    rows = [[r.section, text(r.title), *_counts_cells(r.counts)] for r in result.rows]
    footer = ["", _("Total"), *[_plain(v) for v in _counts_cells(result.total)]]
    cols, rows, footer_fit = _fit(cols, rows, footer, width, [len(cols) - 1])
    return table(_heading(result, text), cols, rows, footer=footer_fit, width=width)


def _unit_table(result: Any, text: Any, width: int) -> Any:
    from pufa_cli.render import Col, table

    labels = column_labels()
    cols = [
        Col(labels["rank"], "right"),
        Col(labels["unit"], flexible=True),
        Col(labels["lead"], "right"),
        Col(labels["supporting"], "right"),
        Col(labels["done"], "right"),
        *([Col(labels["awaiting_review"], "right")] if result.plan.review else []),
        Col(labels["overdue"], "right"),
        Col(labels["red"], "right"),
        Col(labels["yellow"], "right"),
        Col(labels["percent"], "right"),
        Col(_("Progress")),
    ]
    rows = []
    for r in result.rows:
        c = r.counts
        cells = _counts_cells(c)
        # done (and awaiting_review), then overdue on: in_progress and not_started are left out
        head = 3 if c.awaiting_review is not None else 2
        rows.append(
            [r.rank, text(r.unit), r.lead, r.supporting, *cells[1:head], *cells[head + 2 :]]
        )
        if result.plan.reporting:  # reporting rounds late and missing (issue 16)
            late, missing = _count_cell(r.late or 0, "yellow"), _count_cell(r.missing or 0, "red")
            rows[-1][-2:-2] = [late, missing]
    if result.plan.reporting:
        cols[-2:-2] = [Col(labels["late"], "right"), Col(labels["missing"], "right")]
    if any(r.score is not None for r in result.rows):  # the plan scores: its score, after %
        cols.insert(-1, Col(labels["score"], "right"))
        for row, r in zip(rows, result.rows, strict=True):
            row.insert(-1, "" if r.score is None else f"{r.score:.1f}")
    # No total row: the rows count each unit's own share, the total counts tasks (JSON has it).
    cols, rows, _footer = _fit(cols, rows, None, width, [len(cols) - 1])
    return table(_heading(result, text), cols, rows, width=width)


def _task_table(result: Any, text: Any, width: int) -> Any:
    from rich.text import Text

    from pufa_cli.render import Col, percent_text, status_label, status_style, table
    from pufa_cli.report import targets_text

    labels = column_labels()
    cols = [
        Col(labels["number"], "right"),
        Col(labels["section"], "right"),
        Col(labels["title"], flexible=True),
        Col(labels["units"], flexible=True),
        Col(labels["due"]),
        Col(labels["targets"], flexible=True),
        Col(labels["percent"], "right"),
        Col(labels["expected"], "right"),
        Col(labels["colour"]),
        Col(labels["status"]),
        Col(labels["problems"], flexible=True),
        Col(labels["next"], flexible=True),
    ]
    rows = []
    for r in result.rows:
        rows.append(
            [
                r.json_number,  # 9, or 9.2 for a sub-item
                r.section,
                text(r.title),
                text("、".join(r.units)),
                r.due.isoformat(),
                targets_text(r.targets, text),
                percent_text(r.percent),
                percent_text(r.expected),
                Text(_light(r.colour), style=r.colour),
                Text(status_label(r.status, r.overdue), style=status_style(r.status, r.overdue)),
                r.problems,
                r.next_steps,
            ]
        )
    # Problems and next steps (the last two) only when given, and the first to give way.
    if any(r.problems or r.next_steps for r in result.rows):
        optional = [11, 10, 5, 3, 1]
    else:
        cols, rows, optional = cols[:10], [r[:10] for r in rows], [5, 3, 1]
    cols, rows, _footer = _fit(cols, rows, None, width, optional)
    caption = npgettext("table caption", "{n} task", "{n} tasks", len(result.rows)).format(
        n=len(result.rows)
    )
    return table(_heading(result, text), cols, rows, caption=caption, width=width)


def _light(colour: str) -> str:
    return {"green": _("green"), "yellow": _("yellow"), "red": _("red")}.get(colour, colour)


def _plain(value: Any) -> Any:
    return getattr(value, "plain", value)


def register(app: typer.Typer) -> None:
    app.command(
        "report",
        help=_(
            "Report completion by section, unit or task as of a date, with the on-schedule "
            "check. Example: pufa report --quarter 4 --by unit"
        ),
    )(report)

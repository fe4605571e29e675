"""pufa report's views: the table by section, unit or task, the lines under it, and the
Markdown page. Rows come from ``pufa_cli.report``; here they only become cells."""

from __future__ import annotations

from typing import Any

from pufa_cli.i18n import _, ngettext, npgettext, pgettext
from pufa_cli.render.layout import fit

# A title keeps at least this many cells (wrapped beyond) before optional columns (the bar,
# then in the task view targets, units and section) make way for it.
MIN_TITLE_CELLS = 16


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


def heading(result: Any, text: Any) -> str:
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


# The lists under the table (overdue, due next) in full up to this many task numbers; a longer
# list shows its count, the first FIRST_SHOWN numbers and the command that lists them all (the
# JSON keeps every number).
LIST_IN_FULL = 20
FIRST_SHOWN = 10


def task_list(values: list[int | str], command: str) -> str:
    """Task numbers for a line under the table: all of them, or for a long list its count, the
    first few and ``command`` (``pufa tasks …``), which lists them all."""
    if not values:
        return _("none")
    if len(values) <= LIST_IN_FULL:
        return ", ".join(str(n) for n in values)
    first = ", ".join(str(n) for n in values[:FIRST_SHOWN])
    return ngettext(
        "{n} task — {first}, … ({command})", "{n} tasks — {first}, … ({command})", len(values)
    ).format(n=f"{len(values):,}", first=first, command=command)


def _tasks_command(result: Any, *options: str) -> str:
    """``pufa tasks`` with ``options`` and the report's plan and scope."""
    words = ["pufa tasks", *options, "--plan-id", result.plan.code]
    if result.section is not None:
        words += ["--section", str(result.section)]
    if result.unit is not None:
        words += ["--unit", result.unit]
    return " ".join(words)


def under_table(result: Any) -> list[str]:
    """The lines under the table: overdue tasks, tasks due next quarter, the colour rule."""
    from pufa_cli.ledger import fmt_number

    day = result.as_of.isoformat()
    lines = [
        _("Overdue as of {day}: {tasks}").format(
            day=day,
            tasks=task_list(
                result.overdue, _tasks_command(result, "--status", "overdue", "--as-of", day)
            ),
        )
    ]
    if result.next_quarter is None and result.as_of.year < result.plan.year:
        # As of a day before the plan year, up to its last quarter (whose next is Q1).
        lines.append(_("Due next quarter: none (the plan year has not begun)"))
    elif result.next_quarter is None:
        lines.append(_("Due next quarter: none (next year is another plan)"))
    else:
        year, q = result.next_quarter
        lines.append(
            _("Not done and due in Q{q} {year}: {tasks}").format(
                q=q,
                year=year,
                tasks=task_list(
                    result.due_next, _tasks_command(result, "--due", f"q{q}", "--as-of", day)
                ),
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
    out = [f"## {heading(result, text)}", "", markdown_table([labels[h] for h in headers], rows)]
    out += [line + "  " for line in under_table(result)]
    return "\n".join(out).rstrip() + "\n"


def report_parts(result: Any, text: Any) -> list[Any]:
    """The table and the lines under it, the parts of a page for ``stream.show_page`` (a
    table of more than ``stream.STREAM_ROWS`` units or tasks is streamed)."""
    from rich.text import Text

    from pufa_cli.render import console

    width = console().width
    if result.by == "section":
        table = _section_table(result, text, width)
    elif result.by == "unit":
        table = _unit_table(result, text, width)
    else:
        table = _task_table(result, text, width)
    return [table, Text("\n".join(under_table(result)))]


def _count_cell(value: int, style: str) -> Any:
    from pufa_cli.render.stream import Styled

    return Styled(str(value), style if value else "")


def _counts_cells(c: Any) -> list[Any]:
    from pufa_cli.render import bar, percent_text
    from pufa_cli.render.stream import Styled

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
        Styled(bar(pct), "green" if pct >= 100 else ""),
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
    from pufa_cli.render import Col
    from pufa_cli.render.stream import page_table

    labels = column_labels()
    title_col = Col(pgettext("section title", "Section"), flexible=True)
    cols = [Col(labels["section"], "right"), title_col, *_count_cols(result.plan.review)]
    rows = [[r.section, text(r.title), *_counts_cells(r.counts)] for r in result.rows]
    footer = ["", _("Total"), *[_plain(v) for v in _counts_cells(result.total)]]
    cols, rows, footer_fit = fit(cols, rows, footer, width, [len(cols) - 1], MIN_TITLE_CELLS)
    return page_table(heading(result, text), cols, rows, footer=footer_fit)


def _unit_table(result: Any, text: Any, width: int) -> Any:
    from pufa_cli.render import Col
    from pufa_cli.render.stream import page_table

    labels = column_labels()
    cols = [
        Col(labels["rank"], "right"),
        Col(labels["unit"]),  # a unit name is never cut
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
    # Unit names are never cut: in a narrow terminal the bar, then the supporting and lead
    # counts (in the JSON and csv) make way for a long one.
    cols, rows, _footer = fit(cols, rows, None, width, [len(cols) - 1, 3, 2], MIN_TITLE_CELLS)
    return page_table(heading(result, text), cols, rows)


def _task_table(result: Any, text: Any, width: int) -> Any:
    from pufa_cli.render import (
        Col,
        percent_text,
        status_col,
        status_label,
        status_style,
    )
    from pufa_cli.render.stream import Styled, page_table

    labels = column_labels()
    cols = [
        Col(labels["number"], "right"),
        Col(labels["section"], "right"),
        Col(labels["title"], flexible=True),
        Col(labels["units"]),  # one unit a line: a unit name is never cut
        Col(labels["due"]),
        Col(labels["targets"]),  # one target a line: a metric is never cut
        Col(labels["percent"], "right"),
        Col(labels["expected"], "right"),
        Col(labels["colour"]),
        status_col(labels["status"]),
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
                "\n".join(text(u) for u in r.units),
                r.due.isoformat(),
                "\n".join(text(g.as_text()) for g in r.targets),
                percent_text(r.percent),
                percent_text(r.expected),
                Styled(_light(r.colour), r.colour),
                Styled(status_label(r.status, r.overdue), status_style(r.colour)),
                r.problems,
                r.next_steps,
            ]
        )
    # Targets go last: at 120 columns they stay (the units give way first). Problems and next
    # steps (the last two) only when given, and the first to give way.
    if any(r.problems or r.next_steps for r in result.rows):
        optional = [11, 10, 3, 1, 5]
    else:
        cols, rows, optional = cols[:10], [r[:10] for r in rows], [3, 1, 5]
    cols, rows, _footer = fit(cols, rows, None, width, optional, MIN_TITLE_CELLS)
    caption = npgettext("table caption", "{n} task", "{n} tasks", len(result.rows)).format(
        n=len(result.rows)
    )
    return page_table(heading(result, text), cols, rows, caption=caption)


def _light(colour: str) -> str:
    return {"green": _("green"), "yellow": _("yellow"), "red": _("red")}.get(colour, colour)


def _plain(value: Any) -> Any:
    return getattr(value, "plain", value)

"""The workbook an office forwards: Report, Tasks, Entries (continued on Entries 2 …).

The sheets are openpyxl write-only sheets: entries are streamed into them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import IO, Any

from pufa_cli.exchange.columns import (
    ENTRY_COLUMNS,
    TASK_COLUMNS,
    WHAT_ALL,
    WHAT_ENTRIES,
    WHAT_REPORT,
    WHAT_TASKS,
    Spec,
    as_time,
    display_width,
    human_value,
    humanise,
    labels_for,
    neutralise,
    report_labels,
)
from pufa_cli.exchange.entries import EntryRecord, entry_records, metrics_text
from pufa_cli.exchange.tables import Ledger, task_rows
from pufa_cli.i18n import _, pgettext
from pufa_cli.progress import PlanRef
from pufa_cli.store import Connection

# Data rows per worksheet: Excel's 1,048,576 rows less the header row. Entries beyond it
# continue on "Entries 2", "Entries 3" … (a test lowers this to check the continuation).
MAX_SHEET_ROWS = 1_048_575

# Widths (in characters) of the entries columns: the sheets are streamed, so they cannot be
# measured first; the unit column is fitted to the longest unit name instead.
_ENTRY_WIDTHS = {
    "year": 6,
    "task": 6,
    "date": 12,
    "percent": 8,
    "metrics": 24,
    "note": 50,
    "by": 12,
    "recorded_at": 20,
    "id": 9,
    "key": 20,
    "retracted": 10,
    "retracted_at": 20,
    "retracted_by": 12,
    "retraction_reason": 30,
    "problems": 30,
    "next": 30,
    "review": 10,
    "review_date": 12,
    "reviewed_by": 12,
    "review_note": 30,
}
_MAX_WIDTH = 60


def xlsx_text(value: str) -> str:
    """A text cell for openpyxl: neutralised, and without the control characters the xlsx
    format cannot hold (validated input never has them)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = neutralise(value)
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return text


def _xlsx_row(values: Sequence[Any]) -> list[Any]:
    return [xlsx_text(v) if isinstance(v, str) else v for v in values]


def _fit(widths: list[int], row: Sequence[Any]) -> None:
    for i, v in enumerate(row):
        if v is None:
            continue
        text = v.isoformat() if isinstance(v, date) else str(v)
        widths[i] = max(widths[i], min(_MAX_WIDTH, display_width(text) + 2))


# --- print layout and cell styles ---------------------------------------------------------

# A percent is stored as the number people read (37.5) and shown with a literal % sign; a
# number format with a bare % would show 3750 %. Import reads such a cell as it is.
PERCENT_FORMAT = '0.0"%"'
TIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_COLUMNS = frozenset({"percent", "expected"})
# Excel's own light fills (its "Bad", "Neutral" and "Good" cell styles).
LIGHT_FILLS = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE"}


class _Styles:
    """The styles of one workbook, made once (openpyxl registers each style it meets)."""

    def __init__(self) -> None:
        from openpyxl.styles import Font, PatternFill

        self.bold = Font(bold=True)
        self.strike = Font(strike=True)
        self.fills = {
            k: PatternFill(fill_type="solid", start_color=v, end_color=v)
            for k, v in LIGHT_FILLS.items()
        }


def _cell(ws: Any, value: Any, number_format: str | None = None, font: Any = None) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    if number_format is not None:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def _header_text(text: str) -> str:
    """Text for a page header: ``&`` starts a code there, ``&&`` is one ampersand."""
    return xlsx_text(text).replace("&", "&&")


def _new_sheet(
    wb: Any,
    title: str,
    widths: Sequence[int],
    header_row: int,
    page_header: tuple[str, str],
    hidden: Sequence[int] = (),
) -> Any:
    """A write-only sheet set up to print well: landscape A4, fit to the page's width, the
    header row repeated on every page, gridlines, the title and as-of date in the page header,
    page numbers in the footer. A write-only sheet writes its columns, panes and properties
    with its first row: all set now."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    ws = wb.create_sheet(title)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for i in hidden:
        ws.column_dimensions[get_column_letter(i)].hidden = True
    ws.freeze_panes = f"A{header_row + 1}"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.print_options.gridLines = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.HeaderFooter.oddHeader.center.text = _header_text(page_header[0])
    ws.HeaderFooter.oddHeader.right.text = _header_text(page_header[1])
    ws.HeaderFooter.oddFooter.center.text = "&P / &N"
    return ws


def _autofilter(ws: Any, header_row: int, columns: int, last_row: int) -> None:
    from openpyxl.utils import get_column_letter

    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{max(last_row, header_row)}"


def _header_cells(ws: Any, labels: Sequence[str], styles: _Styles) -> list[Any]:
    return [_cell(ws, xlsx_text(label), font=styles.bold) for label in labels]


def _table_cells(ws: Any, headers: Sequence[str], row: Sequence[Any], styles: _Styles) -> list[Any]:
    """One row of the Report or Tasks sheet: the words of the language, percents as numbers
    with a % sign, the light's cell filled with its colour."""
    cells = []
    for h, v in zip(headers, row, strict=True):
        shown = human_value(h, v)
        if isinstance(shown, str):
            shown = xlsx_text(shown)
        if h in PERCENT_COLUMNS and isinstance(v, (int, float)) and not isinstance(v, bool):
            cells.append(_cell(ws, shown, PERCENT_FORMAT))
        elif h == "colour" and v in styles.fills:
            cell = _cell(ws, shown)
            cell.fill = styles.fills[v]
            cells.append(cell)
        else:
            cells.append(shown)
    return cells


def _page_header(plan: PlanRef, text_fn: Callable[[str], str], as_of: date) -> tuple[str, str]:
    """The page header: the plan's title and year (centre), the as-of date (right)."""
    return (
        f"{text_fn(plan.title)} ({plan.year})",
        _("As of {day}").format(day=as_of.isoformat()),
    )


def plan_details_line(details: Any) -> str:
    """``示例法宣發〔2012〕1號 · 示例區普法依法治理領導小組 · issued 2012-03-01`` ('' if none)."""
    if details is None:
        return ""
    parts = [p for p in (details.doc_number, details.issuer) if p]
    if details.issued is not None:
        parts.append(_("issued {date}").format(date=details.issued.isoformat()))
    return " · ".join(parts)


# --- the sheets ---------------------------------------------------------------------------


def _report_sheet(wb: Any, ledger: Ledger, text_fn: Callable[[str], str], styles: _Styles) -> None:
    from openpyxl.chart import BarChart, Reference

    from pufa_cli.report import report_rows

    # A total row by section only: by unit the rows count each unit's share of the tasks, so
    # they do not add up to the total, which counts tasks (report.md; the table has none).
    by = ledger.report.by
    headers, rows = report_rows(ledger.report, text_fn, total=by == "section")
    # Unit names in the reader's script, as in the report table and the Score sheet (a zh-Hans
    # reader of the Traditional 2011 plan reads 区司法局); report_rows keeps them as stored.
    for key in ("unit", "units"):
        if key in headers:
            i = headers.index(key)
            for r in rows[: len(ledger.report.rows)]:  # not the total row's "total"
                if isinstance(r[i], str):
                    r[i] = text_fn(r[i])
    if len(rows) > len(ledger.report.rows):  # the total row: "total" where a title would be
        rows[-1] = [_("Total") if v == "total" else v for v in rows[-1]]
    labels = report_labels(headers, by)
    widths = [display_width(x) + 2 for x in labels]
    for r in humanise(headers, rows):
        _fit(widths, r)
    header_row = 4
    plan = ledger.plan
    ws = _new_sheet(wb, _("Report"), widths, header_row, _page_header(plan, text_fn, ledger.as_of))
    from openpyxl.styles import Font

    ws.append(
        [
            _cell(
                ws, xlsx_text(f"{text_fn(plan.title)} ({plan.year})"), font=Font(bold=True, size=14)
            )
        ]
    )
    by_word = {"section": _("by section"), "unit": _("by unit"), "task": _("by task")}
    ws.append(
        [
            xlsx_text(
                _("As of {day}, {by}").format(
                    day=ledger.as_of.isoformat(), by=by_word.get(ledger.report.by, "")
                )
            )
        ]
    )
    # The plan's 文號, issuing body and issue date (format version 2), on the line before the
    # header; empty when the plan gives none.
    details = plan_details_line(ledger.details)
    ws.append([xlsx_text(text_fn(details))] if details else [])
    ws.append(_header_cells(ws, labels, styles))
    for r in rows:
        ws.append(_table_cells(ws, headers, r, styles))
    _autofilter(ws, header_row, len(headers), header_row + len(rows))
    data_rows = len(ledger.report.rows)
    if data_rows and "percent" in headers:
        pct_col = headers.index("percent") + 1
        cat_col = 2 if ledger.report.by != "task" else headers.index("number") + 1
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("Completion (%)")
        chart.legend = None
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        last = header_row + data_rows
        chart.add_data(
            Reference(ws, min_col=pct_col, min_row=header_row, max_row=last), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=cat_col, min_row=header_row + 1, max_row=last))
        chart.height = max(7.5, 0.8 * data_rows + 3)
        chart.width = 24
        from openpyxl.utils import get_column_letter

        ws.add_chart(chart, f"{get_column_letter(len(headers) + 2)}{header_row}")


def _tasks_sheet(wb: Any, ledger: Ledger, text_fn: Callable[[str], str], styles: _Styles) -> None:
    rows = []
    for d in task_rows(ledger, text_fn):
        # unit names in the reader's script (the csv ledger keeps them as stored)
        d["lead"] = text_fn(d["lead"])
        d["supporting"] = "、".join(text_fn(u) for u in d["supporting"])
        # For people: the targets' labels, not their keys (青少年法制教育基地 37/100 個).
        d["targets"] = "; ".join(d["target_labels"])
        rows.append([d[c] for c in TASK_COLUMNS])
    labels = labels_for(TASK_COLUMNS)
    widths = [display_width(x) + 2 for x in labels]
    for r in humanise(TASK_COLUMNS, rows):
        _fit(widths, r)
    # Not _("Tasks"): that is the count column of the report (任務數), not a ledger's name.
    ws = _new_sheet(
        wb,
        pgettext("sheet name", "Tasks"),
        widths,
        1,
        _page_header(ledger.plan, text_fn, ledger.as_of),
    )
    ws.append(_header_cells(ws, labels, styles))
    for r in rows:
        ws.append(_table_cells(ws, TASK_COLUMNS, r, styles))
    _autofilter(ws, 1, len(TASK_COLUMNS), 1 + len(rows))


def _entry_xlsx_row(
    ws: Any, r: EntryRecord, yes_no: tuple[str, str], styles: _Styles, units: dict[str, str]
) -> list[Any]:
    retracted = r.retracted_at is not None
    recorded = as_time(r.recorded_at)
    row: list[Any] = [
        r.year,
        r.task,
        units[r.unit],
        date.fromisoformat(r.date),
        _cell(ws, r.percent, PERCENT_FORMAT),
        xlsx_text(metrics_text(r.metrics)) or None,
        xlsx_text(r.note) or None,
        xlsx_text(r.by),
        _cell(ws, recorded, TIME_FORMAT) if recorded is not None else None,
        r.id,
        r.key,
        yes_no[0] if retracted else yes_no[1],
        None,
        xlsx_text(r.retracted_by) if r.retracted_by else None,
        xlsx_text(r.retraction_reason) if r.retraction_reason else None,
        xlsx_text(r.problems) if r.problems else None,
        xlsx_text(r.next) if r.next else None,
        *_review_cells(r.review),
    ]
    if retracted:
        row[12] = _cell(ws, as_time(r.retracted_at), TIME_FORMAT)
        # A retracted entry no longer counts: the whole row struck through.
        row = [c if c is None or hasattr(c, "font") else _cell(ws, c) for c in row]
        for c in row:
            if c is not None:
                c.font = styles.strike
    return row


def _review_cells(review: Any) -> list[Any]:
    """The review columns of an entry's row: decision in the reader's words, a date cell,
    reviewer and note; four empty cells when the entry has no review."""
    if review is None:
        return [None, None, None, None]
    decision, day, by, note = review
    return [
        xlsx_text(human_value("review", decision)),
        date.fromisoformat(day),
        xlsx_text(by),
        xlsx_text(note) or None,
    ]


def _entries_sheets(
    wb: Any,
    conn: Connection,
    plan: PlanRef | None,
    page_header: tuple[str, str],
    styles: _Styles,
    text_fn: Callable[[str], str],
) -> int:
    # Each unit's name as a cell, in the reader's script: converted once per unit, not per row.
    units = {str(n): xlsx_text(text_fn(str(n))) for (n,) in conn.rows("SELECT name FROM units")}
    unit_width = max([display_width(n) + 2 for n in units.values()] + [10])
    labels = labels_for(ENTRY_COLUMNS)
    widths = [
        max(display_width(label) + 2, min(_MAX_WIDTH, _ENTRY_WIDTHS.get(c, unit_width)))
        for c, label in zip(ENTRY_COLUMNS, labels, strict=True)
    ]
    # The 64-hex entry key: for import, not for people.
    hidden = [ENTRY_COLUMNS.index("key") + 1]
    yes_no = (xlsx_text(_("yes")), xlsx_text(_("no")))
    base = _("Entries")
    count = 0
    sheet_no = 1
    ws = _new_sheet(wb, base, widths, 1, page_header, hidden)
    ws.append(_header_cells(ws, labels, styles))
    in_sheet = 0
    for record in entry_records(conn, plan):
        if in_sheet >= MAX_SHEET_ROWS:
            _autofilter(ws, 1, len(ENTRY_COLUMNS), 1 + in_sheet)
            sheet_no += 1
            ws = _new_sheet(wb, f"{base} {sheet_no}", widths, 1, page_header, hidden)
            ws.append(_header_cells(ws, labels, styles))
            in_sheet = 0
        ws.append(_entry_xlsx_row(ws, record, yes_no, styles, units))
        in_sheet += 1
        count += 1
    _autofilter(ws, 1, len(ENTRY_COLUMNS), 1 + in_sheet)
    return count


def _score_sheet(
    wb: Any,
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    text_fn: Callable[[str], str],
    styles: _Styles,
) -> None:
    """The assessment table (scoring/sheet.py), where the plan scores."""
    from pufa_cli.scoring.sheet import score_sheet

    sheet = score_sheet(conn, plan, as_of, text_fn)
    if sheet is None:
        return
    labels, rows = sheet
    widths = [display_width(x) + 2 for x in labels]
    for r in rows:
        _fit(widths, r)
    header = _page_header(plan, text_fn, as_of)
    ws = _new_sheet(wb, pgettext("sheet name", "Score"), widths, 1, header)
    ws.append(_header_cells(ws, labels, styles))
    for r in rows:
        ws.append(_xlsx_row(r))
    _autofilter(ws, 1, len(labels), 1 + len(rows))


def write_workbook(
    conn: Connection,
    ledger: Ledger | None,
    plan: PlanRef,
    entries_plan: PlanRef | None,
    spec: Spec,
    out: IO[bytes],
    text_fn: Callable[[str], str],
) -> int:
    """The workbook an office forwards: Report, Tasks, Score (where the plan scores), Entries
    (continued on Entries 2 …)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    styles = _Styles()
    count = 0
    if spec.what in (WHAT_REPORT, WHAT_ALL):
        assert ledger is not None
        _report_sheet(wb, ledger, text_fn, styles)
        count = len(ledger.report.rows)
    if spec.what in (WHAT_TASKS, WHAT_ALL):
        assert ledger is not None
        _tasks_sheet(wb, ledger, text_fn, styles)
        count = len(ledger.tasks)
    if spec.what == WHAT_ALL:
        _score_sheet(wb, conn, plan, spec.as_of, text_fn, styles)
    if spec.what in (WHAT_ENTRIES, WHAT_ALL):
        header = _page_header(plan, text_fn, spec.as_of)
        count = _entries_sheets(wb, conn, entries_plan, header, styles, text_fn)
    wb.save(out)
    return count

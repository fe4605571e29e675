"""The workbook an office forwards: Report, Tasks, Entries (continued on Entries 2 …).

The sheets are openpyxl write-only sheets: entries are streamed into them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import IO, Any

from pufa_cli.exchange.columns import (
    ENTRY_COLUMNS,
    FALSE,
    TASK_COLUMNS,
    TRUE,
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


def _new_sheet(wb: Any, title: str, widths: Sequence[int], freeze: str) -> Any:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    # A write-only sheet writes its columns and panes with its first row: set them now.
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = freeze
    return ws


def _header_cells(ws: Any, labels: Sequence[str]) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cells = []
    for label in labels:
        cell = WriteOnlyCell(ws, value=xlsx_text(label))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _report_sheet(wb: Any, ledger: Ledger, text_fn: Callable[[str], str]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    from pufa_cli.report import report_rows

    # A total row by section only: by unit the rows count each unit's share of the tasks, so
    # they do not add up to the total, which counts tasks (report.md; the table has none).
    by = ledger.report.by
    headers, rows = report_rows(ledger.report, text_fn, total=by == "section")
    rows = list(humanise(headers, rows))
    if len(rows) > len(ledger.report.rows):  # the total row: "total" where a title would be
        rows[-1] = [_("Total") if v == "total" else v for v in rows[-1]]
    labels = report_labels(headers, by)
    widths = [display_width(x) + 2 for x in labels]
    for r in rows:
        _fit(widths, r)
    header_row = 4
    ws = _new_sheet(wb, _("Report"), widths, f"A{header_row + 1}")
    plan = ledger.plan
    title = WriteOnlyCell(ws, value=xlsx_text(f"{text_fn(plan.title)} ({plan.year})"))
    title.font = Font(bold=True, size=14)
    ws.append([title])
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
    ws.append([])
    ws.append(_header_cells(ws, labels))
    for r in rows:
        ws.append(_xlsx_row(r))
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


def _tasks_sheet(wb: Any, ledger: Ledger, text_fn: Callable[[str], str]) -> None:
    rows = []
    for d in task_rows(ledger, text_fn):
        d["supporting"] = "、".join(d["supporting"])
        d["targets"] = "; ".join(d["targets"])
        rows.append([human_value(c, d[c]) for c in TASK_COLUMNS])
    labels = labels_for(TASK_COLUMNS)
    widths = [display_width(x) + 2 for x in labels]
    for r in rows:
        _fit(widths, r)
    # Not _("Tasks"): that is the count column of the report (任務數), not a ledger's name.
    ws = _new_sheet(wb, pgettext("sheet name", "Tasks"), widths, "A2")
    ws.append(_header_cells(ws, labels))
    for r in rows:
        ws.append(_xlsx_row(r))


def _entry_xlsx_row(r: EntryRecord) -> list[Any]:
    retracted = r[11] is not None
    return [
        r[0],
        r[1],
        xlsx_text(r[2]),
        date.fromisoformat(r[3]),
        r[4],
        xlsx_text(metrics_text(r[5])) or None,
        xlsx_text(r[6]) or None,
        xlsx_text(r[7]),
        as_time(r[8]),
        r[9],
        r[10],
        TRUE if retracted else FALSE,
        as_time(r[11]),
        xlsx_text(r[12]) if r[12] else None,
        xlsx_text(r[13]) if r[13] else None,
    ]


def _entries_sheets(wb: Any, conn: Connection, plan: PlanRef | None) -> int:
    names = [str(r[0]) for r in conn.rows("SELECT name FROM units")]
    unit_width = max([display_width(n) + 2 for n in names] + [10])
    labels = labels_for(ENTRY_COLUMNS)
    widths = [
        max(display_width(label) + 2, min(_MAX_WIDTH, _ENTRY_WIDTHS.get(c, unit_width)))
        for c, label in zip(ENTRY_COLUMNS, labels, strict=True)
    ]
    base = _("Entries")
    count = 0
    sheet_no = 1
    ws = _new_sheet(wb, base, widths, "A2")
    ws.append(_header_cells(ws, labels))
    in_sheet = 0
    for record in entry_records(conn, plan):
        if in_sheet >= MAX_SHEET_ROWS:
            sheet_no += 1
            ws = _new_sheet(wb, f"{base} {sheet_no}", widths, "A2")
            ws.append(_header_cells(ws, labels))
            in_sheet = 0
        ws.append(_entry_xlsx_row(record))
        in_sheet += 1
        count += 1
    return count


def write_workbook(
    conn: Connection,
    ledger: Ledger | None,
    plan: PlanRef,
    entries_plan: PlanRef | None,
    spec: Spec,
    out: IO[bytes],
    text_fn: Callable[[str], str],
) -> int:
    """The workbook an office forwards: Report, Tasks, Entries (continued on Entries 2 …)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    count = 0
    if spec.what in (WHAT_REPORT, WHAT_ALL):
        assert ledger is not None
        _report_sheet(wb, ledger, text_fn)
        count = len(ledger.report.rows)
    if spec.what in (WHAT_TASKS, WHAT_ALL):
        assert ledger is not None
        _tasks_sheet(wb, ledger, text_fn)
        count = len(ledger.tasks)
    if spec.what in (WHAT_ENTRIES, WHAT_ALL):
        count = _entries_sheets(wb, conn, entries_plan)
    wb.save(out)
    return count

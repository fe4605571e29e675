"""Exports: the report, the task ledger (台賬) and the entries as csv, json or xlsx.

* **Streaming.** Entries come from the database through ``conn.stream`` straight into the csv
  writer (``exchange.csv``), the json writer (``exchange.json``) or openpyxl's write-only
  sheets (``exchange.xlsx``), so a million rows cost no more memory than a thousand. The csv
  and json paths import neither SQLAlchemy (on SQLite) nor openpyxl.
* **Atomic files.** The CLI writes through ``files.atomic_file``: a reader never sees half a
  file, and a failed export leaves the previous file as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from pufa_cli.errors import BadInput
from pufa_cli.exchange.columns import (
    CSV,
    EXTENSIONS,
    JSON,
    TASK_COLUMNS,
    WHAT_ALL,
    WHAT_ENTRIES,
    WHAT_REPORT,
    WHAT_TASKS,
    XLSX,
    Spec,
    report_labels,
)
from pufa_cli.exchange.csv import report_table, task_csv_row, write_csv, write_entries_csv
from pufa_cli.exchange.entries import entry_records
from pufa_cli.exchange.json import entry_json, json_value, write_json_array, write_json_object
from pufa_cli.exchange.tables import read_ledger, task_rows
from pufa_cli.exchange.xlsx import write_workbook
from pufa_cli.i18n import _
from pufa_cli.progress import PlanRef
from pufa_cli.store import Connection


def resolve_format(fmt: str | None, out: str | None) -> str:
    """The format: ``--format``, else the one ``--out``'s extension stands for, else csv.

    A .csv, .json or .xlsx ``--out`` that contradicts ``--format`` is refused: a workbook
    named .csv (or csv named .xlsx) is a file that no program opens as what it claims to be.
    """
    implied = EXTENSIONS.get(Path(out).suffix.lower()) if out else None
    if fmt is None:
        return implied or CSV
    if implied is not None and implied != fmt:
        raise BadInput(
            _(
                "--out {path} is a .{ext} file but --format is {fmt}: "
                "give --format {ext}, or leave --format out"
            ).format(path=out, ext=implied, fmt=fmt)
        )
    return fmt


def check_spec(what: str, fmt: str, out: str | None) -> None:
    """Refuse impossible combinations before anything is opened."""
    if fmt == CSV and what == WHAT_ALL:
        raise BadInput(
            _(
                "csv holds one table: choose --what report, tasks or entries "
                "(or use --format json or xlsx for --what all)"
            )
        )
    if fmt == XLSX and out is None:
        raise BadInput(_("xlsx needs --out FILE (a workbook is not written to the terminal)"))


def export(
    conn: Connection,
    plan: PlanRef,
    spec: Spec,
    out: IO[Any],
    text_fn: Callable[[str], str],
    thresholds: Any = None,
) -> int:
    """Write the export to ``out`` (text for csv/json, binary for xlsx); return the number of
    data rows written (entries for entries and all, else the table's rows)."""
    entries_plan = None if spec.all_years else plan
    if spec.fmt == JSON and spec.what == WHAT_TASKS:
        # Streamed, a task at a time (issue 19): the same bytes as the whole list dumped.
        from pufa_cli.ledger import iter_tasks
        from pufa_cli.render import write_json_list
        from pufa_cli.render.task_json import task_json_text

        return write_json_list(
            out,
            iter_tasks(conn, plan, spec.as_of),
            lambda v, newline: task_json_text(v, plan, text_fn, newline),
        )
    ledger = None
    if spec.what != WHAT_ENTRIES:
        ledger = read_ledger(
            conn, plan, spec.as_of, spec.by, thresholds, tasks=spec.what != WHAT_REPORT
        )
    if spec.fmt == XLSX:
        return write_workbook(conn, ledger, plan, entries_plan, spec, out, text_fn)
    if spec.fmt == JSON:
        from pufa_cli.ledger import task_json

        entries = (
            (entry_json(r) for r in entry_records(conn, entries_plan))
            if spec.what in (WHAT_ENTRIES, WHAT_ALL)
            else None
        )
        if spec.what == WHAT_ENTRIES:
            assert entries is not None
            count = write_json_array(out, entries, "")
            out.write("\n")
            return count
        assert ledger is not None
        tasks = [task_json(v, plan, text_fn) for v in ledger.views]
        from pufa_cli.report import report_json

        head = report_json(ledger.report, text_fn)
        if spec.what == WHAT_REPORT:
            out.write(json_value(head, "") + "\n")
            return len(head["rows"])
        head["tasks"] = tasks
        return write_json_object(out, head, entries)
    # csv
    if spec.what == WHAT_ENTRIES:
        return write_entries_csv(conn, entries_plan, out, spec)
    assert ledger is not None
    if spec.what == WHAT_TASKS:
        return write_csv(out, TASK_COLUMNS, map(task_csv_row, task_rows(ledger, text_fn)), spec)
    headers, rows = report_table(ledger, text_fn)
    return write_csv(out, headers, rows, spec, report_labels(headers, ledger.report.by))

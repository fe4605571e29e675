"""Exports: the report, the task ledger (台賬) and the entries as csv, json or xlsx.

* **Stable columns.** ``ENTRY_COLUMNS`` and ``TASK_COLUMNS`` are the machine column names of
  the entries and tasks tables (docs/exchange.md); the entries columns are also the import
  format. They never change with the language; ``--headers human`` (csv) and xlsx show the
  translated labels of ``column_labels()``, which import accepts in every language, and
  ``--headers human`` the status, colour and yes/no words of the language (``human_value``).
* **Streaming.** Entries come from the database through ``conn.stream`` straight into the csv
  writer, the json writer or openpyxl's write-only sheets, so a million rows cost no more memory
  than a thousand. The csv and json paths import neither SQLAlchemy (on SQLite) nor openpyxl.
* **Formulas are neutralised** (OWASP, CSV injection): a text cell that starts with ``=``,
  ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``, in csv and xlsx. So that a
  round trip is lossless, a text that already starts with ``'`` followed (after any further
  ``'``) by one of those characters gets one too; import removes exactly one (``restore``).
  Numbers stay numbers.
* **Atomic files.** ``atomic_file`` writes a temporary file in the target's folder, fsyncs it
  and renames it over the target: a reader never sees half a file, and a failed export leaves
  the previous file as it was.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from pufa_cli.errors import BadInput, RuntimeFailure
from pufa_cli.files import fsync_folder
from pufa_cli.i18n import _, pgettext
from pufa_cli.ledger import json_number
from pufa_cli.progress import PlanRef
from pufa_cli.store import Connection, as_date

WHAT_REPORT = "report"
WHAT_TASKS = "tasks"
WHAT_ENTRIES = "entries"
WHAT_ALL = "all"
WHATS = (WHAT_REPORT, WHAT_TASKS, WHAT_ENTRIES, WHAT_ALL)

CSV = "csv"
JSON = "json"
XLSX = "xlsx"
FORMATS = (CSV, JSON, XLSX)
# The format a file name stands for: what --out implies when --format is not given.
EXTENSIONS = {".csv": CSV, ".json": JSON, ".xlsx": XLSX}

ENTRY_COLUMNS = (
    "year",
    "task",
    "unit",
    "date",
    "percent",
    "metrics",
    "note",
    "by",
    "recorded_at",
    "id",
    "key",
    "retracted",
    "retracted_at",
    "retracted_by",
    "retraction_reason",
)

TASK_COLUMNS = (
    "year",
    "section",
    "number",
    "title",
    "lead",
    "supporting",
    "due",
    "due_word",
    "percent",
    "status",
    "overdue",
    "colour",
    "targets",
    "latest_note",
)

# Data rows per worksheet: Excel's 1,048,576 rows less the header row. Entries beyond it
# continue on "Entries 2", "Entries 3" … (a test lowers this to check the continuation).
MAX_SHEET_ROWS = 1_048_575

TRUE = "true"
FALSE = "false"

# A cell starting with one of these is run as a formula by a spreadsheet (OWASP).
FORMULA_START = frozenset("=+-@\t\r")
_RISKY_START = FORMULA_START | {"'"}


def neutralise(text: str) -> str:
    """``'`` + text when a spreadsheet would run ``text`` as a formula (see the module doc)."""
    if text and text[0] in _RISKY_START:
        rest = text.lstrip("'")
        if rest[:1] in FORMULA_START:
            return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of ``neutralise``: drop the one ``'`` it added, and only that."""
    if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_START:
        return text[1:]
    return text


def column_labels(_: Callable[[str], str] = _) -> dict[str, str]:
    """Human labels of every column name, through ``_`` (pass another language's gettext to
    get its labels: import recognises the headers of every language)."""
    return {
        "year": _("Year"),
        "task": _("Task"),
        "unit": _("Unit"),
        "date": _("Date"),
        "percent": _("Percent"),
        "metrics": _("Metrics"),
        "note": _("Note"),
        "by": _("Recorded by"),
        "recorded_at": _("Recorded at"),
        "id": _("Entry ID"),
        "key": _("Entry key"),
        "retracted": _("Retracted"),
        "retracted_at": _("Retracted at"),
        "retracted_by": _("Retracted by"),
        "retraction_reason": _("Retraction reason"),
        "section": _("Section"),
        "number": _("No."),
        "title": _("Title"),
        "lead": _("Lead unit"),
        "supporting": _("Supporting units"),
        "units": _("Units"),
        "due": _("Due"),
        "due_word": _("Deadline"),
        "expected": _("Expected percent"),
        "status": _("Status"),
        "overdue": _("Overdue"),
        "colour": _("Colour"),
        "targets": _("Targets"),
        "latest_note": _("Latest note"),
        "rank": _("Rank"),
        "tasks": _("Tasks"),
        "done": _("Done"),
        "in_progress": _("In progress"),
        "not_started": _("Not started"),
        "red": _("Red"),
        "yellow": _("Yellow"),
    }


def labels_for(columns: Sequence[str]) -> list[str]:
    labels = column_labels()
    return [labels.get(c, c) for c in columns]


def report_labels(headers: Sequence[str], by: str) -> list[str]:
    """The labels of the report's columns. By section, the two key columns are headed as in
    the report table: the title there is the section's (板塊名稱), not a task's (任務), and the
    number beside it keeps a label of its own in English too ("Sec.", "Section")."""
    labels = labels_for(headers)
    if by == "section":
        labels[headers.index("section")] = _("Sec.")
        labels[headers.index("title")] = pgettext("section title", "Section")
    return labels


def human_value(column: str, value: Any) -> Any:
    """Status, colour and yes/no in the reader's language, for the sheets and csv that people
    read (xlsx Report and Tasks, csv with ``--headers human``); other values as they are."""
    from pufa_cli.render import status_label

    if column == "status" and isinstance(value, str):
        return status_label(value)
    if column == "colour" and isinstance(value, str):
        return {"green": _("green"), "yellow": _("yellow"), "red": _("red")}.get(value, value)
    if column in ("overdue", "retracted") and (isinstance(value, bool) or value in (TRUE, FALSE)):
        return _("yes") if value is True or value == TRUE else _("no")
    return value


def _humanise(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    for row in rows:
        yield [human_value(h, v) for h, v in zip(headers, row, strict=True)]


def num_text(value: float) -> str:
    """A metric value as text that reads back to the very same float."""
    f = float(value)
    return str(int(f)) if f.is_integer() else repr(f)


def _day_text(value: Any) -> str:
    # SQLite hands back ISO text already; PostgreSQL a date.
    return value[:10] if isinstance(value, str) else value.isoformat()


def _time_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace(" ", "T", 1)
    return str(value.isoformat())


# --- rows from the database --------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What to export and how (parsed by the CLI)."""

    what: str
    fmt: str
    as_of: date
    by: str = "section"
    bom: bool = True
    human_headers: bool = False
    all_years: bool = False


# Entries with their retraction and metrics (one row per metric, one with NULLs when none), in
# id order, so the rows of one entry are consecutive and are grouped in Python as they stream.
# Task, unit and target names come from small dicts (``_Names``), not from joins: a million
# rows then cost a million small ints instead of a million decoded strings.
_ENTRIES_SQL = (
    "SELECT e.id, e.task_id, e.unit_id, e.entry_date, e.percent, e.note, e.recorded_by, "
    "e.created_at, e.key, r.retracted_at, r.retracted_by, r.reason, m.target_id, m.value "
    "FROM entries e "
    "LEFT JOIN retractions r ON r.entry_id = e.id "
    "LEFT JOIN entry_metrics m ON m.entry_id = e.id"
    "{where} ORDER BY e.id"
)


@dataclass(frozen=True)
class _Names:
    tasks: dict[int, tuple[int, int]]  # task id → (plan year, task number)
    units: dict[int, str]
    targets: dict[int, str]  # target id → key


def _names(conn: Connection, plan: PlanRef | None) -> _Names:
    where = "" if plan is None else " WHERE t.plan_id = :plan"
    params = {} if plan is None else {"plan": plan.id}
    tasks = {
        int(i): (int(y), int(n))
        for i, y, n in conn.rows(
            f"SELECT t.id, p.year, t.number FROM tasks t JOIN plans p ON p.id = t.plan_id{where}",
            params,
        )
    }
    targets = {
        int(i): str(k)
        for i, k in conn.rows(
            f"SELECT g.id, g.key FROM targets g JOIN tasks t ON t.id = g.task_id{where}", params
        )
    }
    units = {int(i): str(n) for i, n in conn.rows("SELECT id, name FROM units")}
    return _Names(tasks, units, targets)


def _entry_rows(conn: Connection, plan: PlanRef | None) -> Iterator[Any]:
    if plan is None:
        return conn.stream(_ENTRIES_SQL.format(where=""), {}, size=5000)
    # ``+e.task_id`` keeps SQLite walking the entries in id order (no sort of the whole result)
    # rather than through the task index; PostgreSQL reads it as the plain column.
    return conn.stream(
        _ENTRIES_SQL.format(
            where=" WHERE +e.task_id IN (SELECT id FROM tasks WHERE plan_id = :plan)"
        ),
        {"plan": plan.id},
        size=5000,
    )


# One entry: year, task, unit, date (ISO), percent, metrics [(key, value)] sorted by key, note,
# by, recorded_at (ISO), id, key, retracted_at (ISO or None), retracted_by, retraction_reason.
EntryRecord = tuple[
    int, int, str, str, int, list[tuple[str, float]], str, str, str, int, str, Any, Any, Any
]


def entry_records(conn: Connection, plan: PlanRef | None) -> Iterator[EntryRecord]:
    """Every entry of ``plan`` (of every plan when None), retracted ones included, by id."""
    names = _names(conn, plan)
    current: Any = None
    metrics: list[tuple[str, float]] = []
    for row in _entry_rows(conn, plan):
        if current is None or row[0] != current[0]:
            if current is not None:
                yield _record(current, metrics, names)
            current = row
            metrics = []
        if row[12] is not None:
            metrics.append((names.targets[int(row[12])], float(row[13])))
    if current is not None:
        yield _record(current, metrics, names)


def _record(row: Any, metrics: list[tuple[str, float]], names: _Names) -> EntryRecord:
    if len(metrics) > 1:
        metrics.sort()
    year, number = names.tasks[int(row[1])]
    return (
        year,
        number,
        names.units[int(row[2])],
        _day_text(row[3]),
        int(row[4]),
        metrics,
        row[5] or "",
        str(row[6]),
        _time_text(row[7]),
        int(row[0]),
        str(row[8]),
        row[9],
        row[10],
        row[11],
    )


def metrics_text(metrics: Sequence[tuple[str, float]]) -> str:
    return ";".join(f"{k}={num_text(v)}" for k, v in metrics)


_NEEDS_QUOTES = re.compile(r'[",\r\n]')


def csv_cell(text: str) -> str:
    """One csv field as Python's csv module writes it (QUOTE_MINIMAL), neutralised first."""
    if not text:
        return ""
    if text[0] in _RISKY_START:
        text = neutralise(text)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


# Lines joined per write of the entries csv.
CSV_CHUNK = 2000


def write_entries_csv(conn: Connection, plan: PlanRef | None, out: IO[str], spec: Spec) -> int:
    """The entries as csv lines built directly (the hot path of a million-row export: about
    three times faster than ``csv.writer`` over row lists, same output)."""
    names = _names(conn, plan)
    task_cells = {tid: f"{y},{n}," for tid, (y, n) in names.tasks.items()}
    unit_cells = {uid: csv_cell(name) + "," for uid, name in names.units.items()}
    by_cells: dict[str, str] = {}
    if spec.bom:
        out.write("\ufeff")
    out.write(",".join(map(csv_cell, _header(ENTRY_COLUMNS, spec))) + "\r\n")
    yes, no = (csv_cell(_("yes")), csv_cell(_("no"))) if spec.human_headers else (TRUE, FALSE)
    not_retracted = f"{no},,,"
    lines: list[str] = []
    count = 0
    current: Any = None
    metrics: list[tuple[str, float]] | None = None
    rows = _entry_rows(conn, plan)
    while True:
        row = next(rows, None)
        if row is not None and current is not None and row[0] == current[0]:
            if row[12] is not None:
                assert metrics is not None
                metrics.append((names.targets[row[12]], row[13]))
            continue
        if current is not None:
            eid, tid, uid, day, pct, note, by, created, key, r_at, r_by, reason = current[:12]
            if note:
                note = csv_cell(note)
            by_cell = by_cells.get(by)
            if by_cell is None:
                by_cell = by_cells[by] = csv_cell(by)
            if type(day) is not str:
                day = day.isoformat()
            created = created.replace(" ", "T", 1) if type(created) is str else _time_text(created)
            if metrics:
                metrics.sort()
                metric_cell = csv_cell(";".join(f"{k}={num_text(v)}" for k, v in metrics))
            else:
                metric_cell = ""
            if r_at is None:
                tail = not_retracted
            else:
                tail = f"{yes},{_time_text(r_at)},{csv_cell(r_by or '')},{csv_cell(reason or '')}"
            lines.append(
                f"{task_cells[tid]}{unit_cells[uid]}{day},{pct},{metric_cell},{note or ''},"
                f"{by_cell},{created},{eid},{key},{tail}\r\n"
            )
            count += 1
            if len(lines) >= CSV_CHUNK:
                out.write("".join(lines))
                lines.clear()
        if row is None:
            break
        current = row
        metrics = [(names.targets[row[12]], row[13])] if row[12] is not None else []
    out.write("".join(lines))
    return count


def entry_json(r: EntryRecord) -> dict[str, Any]:
    """An entry as in ``pufa show -f json``'s history, plus year, task and key."""
    retracted = r[11] is not None
    return {
        "year": r[0],
        "task": r[1],
        "unit": r[2],
        "date": r[3],
        "percent": r[4],
        "metrics": {k: json_number(float(v)) for k, v in r[5]},
        "note": r[6],
        "by": r[7],
        "recorded_at": r[8],
        "id": r[9],
        "key": r[10],
        "retracted": retracted,
        "retracted_at": _time_text(r[11]) if retracted else None,
        "retracted_by": r[12],
        "retraction_reason": r[13],
    }


@dataclass(frozen=True)
class Ledger:
    """What the tasks and report exports need, read in one transaction."""

    plan: PlanRef
    as_of: date
    report: Any  # report.Report, grouped by the --by of the export
    tasks: list[Any]  # report.TaskRow of every task (with colour)
    views: list[Any]  # ledger.TaskView of every task (units with roles, targets)
    latest_notes: dict[int, str]


def read_ledger(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    by: str,
    thresholds: Any = None,
    *,
    tasks: bool = True,
) -> Ledger:
    """The report grouped ``by``; with ``tasks``, also what the ledger needs per task."""
    from pufa_cli.ledger import list_tasks
    from pufa_cli.report import build_report

    report = build_report(conn, plan, as_of, by=by, thresholds=thresholds)
    if not tasks:
        return Ledger(plan, as_of, report, list(report.tasks), [], {})
    notes = {
        int(tid): str(note)
        for tid, note in conn.rows(
            "SELECT t.id, (SELECT e.note FROM entries e WHERE e.task_id = t.id "
            "AND e.entry_date <= :as_of AND e.note <> '' "
            "AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = e.id) "
            "ORDER BY e.entry_date DESC, e.id DESC LIMIT 1) "
            "FROM tasks t WHERE t.plan_id = :plan",
            {"plan": plan.id, "as_of": as_of},
        )
        if note is not None
    }
    # report.tasks: every task in scope with its colour, whatever the grouping
    return Ledger(plan, as_of, report, list(report.tasks), list_tasks(conn, plan, as_of), notes)


def task_rows(ledger: Ledger, text_fn: Callable[[str], str]) -> Iterator[dict[str, Any]]:
    """One plain dict per task, keyed by ``TASK_COLUMNS`` (typed values: bool, float, list)."""
    from pufa_cli.ledger import fmt_number
    from pufa_cli.report import round1

    views = {v.status.task_id: v for v in ledger.views}
    for t in ledger.tasks:
        view = views.get(t.task_id)
        units = view.units if view is not None else []
        targets = view.targets if view is not None else []
        yield {
            "year": ledger.plan.year,
            "section": t.section,
            "number": t.number,
            "title": text_fn(t.title),
            "lead": next((u.unit for u in units if u.role == "lead"), ""),
            "supporting": [u.unit for u in units if u.role != "lead"],
            "due": t.due,
            "due_word": text_fn(view.due_word) if view is not None else "",
            "percent": round1(t.percent),
            "status": t.status,
            "overdue": t.overdue,
            "colour": t.colour,
            "targets": [
                f"{g.key}={fmt_number(g.value or 0)}/{fmt_number(g.target)} {text_fn(g.unit)}"
                for g in targets
            ],
            "latest_note": ledger.latest_notes.get(t.task_id, ""),
        }


def _task_csv_row(d: dict[str, Any]) -> list[Any]:
    return [
        d["year"],
        d["section"],
        d["number"],
        neutralise(d["title"]),
        neutralise(d["lead"]),
        neutralise("、".join(d["supporting"])),
        d["due"].isoformat(),
        neutralise(d["due_word"]),
        d["percent"],
        d["status"],
        TRUE if d["overdue"] else FALSE,
        d["colour"],
        neutralise("; ".join(d["targets"])),
        neutralise(d["latest_note"]),
    ]


def _report_table(ledger: Ledger, text_fn: Callable[[str], str]) -> tuple[list[str], list[Any]]:
    from pufa_cli.report import report_rows

    # The rows of ``pufa report -f csv`` (no total row: csv carries the JSON rows).
    headers, rows = report_rows(ledger.report, text_fn)
    return headers, [[neutralise(v) if isinstance(v, str) else v for v in r] for r in rows]


# --- csv ---------------------------------------------------------------------------------


def _header(headers: Sequence[str], spec: Spec) -> list[str]:
    return labels_for(headers) if spec.human_headers else list(headers)


def _csv_writer(out: IO[str], header: Sequence[str], spec: Spec) -> Any:
    if spec.bom:
        out.write("\ufeff")
    # CRLF: what RFC 4180 and Excel expect; Python's csv reader takes either.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    return writer


def write_csv(
    out: IO[str],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    spec: Spec,
    labels: Sequence[str] | None = None,
) -> int:
    """A table as csv: machine column names and values, or with ``spec.human_headers`` the
    ``labels`` (default ``labels_for``) and the words of the language (``human_value``)."""
    if spec.human_headers:
        header = list(labels) if labels is not None else labels_for(headers)
        rows = _humanise(headers, rows)
    else:
        header = list(headers)
    writer = _csv_writer(out, header, spec)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


# --- json --------------------------------------------------------------------------------


def _json_value(value: Any, indent: str) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).replace("\n", "\n" + indent)


def _write_json_array(out: IO[str], items: Iterable[Any], indent: str) -> int:
    """A JSON array written item by item (one per line): nothing is held in memory."""
    count = 0
    for item in items:
        out.write(("[\n" if count == 0 else ",\n") + indent + "  ")
        out.write(json.dumps(item, ensure_ascii=False, separators=(", ", ": ")))
        count += 1
    out.write(f"\n{indent}]" if count else "[]")
    return count


def _write_json_object(out: IO[str], head: dict[str, Any], entries: Iterable[Any] | None) -> int:
    out.write("{")
    first = True
    for key, value in head.items():
        out.write(("\n" if first else ",\n") + f"  {json.dumps(key)}: " + _json_value(value, "  "))
        first = False
    count = 0
    if entries is not None:
        out.write(("\n" if first else ",\n") + '  "entries": ')
        count = _write_json_array(out, entries, "  ")
    out.write("\n}\n")
    return count


# --- the export --------------------------------------------------------------------------


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
            count = _write_json_array(out, entries, "")
            out.write("\n")
            return count
        assert ledger is not None
        tasks = [task_json(v, plan, text_fn) for v in ledger.views]
        if spec.what == WHAT_TASKS:
            out.write(_json_value(tasks, "") + "\n")
            return len(tasks)
        from pufa_cli.report import report_json

        head = report_json(ledger.report, text_fn)
        if spec.what == WHAT_REPORT:
            out.write(_json_value(head, "") + "\n")
            return len(head["rows"])
        head["tasks"] = tasks
        return _write_json_object(out, head, entries)
    # csv
    if spec.what == WHAT_ENTRIES:
        return write_entries_csv(conn, entries_plan, out, spec)
    assert ledger is not None
    if spec.what == WHAT_TASKS:
        return write_csv(out, TASK_COLUMNS, map(_task_csv_row, task_rows(ledger, text_fn)), spec)
    headers, rows = _report_table(ledger, text_fn)
    return write_csv(out, headers, rows, spec, report_labels(headers, ledger.report.by))


# --- where it goes -----------------------------------------------------------------------


@contextmanager
def stdout_text() -> Iterator[IO[str]]:
    """stdout as UTF-8 text whatever the locale (a cron job's may be C)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # already a text stream (tests capture it so)
        yield sys.stdout
        return
    sys.stdout.flush()
    wrapper = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=False)
    try:
        yield wrapper
        wrapper.flush()
        buffer.flush()
    except BrokenPipeError:
        # The reader (head, less) closed the pipe: it has what it wanted, not an error. The
        # rest goes to /dev/null, so that flushing at exit does not fail again (Python docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, buffer.fileno())
        os.close(devnull)
    finally:
        wrapper.detach()


def _cannot_write(path: Path, reason: str) -> RuntimeFailure:
    return RuntimeFailure(_("cannot write {path}: {reason}").format(path=path, reason=reason))


@contextmanager
def atomic_file(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A file that appears at ``path`` complete or not at all (see the module doc).

    A missing or unwritable folder, a full disk: RuntimeFailure (exit 1), the temporary file
    removed and a previous file at ``path`` untouched; any other error is re-raised likewise.
    """
    path = Path(path)
    folder = path.absolute().parent
    if not folder.is_dir():
        raise _cannot_write(path, _("folder {folder} does not exist").format(folder=folder))
    if path.is_dir():
        raise _cannot_write(path, _("it is a folder"))
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _cannot_write(path, exc.strerror or str(exc)) from None
    tmp = Path(tmp_name)
    try:
        try:
            fh: IO[Any] = (
                os.fdopen(fd, "wb", buffering=1 << 20)
                if binary
                else os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1 << 20)
            )
        except BaseException:
            os.close(fd)
            raise
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot_write(path, exc.strerror or str(exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(folder)


def _file_mode(path: Path) -> int:
    """The mode a new file would get (mkstemp's is 0600), or the replaced file's."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# --- text width, for xlsx columns --------------------------------------------------------


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: East Asian wide and full-width count 2."""
    width = 0
    for line in str(text).split("\n"):
        w = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
        width = max(width, w)
    return width


def as_day(value: Any) -> date:
    day = as_date(value)
    assert day is not None
    return day


def as_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


# --- xlsx --------------------------------------------------------------------------------

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
    rows = list(_humanise(headers, rows))
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

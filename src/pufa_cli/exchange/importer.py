"""Import: progress entries from csv, xlsx or xls, all rows or none, each seen row recognised.

The columns are those of the entries export (``columns.ENTRY_COLUMNS``): ``task``, ``unit``,
``date`` and ``percent`` are required; ``year``, ``metrics``, ``note``, ``by`` and the
retraction columns are optional; ``id``, ``key`` and any column whose header is empty are
ignored. Headers are the machine names or the human labels of any language pufa speaks.

1. **Open** (``sources.open_source``): the file must exist, be .csv (UTF-8, UTF-16 or
   GB18030, read strictly: ``read_csv``), .xlsx or .xls (``read_sheets``), and start with a
   header row naming the required columns. Problems with the file as a whole are one error line.
2. **Check every row** (``import_entries``) against the plan, loaded once into dicts: task in
   the plan, unit known (either script), date valid, in the plan year and not after today,
   values read as people type them (``inputs``), percent 0–100,
   metrics valid for the task, note and names clean. Every bad row becomes ``FILE:LINE:
   reason`` (line = spreadsheet row, the header is line 1) and nothing is written
   (``RowErrors``).
3. **Skip what is there**, counting per key (an entry's key is ``tracker.entry_key`` of its
   content, and two entries may share one: ``pufa log`` run twice): N rows of a key against M
   entries of it in the database add the file's last N − M rows of that key (``match``).
   Only a row that adds an entry needs its unit assigned to the task (or ``--assign``, which
   then assigns it); a row already present needs none, so such errors are known only now.
4. **Write** in the caller's one transaction, in bulk: entries, then their ids, then metrics,
   retractions and assignments.

Retractions are counted per key too: a key with R retracted rows in the file and Q retracted
entries in the database ends with at least R retracted — the added entries are the file's
retracted rows first, then entries already there and not retracted get the rest (lowest id
first). An import never undoes a retraction, and importing a file again changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from pufa_cli.errors import BadInput, PufaError
from pufa_cli.exchange.checks import Checked, Checker, ImportResult
from pufa_cli.exchange.matching import existing_entries, match
from pufa_cli.exchange.sources import Source
from pufa_cli.exchange.write import Progress, write
from pufa_cli.i18n import _
from pufa_cli.progress import find_plan
from pufa_cli.store import Connection


class RowErrors(BadInput):
    """Some rows are not valid: ``errors`` lists each as ``FILE:LINE: reason``."""

    def __init__(self, name: str, errors: list[str]) -> None:
        super().__init__(
            _("{file}: {n} row(s) not valid; nothing was imported").format(file=name, n=len(errors))
        )
        self.errors = errors


def import_entries(
    conn: Connection,
    source: Source,
    *,
    default_year: int | None,
    default_plan: str | None = None,
    default_by: str,
    today: date,
    now: datetime,
    assign: bool = False,
    dry_run: bool = False,
    progress: Progress = None,
) -> ImportResult:
    """Check every row of ``source``, then add the new entries in bulk (see the module doc).

    Runs inside the caller's transaction (a write one unless ``dry_run``); RowErrors, with
    nothing written, if any row is not valid.
    """
    checker = Checker(conn, find_plan(conn, default_year, default_plan), default_by, today, assign)
    if source.name != "<stdin>":  # the evidence column names files beside the sheet
        checker.folder = Path(source.name).parent
    rows: list[Checked] = []
    errors: list[tuple[int, str]] = []  # (row number, FILE:LINE: reason), to list in file order
    unassigned = checker.unassigned
    pending: dict[int, tuple[int, Any]] = {}  # index in rows → (row number, location)
    for count, (loc, values) in enumerate(source.rows, start=1):
        try:
            checked = checker.check(values)
        except PufaError as exc:
            errors.append((count, f"{source.where(loc)}: {exc.message}"))
            continue
        if unassigned and (checked[1], checked[2]) in unassigned:
            pending[len(rows)] = (count, loc)
        rows.append(checked)
        if progress is not None and count % 2000 == 0:
            progress("check", source.position(), source.size)
    if errors and not pending:
        raise RowErrors(source.name, [e for _n, e in errors])
    if progress is not None:
        progress("check", source.size or 0, source.size)

    # Into an empty ledger (a first import) nothing can be present: no lookups.
    empty = conn.one("SELECT 1 FROM entries LIMIT 1") is None
    existing = {} if empty else existing_entries(conn, list({r[0] for r in rows}))
    present, retract_old = match(rows, existing) if existing else (set(), [])

    # A unit not assigned to its task: an error (or an assignment) only where an entry is added.
    to_assign: dict[tuple[int, int], None] = {}
    for i, (count, loc) in pending.items():
        if i in present:
            continue
        pair = (rows[i][1], rows[i][2])
        if assign:
            to_assign[pair] = None
            continue
        unit_name, number = unassigned[pair]
        reason = _(
            "unit {unit} is not assigned to task {task} (assign it with "
            "'pufa assign {task} {unit}', or import with --assign)"
        ).format(unit=unit_name, task=number)
        errors.append((count, f"{source.where(loc)}: {reason}"))
    if errors:
        errors.sort(key=itemgetter(0))
        raise RowErrors(source.name, [e for _n, e in errors])

    new = [r for i, r in enumerate(rows) if i not in present] if present else rows
    result = ImportResult(rows=len(rows), added=len(new), present=len(rows) - len(new))
    result.retractions = sum(1 for r in new if r[9] is not None) + len(retract_old)
    result.assigned = len(to_assign)
    if dry_run:
        return result
    write(conn, new, retract_old, list(to_assign), now, progress)
    return result


def summary(result: ImportResult, *, dry_run: bool) -> str:
    if dry_run:
        text = _("dry run: {rows} row(s) valid; would add {added}, already present {present}")
    else:
        text = _("added {added}, already present {present}")
    text = text.format(rows=result.rows, added=result.added, present=result.present)
    extra = []
    if result.retractions:
        extra.append(_("retractions {n}").format(n=result.retractions))
    if result.assigned:
        extra.append(_("assignments {n}").format(n=result.assigned))
    return text + ("; " + ", ".join(extra) if extra else "")

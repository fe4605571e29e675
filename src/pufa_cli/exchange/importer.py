"""Import: progress entries from csv, xlsx or xls, all rows or none, each seen row recognised.

The columns are those of the entries export (``columns.ENTRY_COLUMNS``): ``task``, ``unit``,
``date`` and ``percent`` are required; ``year``, ``metrics``, ``note``, ``by`` and the
retraction columns are optional; ``id``, ``key`` and any column whose header is empty are
ignored. Headers are the machine names or the human labels of any language pufa speaks.

1. **Open** (``sources.open_source``): the file must exist, be .csv (UTF-8, UTF-16 or
   GB18030, read strictly: ``read_csv``), .xlsx or .xls (``read_sheets``), and start with a
   header row naming the required columns. Problems with the file as a whole are one error line.
2. **Check the rows**, a batch of ``BATCH_ROWS`` at a time (issue 19: memory is that of one
   batch, however long the file), against the plan, loaded once into dicts: task in
   the plan, unit known (either script), date valid, in the plan year and not after today,
   values read as people type them (``inputs``), percent 0–100,
   metrics valid for the task, note and names clean. Every bad row becomes ``FILE:LINE:
   reason`` (line = spreadsheet row, the header is line 1); all rows are still checked, and
   RowErrors lists them once the file is read: nothing is written after the first bad row, and
   the caller's rollback undoes the batches written before it.
3. **Skip what is there**, counting per key (an entry's key is ``tracker.entry_key`` of its
   content, and two entries may share one: ``pufa log`` run twice): N rows of a key against M
   entries of it in the database add the file's last N − M rows of that key (``match``).
   Each batch's new keys are looked up before it is written; a key with no entry before the
   import is remembered (an int, in ``_Run.fresh``) so its later rows are new too, and the rows
   of a key that had entries are held and matched once every row is read. (Into an empty ledger
   nothing is looked up; an import at least as large as the ledger reads the ledger's keys once,
   as its indexes may be dropped while it writes.)
   Only a row that adds an entry needs its unit assigned to the task (or ``--assign``, which
   then assigns it); a row already present needs none, so such errors are known only now.
4. **Write** in the caller's one transaction, in bulk, batch by batch: assignments, entries,
   their ids, metrics, evidence and retractions; the held rows that add entries come last, then
   the retractions of entries already there.

Retractions are counted per key too: a key with R retracted rows in the file and Q retracted
entries in the database ends with at least R retracted — the added entries are the file's
retracted rows first, then entries already there and not retracted get the rest (lowest id
first). An import never undoes a retraction, and importing a file again changes nothing.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from pufa_cli.errors import BadInput, PufaError
from pufa_cli.exchange import write
from pufa_cli.exchange.checks import Checker, ImportResult
from pufa_cli.exchange.matching import Existing, all_entries, existing_entries, match
from pufa_cli.exchange.sources import Source
from pufa_cli.exchange.write import (
    Progress,
    write_assignments,
    write_retractions,
    write_rows,
)
from pufa_cli.i18n import _
from pufa_cli.progress import find_plan
from pufa_cli.store import Connection
from pufa_cli.tracker import NewEntry

# Rows checked, then matched and written, at a time: memory stays that of one batch however
# long the file (issue 19); the whole import is still the caller's one transaction.
BATCH_ROWS = 10_000


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
    """Check the rows of ``source`` and add the new entries, a batch at a time (module doc).

    Runs inside the caller's transaction (a write one unless ``dry_run``); RowErrors if any row
    is not valid, raised after every row is checked, so the caller's rollback undoes the
    batches already written.
    """
    checker = Checker(conn, find_plan(conn, default_year, default_plan), default_by, today, assign)
    if source.name != "<stdin>":  # the evidence column names files beside the sheet
        checker.folder = Path(source.name).parent
    run = _Run(conn, source, checker, now, dry_run, progress)
    estimate = source.size or 0
    # Into an empty ledger (a first import) nothing can be present: no lookups. An import at
    # least as large as the ledger may have its indexes dropped while it writes (bulk_load):
    # the ledger's keys are then read once, before, rather than looked up batch by batch.
    last = conn.one("SELECT MAX(id) FROM entries")
    size = int(last[0]) if last is not None and last[0] is not None else 0
    if size == 0:
        run.lookup = False
    elif estimate >= write.REBUILD_MIN and estimate >= size:
        run.existing = all_entries(conn)
        run.lookup = False
    # bulk_load is entered before the first write (``_Run.load``), so an import that adds
    # nothing (the same file again) never drops and rebuilds the indexes.
    with ExitStack() as run.stack:
        run.estimate = estimate
        for count, (loc, values) in enumerate(source.rows, start=1):
            try:
                run.batch.append(checker.check(values))
            except PufaError as exc:
                run.errors.append((count, f"{source.where(loc)}: {exc.message}"))
                continue
            run.lines.append((count, loc))
            if len(run.batch) >= BATCH_ROWS:
                run.flush()
            if progress is not None and count % 2000 == 0:
                progress("check", source.position(), source.size)
        run.flush()
        if progress is not None:
            progress("check", source.size or 0, source.size)
        run.finish()
    return run.result


class _Run:
    """One import's state between batches: only what the rows to come need, never the rows
    already written (issue 19)."""

    def __init__(
        self,
        conn: Connection,
        source: Source,
        checker: Checker,
        now: datetime,
        dry_run: bool,
        progress: Progress,
    ) -> None:
        self.conn = conn
        self.source = source
        self.checker = checker
        self.now = now
        self.dry_run = dry_run
        self.progress = progress
        self.result = ImportResult()
        self.errors: list[tuple[int, str]] = []  # (row number, FILE:LINE: reason)
        self.batch: list[NewEntry] = []
        self.lines: list[tuple[int, Any]] = []  # the batch's (row number, location)
        # key → the entries of it there before the import, for the keys of the file's rows.
        self.existing: dict[str, Existing] = {}
        self.lookup = True  # look the batch's keys up in the database (else all are known)
        # The keys (as ints) of rows already seen that had no entry before the import: their
        # later rows are new too, and must not be looked up (the entries written since match).
        self.fresh: set[int] = set()
        # Rows of keys with entries before the import: matched per key once all are read.
        self.held: list[NewEntry] = []
        self.held_lines: dict[int, tuple[int, Any]] = {}  # index in held → (row number, loc)
        self.to_assign: dict[tuple[int, int], bool] = {}  # pair → written
        self.written = 0
        self.stack = ExitStack()  # holds the bulk load from the first write on
        self.estimate = 0  # rows to load, about (the file's lines), for bulk_load
        self.loading = False

    def flush(self) -> None:
        """Check the batch against the ledger and write its new rows (while no row has failed)."""
        batch, lines = self.batch, self.lines
        if not batch:
            return
        self.batch, self.lines = [], []
        existing, fresh = self.existing, self.fresh
        if self.lookup:
            keys = {r.key for r in batch if r.key not in existing and int(r.key, 16) not in fresh}
            existing.update(existing_entries(self.conn, list(keys)))
        unassigned = self.checker.unassigned
        new: list[NewEntry] = []
        for r, (count, loc) in zip(batch, lines, strict=True):
            if existing and r.key in existing:
                if unassigned and (r.task_id, r.unit_id) in unassigned:
                    self.held_lines[len(self.held)] = (count, loc)
                self.held.append(r)
                continue
            if self.lookup:
                fresh.add(int(r.key, 16))
            if unassigned and (r.task_id, r.unit_id) in unassigned:
                self._unassigned(r, count, loc)
            new.append(r)
        self._add(new)

    def finish(self) -> None:
        """Match the held rows against the entries of their keys, write what they add; or
        RowErrors, listing every bad row in file order."""
        held = self.held
        present, retract_old = match(held, self.existing) if held else (set(), [])
        for i, (count, loc) in self.held_lines.items():
            if i not in present:
                self._unassigned(held[i], count, loc)
        self._add([r for i, r in enumerate(held) if i not in present])
        self.result.present = len(present)
        self.result.rows = self.result.added + self.result.present
        self.result.retractions += len(retract_old)
        self.result.assigned = len(self.to_assign)
        if self.errors:
            self.errors.sort(key=itemgetter(0))
            raise RowErrors(self.source.name, [e for _n, e in self.errors])
        if not self.dry_run:
            write_retractions(self.conn, retract_old, self.now)

    def _unassigned(self, r: NewEntry, count: int, loc: Any) -> None:
        """A unit not assigned to its task: an error (or an assignment) where an entry is added."""
        pair = (r.task_id, r.unit_id)
        if self.checker.assign:
            self.to_assign.setdefault(pair, False)
            return
        unit_name, number = self.checker.unassigned[pair]
        reason = _(
            "unit {unit} is not assigned to task {task} (assign it with "
            "'pufa assign {task} {unit}', or import with --assign)"
        ).format(unit=unit_name, task=number)
        self.errors.append((count, f"{self.source.where(loc)}: {reason}"))

    def _add(self, new: list[NewEntry]) -> None:
        self.result.added += len(new)
        self.result.retractions += sum(1 for r in new if r.retraction is not None)
        if self.errors or self.dry_run or not new:
            return  # nothing more is written: the import fails, or only counts
        pairs = [p for p, written in self.to_assign.items() if not written]
        if pairs:
            write_assignments(self.conn, pairs, self.now)
            self.to_assign.update(dict.fromkeys(pairs, True))
        if not self.loading:
            self.loading = True
            bulk = self.conn.bulk_load("entries", self.estimate, rebuild_from=write.REBUILD_MIN)
            self.stack.enter_context(bulk)
        write_rows(self.conn, new, self.now)
        self.written += len(new)
        if self.progress is not None:
            self.progress("write", self.written, None)


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

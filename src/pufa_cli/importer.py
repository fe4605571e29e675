"""Import: progress entries from csv or xlsx, all rows or none, each seen row recognised.

The columns are those of the entries export (``export.ENTRY_COLUMNS``): ``task``, ``unit``,
``date`` and ``percent`` are required; ``year``, ``metrics``, ``note``, ``by`` and the
retraction columns are optional; ``id``, ``key`` and any column whose header is empty are
ignored. Headers are the machine names or the human labels of any language pufa speaks.

1. **Open** (``open_source``): the file must exist, be .csv (UTF-8, with or without a BOM) or
   .xlsx, and start with a header row naming the required columns. Problems with the file as a
   whole are one error line.
2. **Check every row** (``import_entries``) against the plan, loaded once into dicts: task in
   the plan, unit known (either script), date valid and not after today, percent 0–100,
   metrics valid for the task, note and names clean. Every bad row becomes ``FILE:LINE:
   reason`` (line = spreadsheet row, the header is line 1) and nothing is written
   (``RowErrors``).
3. **Skip what is there**, counting per key (an entry's key is ``tracker.entry_key`` of its
   content, and two entries may share one: ``pufa log`` run twice): N rows of a key against M
   entries of it in the database add the file's last N − M rows of that key (``_match``).
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

import csv
import io
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from pufa_cli.errors import BadInput, NotFound, PufaError, RuntimeFailure
from pufa_cli.export import ENTRY_COLUMNS, column_labels, restore
from pufa_cli.i18n import _
from pufa_cli.progress import PlanRef, find_plan
from pufa_cli.store import Connection, SqliteConnection
from pufa_cli.tracker import (
    MAX_BY,
    MAX_NOTE,
    check_percent,
    clean_text,
    entry_key,
    parse_metrics,
)
from pufa_cli.units import UnitRef, resolve_unit

REQUIRED = ("task", "unit", "date", "percent")
# The columns import reads, in the order of the value tuples the sources yield.
FIELDS = (
    "year",
    "task",
    "unit",
    "date",
    "percent",
    "metrics",
    "note",
    "by",
    "recorded_at",
    "retracted",
    "retracted_at",
    "retracted_by",
    "retraction_reason",
)
IGNORED = ("id", "key")
BATCH = 10_000
# An import of at least this many new entries, and at least as many as the ledger holds,
# rebuilds the entries' indexes after inserting (SQLite).
REBUILD_MIN = 10_000
KEY_LOOKUP_CHUNK = 500

Progress = Callable[[str, int, int | None], None] | None

_TRUE = frozenset({"true", "yes", "y", "1", "是"})
_FALSE = frozenset({"false", "no", "n", "0", "否", ""})
_METRIC_SPLIT = re.compile(r"[;；]")


class RowErrors(BadInput):
    """Some rows are not valid: ``errors`` lists each as ``FILE:LINE: reason``."""

    def __init__(self, name: str, errors: list[str]) -> None:
        super().__init__(
            _("{file}: {n} row(s) not valid; nothing was imported").format(file=name, n=len(errors))
        )
        self.errors = errors


# --- reading the file --------------------------------------------------------------------


def _fold(header: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", header).replace("_", " ").split()).casefold()


def _translations() -> list[Callable[[str], str]]:
    """The gettext function of every language pufa speaks (English: the msgids)."""
    import gettext

    from pufa_cli.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, catalog_dir

    return [
        gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[catalog_dir(lang)], fallback=True
        ).gettext
        for lang in LANGUAGES
    ]


def header_aliases() -> dict[str, str]:
    """Folded header → column: the machine names and the labels of every language (a label
    that means two columns in different languages is dropped, never guessed)."""
    aliases: dict[str, str] = {}
    ambiguous: set[str] = set()

    def add(label: str, column: str) -> None:
        folded = _fold(label)
        if aliases.get(folded, column) != column:
            ambiguous.add(folded)
        aliases[folded] = column

    for column in ENTRY_COLUMNS:
        add(column, column)
    for gettext in _translations():
        labels = column_labels(gettext)
        for column in ENTRY_COLUMNS:
            add(labels[column], column)
    for folded in ambiguous:
        del aliases[folded]
    return aliases


@dataclass
class Source:
    """An opened file: its display name and its rows, read as they are iterated."""

    name: str
    rows: Iterator[tuple[Any, tuple[Any, ...]]]  # (location, values in FIELDS order)
    size: int | None = None  # for progress: lines (csv) or rows (xlsx), about
    position: Callable[[], int] = lambda: 0  # for progress: how far ``rows`` has got
    closer: Callable[[], None] | None = None

    def where(self, loc: Any) -> str:
        if isinstance(loc, tuple):
            return f"{self.name}[{loc[0]}]:{loc[1]}"
        return f"{self.name}:{loc}"

    def close(self) -> None:
        if self.closer is not None:
            self.closer()
            self.closer = None


def _columns(name: str, headers: list[Any], aliases: dict[str, str]) -> dict[str, int]:
    """Column → index for one header row; BadInput for an unknown, doubled or missing one."""
    found: dict[str, int] = {}
    for i, cell in enumerate(headers):
        text = "" if cell is None else str(cell)
        if not text.strip():
            continue
        column = aliases.get(_fold(text))
        if column is None:
            raise BadInput(
                _("{where}: unknown column '{name}' (columns: {known})").format(
                    where=name, name=text.strip(), known=", ".join(ENTRY_COLUMNS)
                )
            )
        if column in found:
            raise BadInput(
                _("{where}: column '{name}' appears twice").format(where=name, name=column)
            )
        found[column] = i
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise BadInput(
            _("{where}: missing column(s) {names} (required: {required})").format(
                where=name, names=", ".join(missing), required=", ".join(REQUIRED)
            )
        )
    return found


def _picker(cols: dict[str, int]) -> Callable[[list[Any] | tuple[Any, ...]], tuple[Any, ...]]:
    """cells → the values of ``FIELDS`` (None for a column the file does not have)."""
    width = max(cols.values()) + 1
    # A missing column reads the None appended after the row's ``width`` cells.
    get = itemgetter(*[cols.get(f, width) for f in FIELDS])
    pad = [None] * (width + 1)

    def pick(cells: list[Any] | tuple[Any, ...]) -> tuple[Any, ...]:
        if len(cells) == width and isinstance(cells, list):
            cells.append(None)
        else:
            cells = [*cells[:width], *pad[min(len(cells), width) :]]
        return get(cells)

    return pick


def _blank(cells: list[Any] | tuple[Any, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def open_source(file: str) -> Source:
    """Open ``file`` (``-``: csv on stdin) and read its header; BadInput if it cannot be."""
    if file == "-":
        raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        return _csv_source("<stdin>", data)
    path = Path(file)
    if not path.exists():
        raise NotFound(_("{file}: no such file").format(file=file))
    if path.is_dir():
        raise BadInput(_("{file}: is a folder, not a file").format(file=file))
    ext = path.suffix.lower()
    if ext not in (".csv", ".xlsx", ".xlsm"):
        raise BadInput(
            _("{file}: unknown file type '{ext}' (import reads .csv and .xlsx)").format(
                file=file, ext=path.suffix or "-"
            )
        )
    if ext == ".csv":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise RuntimeFailure(
                _("cannot read {file}: {reason}").format(file=file, reason=exc.strerror or exc)
            ) from None
        return _csv_source(file, data)
    return _xlsx_source(file, path)


def _csv_source(name: str, data: bytes) -> Source:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BadInput(
            _("{where}: not UTF-8 text (save it as 'CSV UTF-8')").format(where=f"{name}:{line}")
        ) from None
    del data
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise BadInput(
            _("{where}: contains a NUL character (is it a csv text file?)").format(
                where=f"{name}:{line}"
            )
        )
    if not text.strip():
        raise BadInput(
            _("{file}: the file is empty (the first row must name the columns: {required})").format(
                file=name, required=", ".join(REQUIRED)
            )
        )
    read = [0]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise BadInput(f"{name}:1: {exc}") from None
    if _blank(header):
        raise BadInput(
            _("{where}: the first row must name the columns: {required}").format(
                where=f"{name}:1", required=", ".join(REQUIRED)
            )
        )
    pick = _picker(_columns(f"{name}:1", header, header_aliases()))
    width = len(header)

    def rows() -> Iterator[tuple[Any, tuple[Any, ...]]]:
        line = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise BadInput(f"{name}:{line + 1}: {exc}") from None
            line += 1
            # A first cell with text: not blank (the common case, without a look at every cell).
            if not cells or (not cells[0].strip() and _blank(cells)):
                continue
            if len(cells) > width and not _blank(cells[width:]):
                raise BadInput(
                    _("{where}: {n} cells, but the header names {m} columns").format(
                        where=f"{name}:{line}", n=len(cells), m=width
                    )
                )
            read[0] = line
            yield line, pick(cells)

    # Progress counts rows against the lines of the file (a note may span several).
    return Source(name, rows(), size=text.count("\n") + 1, position=lambda: read[0])


def _entries_sheet_names(names: list[str]) -> list[str]:
    """The entries sheets of a workbook (``Entries``, ``Entries 2`` … in any language), else
    the first sheet (a department's own one-sheet workbook)."""
    bases = {"entries"} | {_fold(gettext("Entries")) for gettext in _translations()}
    picked = []
    for n in names:
        folded = _fold(n)
        base, _sep, tail = folded.rpartition(" ")
        if folded in bases or (tail.isdigit() and base in bases):
            picked.append(n)
    return picked or names[:1]


def _xlsx_source(name: str, path: Path) -> Source:
    import warnings
    import zipfile

    try:
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        with warnings.catch_warnings():
            # openpyxl warns about features of other writers (data validation, styles): noise.
            warnings.simplefilter("ignore")
            wb = load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        if isinstance(exc, zipfile.BadZipFile):
            raise BadInput(_("{file}: not an xlsx workbook").format(file=name)) from None
        raise RuntimeFailure(
            _("cannot read {file}: {reason}").format(file=name, reason=exc.strerror or exc)
        ) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
        raise BadInput(
            _("{file}: not an xlsx workbook ({reason})").format(
                file=name, reason=str(exc).split("\n")[0] or type(exc).__name__
            )
        ) from None
    try:
        sheets = _entries_sheet_names(list(wb.sheetnames))
        if not sheets:
            raise BadInput(_("{file}: the workbook has no sheet").format(file=name))
        aliases = header_aliases()
        opened: list[tuple[str, Any, Callable[..., tuple[Any, ...]]]] = []
        total = 0
        for title in sheets:
            ws = wb[title]
            it = ws.iter_rows(values_only=True)
            header = next(it, None)
            if header is None or _blank(header):
                raise BadInput(
                    _("{where}: the first row must name the columns: {required}").format(
                        where=f"{name}[{title}]:1", required=", ".join(REQUIRED)
                    )
                )
            opened.append(
                (title, it, _picker(_columns(f"{name}[{title}]:1", list(header), aliases)))
            )
            total += max(0, (ws.max_row or 0) - 1)
    except BaseException:
        wb.close()
        raise
    seen = [0]

    def rows() -> Iterator[tuple[Any, tuple[Any, ...]]]:
        for title, it, pick in opened:
            line = 1
            for cells in it:
                line += 1
                seen[0] += 1
                if _blank(cells):
                    continue
                yield (title, line), pick(cells)

    return Source(name, rows(), size=total or None, position=lambda: seen[0], closer=wb.close)


# --- checking rows -----------------------------------------------------------------------


@dataclass
class _PlanData:
    plan: PlanRef
    tasks: dict[int, int]  # task number → task id
    targets: dict[int, dict[str, tuple[int, float]]]  # task id → key → (target id, target)
    assigned: set[tuple[int, int]]  # (task id, unit id)


def _plan_data(conn: Connection, plan: PlanRef) -> _PlanData:
    tasks = {
        int(n): int(i)
        for i, n in conn.rows("SELECT id, number FROM tasks WHERE plan_id = :p", {"p": plan.id})
    }
    targets: dict[int, dict[str, tuple[int, float]]] = {i: {} for i in tasks.values()}
    for gid, tid, key, target in conn.rows(
        "SELECT g.id, g.task_id, g.key, g.target FROM targets g JOIN tasks t ON t.id = g.task_id "
        "WHERE t.plan_id = :p ORDER BY g.task_id, g.position",
        {"p": plan.id},
    ):
        targets[int(tid)][str(key)] = (int(gid), float(target))
    assigned = {
        (int(t), int(u))
        for t, u in conn.rows(
            "SELECT a.task_id, a.unit_id FROM assignments a JOIN tasks t ON t.id = a.task_id "
            "WHERE t.plan_id = :p",
            {"p": plan.id},
        )
    }
    return _PlanData(plan, tasks, targets, assigned)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _whole(value: Any, what: str) -> int:
    if type(value) is str:
        try:
            return int(value)
        except ValueError:
            pass
    return _int_cell(value, what)


def _int_cell(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise BadInput(_("{what}: '{value}' is not a whole number").format(what=what, value=value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = unicodedata.normalize("NFKC", _text(value)).strip()
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if number.is_integer():
            return int(number)
        raise BadInput(
            _("{what}: '{value}' is not a whole number").format(what=what, value=text)
        ) from None


def _percent(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadInput(_("percent is empty"))
    text = value
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().removesuffix("%").strip()
    try:
        number = _int_cell(text, "percent")
    except BadInput:
        raise BadInput(
            _("percent must be a whole number from 0 to 100, not {value}").format(
                value=_text(value).strip()
            )
        ) from None
    return check_percent(number)


def _day(value: Any) -> date:
    from pufa_cli.timing import parse_date

    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _text(value).strip()
        if not text:
            raise BadInput(_("date is empty"))
        day = parse_date(unicodedata.normalize("NFKC", text).replace("/", "-").replace(".", "-"))
    return day


def _moment(value: Any, what: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0) if value is not None else None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = _text(value).strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None, microsecond=0)
    except ValueError:
        raise BadInput(
            _("{what}: '{value}' is not a date and time (YYYY-MM-DDTHH:MM:SS)").format(
                what=what, value=text
            )
        ) from None


@lru_cache(maxsize=1)
def _flag_words() -> tuple[frozenset[str], frozenset[str]]:
    """The words for true and false: ours, and the yes and no of every language pufa speaks
    (what export writes with ``--headers human``)."""
    gettexts = _translations()
    return (
        _TRUE | {g("yes").casefold() for g in gettexts},
        _FALSE | {g("no").casefold() for g in gettexts},
    )


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    folded = _text(value).strip().casefold()
    true, false = _flag_words()
    if folded in true:
        return True
    if folded in false:
        return False
    raise BadInput(
        _("retracted: '{value}' is not true or false").format(value=_text(value).strip())
    )


def _clean(value: Any, what: str, limit: int, *, multiline: bool = False) -> str:
    return clean_text(restore(_text(value)), what, limit, multiline=multiline)


# A checked row: key, task id, unit id, date, percent, note, by, recorded_at (or None),
# {target id: value}, (retracted_at or None, retracted_by, reason) or None.
Checked = tuple[
    str, int, int, date, int, str, str, datetime | None, dict[int, float], tuple[Any, ...] | None
]


@dataclass
class ImportResult:
    rows: int = 0
    added: int = 0
    present: int = 0
    retractions: int = 0
    assigned: int = 0


class _Checker:
    """Checks rows against the plans, with everything it needs loaded once."""

    def __init__(
        self,
        conn: Connection,
        default_plan: PlanRef,
        default_by: str,
        today: date,
        assign: bool,
    ) -> None:
        self.conn = conn
        self.default = default_plan
        self.today = today
        self.assign = assign
        self.default_by = clean_text(default_by, _("--by"), MAX_BY) or "unknown"
        self.plans: dict[int, _PlanData | str] = {}
        self.units: dict[str, UnitRef | str] = {}
        # (task id, unit id) → (unit name, task number) of the rows whose unit is not assigned
        # to their task: an error (or an assignment, with --assign) for the rows that add an
        # entry, nothing for those already present.
        self.unassigned: dict[tuple[int, int], tuple[str, int]] = {}
        self.people: dict[Any, str] = {}
        self.label_note = _("note")
        self.label_by = _("by")
        self.label_reason = _("retraction_reason")

    def plan(self, year: int) -> _PlanData:
        data = self.plans.get(year)
        if data is None:
            try:
                plan = self.default if year == self.default.year else find_plan(self.conn, year)
                data = _plan_data(self.conn, plan)
            except PufaError as exc:
                data = exc.message
            self.plans[year] = data
        if isinstance(data, str):
            raise BadInput(data)
        return data

    def unit(self, typed: Any) -> UnitRef:
        unit = self.units.get(typed)
        if unit is None:
            name = restore(_text(typed)).strip()
            try:
                unit = resolve_unit(self.conn, name) if name else _("unit is empty")
            except PufaError as exc:
                unit = exc.message
            self.units[typed] = unit
        if isinstance(unit, str):
            raise BadInput(unit)
        return unit

    def by_name(self, value: Any) -> str:
        by = self.people.get(value)
        if by is None:
            by = _clean(value, self.label_by, MAX_BY) or self.default_by
            self.people[value] = by
        return by

    def check(self, v: tuple[Any, ...]) -> Checked:
        """One row's values (in ``FIELDS`` order) → a checked row; BadInput with the reason.

        Written for 100,000 rows a second or so: the common case (text cells from a csv, as
        pufa writes them) takes the short paths, anything else the general helpers."""
        (
            year_v,
            task_v,
            unit_v,
            date_v,
            pct_v,
            metrics_v,
            note_v,
            by_v,
            rec_v,
            retr_v,
            retr_at_v,
            retr_by_v,
            reason_v,
        ) = v
        if year_v is None or year_v == "":
            year = self.default.year
        else:
            year = _whole(year_v, "year")
        data = self.plans.get(year)
        if data is None or isinstance(data, str):
            data = self.plan(year)
        if task_v is None or task_v == "":
            raise BadInput(_("task is empty"))
        number = _whole(task_v, "task")
        task_id = data.tasks.get(number)
        if task_id is None:
            raise BadInput(_("no task {n} in plan {year}").format(n=number, year=year))
        unit = self.units.get(unit_v)
        if unit is None or isinstance(unit, str):
            unit = self.unit(unit_v)
        pair = (task_id, unit.id)
        if pair not in data.assigned and pair not in self.unassigned:
            self.unassigned[pair] = (unit.name, number)
        day = None
        if type(date_v) is str and len(date_v) == 10 and date_v[4] == "-" and date_v[7] == "-":
            try:
                day = date.fromisoformat(date_v)
            except ValueError:
                pass
        if day is None:
            day = _day(date_v)
        if day > self.today:
            raise BadInput(_("the date {day} is in the future").format(day=day.isoformat()))
        percent = -1
        if type(pct_v) is str:
            try:
                percent = int(pct_v)
            except ValueError:
                pass
        if not 0 <= percent <= 100:
            percent = _percent(pct_v)
        targets = data.targets[task_id]
        values: dict[str, float] = {}
        if metrics_v is not None and metrics_v != "":
            text = unicodedata.normalize("NFKC", restore(_text(metrics_v)))
            items = [p for p in _METRIC_SPLIT.split(text) if p.strip()]
            values = parse_metrics(items, targets, number)
        note = ""
        if note_v:
            note = clean_text(
                restore(note_v) if type(note_v) is str else _text(note_v),
                self.label_note,
                MAX_NOTE,
                multiline=True,
            )
        by = self.people.get(by_v) or self.by_name(by_v)
        recorded = None
        if type(rec_v) is str and len(rec_v) == 19:
            try:
                recorded = datetime.fromisoformat(rec_v)
            except ValueError:
                pass
            if recorded is not None and recorded.tzinfo is not None:
                recorded = None
        if recorded is None and rec_v is not None and rec_v != "":
            recorded = _moment(rec_v, "recorded_at")
        retraction = None
        if retr_v is None or retr_v == "false" or retr_v == "":
            if reason_v or retr_by_v or retr_at_v:
                self._no_retraction(retr_v, reason_v, retr_by_v, retr_at_v)
        elif _flag(retr_v):
            reason = _clean(reason_v, self.label_reason, MAX_NOTE, multiline=True)
            if not reason:
                raise BadInput(_("a retracted row needs a retraction_reason"))
            retraction = (
                _moment(retr_at_v, "retracted_at"),
                _clean(retr_by_v, self.label_by, MAX_BY) or self.default_by,
                reason,
            )
        else:
            self._no_retraction(retr_v, reason_v, retr_by_v, retr_at_v)
        key = entry_key(year, number, unit.name, day, percent, values, note, by)
        return (
            key,
            task_id,
            unit.id,
            day,
            percent,
            note,
            by,
            recorded,
            {targets[k][0]: x for k, x in values.items()} if values else {},
            retraction,
        )

    def _no_retraction(self, flag: Any, reason: Any, by: Any, at: Any) -> None:
        """A row not marked retracted must leave the retraction columns empty."""
        _flag(flag)
        if (
            _clean(reason, self.label_reason, MAX_NOTE, multiline=True)
            or _clean(by, self.label_by, MAX_BY)
            or _moment(at, "retracted_at") is not None
        ):
            raise BadInput(_("retraction columns are filled but retracted is not true"))


# --- the import --------------------------------------------------------------------------


# Entries of one key in the database: how many, how many retracted, the ids of those not
# retracted (ascending).
Existing = tuple[int, int, tuple[int, ...]]


def _existing(conn: Connection, keys: list[str]) -> dict[str, Existing]:
    """key → the entries with that key (``Existing``), for the keys that have any, looked up
    in chunks through ``ix_entries_key`` (never the whole table)."""
    found: dict[str, Existing] = {}
    for start in range(0, len(keys), KEY_LOOKUP_CHUNK):
        chunk = keys[start : start + KEY_LOOKUP_CHUNK]
        names = ", ".join(f":k{i}" for i in range(len(chunk)))
        for key, eid, retracted in conn.rows(
            "SELECT e.key, e.id, CASE WHEN r.entry_id IS NULL THEN 0 ELSE 1 END "
            "FROM entries e LEFT JOIN retractions r ON r.entry_id = e.id "
            f"WHERE e.key IN ({names}) ORDER BY e.id",
            {f"k{i}": k for i, k in enumerate(chunk)},
        ):
            old = found.get(key)
            if old is None:
                found[str(key)] = (1, 1, ()) if retracted else (1, 0, (int(eid),))
            else:
                count, gone, free = old
                found[key] = (
                    (count + 1, gone + 1, free)
                    if retracted
                    else (count + 1, gone, (*free, int(eid)))
                )
    return found


def _match(
    rows: list[Checked], existing: dict[str, Existing]
) -> tuple[set[int], list[tuple[int, tuple[Any, ...]]]]:
    """(indexes of the rows already present, retractions for entries already there).

    Per key: N rows in the file, M entries in the database → the last N − M rows are added
    (the entries there stand for the file's first rows of the key, as an earlier export of a
    growing ledger would have it). R retracted rows, Q retracted entries → of the rows added,
    up to R − Q are the file's retracted ones (each brings its own retraction); the retractions
    still missing go to entries there and not retracted, lowest id first.
    """
    first: dict[str, int] = {}
    more: dict[str, list[int]] = {}  # the keys with several rows: all their rows
    for i, r in enumerate(rows):
        key = r[0]
        if key in existing:
            j = first.setdefault(key, i)
            if j != i:
                more.setdefault(key, [j]).append(i)
    present: set[int] = set()
    retract_old: list[tuple[int, tuple[Any, ...]]] = []
    for key, i in first.items():
        if key in more:
            continue
        # One row (the common case): present; its retraction reaches the entry there, unless
        # one of the entries with its key is retracted already.
        present.add(i)
        mark = rows[i][9]
        if mark is not None:
            _count, gone, free = existing[key]
            if not gone:
                retract_old.append((free[0], mark))
    for key, indexes in more.items():
        count, gone, free = existing[key]
        marked = [(i, m) for i in indexes if (m := rows[i][9]) is not None]
        plain = [i for i in indexes if rows[i][9] is None]
        add = max(0, len(indexes) - count)
        add_marked = min(add, max(0, len(marked) - gone))
        add_plain = add - add_marked  # never more than len(plain), as N - R >= M - Q
        present.update(i for i, _m in marked[: len(marked) - add_marked])
        present.update(plain[: len(plain) - add_plain])
        missing = max(0, len(marked) - gone - add_marked)  # never more than len(free)
        retract_old += [(eid, m) for eid, (_i, m) in zip(free, marked[:missing], strict=False)]
    return present, retract_old


def import_entries(
    conn: Connection,
    source: Source,
    *,
    default_year: int | None,
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
    checker = _Checker(conn, find_plan(conn, default_year), default_by, today, assign)
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
    existing = {} if empty else _existing(conn, list({r[0] for r in rows}))
    present, retract_old = _match(rows, existing) if existing else (set(), [])

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
    _write(conn, new, retract_old, list(to_assign), now, progress)
    return result


def _write(
    conn: Connection,
    new: list[Checked],
    retract_old: list[tuple[int, tuple[Any, ...]]],
    to_assign: list[tuple[int, int]],
    now: datetime,
    progress: Progress,
) -> None:
    sqlite = isinstance(conn, SqliteConnection)
    if sqlite:
        # 100,000 random keys going into ix_entries_key thrash SQLite's default 2 MB page cache;
        # 64 MB for this one connection takes a third off the write.
        conn.run("PRAGMA cache_size = -65536")
    if to_assign:
        conn.run_many(
            "INSERT INTO assignments (task_id, unit_id, role, due_word, due_date, created_at) "
            "VALUES (:t, :u, 'support', NULL, NULL, :at)",
            [{"t": t, "u": u, "at": now} for t, u in to_assign],
        )
    before = int(conn.scalar("SELECT COALESCE(MAX(id), 0) FROM entries") or 0)
    # An import at least as large as the ledger (the first import into a new database, say)
    # builds the entries' indexes once after the insert instead of keeping them up to date row
    # by row: sorting 100,000 keys at the end is cheaper than 100,000 inserts at random places
    # of ix_entries_key. Same transaction, so a failure rolls the DROP back with the rest.
    indexes: list[tuple[str, str]] = []
    if sqlite and len(new) >= max(REBUILD_MIN, before):
        indexes = [
            (str(name), str(sql))
            for name, sql in conn.rows(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'entries' AND sql IS NOT NULL ORDER BY name"
            )
        ]
        for name, _sql in indexes:
            conn.run(f'DROP INDEX "{name}"')
    for start in range(0, len(new), BATCH):
        _insert(
            conn, "entries", _ENTRY_COLUMNS, _entry_rows(new[start : start + BATCH], now, sqlite)
        )
        if progress is not None:
            progress("write", min(start + BATCH, len(new)), len(new))
    for _name, sql in indexes:
        conn.run(sql)
    ids = _new_ids(conn, new, before, sqlite)
    _insert(
        conn,
        "entry_metrics",
        ("entry_id", "target_id", "value"),
        ((ids[i], g, v) for i, r in enumerate(new) if r[8] for g, v in r[8].items()),
    )
    retractions = [(ids[i], r[9]) for i, r in enumerate(new) if r[9] is not None] + retract_old
    _insert(
        conn,
        "retractions",
        ("entry_id", "reason", "retracted_by", "retracted_at"),
        ((eid, reason, by, _at(at or now, sqlite)) for eid, (at, by, reason) in retractions),
    )


_ENTRY_COLUMNS = (
    "task_id",
    "unit_id",
    "entry_date",
    "percent",
    "note",
    "recorded_by",
    "created_at",
    "key",
)


def _entry_rows(rows: list[Checked], now: datetime, sqlite: bool) -> Iterator[tuple[Any, ...]]:
    """The values of ``_ENTRY_COLUMNS``; on SQLite with dates as db.SqliteConnection stores
    them (ISO text, a space before the time)."""
    if not sqlite:
        return ((r[1], r[2], r[3], r[4], r[5], r[6], r[7] or now, r[0]) for r in rows)
    at = now.isoformat(sep=" ")
    return (
        (
            r[1],
            r[2],
            r[3].isoformat(),
            r[4],
            r[5],
            r[6],
            r[7].isoformat(sep=" ") if r[7] else at,
            r[0],
        )
        for r in rows
    )


def _at(moment: datetime, sqlite: bool) -> Any:
    return moment.isoformat(sep=" ") if sqlite else moment


def _insert(
    conn: Connection, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
) -> None:
    """INSERT ``rows`` (tuples in the order of ``columns``) in bulk.

    On SQLite the tuples go straight to sqlite3's ``executemany`` (values already as SQLite
    stores them): the connection API's mapping per row, each value checked for a date, took
    0.4 s of a 100,000-entry import. Elsewhere through ``run_many``.
    """
    names = ", ".join(columns)
    if isinstance(conn, SqliteConnection):
        marks = ", ".join("?" for _ in columns)
        conn.raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        return
    params = ", ".join(f":{c}" for c in columns)
    conn.run_many(
        f"INSERT INTO {table} ({names}) VALUES ({params})",
        (dict(zip(columns, row, strict=True)) for row in rows),
    )


def _new_ids(conn: Connection, new: list[Checked], before: int, sqlite: bool) -> dict[int, int]:
    """index in ``new`` → id, for the new entries that carry metrics or a retraction."""
    wanted = [i for i, r in enumerate(new) if r[8] or r[9] is not None]
    if not wanted:
        return {}
    if sqlite:
        # Inside the write lock SQLite gives each new row the next id in insertion order, so
        # the new ids are before + 1 … before + n when the count and the last one say so.
        count, last = conn.one(
            "SELECT COUNT(*), MAX(id) FROM entries WHERE id > :before", {"before": before}
        ) or (0, None)
        if int(count) == len(new) and last is not None and int(last) == before + len(new):
            return {i: before + 1 + i for i in wanted}
    # Else by key: the entries of one key were inserted in the order of ``new``, so their ids,
    # ascending, go to its rows of that key in turn (two rows may share a key).
    keys = {new[i][0] for i in wanted}
    by_key: dict[str, list[int]] = {}
    # rows, not stream: on PostgreSQL a stream leaves the connection on server-side cursors,
    # which cannot run the INSERTs that follow.
    for eid, key in conn.rows(
        "SELECT id, key FROM entries WHERE id > :before ORDER BY id DESC", {"before": before}
    ):
        if key in keys:
            by_key.setdefault(str(key), []).append(int(eid))
    ids: dict[int, int] = {}
    for i, r in enumerate(new):
        if r[8] or r[9] is not None:
            ids[i] = by_key[r[0]].pop()
        elif r[0] in by_key:
            by_key[r[0]].pop()  # this row's entry: the next id of its key is another row's
    return ids


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

"""The files import reads: csv (UTF-8) and xlsx, opened with their header row checked, then
read row by row (``Source.rows``: location and the values of ``FIELDS``)."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from pufa_cli.errors import BadInput, NotFound, RuntimeFailure
from pufa_cli.exchange.columns import ENTRY_COLUMNS, fold, header_aliases, translations
from pufa_cli.i18n import _

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
        column = aliases.get(fold(text))
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
    bases = {"entries"} | {fold(gettext("Entries")) for gettext in translations()}
    picked = []
    for n in names:
        folded = fold(n)
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

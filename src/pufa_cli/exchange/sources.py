"""The files import reads, opened with their header row checked, then read row by row
(``Source.rows``: location and the values of ``FIELDS``): csv (``read_csv``), xlsx and legacy
xls (``read_sheets``). This module opens the file and maps a header row to the columns."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from pufa_cli.errors import BadInput, NotFound, RuntimeFailure
from pufa_cli.exchange.columns import ENTRY_COLUMNS, fold, named_columns
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
    "problems",
    "next",
    "evidence",
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
    encoding: str | None = None  # csv: the encoding the text was read in (read_csv.decode)

    def where(self, loc: Any) -> str:
        if isinstance(loc, tuple):
            return f"{self.name}[{loc[0]}]:{loc[1]}"
        return f"{self.name}:{loc}"

    def close(self) -> None:
        if self.closer is not None:
            self.closer()
            self.closer = None


def columns(name: str, headers: list[Any], aliases: dict[str, str]) -> dict[str, int]:
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
                    where=name, name=text.strip(), known=named_columns(ENTRY_COLUMNS)
                )
            )
        if column in found:
            raise BadInput(
                _("{where}: column '{name}' appears twice").format(
                    where=name, name=named_columns([column])
                )
            )
        found[column] = i
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise BadInput(
            _("{where}: missing column(s) {names} (required: {required})").format(
                where=name, names=named_columns(missing), required=named_columns(REQUIRED)
            )
        )
    return found


def picker(cols: dict[str, int]) -> Callable[[list[Any] | tuple[Any, ...]], tuple[Any, ...]]:
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
        picked: tuple[Any, ...] = get(cells)
        return picked

    return pick


def blank(cells: list[Any] | tuple[Any, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def open_source(file: str) -> Source:
    """Open ``file`` (``-``: csv on stdin) and read its header; BadInput if it cannot be."""
    from pufa_cli.exchange.read_csv import csv_source

    if file == "-":
        raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        return csv_source("<stdin>", data)
    path = Path(file)
    if not path.exists():
        raise NotFound(_("{file}: no such file").format(file=file))
    if path.is_dir():
        raise BadInput(_("{file}: is a folder, not a file").format(file=file))
    ext = path.suffix.lower()
    if ext not in (".csv", ".xlsx", ".xlsm", ".xls"):
        raise BadInput(
            _("{file}: unknown file type '{ext}' (import reads .csv, .xlsx and .xls)").format(
                file=file, ext=path.suffix or "-"
            )
        )
    if ext == ".csv":
        try:
            return csv_source(file, path=path)
        except OSError as exc:
            raise RuntimeFailure(
                _("cannot read {file}: {reason}").format(file=file, reason=exc.strerror or exc)
            ) from None
    from pufa_cli.exchange import read_sheets

    if ext == ".xls":
        return read_sheets.xls_source(file, path)
    return read_sheets.xlsx_source(file, path)

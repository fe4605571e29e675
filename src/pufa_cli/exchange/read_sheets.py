"""Workbooks for import: xlsx (openpyxl) and legacy xls (xlrd).

Import reads the sheets named Entries, Entries 2 … (in any language), else the first sheet.
A number in the percent column shown with a percent format (Excel stores 100 % as 1.0) is
read as the percent it shows: value × 100.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pufa_cli.errors import BadInput, RuntimeFailure
from pufa_cli.exchange.columns import fold, header_aliases, translations
from pufa_cli.exchange.sources import FIELDS, REQUIRED, Source, blank, columns, picker
from pufa_cli.i18n import _

PERCENT = FIELDS.index("percent")

# One sheet: its title, its rows as (values, percent-formatted?) — the flag says whether the
# row's percent cell is shown as a percent — and about how many rows it has.
Sheet = tuple[str, Iterator[tuple[list[Any], Callable[[int], bool]]], int]


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


_LITERALS = re.compile(r'"[^"]*"|\\.')


def scales_percent(number_format: str | None) -> bool:
    """Whether a number format shows value × 100 with a % sign (``0%``, ``0.0%``); a quoted
    or escaped % (``0.0"%"``, what pufa writes) is a literal sign and scales nothing."""
    return bool(number_format) and "%" in _LITERALS.sub("", number_format or "")


def _as_percent(value: Any) -> Any:
    """A percent-formatted number as the percent it shows (1.0 → 100, 0.375 → 37.5)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(value * 100, 9)
    return value


def _workbook_source(
    name: str, sheets: Iterable[Sheet], closer: Callable[[], None] | None
) -> Source:
    """The Source over a workbook's entries sheets: headers checked now, rows as iterated."""
    aliases = header_aliases()
    opened = []
    total = 0
    for title, it, size in sheets:
        first = next(it, None)
        if first is None or blank(first[0]):
            raise BadInput(
                _("{where}: the first row must name the columns: {required}").format(
                    where=f"{name}[{title}]:1", required=", ".join(REQUIRED)
                )
            )
        cols = columns(f"{name}[{title}]:1", list(first[0]), aliases)
        opened.append((title, it, picker(cols), cols.get("percent", -1)))
        total += max(0, size - 1)
    seen = [0]

    def rows() -> Iterator[tuple[Any, tuple[Any, ...]]]:
        for title, it, pick, pct in opened:
            line = 1
            for values, is_percent in it:
                line += 1
                seen[0] += 1
                if blank(values):
                    continue
                if 0 <= pct < len(values) and is_percent(pct):
                    values[pct] = _as_percent(values[pct])
                yield (title, line), pick(values)

    return Source(name, rows(), size=total or None, position=lambda: seen[0], closer=closer)


# --- xlsx --------------------------------------------------------------------------------


def _xlsx_rows(ws: Any) -> Iterator[tuple[list[Any], Callable[[int], bool]]]:
    for cells in ws.iter_rows():

        def is_percent(i: int, cells: Any = cells) -> bool:
            return scales_percent(cells[i].number_format)

        yield [c.value for c in cells], is_percent


def xlsx_source(name: str, path: Path) -> Source:
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
        titles = _entries_sheet_names(list(wb.sheetnames))
        if not titles:
            raise BadInput(_("{file}: the workbook has no sheet").format(file=name))
        sheets = [(t, _xlsx_rows(wb[t]), wb[t].max_row or 0) for t in titles]
        return _workbook_source(name, sheets, wb.close)
    except BaseException:
        wb.close()
        raise


# --- xls (Excel 97–2003) -----------------------------------------------------------------


def _xls_rows(book: Any, sheet: Any) -> Iterator[tuple[list[Any], Callable[[int], bool]]]:
    import xlrd

    def value(cell: Any) -> Any:
        kind = cell.ctype
        if kind == xlrd.XL_CELL_DATE:
            moment = xlrd.xldate_as_datetime(cell.value, book.datemode)
            return moment.date() if moment.time() == moment.min.time() else moment
        if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            return None
        if kind == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        return cell.value

    def shown_as_percent(cell: Any) -> bool:
        xf = book.xf_list[cell.xf_index]
        fmt = book.format_map.get(xf.format_key)
        return fmt is not None and scales_percent(fmt.format_str)

    for r in range(sheet.nrows):
        cells = sheet.row(r)

        def is_percent(i: int, cells: Any = cells) -> bool:
            return shown_as_percent(cells[i])

        yield [value(c) for c in cells], is_percent


def xls_source(name: str, path: Path) -> Source:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except OSError as exc:
        raise RuntimeFailure(
            _("cannot read {file}: {reason}").format(file=name, reason=exc.strerror or exc)
        ) from None
    except Exception as exc:  # xlrd raises XLRDError and struct/assertion errors on bad files
        raise BadInput(
            _("{file}: not an xls workbook ({reason})").format(
                file=name, reason=str(exc).split("\n")[0] or type(exc).__name__
            )
        ) from None
    try:
        titles = _entries_sheet_names(list(book.sheet_names()))
        if not titles:
            raise BadInput(_("{file}: the workbook has no sheet").format(file=name))
        sheets = []
        for t in titles:
            sheet = book.sheet_by_name(t)
            sheets.append((t, _xls_rows(book, sheet), sheet.nrows))
        return _workbook_source(name, sheets, book.release_resources)
    except BaseException:
        book.release_resources()
        raise

"""csv files for import: decoded as Chinese Excel writes them, and read strictly.

* **Encodings.** UTF-8 (with or without a BOM) first; UTF-16 (what Excel's "Unicode text"
  writes: a BOM, or NUL bytes beside ASCII); else GB18030, the superset of GBK and GB2312 that
  Excel writes as "CSV" on a Chinese Windows. ``Source.encoding`` names the one used, and
  every message about the file's header says so when it is not UTF-8.
* **Delimiter.** A comma; a tab when the header row has tabs and no comma (UTF-16 text).
* **Strict quoting.** An unclosed quote would otherwise swallow every later row into one cell:
  it is an error naming the row where the quoted cell starts, as is text after a closing
  quote (``"ab"c``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from pufa_cli.errors import BadInput
from pufa_cli.exchange.columns import header_aliases
from pufa_cli.exchange.sources import REQUIRED, Source, blank, columns, picker
from pufa_cli.i18n import _

UTF8 = "UTF-8"
UTF16 = "UTF-16"
GB18030 = "GB18030"


def _utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le"/"utf-16-be" when the first bytes look like ASCII text in UTF-16."""
    head = data[:200]
    if len(head) < 4:
        return None
    odd, even = head[1::2], head[0::2]
    # ASCII in UTF-16 has a NUL high byte; a CJK character rarely a NUL low one (一 is 4E00).
    if odd.count(0) >= len(odd) * 0.4 and even.count(0) <= len(even) * 0.1:
        return "utf-16-le"
    if even.count(0) >= len(even) * 0.4 and odd.count(0) <= len(odd) * 0.1:
        return "utf-16-be"
    return None


def decode(name: str, data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a csv file's bytes; BadInput if none fits."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", UTF16)]
    else:
        candidates = [("utf-8-sig", UTF8)]
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            candidates.insert(0, (utf16, UTF16))
        candidates.append(("gb18030", GB18030))
    first_error: UnicodeDecodeError | None = None
    for codec, label in candidates:
        try:
            return data.decode(codec), label
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    assert first_error is not None
    line = data.count(b"\n", 0, first_error.start) + 1
    raise BadInput(
        _("{where}: neither UTF-8, UTF-16 nor GB18030 text (save it as 'CSV UTF-8')").format(
            where=f"{name}:{line}"
        )
    )


def _csv_problem(name: str, line: int, exc: csv.Error) -> BadInput:
    if "unexpected end of data" in str(exc):
        return BadInput(
            _(
                "{where}: a quoted cell starts in this row and is never closed "
                '(a " is missing; nothing after it could be read)'
            ).format(where=f"{name}:{line}")
        )
    return BadInput(
        _(
            '{where}: not valid csv: a quoted cell must end with " and then a comma or the end '
            "of the row"
        ).format(where=f"{name}:{line}")
    )


def csv_source(name: str, data: bytes) -> Source:
    text, encoding = decode(name, data)
    del data
    read_as = "" if encoding == UTF8 else " " + _("(read as {encoding})").format(encoding=encoding)
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise BadInput(
            _("{where}: contains a NUL character (is it a csv text file?)").format(
                where=f"{name}:{line}"
            )
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise BadInput(
            _("{file}: the file is empty (the first row must name the columns: {required})").format(
                file=name, required=", ".join(REQUIRED)
            )
        )
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    read = [0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise _csv_problem(name, 1, exc) from None
    if blank(header):
        raise BadInput(
            _("{where}: the first row must name the columns: {required}").format(
                where=f"{name}:1", required=", ".join(REQUIRED)
            )
            + read_as
        )
    try:
        pick = picker(columns(f"{name}:1", header, header_aliases()))
    except BadInput as exc:
        raise BadInput(exc.message + read_as) from None
    width = len(header)

    def rows() -> Iterator[tuple[Any, tuple[Any, ...]]]:
        line = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _csv_problem(name, line + 1, exc) from None
            line += 1
            # A first cell with text: not blank (the common case, without a look at every cell).
            if not cells or (not cells[0].strip() and blank(cells)):
                continue
            if len(cells) > width and not blank(cells[width:]):
                raise BadInput(
                    _("{where}: {n} cells, but the header names {m} columns").format(
                        where=f"{name}:{line}", n=len(cells), m=width
                    )
                )
            read[0] = line
            yield line, pick(cells)

    # Progress counts rows against the lines of the file (a note may span several).
    return Source(
        name, rows(), size=text.count("\n") + 1, position=lambda: read[0], encoding=encoding
    )

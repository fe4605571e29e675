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

import codecs
import csv
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

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


# Bytes decoded at a time while a file is scanned and read.
CHUNK = 1 << 20


def _candidates(head: bytes) -> list[tuple[str, str]]:
    """The codecs to try, in order, for a file that starts with ``head``."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [("utf-16", UTF16)]
    candidates = [("utf-8-sig", UTF8)]
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        candidates.insert(0, (utf16, UTF16))
    candidates.append(("gb18030", GB18030))
    return candidates


@dataclass
class _Scan:
    """What one pass over a file's text found: its codec, lines, first NUL, any text."""

    codec: str
    encoding: str
    lines: int = 1
    nul_line: int | None = None
    has_text: bool = False


def _scan(name: str, open_bytes: Callable[[], BinaryIO]) -> _Scan:
    """The first codec that decodes the whole file (see the module doc), found by decoding it a
    chunk at a time without keeping the text; BadInput, naming the line, if none does."""
    with open_bytes() as f:
        head = f.read(200)
    first_error: tuple[str, UnicodeDecodeError] | None = None
    for codec, label in _candidates(head):
        scan = _Scan(codec, label)
        decoder = codecs.getincrementaldecoder(codec)("strict")
        try:
            with open_bytes() as f:
                while True:
                    chunk = f.read(CHUNK)
                    text = decoder.decode(chunk, final=not chunk)
                    if scan.nul_line is None and "\x00" in text:
                        scan.nul_line = scan.lines + text.count("\n", 0, text.find("\x00"))
                    scan.lines += text.count("\n")
                    if not scan.has_text and text.lstrip("\ufeff").strip():
                        scan.has_text = True
                    if not chunk:
                        return scan
        except UnicodeDecodeError as exc:
            first_error = first_error or (codec, exc)
    assert first_error is not None
    # Where the first codec failed, from the whole file (only on this error).
    with open_bytes() as f:
        data = f.read()
    try:
        data.decode(first_error[0])
        line = 1
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
    raise BadInput(
        _("{where}: neither UTF-8, UTF-16 nor GB18030 text (save it as 'CSV UTF-8')").format(
            where=f"{name}:{line}"
        )
    )


def decode(name: str, data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a csv file's bytes; BadInput if none fits."""
    scan = _scan(name, lambda: io.BytesIO(data))
    return data.decode(scan.codec), scan.encoding


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


def csv_source(name: str, data: bytes | None = None, path: Path | None = None) -> Source:
    """The rows of a csv file, given as its bytes (stdin) or its path (read twice, a chunk at
    a time: once to tell its encoding, then row by row; the text is never held whole)."""
    if path is not None:
        file = path

        def open_bytes() -> BinaryIO:
            return file.open("rb")
    else:
        raw = data or b""

        def open_bytes() -> BinaryIO:
            return io.BytesIO(raw)

    scan = _scan(name, open_bytes)
    encoding = scan.encoding
    read_as = "" if encoding == UTF8 else " " + _("(read as {encoding})").format(encoding=encoding)
    if scan.nul_line is not None:
        raise BadInput(
            _("{where}: contains a NUL character (is it a csv text file?)").format(
                where=f"{name}:{scan.nul_line}"
            )
        )
    if not scan.has_text:
        raise BadInput(
            _("{file}: the file is empty (the first row must name the columns: {required})").format(
                file=name, required=", ".join(REQUIRED)
            )
        )
    stream = io.TextIOWrapper(open_bytes(), encoding=scan.codec, newline="")
    try:
        return _rows_of(name, stream, scan, read_as)
    except BaseException:
        stream.close()
        raise


def _rows_of(name: str, stream: io.TextIOWrapper, scan: _Scan, read_as: str) -> Source:
    """The header read and checked; the rows read as they are asked for."""
    text = stream.readline()
    if text.startswith("\ufeff"):
        text = text[1:]
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    read = [0]
    reader = csv.reader(itertools.chain([text], stream), delimiter=delimiter, strict=True)
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
        name,
        rows(),
        size=scan.lines,
        position=lambda: read[0],
        closer=stream.close,
        encoding=scan.encoding,
    )

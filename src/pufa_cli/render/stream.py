"""Long tables written a row at a time, looking exactly as ``layout.table`` through Rich does.

Rich lays out a table by rendering every cell of every row as segments before the first line
is written: ~0.6 ms a row, a minute and 700 MB for ``pufa tasks`` over 100,000 tasks (issue 19).
Short tables (up to :data:`STREAM_ROWS` rows) still go through Rich; a longer one comes here.
The widths are measured from the data once (``layout``'s rules: a fixed column takes its
widest line, a flexible one its share of the width), Rich renders the empty table's title,
header, rule and caption at those widths, and the rows are written here, line by line, with
Rich's own rules for a cell:

* a cell's lines are its ``\\n``-separated parts, each padded (or, right-aligned, stripped and
  padded) to the column's width with cells measured by ``rich.cells.cell_len``;
* a part wider than a flexible column folds: without blanks, at ``rich.cells.chop_cells``'s
  points (Rich's ``divide_line`` does the same for a single word); with blanks, by
  ``rich.text.Text.wrap`` itself;
* text is text: pufa's console reads no markup or emoji codes (``render.console``), so a
  string is laid out as written; a cell in several styles (:class:`Spans`) goes through Rich's
  own cell rendering; a tab anywhere sends the whole table to Rich.

Piped output is byte for byte Rich's (the tests compare them over generated rows, CJK text,
wrapped titles and multi-line cells); on a terminal the same text carries the same colours.

Per row the cost is kept to a few microseconds (issue 19: ~2 µs a cell, where Rich's own
measuring and wrapping took ~20): the widths are measured as the rows are packed; a cell's
lines are computed once per distinct value of its column (dates, percents and statuses repeat;
Rich's wrapping of "in progress, overdue" ran once a row); and widths and folds of plain text
use Rich's per-character widths directly (:func:`cells`, :func:`chop`), Rich's functions
themselves for the rare text whose width is not the sum of its characters'.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

from pufa_cli.render.layout import Col, _padding, _shares, least_width, visible

# Up to this many rows a table goes through Rich; more are streamed (the output is the same).
STREAM_ROWS = 200

# The gap between two columns: a cell's right padding, the divider, the next cell's left.
_GAP = "   "

# A column's cells whose lines are remembered (a column of distinct titles starts over).
_MEMO = 4096


def _joined(text: str) -> bool:
    """Whether ``text`` holds a character Rich measures other than one by one: the zero width
    joiner or variation selector 16 (they change the width of the character before them). Not
    a regular expression: compiling one cost every command that loads this module ~0.25 ms."""
    return "\u200d" in text or "\ufe0f" in text


@functools.cache
def blank() -> re.Pattern[str]:
    """Matches str.isspace's characters (compiled on first use: only a folding cell asks)."""
    return re.compile(r"\s")


class Styled(NamedTuple):
    """A cell of plain text in a style (a status in its light's colour)."""

    text: str
    style: str

    @property
    def plain(self) -> str:  # as rich.text.Text's, for layout's measures
        return self.text


class Spans:
    """A cell of text in several styles, ``(text, style)`` parts one after the other (a
    retracted entry's note: the retraction in red, then the note). Rich lays it out (a few
    cells of a long table), as ``rich.text.Text.assemble(*parts)``. A plain class, as
    :class:`Streamed`: making a NamedTuple costs every command that loads the module ~0.2 ms."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[tuple[str, str], ...]) -> None:
        self.parts = parts

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Spans) and other.parts == self.parts

    def __hash__(self) -> int:
        return hash(self.parts)

    def __repr__(self) -> str:
        return f"Spans({self.parts!r})"

    @property
    def plain(self) -> str:
        return "".join(text for text, _style in self.parts)

    def rich_text(self) -> Any:
        from rich.text import Text

        return Text.assemble(*((visible(text), style) for text, style in self.parts))


_WIDTHS: dict[str, int] = {}  # character → its cells, as rich.cells.get_character_cell_size


def _char_widths(text: str) -> dict[str, int]:
    from rich.cells import get_character_cell_size

    for ch in text:
        if ch not in _WIDTHS:
            _WIDTHS[ch] = get_character_cell_size(ch)
    return _WIDTHS


def cells(text: str) -> int:
    """``rich.cells.cell_len(text)``: printable ASCII is its length, other text the sum of its
    characters' widths (Rich's own rule, without the calls), and text with a joiner or
    variation selector goes to Rich."""
    if text.isascii():
        if text.isprintable():
            return len(text)
    elif not _joined(text):
        try:
            return sum(map(_WIDTHS.__getitem__, text))
        except KeyError:
            return sum(map(_char_widths(text).__getitem__, text))
    from rich.cells import cell_len

    return cell_len(text)


def chop(text: str, width: int) -> list[str]:
    """``rich.cells.chop_cells(text, width)``: the text cut into lines of at most ``width``
    cells, a wide character never split; a character of no width stays with the one before
    it, as in Rich's graphemes (for text without a joiner or variation selector: a line only
    ends before a character that takes room)."""
    if text.isascii() and text.isprintable():
        return [text[i : i + width] for i in range(0, len(text), width)]
    if _joined(text):
        from rich.cells import chop_cells

        return chop_cells(text, width)
    widths = _WIDTHS if all(map(_WIDTHS.__contains__, text)) else _char_widths(text)
    lines: list[str] = []
    size = start = 0
    for i, ch in enumerate(text):
        w = widths[ch]
        if size + w > width:
            lines.append(text[start:i])
            start, size = i, 0
        size += w
    if size:
        lines.append(text[start:])
    return lines


def _natural_cells(text: str) -> int:
    """The widest line of a cell."""
    if "\n" in text:
        return max(cells(line) for line in text.split("\n"))
    return cells(text)


class PackedRows(Sequence[list[Any]]):
    """Rows kept as one string each (100,000 rows of 7 cells in ~30 MB, not ~100 MB): cells
    made visible (so they hold no control character) and joined by \\x1f; a ``Styled`` cell
    is its text and style joined by \\x1e, a ``Spans`` cell each part so, after a \\x1d.
    Each column's widest line is measured as the rows come (``widths``), and whether a cell
    holds a tab (``tabs``)."""

    def __init__(self) -> None:
        self.packed: list[str] = []
        self.widths: list[int] = []
        self.tabs = False
        # Per column: a text or Styled cell → (its packed form, its width); dates, percents
        # and statuses repeat. (Only those types: 1 == True == 1.0 would share a key.)
        self._seen: list[dict[Any, tuple[str, int]]] = []

    def append(self, row: Sequence[Any]) -> None:
        texts = []
        widths = self.widths
        if not widths:
            widths.extend([0] * len(row))
            self._seen.extend({} for _ in row)
        for i, v in enumerate(row):
            kind = type(v)
            if kind is str or kind is Styled:
                seen = self._seen[i]
                done = seen.get(v)
                if done is None:
                    if len(seen) >= _MEMO:
                        seen.clear()
                    done = seen[v] = self._pack(v)
                packed, size = done
            else:
                packed, size = self._pack(v)
            if size > widths[i]:
                widths[i] = size
            texts.append(packed)
        self.packed.append("\x1f".join(texts))

    def _pack(self, value: Any) -> tuple[str, int]:
        if isinstance(value, Styled):
            text = visible(value.text)
            packed = f"{text}\x1e{value.style}"
        elif isinstance(value, Spans):
            parts = [(visible(t), style) for t, style in value.parts]
            text = "".join(t for t, _style in parts)
            packed = "".join(f"\x1d{t}\x1e{style}" for t, style in parts)
        else:
            text = packed = _visible_text(value)
        if "\t" in text:
            self.tabs = True
        return packed, _natural_cells(text)

    def __len__(self) -> int:
        return len(self.packed)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return [_unpack(v) for v in self.packed[i].split("\x1f")]


def _unpack(cell: str) -> Any:
    if cell.startswith("\x1d"):
        return Spans(tuple(_styled(part) for part in cell[1:].split("\x1d")))
    return Styled(*_styled(cell)) if "\x1e" in cell else cell


def _styled(part: str) -> tuple[str, str]:
    text, _sep, style = part.partition("\x1e")
    return text, style


def _visible_text(value: Any) -> str:
    if isinstance(value, str):
        return visible(value)
    return "" if value is None else str(value)


def print_table(
    title: str | None,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Any]],
    caption: str | None = None,
) -> None:
    """Print a table: through Rich up to STREAM_ROWS rows, else streamed (the same output)."""
    show_page([page_table(title, cols, rows, caption)])


def write_table(
    title: str | None,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Any]],
    caption: str | None = None,
    least: int = 0,
) -> None:
    """Print ``rows`` under ``cols`` as ``show(table(title, cols, rows, caption), least)``
    would: laid out for the terminal's width, printed at least ``least`` wide."""
    from pufa_cli.render import console, show
    from pufa_cli.render.layout import table

    packed = pack(rows)
    if packed.tabs:
        show(table(title, cols, _Cells(rows).rich_rows(), caption=caption), least)
        return
    natural = _natural(cols, packed)
    out = console()
    fixed = sum(w for w, c in zip(natural, cols, strict=True) if not c.flexible)
    caps = _shares(natural, cols, out.width - fixed - _padding(cols))
    least = max(least, least_width(cols, natural))
    if least > out.width:  # as show() does: wider than the terminal, never cut
        out.width = least
    widths = [caps.get(i, natural[i]) if c.flexible else natural[i] for i, c in enumerate(cols)]
    writer = _Writer(out, cols, widths)
    head = writer.rich_lines(None, None)
    writer.emit(writer.rich_lines(visible(title) if title else None, None))
    for row in packed.packed:
        writer.row(row)
    if caption:
        writer.emit(writer.rich_lines(None, caption)[len(head) :])
    writer.flush()


def pack(rows: Sequence[Sequence[Any]]) -> PackedRows:
    if isinstance(rows, PackedRows):
        return rows
    packed = PackedRows()
    for row in rows:
        packed.append(row)
    return packed


def _natural(cols: Sequence[Col], packed: PackedRows) -> list[int]:
    """Each column's widest line, its header's included."""
    natural = [cells(c.header) for c in cols]
    for i, size in enumerate(packed.widths):
        natural[i] = max(natural[i], size)
    return natural


class Streamed:
    """A long table among a page's parts (``pufa show``'s history): :func:`show_page` prints
    it with :func:`write_table`, the parts around it through Rich."""

    __slots__ = ("caption", "cols", "rows", "title")

    def __init__(
        self, title: str | None, cols: Sequence[Col], rows: PackedRows, caption: str | None
    ) -> None:
        self.title, self.cols, self.rows, self.caption = title, cols, rows, caption

    @property
    def pufa_min_width(self) -> int:
        return least_width(self.cols, _natural(self.cols, self.rows))


def page_table(
    title: str | None,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Any]],
    caption: str | None = None,
    footer: Sequence[Any] | None = None,
) -> Any:
    """A table of a page: through Rich (``layout.table``) up to STREAM_ROWS rows, else a
    :class:`Streamed` one; either prints the same. A table with a footer (a total row) always
    goes through Rich."""
    if len(rows) > STREAM_ROWS and footer is None:
        packed = pack(rows)
        if not packed.tabs:
            return Streamed(title, cols, packed, caption)
    from pufa_cli.render.layout import table

    return table(title, cols, _Cells(rows).rich_rows(), caption, footer)


def show_page(parts: Sequence[Any]) -> None:
    """Print ``parts`` one after the other as ``show(Group(*parts))`` does, a :class:`Streamed`
    table streamed: every part at the width the widest of them needs (``show``'s rule)."""
    from pufa_cli.render import show

    if not any(isinstance(p, Streamed) for p in parts):
        from rich.console import Group

        show(Group(*parts))
        return
    # Every part is laid out for the terminal, and printed as wide as the widest part needs.
    needed = max((getattr(p, "pufa_min_width", 0) for p in parts), default=0)
    for part in parts:
        if isinstance(part, Streamed):
            write_table(part.title, part.cols, part.rows, part.caption, least=needed)
        else:
            show(part, needed)


class _Cells(Sequence[list[Any]]):
    """``rows`` as ``layout.table`` sees them: None as "", text made visible."""

    def __init__(self, rows: Sequence[Sequence[Any]]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return [_cell(v) for v in self.rows[i]]

    def rich_rows(self) -> list[list[Any]]:
        from rich.text import Text

        return [
            [
                Text(v.text, style=v.style)
                if isinstance(v, Styled)
                else v.rich_text()
                if isinstance(v, Spans)
                else v
                for v in row
            ]
            for row in self.rows
        ]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (Styled, Spans)):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return visible(value) if isinstance(value, str) else value


class _Writer:
    def __init__(self, out: Any, cols: Sequence[Col], widths: list[int]) -> None:
        self.out = out
        self.cols = cols
        self.widths = widths
        self.terminal = bool(out.is_terminal)
        self.lines: list[str] = []
        self.styles: dict[tuple[str, str], str] = {}
        self.blank = [" " * w for w in widths]
        # Per column: a packed cell → its lines (see the module doc).
        self.memo: list[dict[str, list[str]]] = [{} for _ in cols]

    def rich_lines(self, title: str | None, caption: str | None) -> list[str]:
        """The empty table at these widths, as Rich prints it: title, header, rule, caption."""
        from rich import box
        from rich.table import Table

        t = Table(
            title=title,
            caption=caption,
            box=box.SIMPLE_HEAD,
            title_justify="left",
            caption_justify="left",
            pad_edge=False,
            show_edge=False,
        )
        for col, width in zip(self.cols, self.widths, strict=True):
            if col.flexible:
                t.add_column(
                    col.header,
                    justify=col.justify,
                    overflow="fold",
                    no_wrap=False,
                    min_width=width,
                    max_width=width,
                    style=col.style,
                )
            else:
                t.add_column(
                    col.header, justify=col.justify, no_wrap=True, min_width=width, style=col.style
                )
        with self.out.capture() as captured:
            self.out.print(t)
        lines: list[str] = captured.get().split("\n")[:-1]
        return lines

    def emit(self, lines: list[str]) -> None:
        for line in lines:
            self.lines.append(line if self.terminal else line.rstrip())
        if len(self.lines) >= 2000:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            sys.stdout.write("\n".join(self.lines) + "\n")
            self.lines = []

    def row(self, packed: str) -> None:
        parts = []
        height = 1
        for i, value in enumerate(packed.split("\x1f")):
            memo = self.memo[i]
            lines = memo.get(value)
            if lines is None:
                if len(memo) >= _MEMO:
                    memo.clear()
                lines = memo[value] = self.cell(_unpack(value), self.cols[i], self.widths[i])
            if len(lines) > height:
                height = len(lines)
            parts.append(lines)
        if height == 1:
            line = _GAP.join([p[0] for p in parts])
            self.lines.append(line if self.terminal else line.rstrip())
        else:
            blank = self.blank
            for n in range(height):
                line = _GAP.join([p[n] if n < len(p) else blank[i] for i, p in enumerate(parts)])
                self.lines.append(line if self.terminal else line.rstrip())
        if len(self.lines) >= 2000:
            self.flush()

    def cell(self, value: Any, col: Col, width: int) -> list[str]:
        if isinstance(value, Spans):
            return self.rich_cell(value.rich_text(), col, width)
        if isinstance(value, Styled):
            lines = _lines(self.out, value.text, col, width)
            if not self.terminal or not value.style:
                return lines
            return [self.styled(line, value.style) for line in lines]
        return _lines(self.out, value, col, width)

    def styled(self, text: str, style: str) -> str:
        key = (text, style)
        done = self.styles.get(key)
        if done is None:
            done = self.styles[key] = self.out.get_style(style).render(
                text, color_system=self.out._color_system, legacy_windows=self.out.legacy_windows
            )
        return done

    def rich_cell(self, value: Any, col: Col, width: int) -> list[str]:
        """A ``rich.text.Text`` cell (several styles): rendered by Rich, as a table cell."""
        options = self.out.options.update(
            width=width,
            justify=col.justify,
            no_wrap=not col.flexible,
            overflow="fold" if col.flexible else "ellipsis",
            height=None,
            highlight=False,
        )
        out = []
        for segments in self.out.render_lines(value, options, pad=True):
            if self.terminal:
                out.append(
                    "".join(
                        s.text
                        if s.style is None
                        else s.style.render(
                            s.text,
                            color_system=self.out._color_system,
                            legacy_windows=self.out.legacy_windows,
                        )
                        for s in segments
                    )
                )
            else:
                out.append("".join(s.text for s in segments))
        return out


def _lines(out: Any, value: str, col: Col, width: int) -> list[str]:
    """The lines of a plain-text cell, each exactly ``width`` cells wide (see the module doc)."""
    lines: list[str] = []
    for part in value.split("\n"):
        size = cells(part)
        if size <= width:
            lines.append(_pad(part, size, col.justify, width))
        elif width >= 2 and blank().search(part) is None:
            start = 0
            for chunk in chop(part, width)[:-1]:
                piece = part[start : start + len(chunk)]
                lines.append(_pad(piece, cells(piece), col.justify, width))
                start += len(chunk)
            rest = part[start:]
            lines.append(_pad(rest, cells(rest), col.justify, width))
        else:
            from rich.text import Text

            for line in Text(part).wrap(out, width, justify=col.justify, overflow="fold"):
                plain = line.plain
                lines.append(plain + " " * (width - cells(plain)))
    return lines


def _pad(text: str, size: int, justify: str, width: int) -> str:
    if justify == "left":
        return text + " " * (width - size)
    text = text.rstrip()
    size = cells(text)
    if justify == "right":
        return " " * (width - size) + text
    left = (width - size) // 2
    return " " * left + text + " " * (width - size - left)

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
* a string that Rich would read as markup or emoji codes (``[``, ``:``) and does change, goes
  through Rich's own cell rendering; a tab anywhere sends the whole table to Rich.

Piped output is byte for byte Rich's (the tests compare them over generated rows, CJK text,
wrapped titles and multi-line cells); on a terminal the same text carries the same colours.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

from pufa_cli.render.layout import Col, _floor, _padding, _shares, visible

# Up to this many rows a table goes through Rich; more are streamed (the output is the same).
STREAM_ROWS = 200

# The gap between two columns: a cell's right padding, the divider, the next cell's left.
_GAP = "   "


class Styled(NamedTuple):
    """A cell of plain text in a style (a status in its light's colour)."""

    text: str
    style: str

    @property
    def plain(self) -> str:  # as rich.text.Text's, for layout's measures
        return self.text


class PackedRows(Sequence[list[Any]]):
    """Rows kept as one string each (100,000 rows of 7 cells in ~30 MB, not ~100 MB): cells
    made visible (so they hold no control character) and joined by \\x1f; a ``Styled`` cell
    is its text and style joined by \\x1e."""

    def __init__(self) -> None:
        self.packed: list[str] = []

    def append(self, row: Sequence[Any]) -> None:
        self.packed.append(
            "\x1f".join(
                f"{visible(v.text)}\x1e{v.style}" if isinstance(v, Styled) else _visible_text(v)
                for v in row
            )
        )

    def __len__(self) -> int:
        return len(self.packed)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return [
            Styled(*v.split("\x1e", 1)) if "\x1e" in v else v for v in self.packed[i].split("\x1f")
        ]


def _visible_text(value: Any) -> str:
    return "" if value is None else visible(value) if isinstance(value, str) else str(value)


def print_table(
    title: str | None,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Any]],
    caption: str | None = None,
) -> None:
    """Print a table: through Rich up to STREAM_ROWS rows, else streamed (the same output)."""
    if len(rows) > STREAM_ROWS:
        write_table(title, cols, rows, caption)
        return
    from pufa_cli.render import show
    from pufa_cli.render.layout import table

    show(table(title, cols, _Cells(rows).rich_rows(), caption=caption))


def write_table(
    title: str | None,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Any]],
    caption: str | None = None,
) -> None:
    """Print ``rows`` under ``cols`` as ``show(table(title, cols, rows, caption))`` would."""
    from pufa_cli.render import console, show
    from pufa_cli.render.layout import table

    cells: Sequence[list[Any]] = rows if isinstance(rows, PackedRows) else _Cells(rows)
    natural, tabs = _measure(cols, cells)
    if tabs:
        show(table(title, cols, _Cells(rows).rich_rows(), caption=caption))
        return
    out = console()
    fixed = sum(w for w, c in zip(natural, cols, strict=True) if not c.flexible)
    caps = _shares(natural, cols, out.width - fixed - _padding(cols))
    least = fixed + _padding(cols)
    least += sum(_floor(c, natural[i]) for i, c in enumerate(cols) if c.flexible)
    if least > out.width:  # as show() does: wider than the terminal, never cut
        out.width = least
    widths = [caps.get(i, natural[i]) if c.flexible else natural[i] for i, c in enumerate(cols)]
    writer = _Writer(out, cols, widths)
    head = writer.rich_lines(None, None)
    writer.emit(writer.rich_lines(visible(title) if title else None, None))
    for row in cells:
        writer.row(row)
    if caption:
        writer.emit(writer.rich_lines(None, caption)[len(head) :])
    writer.flush()


def _measure(cols: Sequence[Col], rows: Sequence[list[Any]]) -> tuple[list[int], bool]:
    """Each column's natural width (``layout._natural``'s: its widest line, header included),
    in one pass; and whether a cell holds a tab."""
    from rich.cells import cell_len

    natural = [cell_len(c.header) for c in cols]
    tabs = False
    for row in rows:
        for i, value in enumerate(row):
            text = value.text if isinstance(value, Styled) else value
            if "\n" in text:
                size = max(cell_len(line) for line in text.split("\n"))
            else:
                size = cell_len(text)
            if size > natural[i]:
                natural[i] = size
            if "\t" in text:
                tabs = True
    return natural, tabs


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
            [Text(v.text, style=v.style) if isinstance(v, Styled) else v for v in row]
            for row in self.rows
        ]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Styled):
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

    def row(self, row: list[Any]) -> None:
        parts = [
            self.cell(v, col, w) for v, col, w in zip(row, self.cols, self.widths, strict=True)
        ]
        height = max(len(p) for p in parts)
        if height == 1:
            self.emit([_GAP.join(p[0] for p in parts)])
            return
        self.emit(
            [
                _GAP.join(p[n] if n < len(p) else self.blank[i] for i, p in enumerate(parts))
                for n in range(height)
            ]
        )

    def cell(self, value: Any, col: Col, width: int) -> list[str]:
        if isinstance(value, Styled):
            lines = _lines(self.out, value.text, col, width)
            if not self.terminal or not value.style:
                return lines
            return [self.styled(line, value.style) for line in lines]
        if ("[" in value or ":" in value) and _marked_up(self.out, value):
            return self.rich_cell(value, col, width)
        return _lines(self.out, value, col, width)

    def styled(self, text: str, style: str) -> str:
        key = (text, style)
        done = self.styles.get(key)
        if done is None:
            done = self.styles[key] = self.out.get_style(style).render(
                text, color_system=self.out._color_system, legacy_windows=self.out.legacy_windows
            )
        return done

    def rich_cell(self, value: str, col: Col, width: int) -> list[str]:
        """A cell Rich reads as markup: rendered by Rich, as a table cell."""
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


def _marked_up(out: Any, value: str) -> bool:
    """Whether Rich would print ``value`` otherwise than as written (markup, emoji codes)."""
    text = out.render_str(value, highlight=False)
    return bool(text.spans) or text.plain != value


def _lines(out: Any, value: str, col: Col, width: int) -> list[str]:
    """The lines of a plain-text cell, each exactly ``width`` cells wide (see the module doc)."""
    from rich.cells import cell_len, chop_cells

    lines: list[str] = []
    for part in value.split("\n"):
        size = cell_len(part)
        if size <= width:
            lines.append(_pad(part, size, col.justify, width))
        elif width >= 2 and not any(ch.isspace() for ch in part):
            start = 0
            for chunk in chop_cells(part, width)[:-1]:
                piece = part[start : start + len(chunk)]
                lines.append(_pad(piece, cell_len(piece), col.justify, width))
                start += len(chunk)
            rest = part[start:]
            lines.append(_pad(rest, cell_len(rest), col.justify, width))
        else:
            from rich.text import Text

            for line in Text(part).wrap(out, width, justify=col.justify, overflow="fold"):
                plain = line.plain
                lines.append(plain + " " * (width - cell_len(plain)))
    return lines


def _pad(text: str, size: int, justify: str, width: int) -> str:
    if justify == "left":
        return text + " " * (width - size)
    from rich.cells import cell_len

    text = text.rstrip()
    size = cell_len(text)
    if justify == "right":
        return " " * (width - size) + text
    left = (width - size) // 2
    return " " * left + text + " " * (width - size - left)

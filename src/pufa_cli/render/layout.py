"""Table layout: columns that fit the terminal without cutting what must stay whole.

A column is *fixed* (numbers, ids, dates, unit names, metrics: never cut, always its full
width) or *flexible* (titles, notes, lists of targets or units): a flexible column gets a share
of the room the fixed ones leave and **wraps** onto more lines when its text is longer, so a
long title reads in full over two or three lines instead of ``創新開展“法…``. Only when even
a narrow share does not fit are optional columns dropped (``fit``), in the order a view names
them. Piped output is not limited by a terminal at all (see ``console``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, NamedTuple

from pufa_cli.errors import escape_controls

# The narrowest a flexible column is made (cells): four Chinese characters, one English word.
MIN_FLEX = 8


class Col(NamedTuple):
    """A table column: header, alignment, and whether it may wrap onto more lines."""

    header: str
    justify: Literal["left", "right", "center"] = "left"
    flexible: bool = False
    style: str | None = None
    # The narrowest a flexible column is made (its longest word, say); default MIN_FLEX.
    least: int = MIN_FLEX


def visible(text: str) -> str:
    """Text safe to print on a terminal, keeping its line breaks and tabs: every other control
    character, bidi control or line separator becomes an escape such as ``\\x1b`` or
    ``\\u202e`` (``errors.escape_controls``, the one escaping rule, applied line by line), so
    plan text or a value read from a file can neither drive the terminal nor reorder a line."""
    if "\n" not in text and "\t" not in text:
        return escape_controls(text)
    return "\n".join(
        "\t".join(escape_controls(part) for part in line.split("\t")) for line in text.split("\n")
    )


def _visible_cell(value: Any) -> Any:
    if isinstance(value, str):
        return visible(value)
    plain = getattr(value, "plain", None)
    if plain is not None and visible(plain) != plain:
        from rich.text import Text

        return Text(visible(plain), style=value.style)
    return value


def _natural(
    cols: Sequence[Col], rows: Sequence[Sequence[Any]], footer: Sequence[Any] | None
) -> list[int]:
    from rich.cells import cell_len

    return [
        max(
            [cell_len(col.header)]
            + [max((cell_len(line) for line in _plain(r[i]).split("\n")), default=0) for r in rows]
            + ([cell_len(str(footer[i]))] if footer else [])
        )
        for i, col in enumerate(cols)
    ]


def _padding(cols: Sequence[Col]) -> int:
    # One space each side of a cell (none at the outer edges) and a one-space divider.
    return (2 * len(cols) - 2) + (len(cols) - 1)


def fixed_width(
    cols: Sequence[Col], rows: Iterable[Sequence[Any]], footer: Sequence[Any] | None = None
) -> int:
    """Cells that ``table`` gives to its fixed columns and padding: what is left of the width
    goes to the flexible ones."""
    materialised = [["" if v is None else v for v in row] for row in rows]
    natural = _natural(cols, materialised, footer)
    return _padding(cols) + sum(w for w, c in zip(natural, cols, strict=True) if not c.flexible)


def _floor(col: Col, natural: int) -> int:
    """The narrowest a flexible column is made: its ``least``, its header (a header is not
    wrapped: 完成狀態 stays on one line), or its whole text when that is shorter."""
    from rich.cells import cell_len

    return min(max(col.least, cell_len(col.header)), natural)


def _shares(natural: list[int], cols: Sequence[Col], room: int) -> dict[int, int]:
    """Widths for the flexible columns: all they want if it fits, else the room shared in
    proportion to what each wants, none below MIN_FLEX (or its own width, if smaller)."""
    flex = [i for i, c in enumerate(cols) if c.flexible]
    wanted = sum(natural[i] for i in flex)
    if not flex or wanted <= room:
        return {}
    caps: dict[int, int] = {}
    floors = {i: _floor(cols[i], natural[i]) for i in flex}
    left = max(room, sum(floors.values()))
    for n, i in enumerate(flex):
        share = left if n == len(flex) - 1 else left * natural[i] // wanted
        # What the columns after this one need at the least stays theirs.
        later = sum(floors[j] for j in flex[n + 1 :])
        caps[i] = max(floors[i], min(natural[i], share, left - later))
        left -= caps[i]
        wanted -= natural[i]
    return caps


def table(
    title: str | None,
    cols: Sequence[Col],
    rows: Iterable[Sequence[Any]],
    caption: str | None = None,
    footer: Sequence[Any] | None = None,
    width: int | None = None,
) -> Any:
    """A Rich table that fits ``width`` (default: the console's): every fixed column keeps its
    full width on one line, and the flexible ones (titles, notes) wrap within their share."""
    from rich import box
    from rich.table import Table

    from pufa_cli.render import console

    materialised = [["" if v is None else _visible_cell(v) for v in row] for row in rows]
    natural = _natural(cols, materialised, footer)
    total_width = width or console().width
    title = None if title is None else visible(title)
    fixed = sum(w for w, c in zip(natural, cols, strict=True) if not c.flexible)
    caps = _shares(natural, cols, total_width - fixed - _padding(cols))
    t = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        show_footer=footer is not None,
        title_justify="left",
        caption_justify="left",
        pad_edge=False,
        show_edge=False,
    )
    for i, col in enumerate(cols):
        foot = str(footer[i]) if footer else ""
        if col.flexible:
            share = caps.get(i, natural[i])
            t.add_column(
                col.header,
                justify=col.justify,
                overflow="fold",
                no_wrap=False,
                min_width=share,
                max_width=share,
                style=col.style,
                footer=foot,
            )
        else:
            t.add_column(
                col.header,
                justify=col.justify,
                no_wrap=True,
                min_width=natural[i],
                style=col.style,
                footer=foot,
            )
    for row in materialised:
        t.add_row(*[v if not isinstance(v, (int, float)) else str(v) for v in row])
    # The narrowest this table can be without cutting a fixed column (show() honours it).
    t.pufa_min_width = least_width(cols, natural)  # type: ignore[attr-defined]
    return t


def least_width(cols: Sequence[Col], natural: Sequence[int]) -> int:
    """The narrowest a table of these columns can be (their ``natural`` widths): fixed columns
    whole, flexible ones at their floor. The streamed table (render/stream.py) uses it too."""
    fixed = sum(w for w, c in zip(natural, cols, strict=True) if not c.flexible)
    return (
        fixed
        + _padding(cols)
        + sum(_floor(c, natural[i]) for i, c in enumerate(cols) if c.flexible)
    )


def fit(
    cols: list[Col],
    rows: list[list[Any]],
    footer: list[Any] | None,
    width: int,
    optional: list[int],
    min_cells: int,
) -> tuple[list[Col], list[list[Any]], list[Any] | None]:
    """Drop optional columns (in the order given) until every flexible column can have
    ``min_cells`` (or its whole text, if shorter) — wrapped, never cut."""
    from rich.cells import cell_len

    def room(c: list[Col], r: list[list[Any]], f: list[Any] | None) -> bool:
        flex = [i for i, col in enumerate(c) if col.flexible]
        wanted = sum(
            min(min_cells, max([cell_len(c[i].header)] + [cell_len(_plain(x[i])) for x in r]))
            for i in flex
        )
        return width - fixed_width(c, r, f) >= wanted

    def keep_only(drop: list[int]) -> tuple[list[Col], list[list[Any]], list[Any] | None]:
        keep = [j for j in range(len(cols)) if j not in drop]
        return (
            [cols[j] for j in keep],
            [[row[j] for j in keep] for row in rows],
            None if footer is None else [footer[j] for j in keep],
        )

    drop: list[int] = []
    for i in optional:
        if room(*keep_only(drop)):
            break
        drop.append(i)
    return keep_only(drop)


def _plain(value: Any) -> str:
    text = getattr(value, "plain", None)
    return str(text if text is not None else value)


def _md_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table; columns holding only numbers are right-aligned."""
    materialised = [list(r) for r in rows]
    numeric = [
        any(isinstance(r[i], (int, float)) and not isinstance(r[i], bool) for r in materialised)
        and all(
            r[i] in ("", None) or (isinstance(r[i], (int, float)) and not isinstance(r[i], bool))
            for r in materialised
        )
        for i in range(len(headers))
    ]
    lines = [
        "| " + " | ".join(_md_cell(h) for h in headers) + " |",
        "|" + "|".join("---:" if n else "---" for n in numeric) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in materialised]
    return "\n".join(lines) + "\n"

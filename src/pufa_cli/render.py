"""Rows → what a person or a script reads: Rich tables, JSON, CSV, Markdown. No SQL here.

stdout carries data only; notices go to stderr (and ``--quiet`` silences them). Rich decides
colour: none when stdout is not a terminal or ``NO_COLOR`` is set. Width follows the terminal
(or ``COLUMNS``); piped output is not cut at all. Numbers never give way; in a narrow
terminal long titles do (cut with …).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

_quiet = False


def set_quiet(value: bool) -> None:
    global _quiet
    _quiet = value


def notice(message: str) -> None:
    """Chatter for people, on stderr; silent with --quiet."""
    if not _quiet:
        print(message, file=sys.stderr)


def print_json(data: Any) -> None:
    import json  # ~1.5 ms: only for JSON output

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


# Width when stdout is a pipe or a file and COLUMNS is not set: wide enough that nothing is cut
# (cron mails and `> ledger.txt` keep whole titles); a terminal uses its own width.
PIPE_WIDTH = 400


def console(stderr: bool = False) -> Any:
    import os

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None
    if not os.environ.get("COLUMNS") and not _isatty(stream):
        width = PIPE_WIDTH
    # NO_COLOR means no control codes at all: Rich's own no_color keeps bold and italic.
    if os.environ.get("NO_COLOR"):
        return Console(
            stderr=stderr, highlight=False, soft_wrap=False, width=width, color_system=None
        )
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@dataclass(frozen=True)
class Col:
    """A table column: header, alignment, and whether it may give way (be cut with …)."""

    header: str
    justify: Literal["left", "right", "center"] = "left"
    flexible: bool = False
    style: str | None = None


def table(
    title: str | None,
    cols: Sequence[Col],
    rows: Iterable[Sequence[Any]],
    caption: str | None = None,
    footer: Sequence[Any] | None = None,
    width: int | None = None,
) -> Any:
    """A Rich table that fits ``width`` (default: the console's): every fixed column keeps its
    full width, and only the flexible ones (titles, notes) give way, cut with …."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    materialised = [["" if v is None else v for v in row] for row in rows]
    natural = [
        max(
            [cell_len(col.header)]
            + [cell_len(_plain(r[i])) for r in materialised]
            + ([cell_len(str(footer[i]))] if footer else [])
        )
        for i, col in enumerate(cols)
    ]
    total_width = width or console().width
    # One space each side of a cell (none at the outer edges) and a one-space divider.
    padding = (2 * len(cols) - 2) + (len(cols) - 1)
    fixed = sum(w for w, c in zip(natural, cols, strict=True) if not c.flexible)
    flex = [i for i, c in enumerate(cols) if c.flexible]
    room = total_width - fixed - padding
    caps: dict[int, int] = {}
    if flex:
        wanted = sum(natural[i] for i in flex)
        if wanted > room:
            # Share the room in proportion to what each flexible column would like.
            left = max(room, 6 * len(flex))
            for n, i in enumerate(flex):
                share = left if n == len(flex) - 1 else max(6, left * natural[i] // wanted)
                caps[i] = max(6, min(natural[i], share))
                left -= caps[i]
                wanted -= natural[i]
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
            t.add_column(
                col.header,
                justify=col.justify,
                overflow="ellipsis",
                no_wrap=True,
                max_width=caps.get(i),
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
    t.pufa_min_width = fixed + padding + sum(min(6, natural[i]) for i in flex)  # type: ignore[attr-defined]
    return t


def _plain(value: Any) -> str:
    text = getattr(value, "plain", None)
    return str(text if text is not None else value)


def show(renderable: Any) -> None:
    """Print for people. Piped output loses the padding Rich adds at the ends of lines; a table
    whose fixed columns are wider than the terminal is printed wider (the terminal wraps it)
    rather than cut, so no number or id is ever lost."""
    out = console()
    needed = max((getattr(r, "pufa_min_width", 0) for r in _parts(renderable)), default=0)
    if needed > out.width:
        out.width = needed
    if out.is_terminal:
        out.print(renderable)
        return
    with out.capture() as captured:
        out.print(renderable)
    sys.stdout.write("\n".join(line.rstrip() for line in captured.get().split("\n")))


def _parts(renderable: Any) -> list[Any]:
    return list(getattr(renderable, "renderables", [renderable]))


def status_label(status: str, overdue: bool = False) -> str:
    """The status word a person reads (JSON keeps the language-free value)."""
    from pufa_cli.i18n import _

    words = {"done": _("done"), "in-progress": _("in progress"), "not-started": _("not started")}
    word = words.get(status, status)
    return _("{status}, overdue").format(status=word) if overdue else word


def status_style(colour: str) -> str:
    """A status is coloured as its light (green / yellow / red), so an in-progress task on
    schedule reads green beside its green light."""
    return colour if colour in ("green", "yellow", "red") else ""


def percent_text(value: float) -> str:
    from pufa_cli.progress import round1

    return f"{round1(value):.1f}%"


# --- added for report and export: generic rows (headers + rows) ---------------------------


def csv_text(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], lineterminator: str = "\n"
) -> str:
    """RFC 4180 quoting; ``\\n`` line ends by default (text-mode stdout adds ``\\r`` on Windows)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=lineterminator)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


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


def fixed_width(
    cols: Sequence[Col], rows: Iterable[Sequence[Any]], footer: Sequence[Any] | None = None
) -> int:
    """Cells that ``table`` gives to its fixed (non-flexible) columns and padding: what is left
    of the console width goes to the flexible ones."""
    from rich.cells import cell_len

    materialised = [["" if v is None else v for v in row] for row in rows]
    natural = [
        max(
            [cell_len(col.header)]
            + [cell_len(_plain(r[i])) for r in materialised]
            + ([cell_len(str(footer[i]))] if footer else [])
        )
        for i, col in enumerate(cols)
    ]
    padding = (2 * len(cols) - 2) + (len(cols) - 1)
    return padding + sum(w for w, c in zip(natural, cols, strict=True) if not c.flexible)


BAR_CELLS = 10
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(percent: float, cells: int = BAR_CELLS) -> str:
    """A text bar ``cells`` wide in eighths of a cell, rounded down (full only at 100%):
    45% → ``████▌     ``."""
    eighths = int(max(0.0, min(100.0, percent)) * cells * 8 / 100)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part else "")
    return text + " " * (cells - len(text))

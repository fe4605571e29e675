"""Rows → what a person or a script reads: Rich tables, JSON, CSV, Markdown. No SQL here.

stdout carries data only; notices go to stderr (and ``--quiet`` silences them). Rich decides
colour: none when stdout is not a terminal or ``NO_COLOR`` is set. Width follows the terminal
(or ``COLUMNS``); piped output is not limited at all. Numbers, ids, dates, unit names and
metrics never give way; in a narrow terminal long titles and notes wrap onto more lines.

The package: this module (printing, words and cells shared by every view), ``layout``
(columns that fit), ``report_view`` (pufa report's tables and markdown), ``task_view``
(pufa tasks, pufa show, pufa unit list).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pufa_cli.render.layout import Col, fit, fixed_width, markdown_table, table, visible

__all__ = [
    "Col",
    "bar",
    "console",
    "csv_text",
    "fit",
    "fixed_width",
    "markdown_table",
    "notice",
    "percent_text",
    "print_json",
    "print_json_list",
    "set_quiet",
    "show",
    "status_col",
    "status_label",
    "status_style",
    "table",
    "visible",
    "write_json_list",
]

_quiet = False


def set_quiet(value: bool) -> None:
    global _quiet
    _quiet = value


def notice(message: str) -> None:
    """Chatter for people, on stderr; silent with --quiet. Chatter that cannot be written (a
    full disk behind ``2>file``) is dropped: it comes after the work is done and committed, and
    failing then would tell a script that nothing was done (``unit add`` exited 1 with the
    unit added)."""
    if not _quiet:
        try:
            print(message, file=sys.stderr)
        except OSError:
            pass


def print_json(data: Any) -> None:
    import json  # ~1.5 ms: only for JSON output

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_json_list(items: Iterable[Any], encode: Callable[[Any, str], str] | None = None) -> int:
    """``print_json(list(items))``, written an item at a time (the same bytes): memory does
    not grow with the list. Returns the number of items. ``encode``: an item's JSON text at
    an indent (``pretty_json``'s for the value it stands for), when the caller has a faster
    way to write it."""
    return write_json_list(sys.stdout, items, encode)


def write_json_list(
    out: Any, items: Iterable[Any], encode: Callable[[Any, str], str] | None = None
) -> int:
    """A JSON array as ``json.dumps(list(items), indent=2, ...)`` and a newline would write it,
    an item at a time (each by ``encode``, else ``pretty_json``). Returns the number of items."""
    encode = encode or pretty_json
    count = 0
    for item in items:
        out.write(("[\n  " if count == 0 else ",\n  ") + encode(item, "\n  "))
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


def pretty_json(value: Any, newline: str = "\n") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2, default=str)`` with each line break
    written as ``newline`` (its indent), ~2 × faster: the standard library encodes an
    indented document in pure Python, a generator per level (issue 19). Anything unusual (a
    key not a str, NaN, a value of another type) falls back to ``json.dumps`` itself."""
    parts: list[str] = []
    try:
        _pretty(value, newline, parts)
    except _Unusual:
        import json

        text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
        return text.replace("\n", newline)
    return "".join(parts)


class _Unusual(Exception):
    pass


def _float(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise _Unusual
    return float.__repr__(value)


@functools.cache
def _scalars() -> dict[type, Any]:
    """type → its JSON text, as ``json`` writes it (``encode_basestring``: the C one)."""
    from json.encoder import encode_basestring

    return {
        str: encode_basestring,
        int: int.__repr__,
        float: _float,
        bool: lambda b: "true" if b else "false",
        type(None): lambda _n: "null",
    }


def _pretty(value: Any, newline: str, out: list[str]) -> None:
    scalars = _scalars()
    kind = type(value)
    if kind in scalars:
        out.append(scalars[kind](value))
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        sep = "[" + inner
        for item in value:
            encode = scalars.get(type(item))
            if encode is not None:
                out.append(sep + encode(item))
            else:
                out.append(sep)
                _pretty(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        sep = "{" + inner
        key_text = scalars[str]
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            encode = scalars.get(type(item))
            if encode is not None:
                out.append(sep + key_text(key) + ": " + encode(item))
            else:
                out.append(sep + key_text(key) + ": ")
                _pretty(item, inner, out)
            sep = "," + inner
        out.append(newline + "}")
    else:
        raise _Unusual


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
    # Text is printed as written: no Rich markup or emoji codes in a cell or title. Plan titles,
    # unit names, notes and reasons are data: "[重要]" vanished as a style tag, ":smile:" became
    # an emoji, and "[/]" stopped `show`, `unit list` and `report --by task` with a MarkupError.
    # Styles come from Text and stream.Styled cells, never from the text itself.
    # NO_COLOR means no control codes at all: Rich's own no_color keeps bold and italic.
    colours: dict[str, Any] = {"color_system": None} if os.environ.get("NO_COLOR") else {}
    return Console(
        stderr=stderr,
        width=width,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        **colours,
    )


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def show(renderable: Any, least: int = 0) -> None:
    """Print for people. Piped output loses the padding Rich adds at the ends of lines; a table
    whose fixed columns are wider than the terminal is printed wider (the terminal wraps it)
    rather than cut, so no number or id is ever lost. ``least``: print at least this wide (a
    part of a page whose widest part needs it, ``stream.show_page``)."""
    out = console()
    needed = max([least, *(getattr(r, "pufa_min_width", 0) for r in _parts(renderable))])
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

    words = {
        "done": _("done"),
        "in-progress": _("in progress"),
        "not-started": _("not started"),
        "awaiting-review": _("awaiting review"),
    }
    word = words.get(status, status)
    return _("{status}, overdue").format(status=word) if overdue else word


def status_col(header: str) -> Col:
    """The status column: wraps "not started, overdue" after the comma, never inside a word."""
    from rich.cells import cell_len

    words = [status_label(s) for s in ("done", "in-progress", "not-started")]
    # "in progress," (with the comma that joins ", overdue") is the widest first line.
    longest = max(cell_len(w) for w in words) + 1
    overdue = cell_len(status_label("done", True)) - cell_len(words[0])
    return Col(header, flexible=True, least=max(longest, overdue))


def status_style(colour: str) -> str:
    """A status is coloured as its light (green / yellow / red), so an in-progress task on
    schedule reads green beside its green light."""
    return colour if colour in ("green", "yellow", "red", "cyan") else ""


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


BAR_CELLS = 10
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(percent: float, cells: int = BAR_CELLS) -> str:
    """A text bar ``cells`` wide in eighths of a cell, rounded down (full only at 100%):
    45% → ``████▌     ``."""
    eighths = int(max(0.0, min(100.0, percent)) * cells * 8 / 100)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part else "")
    return text + " " * (cells - len(text))

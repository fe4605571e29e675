"""Text a clerk writes is printed as written, in every table.

Rich reads ``[...]`` as markup and ``:name:`` as an emoji code in any string it prints. Unit
names, notes, problems and extension reasons are data: before pufa's console turned both off,
"[重要]" vanished (read as a style), ":smile:" became 😄, "[red]紅[/red]" turned red and a "[/]"
stopped ``show``, ``unit list`` and ``report --by task`` with an internal error (MarkupError).
Each command here prints the text verbatim and succeeds, through Rich and streamed alike.
"""

from __future__ import annotations

from typing import Any

import pytest

ODD = "[/] 經費 [重要] :smile: [red]紅[/red]"
UNIT = "[/]局"


@pytest.fixture
def odd_ledger(loaded: str, pufa: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PUFA_TODAY", "2011-07-01")
    monkeypatch.setenv("COLUMNS", "250")  # wide enough for every cell on one line
    for args in (
        ("unit", "add", UNIT, "-q"),
        ("log", "19", "-u", UNIT, "--assign", "-p", "30", "-n", ODD, "--problems", ODD, "-q"),
        ("extend", "19", "-u", UNIT, "--to", "2012-01-31", "--reason", ODD, "-q"),
    ):
        r = pufa(*args)
        assert r.code == 0, (args, r)
    return loaded


@pytest.mark.parametrize(
    "args, wanted",
    [
        (("show", "19"), [ODD, UNIT]),  # the history's note, the extension's reason, the unit
        (("unit", "list"), [UNIT]),
        (("tasks", "--unit", UNIT), ["努力建設青少年法制教育基地"]),  # found by that name
        (("report", "--quarter", "3", "--by", "task"), [ODD, UNIT]),  # problems, units
        (("report", "--quarter", "3", "--by", "unit"), [UNIT]),
    ],
)
@pytest.mark.parametrize("rows", [10**9, 0])  # through Rich, and streamed
def test_text_prints_as_written(
    odd_ledger: str,
    pufa: Any,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    wanted: list[str],
    rows: int,
) -> None:
    import pufa_cli.render.stream as stream

    monkeypatch.setattr(stream, "STREAM_ROWS", rows)
    r = pufa(*args)
    assert r.code == 0 and r.err == "", r
    for text in wanted:
        assert text in r.out, (text, r.out)
    assert "😄" not in r.out


def test_on_a_terminal_the_text_keeps_its_brackets_and_takes_no_colour(
    odd_ledger: str, pufa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    r = pufa("show", "19")
    assert r.code == 0, r
    assert "\x1b[" in r.out  # a terminal's colours (the status)
    # The note, its problems (存在問題) and the extension's reason, each in one piece, uncoloured.
    assert r.out.count(ODD) == 3

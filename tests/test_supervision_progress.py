"""Structured progress (issue 16, item 3): --problems (存在問題) and --next (下一步措施) beside
the note, a warning when a yellow or red task is logged without problems, and the latest of
each in ``report --by task``."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import pytest

from conftest import dump_db

JY = "區教育局"


@pytest.fixture
def ready(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    assert pufa("unit", "add", JY, "-q").code == 0
    assert pufa("assign", "19", JY, "--lead", JY, "-q").code == 0
    return loaded


def ok(pufa: Any, *args: str) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def warning(colour: str, day: str) -> str:
    return (
        f"warning: task 19 is {colour} as of {day}: say why with --problems (存在問題) "
        "and what comes next with --next\n"
    )


# Task 19 is due 2011-12-31; its window is the 365 days of 2011.
# 2011-03-01 is day 60: expected 60/365 = 16.4 %. 2011-11-01 is day 305: expected 83.6 %.
@pytest.mark.parametrize(
    ("percent", "day", "colour"),
    [
        ("10", "2011-03-01", None),  # 6.4 points behind: green
        ("5", "2011-03-01", "yellow"),  # 11.4 behind: more than 10
        ("10", "2011-11-01", "red"),  # 73.6 behind: more than 30
    ],
)
def test_a_lagging_task_without_problems_is_warned(ready, pufa, percent, day, colour):
    r = ok(pufa, "log", "19", "-u", JY, "-p", percent, "--date", day)
    # stderr: what the entry counts as, then the warning when the task lags.
    counts = f"entry {int(r.out)} — task 19: {JY} 0/100 個 = {percent} %\n"
    assert r.err == counts + (warning(colour, day) if colour else "")
    r = ok(pufa, "log", "19", "-u", JY, "-p", percent, "--date", day, "--problems", "經費未到位")
    assert r.err == f"entry {int(r.out)} — task 19: {JY} 0/100 個 = {percent} %\n"


def test_problems_and_next_are_stored_shown_and_reported_latest(ready, pufa, monkeypatch):
    e1 = int(
        ok(
            pufa,
            "log",
            "19",
            "-u",
            JY,
            "-p",
            "10",
            "--date",
            "2011-03-01",
            "-n",
            "選址",
            "--problems",
            "場地不足",
            "--next",
            "4月協調場地",
        ).out
    )
    e2 = int(
        ok(
            pufa,
            "log",
            "19",
            "-u",
            JY,
            "-p",
            "20",
            "--date",
            "2011-05-01",
            "--problems",
            "師資短缺",
        ).out
    )
    e3 = int(
        ok(
            pufa,
            "log",
            "19",
            "-u",
            JY,
            "-p",
            "30",
            "--date",
            "2011-06-01",
            "--problems",
            "填錯了",
            "--next",
            "填錯了",
        ).out
    )
    ok(pufa, "retract", str(e3), "--reason", "重複")
    history = {e["id"]: e for e in json.loads(ok(pufa, "show", "19", "-f", "json").out)["history"]}
    assert (history[e1]["note"], history[e1]["problems"], history[e1]["next"]) == (
        "選址",
        "場地不足",
        "4月協調場地",
    )
    assert (history[e2]["problems"], history[e2]["next"]) == ("師資短缺", "")

    def latest(as_of: str) -> tuple[str, str]:
        data = json.loads(ok(pufa, "report", "--by", "task", "-f", "json", "--as-of", as_of).out)
        [row] = [r for r in data["rows"] if r["number"] == 19]
        return row["problems"], row["next"]

    assert latest("2011-02-28") == ("", "")
    assert latest("2011-04-30") == ("場地不足", "4月協調場地")
    # Each is the latest given: e2 gave problems but no next step; e3 is retracted.
    assert latest("2011-12-31") == ("師資短缺", "4月協調場地")
    csv = ok(pufa, "report", "--by", "task", "-f", "csv").out.splitlines()
    assert csv[0].split(",")[-2:] == ["problems", "next"]
    monkeypatch.setenv("COLUMNS", "300")  # wide enough that no column gives way
    table = ok(pufa, "report", "--by", "task").out
    assert "師資短缺" in table and "4月協調場地" in table


def test_the_entry_key_is_unchanged_without_problems_and_differs_with_them(ready, pufa):
    from pufa_cli.tracker import entry_key

    # The documented canonical form, hashed here independently.
    form = "2011|19|2011-03-01|10|4|區教育局|2|選址|1|王|"
    assert entry_key(2011, 19, JY, date(2011, 3, 1), 10, {}, "選址", "王") == (
        hashlib.sha256(form.encode()).hexdigest()
    )
    with_problems = form + "s|4|場地不足|0||"
    assert entry_key(2011, 19, JY, date(2011, 3, 1), 10, {}, "選址", "王", "場地不足") == (
        hashlib.sha256(with_problems.encode()).hexdigest()
    )


def test_control_characters_in_problems_are_refused(ready, pufa):
    before = dump_db(ready)
    r = pufa("log", "19", "-u", JY, "-p", "10", "--date", "2011-03-01", "--problems", "a\x07b")
    assert r.code == 2 and r.err.startswith("Error: --problems contains a control"), r
    assert dump_db(ready) == before


# --- exports carry the three columns, and import reads them back ------------------------------


def _entries(pufa: Any) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(ok(pufa, "export", "-w", "entries", "-f", "json").out)
    return data


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_problems_and_next_go_out_and_come_back(ready, pufa, tmp_path, suffix):
    ok(
        pufa,
        "log",
        "19",
        "-u",
        JY,
        "-p",
        "10",
        "--date",
        "2011-03-01",
        "-n",
        "選址",
        "--problems",
        "=場地不足",
        "--next",
        "4月協調",
    )
    ok(pufa, "log", "19", "-u", JY, "-p", "20", "--date", "2011-04-01", "-n", "動工")
    out = tmp_path / f"entries.{suffix}"
    ok(pufa, "export", "-w", "entries", "--out", str(out))
    before = _entries(pufa)
    assert [(e["note"], e["problems"], e["next"]) for e in before] == [
        ("選址", "=場地不足", "4月協調"),
        ("動工", "", ""),
    ]
    # The same file again: both rows are recognised by their key, problems included.
    assert ok(pufa, "import", str(out)).err == "added 0, already present 2\n"
    # Into an empty ledger of the same plan: the three columns come back as they were.
    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db

    conn = dbmod.connect(resolve_db(ready))
    try:
        with conn.transaction(write=True):
            conn.run("DELETE FROM entries")
    finally:
        conn.close()
    assert ok(pufa, "import", str(out)).err == "added 2, already present 0\n"
    after = _entries(pufa)
    assert [(e["note"], e["problems"], e["next"], e["key"]) for e in after] == [
        (e["note"], e["problems"], e["next"], e["key"]) for e in before
    ]
    if suffix == "csv":
        text = out.read_text(encoding="utf-8-sig").splitlines()
        assert text[0].endswith(",problems,next,review,review_date,reviewed_by,review_note")
        # a formula-like cell is neutralised; no review (the four columns after next empty)
        assert text[1].endswith(",'=場地不足,4月協調,,,,")

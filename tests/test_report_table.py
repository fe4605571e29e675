"""The tables of the 2011 plan at 80, 120 and 160 columns, against snapshots.

The snapshots (tests/snapshots/) are what a person sees: at 80 columns every number, date, unit
name and metric is whole and long titles and notes wrap onto more lines (nothing is cut with
…); at 160 the section titles are on one line; Chinese text takes two cells a character and the
columns still line up. Each view is snapshotted at 80 and 120 columns in each language. Set
PUFA_UPDATE_SNAPSHOTS=1 to rewrite them after a deliberate change, then read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

SNAPSHOTS = Path(__file__).parent / "snapshots"
SECTION_TITLES = [
    "認真做好“五五”普法總結,全面啟動“六五”普法規劃",
    "繼續深化“法治城區”創建,不斷加快依法治區進程",
    "創新開展“法律五進”活動,確保工作針對性和實效性",
    "緊緊圍繞三項重點工作,廣泛開展法制宣傳教育活動",
    "強化青少年普法教育措施,加大青少年法制宣傳教育力度",
    "加強組織領導,完善領導體制和工作機制",
]


@pytest.fixture
def ledger_2011(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    """The 2011 plan with a few entries by the end of Q2."""
    monkeypatch.setenv("PUFA_TODAY", "2011-07-01")
    for args in (
        ("unit", "add", "區司法局"),
        ("unit", "add", "區教育局"),
        ("log", "19", "-u", "區教育局", "--assign", "-m", "bases=37", "--date", "2011-05-20"),
        ("log", "14", "-u", "區司法局", "--assign", "-p", "50", "--date", "2011-03-10"),
        ("log", "7", "-u", "區依法治區工作領導小組", "-m", "inspections=1", "--date", "2011-06-15"),
        ("log", "1", "-u", "區司法局", "--assign", "--done", "--date", "2011-04-01"),
        ("log", "10", "-u", "區司法局", "--assign", "-p", "45", "--date", "2011-06-30"),
    ):
        r = pufa(*args, "-q")
        assert r.code == 0, r
    return loaded


def cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def table_at(pufa: Any, monkeypatch: Any, width: int) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    r = pufa("report", "--quarter", "2")
    assert r.code == 0, r
    assert r.err == ""
    return str(r.out)


def matches_snapshot(name: str, text: str) -> None:
    # Trailing blanks are padding, not content: compare without them.
    got = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    path = SNAPSHOTS / name
    if os.environ.get("PUFA_UPDATE_SNAPSHOTS"):
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}: run with PUFA_UPDATE_SNAPSHOTS=1"
    assert got == path.read_text(encoding="utf-8")


def is_subsequence(text: str, out: str) -> bool:
    """Every character of ``text`` in ``out``, in order (a wrapped title reads in full)."""
    rest = iter(out)
    return all(ch in rest for ch in text)


def check_alignment(out: str, width: int) -> list[str]:
    """Every line fits; every row's percent ends in the same cell. Returns the row lines."""
    lines = out.splitlines()
    assert all(cells(line.rstrip()) <= width for line in lines), out
    rows = [line for line in lines if line.rstrip().endswith("%") or "% " in line]
    rows = [line for line in rows if line.strip()[:1].isdigit() or "Total" in line]
    assert len(rows) == 7, out  # six sections and the total
    ends = {cells(line[: line.index("%") + 1]) for line in rows}
    assert len(ends) == 1, out
    return rows


def test_by_section_at_80_columns(ledger_2011, pufa, monkeypatch):
    out = table_at(pufa, monkeypatch, 80)
    rows = check_alignment(out, 80)
    # The numbers are whole. By hand, as of 06-30 (49.59 expected of a task due 12-31):
    # task 1 done; 19 at 37 (12.59 behind: yellow); 7 at 50 and 10 at 45 (green); 14 at 50,
    # overdue (red); the 18 others not started (red). Mean (100+37+50+45+50)/23 = 12.26.
    assert rows[-1].split() == ["Total", "23", "1", "4", "18", "1", "19", "1", "12.3%"]
    # Titles wrap onto more lines; none is cut.
    assert "…" not in out
    assert all(is_subsequence(title, out) for title in SECTION_TITLES)
    assert not any(title in out for title in SECTION_TITLES[:5])  # … and they do wrap
    matches_snapshot("report_by_section_80.txt", out)


def test_by_section_at_160_columns(ledger_2011, pufa, monkeypatch):
    out = table_at(pufa, monkeypatch, 160)
    rows = check_alignment(out, 160)
    assert all(title in out for title in SECTION_TITLES)
    assert "…" not in out
    # The completion bar: 10 cells, eighths of a cell, full only at 100%.
    assert rows[-1].split()[-2:] == ["12.3%", "█▏"]  # 12.26 % of 80 eighths: 9
    matches_snapshot("report_by_section_160.txt", out)


def test_colour_only_on_a_terminal(ledger_2011, pufa, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    assert "\x1b[" not in pufa("report", "--quarter", "2").out  # NO_COLOR and not a terminal
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" not in pufa("report", "--quarter", "2").out  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = pufa("report", "--quarter", "2").out
    assert "\x1b[31m" in out  # red counts in red


def test_bar_is_computed_from_the_percent():
    from pufa_cli.render import bar

    assert bar(0) == " " * 10
    assert bar(45) == "████▌     "
    assert bar(10.2) == "█         "
    assert bar(12.5) == "█▎        "
    assert bar(99.9) == "█████████▉"
    assert bar(100) == "██████████"
    assert all(cells(bar(p / 10)) == 10 for p in range(0, 1001, 7))


# --- every view at 80 and 120 columns in each language ----------------------------------------

VIEWS = {
    "report_unit": ("report", "--by", "unit", "--quarter", "2"),
    "report_task": ("report", "--by", "task", "--quarter", "2"),
    "tasks": ("tasks", "--as-of", "Q2", "--section", "5"),
    "show": ("show", "19", "--as-of", "Q2"),
}
LONG_NOTE = "五月份在全區中小學新建青少年法制教育基地三十七個，並完成驗收、掛牌和首批活動安排"


@pytest.mark.parametrize("lang", ["en", "zh-Hant", "zh-Hans"])
@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("view", list(VIEWS))
def test_views_fit_without_cutting(ledger_2011, pufa, monkeypatch, view, width, lang):
    from pufa_cli.i18n import plan_text

    # A long note and a long unit name on task 19: the note wraps, the unit name stays whole.
    long_unit = "區依法治區工作領導小組辦公室"
    for args in (
        ("unit", "add", long_unit),
        ("log", "19", "-u", long_unit, "--assign", "-p", "20", "--date", "2011-06-10"),
        ("log", "19", "-u", "區教育局", "-m", "bases=40", "--date", "2011-06-20", "-n", LONG_NOTE),
    ):
        assert pufa(*args, "-q").code == 0, args
    monkeypatch.setenv("COLUMNS", str(width))
    r = pufa("--lang", lang, *VIEWS[view])
    assert r.code == 0 and r.err == "", r
    out = r.out
    assert all(cells(line) <= width for line in out.splitlines()), out
    assert "…" not in out
    script = "Hant"  # the plan's script: plan_text shows it in the language just used
    named = {"report_unit": (long_unit, "區教育局", "區司法局"), "show": (long_unit, "區教育局")}
    for unit in named.get(view, ()):
        assert plan_text(unit, script) in out, (unit, out)  # whole, on one line
    if view == "show":
        assert is_subsequence(LONG_NOTE, out)  # a note is shown as typed, wrapped
        # At 120 every column is there; at 80 the long unit name stays whole and the history's
        # metrics and "By" make way (the Units table still shows 40/100).
        assert ("bases=40" in out) == (width == 120)
        assert plan_text("40/100 個", script) in out
    if view == "report_task" and width == 120:
        assert plan_text("40/100 個", script) in out  # the Targets column stays at 120 columns
    matches_snapshot(f"{view}_{width}_{lang}.txt", out)


ESC_PLAN = """\
version: 1
year: 2011
title: "控制字元\\e]0;pwned\\a測試"
units: [區司法局]
sections:
  - number: 1
    title: "第一部分\\e[2J清屏"
    tasks:
      - number: 1
        title: "任務\\e[8m隱藏"
        text: "正文\\u202e倒序\\x9b31m"
        due: 年底
        lead: 區司法局
"""


def test_plan_text_with_control_characters_is_printed_escaped(db, pufa, tmp_path, monkeypatch):
    monkeypatch.setenv("PUFA_TODAY", "2011-06-30")
    path = tmp_path / "esc.yaml"
    path.write_text(ESC_PLAN, encoding="utf-8")
    assert pufa("init", "-q", "--plan", str(path)).code == 0
    for args in (("show", "1"), ("tasks",), ("report",), ("report", "--by", "task")):
        for width in ("80", "120"):
            monkeypatch.setenv("COLUMNS", width)
            r = pufa(*args)
            assert r.code == 0, r
            # No raw control character reaches the terminal; each is shown as an escape.
            assert not any(ch in r.out for ch in "\x1b\x07\x9b\u202e"), (args, r.out)
            assert "\\x1b" in r.out, (args, r.out)
    out = pufa("show", "1").out
    assert "任務\\x1b[8m隱藏" in out and "正文\\u202e倒序\\x9b31m" in out
    assert "\\x1b]0;pwned\\x07" in pufa("tasks").out
    # JSON carries the text itself (json escapes it): a script reads what the plan says.
    data = json.loads(pufa("show", "1", "-f", "json").out)
    assert data["title"] == "任務\x1b[8m隱藏"


def test_markdown_html_and_word_show_plan_text_escaped_too(db, pufa, tmp_path, monkeypatch):
    """Markdown is read on a terminal as often as in a file (report, remind, a notice's default
    format): the same escapes as the tables. HTML takes no control character, nor does Word's
    XML (python-docx refused the notice with an internal error)."""
    import docx

    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    path = tmp_path / "esc.yaml"
    path.write_text(ESC_PLAN, encoding="utf-8")
    assert pufa("init", "-q", "--plan", str(path)).code == 0
    assert pufa("notice", "issue", "--quarter", "2").code == 0
    number = json.loads(pufa("notice", "list", "-f", "json").out)[0]["number"]
    for args in (
        ("report", "-f", "markdown"),
        ("report", "--by", "task", "-f", "markdown"),
        ("remind", "-f", "markdown"),
        ("notice", "show", number),
        ("notice", "show", number, "-f", "html"),
    ):
        r = pufa(*args)
        assert r.code == 0, (args, r)
        assert not any(ch in r.out for ch in "\x1b\x07\x9b\u202e"), (args, r.out)
        assert "\\x1b" in r.out, (args, r.out)
    out = tmp_path / "通報.docx"
    r = pufa("notice", "show", number, "-f", "docx", "--out", str(out))
    assert r.code == 0, r
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "\\x1b]0;pwned\\x07" in text and "\x1b" not in text

"""The by-section table of the 2011 plan at 80 and 160 columns, against snapshots.

The snapshots (tests/snapshots/) are what a person sees: at 80 columns every number is whole
and the section titles give way (cut with …), at 160 the titles are in full; Chinese titles
take two cells a character and the columns still line up. Set PUFA_UPDATE_SNAPSHOTS=1 to
rewrite them after a deliberate change, then read the diff.
"""

from __future__ import annotations

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
    # Titles give way, cut with …; none is shown in full.
    assert out.count("…") == 6
    assert not any(title in out for title in SECTION_TITLES)
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

"""Checkpoints that count (issue 14.5): ``checks`` and ``cadence`` met or missed across a year.
Every expectation is worked out by hand below; nothing here calls pufa's own rules.

Plan 2023 (no issue date: the clock starts on 1 January), units A = 區司法局, B = 區教育局:
    task 1  cadence 每季度 (03-31 06-30 09-30 12-31), lead A, support B, due 年底
    task 2  checks [2023-04-15, 下半年 (12-31)], no unit assigned (A reported, then unassigned)
    task 3  cadence 每月5日前, lead A, due 6月30日: 01-05 02-05 03-05 04-05 05-05 06-05
    task 4  no checkpoint, lead B, no entry

Entries (percent):
    task 1  A 02-10 10 · B 03-31 50 · A 05-01 60 · A 08-15 70 · B 09-30 80 · A 12-01 95
    task 2  A 04-15 30
    task 3  A 01-03 10 · A 02-05 20 · A 03-20 30 · A 05-03 40 (retracted) · A 06-01 90

Task 1: 03-31 A (02-10) and B (03-31) met · 06-30 A met (05-01), B not: missed · 09-30 both
        met (08-15, 09-30) · 12-31 A met (12-01), B not: missed.
Task 2: any unit: 04-15 met (the entry of that day) · 12-31 nothing after 04-15: missed.
Task 3: 01-05 met (01-03) · 02-05 met (02-05) · 03-05 nothing in 02-06..03-05: missed ·
        04-05 met (03-20) · 05-05 only a retracted entry: missed · 06-05 met (06-01).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

A, B = "區司法局", "區教育局"
PLAN = """\
version: 2
year: 2023
title: 節點測試方案
units: [區司法局, 區教育局]
sections:
  - number: 1
    title: 一、重點工作
    tasks:
      - {number: 1, title: 任務一, cadence: 每季度, lead: 區司法局, support: [區教育局]}
      - {number: 2, title: 任務二, checks: [2023-04-15, 下半年]}
      - {number: 3, title: 任務三, cadence: 每月5日前, due: 6月30日, lead: 區司法局}
      - {number: 4, title: 任務四, lead: 區教育局}
"""


def ok(pufa: Any, *args: str) -> str:
    r = pufa(*args)
    assert r.code == 0, r
    return str(r.out)


@pytest.fixture
def year(db, pufa, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2024-01-15")
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    ok(pufa, "init", "-q", "--plan", str(path))

    def log(task: int, unit: str, day: str, percent: int) -> int:
        out = ok(
            pufa,
            "log",
            str(task),
            "--unit",
            unit,
            "--date",
            day,
            "--percent",
            str(percent),
            "--assign",
        )
        return int(out.strip())

    for day, unit, pct in [
        ("02-10", A, 10),
        ("03-31", B, 50),
        ("05-01", A, 60),
        ("08-15", A, 70),
        ("09-30", B, 80),
        ("12-01", A, 95),
    ]:
        log(1, unit, f"2023-{day}", pct)
    log(2, A, "2023-04-15", 30)
    ok(pufa, "unassign", "2", A)
    for day, pct in [("01-03", 10), ("02-05", 20), ("03-20", 30)]:
        log(3, A, f"2023-{day}", pct)
    wrong = log(3, A, "2023-05-03", 40)
    ok(pufa, "retract", str(wrong), "--reason", "報錯了")
    log(3, A, "2023-06-01", 90)
    return db


def tasks(pufa: Any, as_of: str, *args: str) -> dict[int, dict[str, Any]]:
    return {
        t["number"]: t for t in json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", as_of, *args))
    }


def cps(*pairs: tuple[str, bool | None]) -> list[dict[str, Any]]:
    return [{"date": f"2023-{d}", "met": met} for d, met in pairs]


def test_checkpoints_in_the_middle_of_the_year(year, pufa):
    got = tasks(pufa, "2023-07-15")
    assert got[1]["checkpoints"] == cps(
        ("03-31", True), ("06-30", False), ("09-30", None), ("12-31", None)
    )
    assert got[2]["checkpoints"] == cps(("04-15", True), ("12-31", None))
    assert got[3]["checkpoints"] == cps(
        ("01-05", True),
        ("02-05", True),
        ("03-05", False),
        ("04-05", True),
        ("05-05", False),
        ("06-05", True),
    )
    assert got[4]["checkpoints"] == []
    assert sorted(tasks(pufa, "2023-07-15", "--status", "behind")) == [1, 3]


def test_checkpoints_at_the_year_end(year, pufa):
    got = tasks(pufa, "2023-12-31")
    assert got[1]["checkpoints"] == cps(
        ("03-31", True), ("06-30", False), ("09-30", True), ("12-31", False)
    )
    assert got[2]["checkpoints"] == cps(("04-15", True), ("12-31", False))
    assert sorted(tasks(pufa, "2023-12-31", "--status", "behind")) == [1, 2, 3]
    # Before the first checkpoint nothing is due, so nothing is behind.
    assert tasks(pufa, "2023-01-04", "--status", "behind") == {}


def test_report_counts_missed_and_a_miss_makes_a_green_task_yellow(year, pufa):
    data = json.loads(ok(pufa, "report", "--by", "task", "-f", "json", "--as-of", "2023-07-15"))
    rows = {r["number"]: r for r in data["rows"]}
    assert {n: r["missed"] for n, r in rows.items()} == {1: 1, 2: 0, 3: 2, 4: 0}
    # Task 1 as of 07-15: A 60, B 50 → 55; expected 196/365 = 53.7: ahead of schedule, green
    # by the on-schedule check, but B missed 06-30: yellow.
    assert (rows[1]["percent"], rows[1]["expected"], rows[1]["colour"]) == (55.0, 53.7, "yellow")
    assert data["total"]["missed"] == 3
    by_unit = json.loads(ok(pufa, "report", "--by", "unit", "-f", "json", "--as-of", "2023-07-15"))
    units = {r["unit"]: r for r in by_unit["rows"]}
    # A: task 1 met, task 3 missed 2 → 2. B: task 1 missed 06-30 → 1; its share (50 against
    # 53.7 expected: 3.7 behind) would be green, the miss makes it yellow; task 4 (0 % against
    # 53.7) is red.
    assert (units[A]["missed"], units[B]["missed"]) == (2, 1)
    assert (units[B]["yellow"], units[B]["red"]) == (1, 1)
    end = json.loads(ok(pufa, "report", "-f", "json", "--as-of", "2023-12-31"))
    assert end["total"]["missed"] == 2 + 1 + 2


def test_cadence_in_a_version_1_file_and_bad_cadences(db, pufa, tmp_path):
    path = tmp_path / "p.yaml"
    cases = [
        (PLAN.replace("version: 2", "version: 1"), "tasks[0].cadence", "needs 'version: 2'"),
        (PLAN.replace("每月5日前", "每月32日前"), "tasks[2].cadence", "no month has day 32"),
        (
            PLAN.replace("cadence: 每季度", "cadence: 每季度5日前"),
            "tasks[0].cadence",
            "only with 每月",
        ),
        (PLAN.replace("cadence: 每季度", "cadence: 每週"), "tasks[0].cadence", "unknown cadence"),
    ]
    for text, where, what in cases:
        path.write_text(text, encoding="utf-8")
        r = pufa("plan", "check", path)
        assert r.code == 2 and where in r.err and what in r.err, r
        assert len(r.err.splitlines()) == 1


def test_cadence_dates():
    from datetime import date

    from pufa_cli.timing import parse_cadence

    def iso(word: str, start: str, end: str) -> list[str]:
        days = parse_cadence(word).dates(date.fromisoformat(start), date.fromisoformat(end))
        return [d.isoformat()[5:] for d in days]

    assert iso("每月5日前", "2023-03-01", "2023-06-30") == ["03-05", "04-05", "05-05", "06-05"]
    assert iso("每月", "2023-10-15", "2023-12-31") == ["10-31", "11-30", "12-31"]
    assert iso("每月31日", "2023-01-01", "2023-04-30") == ["01-31", "02-28", "03-31", "04-30"]
    assert iso("每季度末", "2023-01-01", "2023-12-31") == ["03-31", "06-30", "09-30", "12-31"]
    assert iso("每季度", "2023-03-01", "2023-09-29") == ["03-31", "06-30"]
    assert iso("每半年", "2023-01-01", "2023-12-31") == ["06-30", "12-31"]
    assert iso("每年", "2023-01-01", "2023-12-31") == ["12-31"]
    assert iso("每年", "2023-01-01", "2023-06-30") == []

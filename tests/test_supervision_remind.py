"""Working days and reminders (issue 16, items 5 and 6): China's 2011 holidays and make-up
working days, blue / yellow / red items per unit, recorded notices counted."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from conftest import dump_db

SJ, JY = "區司法局", "區教育局"


@pytest.fixture
def ready(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    for name in (SJ, JY):
        assert pufa("unit", "add", name, "-q").code == 0
    return loaded


def ok(pufa: Any, *args: str) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def remind(pufa: Any, *args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ok(pufa, "remind", "-f", "json", *args).out)
    return rows


def mine(rows: list[dict[str, Any]], unit: str) -> list[tuple[int, str, int, str]]:
    return [
        (r["task"], r["due"], r["working_days_left"], r["colour"])
        for r in rows
        if r["unit"] == unit
    ]


# --- working days -----------------------------------------------------------------------------


def test_the_2011_national_day_holidays_and_make_up_days(monkeypatch):
    from pufa_cli.supervision.workdays import WorkingDays, is_working_day_fn, working_days_left

    working = is_working_day_fn()
    # 1-7 October 2011 were holidays, Saturday 8 and Sunday 9 October make-up working days.
    assert [working(date(2011, 10, d)) for d in range(1, 11)] == [False] * 7 + [True] * 3
    assert working_days_left(date(2011, 9, 30), date(2011, 10, 10), working) == 3
    assert (
        WorkingDays(date(2011, 9, 30), [date(2011, 10, 10)], working).left(date(2011, 10, 10)) == 3
    )
    # Outside the table's years: Monday to Friday (1 to 10 January 1990: Mon 1 .. Wed 10).
    assert working_days_left(date(1989, 12, 31), date(1990, 1, 10), working) == 8
    monkeypatch.setenv("PUFA_CALENDAR", "weekdays")
    weekdays = is_working_day_fn()
    # Mon 3 .. Fri 7 and Mon 10 October: 6.
    assert working_days_left(date(2011, 9, 30), date(2011, 10, 10), weekdays) == 6
    assert working_days_left(date(2011, 10, 10), date(2011, 9, 30), weekdays) == -6


# --- remind -----------------------------------------------------------------------------------


def test_blue_within_n_working_days_with_the_national_day_holidays(ready, pufa, monkeypatch):
    # Task 20 due for SJ on 2011-10-10, at 90 % on 09-29: as of 09-30, 273 of the 283 days of
    # its window have passed (96.5 % expected), 6.5 points behind: on schedule, so only blue.
    ok(pufa, "assign", "20", SJ, "--due", "2011-10-10", "-q")
    ok(pufa, "log", "20", "-u", SJ, "-p", "90", "--date", "2011-09-29")
    assert mine(remind(pufa, "--as-of", "2011-09-30", "--unit", SJ), SJ) == [
        (20, "2011-10-10", 3, "blue")
    ]
    assert remind(pufa, "--as-of", "2011-09-30", "--unit", SJ, "--within", "2") == []
    # Without the holiday table 6 working days are left: more than 5, nothing to remind of.
    monkeypatch.setenv("PUFA_CALENDAR", "weekdays")
    assert remind(pufa, "--as-of", "2011-09-30", "--unit", SJ) == []
    assert mine(remind(pufa, "--as-of", "2011-09-30", "--unit", SJ, "--within", "6"), SJ) == [
        (20, "2011-10-10", 6, "blue")
    ]


def test_red_when_overdue_and_yellow_when_behind(ready, pufa):
    # Task 14 (due 2011-03-31) at 50 %: as of 04-15 overdue. Working days after 03-31 up to
    # 04-15: Fri 1, Sat 2 (make-up day for 清明), 6-8, 11-15 (3-5 April were holidays) = 10.
    ok(pufa, "assign", "14", SJ, "-q")
    ok(pufa, "log", "14", "-u", SJ, "-p", "50", "--date", "2011-03-15")
    # Task 19 (due year end) at 10 % on 04-15: 105/365 = 28.8 % expected, 18.8 behind: yellow.
    ok(pufa, "assign", "19", JY, "-q")
    ok(pufa, "log", "19", "-u", JY, "-p", "10", "--date", "2011-04-15", "--problems", "缺經費")
    rows = remind(pufa, "--as-of", "2011-04-15")
    assert mine(rows, SJ) == [(14, "2011-03-31", -10, "red")]
    # 04-16 (Sat) .. 12-31 (Sat) is 260 days, 185 of them Monday to Friday; less the weekday
    # holidays May 2, June 6, September 12 and October 3-7 (8), plus the make-up Saturdays and
    # Sundays October 8, 9 and December 31 (for the 2012 New Year) (3): 180.
    assert mine(rows, JY) == [(19, "2011-12-31", 180, "yellow")]
    # Done is not open: nothing to remind SJ of once it reports 100 %.
    ok(pufa, "log", "14", "-u", SJ, "--done", "--date", "2011-04-15")
    assert mine(remind(pufa, "--as-of", "2011-04-15"), SJ) == []


def test_a_missed_checkpoint_is_yellow(ready, pufa):
    # Task 7 has checkpoints 上半年 (06-30) and 第四季度 (12-31, its due date).
    ok(pufa, "assign", "7", SJ, "-q")
    ok(pufa, "log", "7", "-u", SJ, "-p", "60", "--date", "2011-07-15")
    # As of 08-01: 213/365 = 58.4 % expected, 60 % is ahead; but nothing was reported for the
    # 06-30 checkpoint.
    rows = remind(pufa, "--as-of", "2011-08-01", "--unit", SJ)
    assert [(r["task"], r["colour"]) for r in rows] == [(7, "yellow")]
    ok(pufa, "log", "7", "-u", SJ, "-p", "30", "--date", "2011-06-20")
    assert remind(pufa, "--as-of", "2011-08-01", "--unit", SJ) == []


CADENCE_PLAN = """\
version: 2
year: 2023
title: 節點測試方案
units: [區司法局, 區教育局]
sections:
  - number: 1
    title: 一、重點工作
    tasks:
      - {number: 1, title: 任務一, cadence: 每季度, lead: 區司法局, support: [區教育局]}
      - {number: 2, title: 任務二, checks: [2023-04-15, 下半年], lead: 區司法局}
"""


def test_remind_misses_checkpoints_by_the_rule_of_show_and_report(db, pufa, tmp_path, monkeypatch):
    # remind used a rule of its own: only ``checks`` (never ``cadence``), and a checkpoint on
    # D itself not yet missed. It now asks checkpoints.checkpoint_states, as show and report do.
    monkeypatch.setenv("PUFA_TODAY", "2024-01-15")
    path = tmp_path / "plan.yaml"
    path.write_text(CADENCE_PLAN, encoding="utf-8")
    ok(pufa, "init", "-q", "--plan", str(path))
    # Task 1 (每季度: 03-31 06-30 09-30 12-31, due 年底): SJ 02-10 10, 05-01 60; JY 03-31 50.
    for unit, day, pct in [(SJ, "02-10", 10), (JY, "03-31", 50), (SJ, "05-01", 60)]:
        ok(pufa, "log", "1", "-u", unit, "-p", str(pct), "--date", f"2023-{day}")
    # Task 2 (checks 04-15, 12-31): SJ 03-01 20, 04-20 55.
    for day, pct in [("03-01", 20), ("04-20", 55)]:
        ok(pufa, "log", "2", "-u", SJ, "-p", str(pct), "--date", f"2023-{day}")
    # As of 07-15, 196/365 = 53.7 % expected. JY's 50 % of task 1 is 3.7 points behind (on
    # schedule) but it reported nothing in 04-01..06-30: the cadence checkpoint 06-30 is missed,
    # so yellow (the old rule did not read cadence: not listed). SJ's 60 % is ahead and met
    # 03-31 (02-10) and 06-30 (05-01); task 2: 55 % ahead, 04-15 met (03-01): nothing for SJ.
    # Working days 07-16..12-31: 120 Monday to Friday (July 11, Aug 23, Sep 21, Oct 22, Nov 22,
    # Dec 21), less the weekday holidays 09-29 and 10-02..06 (6), plus the make-up Saturday
    # and Sunday 10-07 and 10-08 (2): 116.
    assert mine(remind(pufa, "--as-of", "2023-07-15"), JY) == [(1, "2023-12-31", 116, "yellow")]
    assert mine(remind(pufa, "--as-of", "2023-07-15"), SJ) == []
    # The report says the same: JY missed one checkpoint, SJ none.
    units = {
        r["unit"]: r
        for r in json.loads(
            ok(pufa, "report", "--by", "unit", "-f", "json", "--as-of", "2023-07-15").out
        )["rows"]
    }
    assert (units[JY]["missed"], units[SJ]["missed"]) == (1, 0)
    # A checkpoint on D is due on D (as in show and report). As of 04-15 task 2's checkpoint
    # 04-15 is met by the 03-01 entry; with that entry retracted it is missed on 04-15 itself
    # (the old rule waited until 04-16). 20 % against 28.8 % expected is 8.8 behind: on
    # schedule, so the miss alone makes it yellow.
    first = json.loads(ok(pufa, "show", "2", "-f", "json").out)["history"][0]["id"]
    ok(pufa, "retract", str(first), "--reason", "報錯了")
    ok(pufa, "log", "2", "-u", SJ, "-p", "20", "--date", "2023-04-16")
    # Working days 04-16..12-31: 185 Monday to Friday (April 10, then 23 22 21 23 21 22 22 21),
    # less the weekday holidays 05-01..03, 06-22..23 and 09-29, 10-02..06 (11), plus the make-up
    # days 04-23, 05-06, 06-25, 10-07 and 10-08 (5): 179.
    # (Task 1 is yellow too as of 04-15: SJ's 10 % is 18.8 points behind.)
    items = mine(remind(pufa, "--as-of", "2023-04-15", "--unit", SJ), SJ)
    assert [i for i in items if i[0] == 2] == [(2, "2023-12-31", 179, "yellow")]
    task2 = json.loads(ok(pufa, "show", "2", "-f", "json", "--as-of", "2023-04-15").out)
    assert task2["checkpoints"][0] == {"date": "2023-04-15", "met": False}


def test_recorded_notices_are_counted_as_of_their_day(ready, pufa):
    ok(pufa, "assign", "14", SJ, "-q")
    r = ok(pufa, "remind", "--as-of", "2011-04-15", "--unit", SJ, "--record", "-f", "json")
    assert [x["reminders"] for x in json.loads(r.out)] == [1]
    assert r.err == "1 notice recorded\n"
    ok(pufa, "remind", "--as-of", "2011-05-16", "--unit", SJ, "--record", "-q")
    assert [x["reminders"] for x in remind(pufa, "--as-of", "2011-05-16", "--unit", SJ)] == [2]
    assert [x["reminders"] for x in remind(pufa, "--as-of", "2011-05-01", "--unit", SJ)] == [1]
    assert len(dump_db(ready)["reminders"]) == 2


def test_markdown_is_one_notice_per_unit(ready, pufa):
    ok(pufa, "assign", "14", SJ, "-q")
    ok(pufa, "assign", "14", JY, "-q")
    out = ok(pufa, "remind", "--as-of", "2011-04-15", "-f", "markdown").out
    assert out.count("## Supervision notice: ") == 4  # the plan's two units and ours
    assert f"## Supervision notice: {SJ}" in out and f"## Supervision notice: {JY}" in out
    csv = ok(pufa, "remind", "--as-of", "2011-04-15", "-f", "csv").out.splitlines()
    assert csv[0] == "unit,task,due,working_days_left,colour,reminders"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--within", "-1"], None, "--within must be"),
        (["--as-of", "2012-01-05", "--record"], None, "after today"),
        ([], "lunar", "PUFA_CALENDAR must be china or weekdays"),
        (["--unit", "區財政局"], None, "unknown unit"),
    ],
)
def test_bad_remind_input_changes_nothing(ready, pufa, monkeypatch, args, env, message):
    if env:
        monkeypatch.setenv("PUFA_CALENDAR", env)
    before = dump_db(ready)
    r = pufa("remind", "--record", *args) if "--record" not in args else pufa("remind", *args)
    assert r.code == 2, r
    assert r.err.startswith("Error: ") and r.err.count("\n") == 1 and message in r.err, r
    assert dump_db(ready) == before


def test_a_sub_item_is_named_as_commands_take_it(db, pufa, monkeypatch):
    """The 2012 example plan's task 7 has items 7.1 (due 年中, 06-30) and 7.2 (年底前); its lead
    示例區司法局 leads both. As of 2012-07-02 nothing is reported: 7.1 is overdue (red), and the
    reminder names it "7.1", as assign/log/show take it — not 7."""
    from pathlib import Path

    monkeypatch.setenv("PUFA_TODAY", "2012-07-02")
    plan = Path(__file__).resolve().parents[1] / "plans" / "2012-example.yaml"
    ok(pufa, "init", "-q", "--plan", str(plan))
    rows = remind(pufa, "--plan-id", "2012-example", "--as-of", "2012-07-02")
    lead = [r for r in rows if r["unit"] == "示例區司法局"]
    assert {"task": "7.1", "colour": "red"} in [
        {"task": r["task"], "colour": r["colour"]} for r in lead
    ]
    assert 7 not in [r["task"] for r in rows]
    table = ok(pufa, "remind", "--plan-id", "2012-example", "--as-of", "2012-07-02").out
    assert "7.1" in table

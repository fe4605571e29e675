"""Extensions (issue 16, item 4): a unit's due date moved as a row of its own, dated; JSON keeps
``due`` (revised) and gains ``planned_due``; ``report --against plan`` judges the promise."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import dump_db

SJ, JY = "區司法局", "區教育局"


@pytest.fixture
def ready(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    for name in (SJ, JY):
        assert pufa("unit", "add", name, "-q").code == 0
    # Task 14 is due 一季度 (2011-03-31) in the plan.
    assert pufa("assign", "14", SJ, "--lead", SJ, "-q").code == 0
    assert pufa("log", "14", "-u", SJ, "-p", "50", "--date", "2011-03-15").code == 0
    return loaded


def ok(pufa: Any, *args: str) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def task14(pufa: Any, as_of: str, *more: str) -> dict[str, Any]:
    data = json.loads(ok(pufa, "report", "--by", "task", "-f", "json", "--as-of", as_of, *more).out)
    [row] = [r for r in data["rows"] if r["number"] == 14]
    return row


def test_an_extension_moves_the_due_date_from_the_day_it_is_granted(ready, pufa):
    r = ok(
        pufa,
        "extend",
        "14",
        "--unit",
        SJ,
        "--to",
        "二季度",
        "--reason",
        "上級文件延後",
        "--approved-by",
        "王主任",
        "--date",
        "2011-04-01",
    )
    assert (r.out, r.err) == ("", f"task 14: {SJ} due 2011-03-31 → 2011-06-30\n")

    # As of 04-15 the unit is due 06-30: 105 of the 181 days from 01-01 to 06-30 have passed,
    # expected 58.0 %, at 50 % that is 8.0 points behind: green, not overdue.
    row = task14(pufa, "2011-04-15")
    assert (row["due"], row["planned_due"], row["expected"], row["overdue"], row["colour"]) == (
        "2011-06-30",
        "2011-03-31",
        58.0,
        False,
        "green",
    )
    # Against the plan it was due 03-31: overdue and red.
    row = task14(pufa, "2011-04-15", "--against", "plan")
    assert (row["due"], row["planned_due"], row["expected"], row["overdue"], row["colour"]) == (
        "2011-03-31",
        "2011-03-31",
        100.0,
        True,
        "red",
    )
    # Before it was granted the extension does not count: as of 03-31 the task is due that day.
    assert task14(pufa, "2011-03-31")["due"] == "2011-03-31"

    [t] = [
        t
        for t in json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", "2011-04-15").out)
        if t["number"] == 14
    ]
    assert (t["due"], t["planned_due"], t["due_word"], t["overdue"]) == (
        "2011-06-30",
        "2011-03-31",
        "二季度",
        False,
    )

    units = json.loads(
        ok(pufa, "report", "--by", "unit", "-f", "json", "--as-of", "2011-04-15", "--unit", SJ).out
    )["rows"]
    assert units[0]["overdue"] == 0
    units = json.loads(
        ok(
            pufa,
            "report",
            "--by",
            "unit",
            "-f",
            "json",
            "--as-of",
            "2011-04-15",
            "--unit",
            SJ,
            "--against",
            "plan",
        ).out
    )["rows"]
    assert units[0]["overdue"] == 1

    # A second extension, later: the latest granted counts.
    ok(
        pufa,
        "extend",
        "14",
        "-u",
        SJ,
        "--to",
        "2011-09-30",
        "--reason",
        "場地改造",
        "--date",
        "2011-06-20",
    )
    assert task14(pufa, "2011-06-19")["due"] == "2011-06-30"
    assert task14(pufa, "2011-07-01")["due"] == "2011-09-30"
    shown = json.loads(ok(pufa, "show", "14", "-f", "json").out)["extensions"]
    assert [
        (x["unit"], x["to"], x["word"], x["reason"], x["approved_by"], x["date"]) for x in shown
    ] == [
        (SJ, "2011-06-30", "二季度", "上級文件延後", "王主任", "2011-04-01"),
        (SJ, "2011-09-30", "2011-09-30", "場地改造", None, "2011-06-20"),
    ]


def test_a_task_is_due_when_its_last_unit_is_extensions_included(ready, pufa):
    ok(pufa, "assign", "14", JY, "-q")
    ok(
        pufa,
        "extend",
        "14",
        "-u",
        JY,
        "--to",
        "三季度",
        "--reason",
        "人手不足",
        "--date",
        "2011-03-01",
    )
    row = task14(pufa, "2011-04-15")
    # SJ still due 03-31, JY 09-30: the task is due with its last unit.
    assert (row["due"], row["planned_due"]) == ("2011-09-30", "2011-03-31")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "二季度", "--reason", " "], "give a reason for the extension"),
        (["--to", "2010-12-31", "--reason", "x"], "before the plan year 2011"),
        (["--to", "一季度", "--reason", "x"], "already due on 2011-03-31"),
        (["--to", "二季度", "--reason", "x", "--date", "2012-01-01"], "in the future"),
        (["--to", "二季度", "--reason", "x", "--date", "2010-06-01"], "before the plan year"),
        (["--to", "明年", "--reason", "x"], "unknown period"),
    ],
)
def test_bad_extensions_are_refused_and_change_nothing(ready, pufa, args, message):
    before = dump_db(ready)
    r = pufa("extend", "14", "--unit", SJ, *args)
    assert r.code == 2, r
    assert r.err.startswith("Error: ") and r.err.count("\n") == 1 and message in r.err, r
    assert dump_db(ready) == before


def test_an_unassigned_unit_or_unknown_task_is_refused(ready, pufa):
    before = dump_db(ready)
    r = pufa("extend", "14", "--unit", JY, "--to", "二季度", "--reason", "x")
    assert r.code == 2 and f"unit {JY} is not assigned to task 14" in r.err, r
    r = pufa("extend", "99", "--unit", SJ, "--to", "二季度", "--reason", "x")
    assert r.code == 2 and "no task 99" in r.err, r
    assert dump_db(ready) == before


def test_an_extension_stated_in_working_days(ready, pufa, monkeypatch):
    ok(pufa, "assign", "14", JY, "-q")
    # Granted 2011-09-30: 1-7 October were holidays, 8 and 9 October make-up working days, so
    # the third working day after it is 10 October.
    r = ok(
        pufa,
        "extend",
        "14",
        "-u",
        JY,
        "--to",
        "3個工作日",
        "--reason",
        "節後完成",
        "--date",
        "2011-09-30",
    )
    assert r.err == f"task 14: {JY} due 2011-03-31 → 2011-10-10\n"
    # Without the holiday table: Monday 3, Tuesday 4, Wednesday 5 October.
    monkeypatch.setenv("PUFA_CALENDAR", "weekdays")
    r = ok(
        pufa,
        "extend",
        "14",
        "-u",
        SJ,
        "--to",
        "3个工作日内",
        "--reason",
        "x",
        "--date",
        "2011-09-30",
    )
    assert r.err == f"task 14: {SJ} due 2011-03-31 → 2011-10-05\n"
    r = pufa("extend", "14", "-u", SJ, "--to", "0個工作日", "--reason", "x")
    assert r.code == 2 and "0 working days: give 1 to 366" in r.err, r


def test_without_a_date_past_the_plan_year_it_is_dated_the_years_last_day(ready, pufa, monkeypatch):
    # Today is in 2012: the extension is dated 2011-12-31 (as `pufa log` dates an entry), so it
    # counts in the 2011 plan's reports as of the year's end.
    monkeypatch.setenv("PUFA_TODAY", "2012-02-01")
    r = ok(pufa, "extend", "14", "-u", SJ, "--to", "2012-03-31", "--reason", "跨年")
    assert r.err == (
        "no --date: dated 2011-12-31, the last day its plan year allows (today is past it)\n"
        f"task 14: {SJ} due 2011-03-31 → 2012-03-31\n"
    )
    assert task14(pufa, "2011-12-31")["due"] == "2012-03-31"

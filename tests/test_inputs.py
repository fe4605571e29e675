"""Values as people type them (issue 13.7; 12.4, 13.1): one parser serves `pufa log` and import,
and one date rule (the plan year) serves both."""

from __future__ import annotations

import csv
import json
from datetime import date
from typing import Any

import pytest

from conftest import dump_db

SJ, JY = "區司法局", "區教育局"


def ok(pufa: Any, *args: Any) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


@pytest.fixture
def plan(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    """The 2011 plan; 區教育局 on tasks 19 (bases, 100 個) and 13 (coverage, 100 %), 區司法局 on
    task 10 (study_hours 50 小時, training_days 15 天); today is 2011-12-31."""
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    for name in (SJ, JY):
        ok(pufa, "unit", "add", name, "-q")
    ok(pufa, "assign", "19", JY, "--lead", JY, "-q")
    ok(pufa, "assign", "13", JY, "-q")
    ok(pufa, "assign", "10", SJ, "-q")
    return loaded


def entries(pufa: Any) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(ok(pufa, "export", "-w", "entries", "-f", "json").out)
    return data


def seen(e: dict[str, Any]) -> tuple[Any, ...]:
    return (e["task"], e["unit"], e["date"], e["percent"], e["metrics"])


# What people type, and what it means (worked out by hand: bases 37 of 100 = 37 %; coverage 85
# of 100 = 85 %; study_hours 25 of 50 = 50 %, training_days 0 of 15 = 0 %, mean 25 %).
TYPED = [
    (("19", "--unit", JY, "--percent", "10%", "--date", "2011/6/30"), 19, JY, "2011-06-30", 10, {}),
    (("19", "--unit", JY, "-p", "30 %", "--date", "6月30日"), 19, JY, "2011-06-30", 30, {}),
    (
        ("19", "--unit", JY, "-m", "bases=37個", "--date", "2011年7月1日"),
        19,
        JY,
        "2011-07-01",
        37,
        {"bases": 37},
    ),
    (
        ("19", "-u", JY, "-m", "基地=40", "--date", "2011-07-02"),
        19,
        JY,
        "2011-07-02",
        40,
        {"bases": 40},
    ),
    (
        ("13", "-u", JY, "-m", "coverage=85%", "--date", "２０１１－０８－０１"),
        13,
        JY,
        "2011-08-01",
        85,
        {"coverage": 85},
    ),
    (
        ("10", "-u", SJ, "-m", "领导干部=25小时", "--date", "8月2日"),
        10,
        SJ,
        "2011-08-02",
        25,
        {"study_hours": 25},
    ),
]


def test_log_reads_values_as_people_type_them(plan, pufa):
    for args, *_expected in TYPED:
        ok(pufa, "log", *args)
    assert [seen(e) for e in entries(pufa)] == [tuple(x) for _a, *x in TYPED]


def test_import_reads_the_same_values_as_log(plan, pufa, tmp_path):
    path = tmp_path / "進展.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["task", "unit", "date", "percent", "metrics"])
        out.writerow([19, JY, "2011/6/30", "10%", ""])
        out.writerow([19, JY, "6月30日", "30 %", ""])
        out.writerow([19, JY, "2011年7月1日", 37, "bases=37個"])
        out.writerow([19, JY, "2011-07-02", 40, "基地=40"])
        out.writerow([13, JY, "２０１１－０８－０１", 85, "coverage=85%"])
        out.writerow([10, SJ, "8月2日", 25, "领导干部=25小时；training_days=0天"])
    r = ok(pufa, "import", path)
    assert "added 6" in r.err
    expected = [tuple(x) for _a, *x in TYPED]
    expected[-1] = (10, SJ, "2011-08-02", 25, {"study_hours": 25, "training_days": 0})
    assert [seen(e) for e in entries(pufa)] == expected


def test_a_label_part_of_two_targets_is_refused(plan, pufa):
    before = dump_db(plan)
    # 每年 is in both labels of task 10 (領導干部和公務員每年學法時間, 行政執法人員每年培訓).
    r = pufa("log", "10", "-u", SJ, "-m", "每年=3", "--date", "2011-05-01")
    assert r.code == 2 and r.out == ""
    assert (
        r.err == "Error: task 10: '每年' could be any of the targets study_hours, training_days\n"
    )
    assert dump_db(plan) == before


# --- the plan year -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "today", "word"),
    [("2012-01-01", "2012-06-30", "after"), ("2010-12-31", "2011-12-31", "before")],
)
def test_log_refuses_a_date_outside_the_plan_year(plan, pufa, monkeypatch, day, today, word):
    monkeypatch.setenv("PUFA_TODAY", today)
    before = dump_db(plan)
    r = pufa("log", "19", "-u", JY, "-p", "5", "--date", day, "--year", "2011")
    assert r.code == 2 and r.out == ""
    assert r.err == (
        f"Error: --date {day} is {word} the plan year 2011 (2011-01-01 to 2011-12-31); "
        "give a --date in it, or --year for another year's plan\n"
    )
    assert dump_db(plan) == before


@pytest.mark.parametrize(
    ("day", "word"), [("2012-01-01", "after"), ("2010-12-31", "before"), ("2010/6/1", "before")]
)
def test_import_refuses_a_row_dated_outside_its_plan_year(
    plan, pufa, tmp_path, monkeypatch, day, word
):
    monkeypatch.setenv("PUFA_TODAY", "2012-06-30")
    path = tmp_path / "進展.csv"
    path.write_text(f"task,unit,date,percent\n19,{JY},2011-05-01,5\n19,{JY},{day},6\n", "utf-8")
    before = dump_db(plan)
    r = pufa("import", path)
    assert r.code == 2 and r.out == ""
    shown = day if "/" not in day else "2010-06-01"
    assert r.err.splitlines()[0] == (
        f"{path}:3: the date {shown} is {word} the plan year 2011 (2011-01-01 to 2011-12-31); "
        "give the row's year for another year's plan"
    )
    assert dump_db(plan) == before


def test_log_without_date_after_the_plan_year_is_dated_its_last_day(plan, pufa, monkeypatch):
    """The README's `pufa log 19 --unit 區教育局 --metric bases=37`, run when 2011 is long past."""
    monkeypatch.setenv("PUFA_TODAY", "2026-11-30")
    r = ok(pufa, "log", "19", "--unit", JY, "--metric", "bases=37")
    assert "dated 2011-12-31" in r.err
    assert [seen(e) for e in entries(pufa)] == [(19, JY, "2011-12-31", 37, {"bases": 37})]
    report = json.loads(ok(pufa, "report", "--by", "task", "-f", "json").out)
    row = next(r for r in report["rows"] if r["number"] == 19)
    assert row["percent"] == 37  # it counts in the year's report


def test_log_without_date_in_the_plan_year_is_dated_today(plan, pufa, monkeypatch):
    monkeypatch.setenv("PUFA_TODAY", "2011-05-04")
    r = ok(pufa, "log", "19", "--unit", JY, "-p", "5")
    assert "dated" not in r.err
    assert entries(pufa)[0]["date"] == "2011-05-04"


def test_a_next_year_deadline_extends_the_window():
    from pufa_cli.errors import BadInput
    from pufa_cli.inputs import check_entry_date, default_day, entry_window

    assert entry_window(2011) == (date(2011, 1, 1), date(2011, 12, 31))
    assert entry_window(2011, date(2011, 6, 30)) == (date(2011, 1, 1), date(2011, 12, 31))
    window = entry_window(2011, date(2012, 3, 31))  # a 次年 deadline
    assert window == (date(2011, 1, 1), date(2012, 12, 31))
    today = date(2012, 5, 1)
    assert check_entry_date(date(2012, 4, 1), today, 2011, window, option=True) == date(2012, 4, 1)
    assert default_day(today, window) == today
    assert default_day(today, entry_window(2011)) == date(2011, 12, 31)
    with pytest.raises(BadInput, match="after the plan year 2011"):
        check_entry_date(date(2012, 4, 1), today, 2011, entry_window(2011), option=True)
    with pytest.raises(BadInput, match="in the future"):
        check_entry_date(date(2012, 6, 1), today, 2011, window, option=True)


# --- the parser itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("37", 37), ("37%", 37), ("30 %", 30), ("３７％", 37), ("37.0", 37), (" 0 ", 0), ("100", 100)],
)
def test_percent_as_typed(text, value):
    from pufa_cli.inputs import parse_percent

    assert parse_percent(text) == value


@pytest.mark.parametrize("text", ["101", "-1", "2.5", "abc", "37%%", "% 37", ""])
def test_percent_refused(text):
    from pufa_cli.errors import BadInput
    from pufa_cli.inputs import parse_percent

    with pytest.raises(BadInput):
        parse_percent(text)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2011-06-30", date(2011, 6, 30)),
        ("2011/6/30", date(2011, 6, 30)),
        ("2011.6.3", date(2011, 6, 3)),
        ("2011年6月30日", date(2011, 6, 30)),
        ("2011年6月30号", date(2011, 6, 30)),
        ("6月30日", date(2011, 6, 30)),
        ("１２月１日", date(2011, 12, 1)),
        ("2011-06-30 00:00:00", date(2011, 6, 30)),
    ],
)
def test_dates_as_typed(text, day):
    from pufa_cli.inputs import parse_day

    assert parse_day(text, 2011) == day


@pytest.mark.parametrize("text", ["6/30", "2011-13-01", "30.6.2011", "2011年6月", "6月30", "明天"])
def test_dates_refused(text):
    from pufa_cli.errors import BadInput
    from pufa_cli.inputs import parse_day

    with pytest.raises(BadInput):
        parse_day(text, 2011)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("done", "done"),
        ("In Progress", "in-progress"),
        ("not_started", "not-started"),
        ("overdue", "overdue"),
        ("已完成", "done"),
        ("進行中", "in-progress"),
        ("进行中", "in-progress"),
        ("未開始", "not-started"),
        ("未开始", "not-started"),
        ("逾期", "overdue"),
    ],
)
def test_status_words_of_every_language(text, status):
    from pufa_cli.inputs import parse_status

    assert parse_status(text) == status


def test_an_unknown_status_word_is_refused():
    from pufa_cli.errors import BadInput
    from pufa_cli.inputs import parse_status

    with pytest.raises(BadInput, match="'late' is not a status"):
        parse_status("late")


def test_tasks_status_takes_the_words_of_the_language(plan, pufa):
    def numbers(word: str) -> list[int]:
        rows = json.loads(ok(pufa, "tasks", "--status", word, "--as-of", "Q3", "-f", "json").out)
        return [t["number"] for t in rows]

    overdue = numbers("overdue")
    assert overdue  # nothing logged: the tasks due by Q3 are overdue
    assert numbers("逾期") == overdue
    assert numbers("未开始") == numbers("not-started")

"""`pufa report` (issue 4): every number of the JSON report at the end of each quarter.

A small plan written for this test, five tasks in two sections, three units (SJ leads in both
sections), entries across the year, a retracted entry that was the latest of its task at Q2
and another that is the last entry of the whole ledger. Every expected number below is worked
out by hand from docs/rules.md and docs/report.md; nothing here calls pufa's own rules.

    section 1  task 1  due 一季度 (03-31)  lead SJ, support JY
               task 2  due 年底 (12-31)    lead JY; target bases 100 個
    section 2  task 3  due 年底 (12-31)    lead SJ, support TW
               task 4  due 上半年 (06-30)  lead TW
               task 5  due 第三季度 (09-30) no unit, no entry ever

Entries (percent; e6 and e13 retracted):
    task 1  e1 SJ 50 02-10   e2 JY 20 03-15   e9 SJ 100 07-15   e10 JY 100 08-01
    task 2  e4 JY bases=10 03-20 → 10   e5 JY bases=60 05-10 → 60
            e6 JY 90 06-20 (retracted)   e13 JY done 12-31 (retracted: the last entry)
    task 3  e3 SJ 30 03-01   e7 TW 40 06-01   e11 SJ 90 09-30   e12 TW 100 11-30
    task 4  e8 TW done 06-30

Expected percent (window 01-01 .. due, both days counted), as of the quarter ends:
    due 12-31 (365 days): Q1 90/365 = 24.66, Q2 181/365 = 49.59, Q3 273/365 = 74.79, Q4 100
    due 06-30 (181 days): Q1 90/181 = 49.72;  due 09-30 (273 days): Q1 32.97, Q2 66.30
    a task as of its due date or later: 100
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import dump_db, run_installed

Q1, Q2, Q3, Q4 = "2011-03-31", "2011-06-30", "2011-09-30", "2011-12-31"
SJ, JY, TW = "區司法局", "區教育局", "區團委"

PLAN = """\
version: 1
year: 2011
title: 報表測試方案
units: [區司法局, 區教育局, 區團委]
sections:
  - number: 1
    title: 第一部分宣傳教育
    tasks:
      - {number: 1, title: 任務一, due: 一季度, lead: 區司法局, support: [區教育局]}
      - number: 2
        title: 任務二
        due: 年底
        lead: 區教育局
        targets:
          - {key: bases, label: 青少年法制教育基地, target: 100, unit: 個}
  - number: 2
    title: 第二部分依法治理
    tasks:
      - {number: 3, title: 任務三, due: 年底, lead: 區司法局, support: [區團委]}
      - {number: 4, title: 任務四, due: 上半年, lead: 區團委}
      - {number: 5, title: 任務五, due: 第三季度}
"""


def ok(pufa: Any, *args: str) -> str:
    r = pufa(*args)
    assert r.code == 0, r
    return str(r.out)


def log(pufa: Any, task: int, unit: str, day: str, *how: str) -> int:
    out = ok(pufa, "log", str(task), "--unit", unit, "--date", day, "--by", "測試員", *how)
    return int(out.strip())


@pytest.fixture
def small_plan(db, pufa, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The test plan loaded, no entries yet."""
    monkeypatch.setenv("PUFA_TODAY", "2012-01-15")
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    ok(pufa, "init", "-q", "--plan", str(path))
    return db


@pytest.fixture
def scenario(small_plan, pufa):  # type: ignore[no-untyped-def]
    """The whole year logged (see the module docstring); returns the entry ids."""
    ids = {
        "e1": log(pufa, 1, SJ, "2011-02-10", "--percent", "50"),
        "e2": log(pufa, 1, JY, "2011-03-15", "--percent", "20"),
        "e3": log(pufa, 3, SJ, "2011-03-01", "--percent", "30"),
        "e4": log(pufa, 2, JY, "2011-03-20", "--metric", "bases=10"),
        "e5": log(pufa, 2, JY, "2011-05-10", "--metric", "bases=60"),
        "e6": log(pufa, 2, JY, "2011-06-20", "--percent", "90"),
        "e7": log(pufa, 3, TW, "2011-06-01", "--percent", "40"),
        "e8": log(pufa, 4, TW, Q2, "--done"),
        "e9": log(pufa, 1, SJ, "2011-07-15", "--done"),
        "e10": log(pufa, 1, JY, "2011-08-01", "--done"),
        "e11": log(pufa, 3, SJ, Q3, "--percent", "90"),
        "e12": log(pufa, 3, TW, "2011-11-30", "--done"),
        "e13": log(pufa, 2, JY, Q4, "--done"),
    }
    ok(pufa, "retract", str(ids["e6"]), "--reason", "誤報")
    ok(pufa, "retract", str(ids["e13"]), "--reason", "尚未驗收")
    return ids


def report(pufa: Any, *args: str) -> dict[str, Any]:
    r = pufa("report", "-f", "json", *args)
    assert r.code == 0, r
    assert r.err == ""
    data: dict[str, Any] = json.loads(r.out)
    return data


KEYS = ("tasks", "done", "in_progress", "not_started", "overdue", "red", "yellow", "percent")


def counts(*values: Any) -> dict[str, Any]:
    # No task of this plan has checkpoints: none is ever missed (test_checkpoints.py has them).
    return {**dict(zip(KEYS, values, strict=True)), "missed": 0}


S1, S2 = "第一部分宣傳教育", "第二部分依法治理"

# By section, by hand.  (tasks, done, in_progress, not_started, overdue, red, yellow, percent)
# Overdue as of D: not done and due <= D (the due date has ended without it being done).
#  Q1  t1 (50+20)/2 = 35 in-progress, due today and not done: overdue, red
#      t2 10 (metric 10/100), behind 14.66: yellow   t3 (30+0)/2 = 15, behind 9.66: green
#      t4 0 not-started, behind 49.72: red           t5 0 not-started, behind 32.97: red
#  Q2  t1 35 overdue: red   t2 60 (e6 retracted), ahead: green   t3 (30+40)/2 = 35,
#      behind 14.59: yellow   t4 done on its due date: green   t5 0, behind 66.30: red
#  Q3  t1 done   t2 60, behind 14.79: yellow   t3 (90+40)/2 = 65, behind 9.79: green
#      t4 done   t5 0, due today: overdue, red
#  Q4  t1 done   t2 60 (e13 retracted), due today: overdue, red
#      t3 (90+100)/2 = 95, due today and not done: overdue, red   t4 done   t5 0 overdue: red
BY_SECTION: dict[str, dict[str, Any]] = {
    Q1: {
        "rows": [counts(2, 0, 2, 0, 1, 1, 1, 22.5), counts(3, 0, 1, 2, 0, 2, 0, 5.0)],
        "total": counts(5, 0, 3, 2, 1, 3, 1, 12.0),
        "overdue": [1],
        "due_next": [4],
    },
    Q2: {
        "rows": [counts(2, 0, 2, 0, 1, 1, 0, 47.5), counts(3, 1, 1, 1, 0, 1, 1, 45.0)],
        "total": counts(5, 1, 3, 1, 1, 2, 1, 46.0),
        "overdue": [1],
        "due_next": [5],
    },
    Q3: {
        "rows": [counts(2, 1, 1, 0, 0, 0, 1, 80.0), counts(3, 1, 1, 1, 1, 1, 0, 55.0)],
        "total": counts(5, 2, 2, 1, 1, 1, 1, 65.0),
        "overdue": [5],
        "due_next": [2, 3],
    },
    Q4: {
        "rows": [counts(2, 1, 1, 0, 1, 1, 0, 80.0), counts(3, 1, 1, 1, 2, 2, 0, 65.0)],
        "total": counts(5, 2, 2, 1, 3, 3, 0, 71.0),
        "overdue": [2, 3, 5],
        "due_next": [],
    },
}


def check_by_section(pufa: Any, quarter: int) -> None:
    day = (Q1, Q2, Q3, Q4)[quarter - 1]
    want = BY_SECTION[day]
    data = report(pufa, "--quarter", str(quarter))
    assert data == {
        "year": 2011,
        "plan": "2011",
        "as_of": day,
        "by": "section",
        "rows": [
            {"section": 1, "title": S1, **want["rows"][0]},
            {"section": 2, "title": S2, **want["rows"][1]},
        ],
        "total": want["total"],
        "overdue": want["overdue"],
        "due_next": want["due_next"],
    }
    # --as-of with the same date, and a period word, give the same document.
    assert report(pufa, "--as-of", day) == data
    assert report(pufa, "--as-of", f"Q{quarter}") == data
    for row in [*data["rows"], data["total"]]:
        assert row["done"] + row["in_progress"] + row["not_started"] == row["tasks"]


def unit_row(rank: int, unit: str, lead: int, supporting: int, *values: Any) -> dict[str, Any]:
    return {"rank": rank, "unit": unit, "lead": lead, "supporting": supporting, **counts(*values)}


# By unit, by hand: each unit's own percent on each of its tasks, judged against its own due
# date.  SJ: t1 (lead, 03-31), t3 (lead, 12-31);  JY: t1 (support), t2 (lead, 12-31);
# TW: t3 (support), t4 (lead, 06-30).
#  Q1  SJ t1 50 due today: overdue, red; t3 30, behind -5.3: green     → 40.0
#      JY t1 20: overdue, red; t2 10, behind 14.66: yellow               → 15.0
#      TW t3 no entry: not-started, behind 24.66: yellow; t4 none: red   →  0.0
#  Q2  SJ t1 50 overdue: red; t3 30, behind 19.59: yellow → 40.0
#      JY t1 20 overdue: red; t2 60: green                → 40.0 (tie with SJ: rank 2, by name)
#      TW t3 40, behind 9.59: green; t4 done             → 70.0
#  Q3  SJ t1 done; t3 90: green → 95.0   JY t1 done; t2 60, behind 14.79: yellow → 80.0
#      TW t3 40, behind 34.79: red; t4 done → 70.0
#  Q4  SJ t1 done; t3 90, due today and not done: overdue, red → 95.0
#      JY t1 done; t2 60, overdue: red → 80.0   TW both done → 100.0
BY_UNIT: dict[str, list[dict[str, Any]]] = {
    Q1: [
        unit_row(1, SJ, 2, 0, 2, 0, 2, 0, 1, 1, 0, 40.0),
        unit_row(2, JY, 1, 1, 2, 0, 2, 0, 1, 1, 1, 15.0),
        unit_row(3, TW, 1, 1, 2, 0, 0, 2, 0, 1, 1, 0.0),
    ],
    Q2: [
        unit_row(1, TW, 1, 1, 2, 1, 1, 0, 0, 0, 0, 70.0),
        unit_row(2, SJ, 2, 0, 2, 0, 2, 0, 1, 1, 1, 40.0),
        unit_row(2, JY, 1, 1, 2, 0, 2, 0, 1, 1, 0, 40.0),
    ],
    Q3: [
        unit_row(1, SJ, 2, 0, 2, 1, 1, 0, 0, 0, 0, 95.0),
        unit_row(2, JY, 1, 1, 2, 1, 1, 0, 0, 0, 1, 80.0),
        unit_row(3, TW, 1, 1, 2, 1, 1, 0, 0, 1, 0, 70.0),
    ],
    Q4: [
        unit_row(1, TW, 1, 1, 2, 2, 0, 0, 0, 0, 0, 100.0),
        unit_row(2, SJ, 2, 0, 2, 1, 1, 0, 1, 1, 0, 95.0),
        unit_row(3, JY, 1, 1, 2, 1, 1, 0, 1, 1, 0, 80.0),
    ],
}


def check_by_unit(pufa: Any, quarter: int) -> None:
    day = (Q1, Q2, Q3, Q4)[quarter - 1]
    data = report(pufa, "--quarter", str(quarter), "--by", "unit")
    assert data["by"] == "unit"
    assert data["rows"] == BY_UNIT[day]
    # The total, overdue and due_next are over tasks, whatever the grouping.
    want = BY_SECTION[day]
    assert (data["total"], data["overdue"], data["due_next"]) == (
        want["total"],
        want["overdue"],
        want["due_next"],
    )


def task_row(number: int, *values: Any) -> dict[str, Any]:
    keys = ("section", "title", "units", "due", "percent", "expected", "status", "overdue")
    row = dict(zip(keys, values[:8], strict=True))
    return {
        "section": row["section"],
        "number": number,
        "title": row["title"],
        "units": row["units"],
        "due": row["due"],
        "planned_due": row["due"],  # issue 16: no extensions in this scenario
        "ongoing": False,  # no task of this scenario is ongoing work
        "percent": row["percent"],
        "expected": row["expected"],
        "status": row["status"],
        "overdue": row["overdue"],
        "colour": values[8],
        "missed": 0,
        "targets": values[9] if len(values) > 9 else [],
        "problems": "",  # issue 16: none given in this scenario
        "next": "",
    }


def bases(value: int) -> list[dict[str, Any]]:
    text = f"{value}/100 個"
    return [{"key": "bases", "value": value, "target": 100, "unit": "個", "text": text}]


IP, NS, DONE = "in-progress", "not-started", "done"
BY_TASK: dict[str, list[dict[str, Any]]] = {
    Q1: [
        task_row(1, 1, "任務一", [SJ, JY], Q1, 35.0, 100.0, IP, True, "red"),
        task_row(2, 1, "任務二", [JY], Q4, 10.0, 24.7, IP, False, "yellow", bases(10)),
        task_row(3, 2, "任務三", [SJ, TW], Q4, 15.0, 24.7, IP, False, "green"),
        task_row(4, 2, "任務四", [TW], Q2, 0.0, 49.7, NS, False, "red"),
        task_row(5, 2, "任務五", [], Q3, 0.0, 33.0, NS, False, "red"),
    ],
    Q2: [
        task_row(1, 1, "任務一", [SJ, JY], Q1, 35.0, 100.0, IP, True, "red"),
        task_row(2, 1, "任務二", [JY], Q4, 60.0, 49.6, IP, False, "green", bases(60)),
        task_row(3, 2, "任務三", [SJ, TW], Q4, 35.0, 49.6, IP, False, "yellow"),
        task_row(4, 2, "任務四", [TW], Q2, 100.0, 100.0, DONE, False, "green"),
        task_row(5, 2, "任務五", [], Q3, 0.0, 66.3, NS, False, "red"),
    ],
    Q3: [
        task_row(1, 1, "任務一", [SJ, JY], Q1, 100.0, 100.0, DONE, False, "green"),
        task_row(2, 1, "任務二", [JY], Q4, 60.0, 74.8, IP, False, "yellow", bases(60)),
        task_row(3, 2, "任務三", [SJ, TW], Q4, 65.0, 74.8, IP, False, "green"),
        task_row(4, 2, "任務四", [TW], Q2, 100.0, 100.0, DONE, False, "green"),
        task_row(5, 2, "任務五", [], Q3, 0.0, 100.0, NS, True, "red"),
    ],
    Q4: [
        task_row(1, 1, "任務一", [SJ, JY], Q1, 100.0, 100.0, DONE, False, "green"),
        task_row(2, 1, "任務二", [JY], Q4, 60.0, 100.0, IP, True, "red", bases(60)),
        task_row(3, 2, "任務三", [SJ, TW], Q4, 95.0, 100.0, IP, True, "red"),
        task_row(4, 2, "任務四", [TW], Q2, 100.0, 100.0, DONE, False, "green"),
        task_row(5, 2, "任務五", [], Q3, 0.0, 100.0, NS, True, "red"),
    ],
}


def check_by_task(pufa: Any, quarter: int) -> None:
    day = (Q1, Q2, Q3, Q4)[quarter - 1]
    data = report(pufa, "--quarter", str(quarter), "--by", "task")
    assert data["rows"] == BY_TASK[day]
    assert (data["total"], data["overdue"], data["due_next"]) == (
        BY_SECTION[day]["total"],
        BY_SECTION[day]["overdue"],
        BY_SECTION[day]["due_next"],
    )


def test_every_number_at_every_quarter_end(scenario, pufa):
    for quarter in (1, 2, 3, 4):
        check_by_section(pufa, quarter)
        check_by_unit(pufa, quarter)
        check_by_task(pufa, quarter)


def test_filters_narrow_the_tasks(scenario, pufa):
    # SJ's tasks are 1 and 3; typed in Simplified script it is the same unit.
    data = report(pufa, "--quarter", "4", "--unit", "区司法局")
    assert [(r["section"], r["tasks"], r["percent"]) for r in data["rows"]] == [
        (1, 1, 100.0),
        (2, 1, 95.0),
    ]
    # Task 3 (95, due 12-31) is overdue as of 12-31.
    assert data["total"] == counts(2, 1, 1, 0, 1, 1, 0, 97.5)
    assert data["overdue"] == [3]
    by_unit = report(pufa, "--quarter", "4", "--unit", SJ, "--by", "unit")
    assert by_unit["rows"] == [unit_row(1, SJ, 2, 0, 2, 1, 1, 0, 1, 1, 0, 95.0)]
    # Section 2 by unit: SJ has only task 3 there, JY nothing.
    data = report(pufa, "--quarter", "4", "--section", "2", "--by", "unit")
    assert [(r["rank"], r["unit"], r["tasks"], r["percent"]) for r in data["rows"]] == [
        (1, TW, 2, 100.0),
        (2, SJ, 1, 90.0),
    ]
    assert data["total"] == counts(3, 1, 1, 1, 2, 2, 0, 65.0)
    assert data["overdue"] == [3, 5]
    data = report(pufa, "--quarter", "3", "--section", "1", "--by", "task")
    assert [r["number"] for r in data["rows"]] == [1, 2]
    assert data["due_next"] == [2]
    # A unit with no task: nothing in scope, and no mean over nothing.
    ok(pufa, "unit", "add", "區某局")
    data = report(pufa, "--quarter", "4", "--unit", "區某局")
    assert (data["rows"], data["overdue"]) == ([], [])
    assert data["total"] == counts(0, 0, 0, 0, 0, 0, 0, None)


def test_default_is_today(scenario, pufa, monkeypatch):
    monkeypatch.setenv("PUFA_TODAY", Q2)
    assert report(pufa) == report(pufa, "--quarter", "2")


def test_a_plan_with_no_entries(loaded, pufa):
    """The bundled 2011 plan as loaded: 23 tasks, all due 12-31 but task 14 (一季度)."""
    sizes = [3, 5, 5, 4, 3, 3]
    everything_but_14 = [n for n in range(1, 24) if n != 14]
    for quarter in (1, 2, 3, 4):
        data = report(pufa, "--quarter", str(quarter))
        assert [r["section"] for r in data["rows"]] == [1, 2, 3, 4, 5, 6]
        for row, size in zip(data["rows"], sizes, strict=True):
            if quarter == 1:
                # 24.66 points behind: yellow; task 14 is due today: expected 100, red.
                red, yellow = (1, 3) if row["section"] == 4 else (0, size)
            else:
                red, yellow = size, 0
            # Task 14 is overdue from the end of 03-31 on; as of 12-31 every task is.
            overdue = size if quarter == 4 else (1 if row["section"] == 4 else 0)
            # Task 2 (section 1) and task 7 (section 2) have checkpoints 上半年 and the year
            # end, and nobody reports: 0 missed at Q1, 1 each at Q2 and Q3, 2 each at Q4.
            missed = [0, 1, 1, 2][quarter - 1] if row["section"] in (1, 2) else 0
            want = counts(size, 0, 0, size, overdue, red, yellow, 0.0) | {"missed": missed}
            assert {k: row[k] for k in (*KEYS, "missed")} == want
        if quarter == 1:
            assert data["total"] == counts(23, 0, 0, 23, 1, 1, 22, 0.0)
        else:
            late = 23 if quarter == 4 else 1
            total = counts(23, 0, 0, 23, late, 23, 0, 0.0) | {"missed": 2 if quarter < 4 else 4}
            assert data["total"] == total
        assert data["overdue"] == (list(range(1, 24)) if quarter == 4 else [14])
        assert data["due_next"] == (everything_but_14 if quarter == 3 else [])
    by_unit = report(pufa, "--quarter", "2", "--by", "unit")
    # The plan names two leads (tasks 7 and 8); both at 0, a tie broken by name.
    assert [(r["rank"], r["unit"], r["lead"], r["percent"]) for r in by_unit["rows"]] == [
        (1, "區依法治區工作領導小組", 1, 0.0),
        (1, "區依法治區辦公室", 1, 0.0),
    ]


# Task 1 is due 03-31: a 90-day window, so as of 02-14 (day 45) 50.0 percent is expected.
BOUNDARY_DAY = "2011-02-14"


def colour(pufa: Any, *args: str) -> tuple[float, str]:
    data = report(pufa, "--as-of", BOUNDARY_DAY, "--by", "task", *args)
    row = data["rows"][0]
    assert row["expected"] == 50.0
    return row["percent"], row["colour"]


def test_yellow_and_red_boundaries(small_plan, pufa, monkeypatch):
    log(pufa, 1, SJ, BOUNDARY_DAY, "--percent", "40")
    log(pufa, 1, JY, BOUNDARY_DAY, "--percent", "40")
    assert colour(pufa) == (40.0, "green")  # exactly 10 behind: not more than 10
    log(pufa, 1, JY, BOUNDARY_DAY, "--percent", "39")  # same day, later entry wins
    assert colour(pufa) == (39.5, "yellow")  # 10.5 behind
    assert colour(pufa, "--yellow", "10.5") == (39.5, "green")
    log(pufa, 1, SJ, BOUNDARY_DAY, "--percent", "20")
    log(pufa, 1, JY, BOUNDARY_DAY, "--percent", "20")
    assert colour(pufa) == (20.0, "yellow")  # exactly 30 behind: not more than 30
    log(pufa, 1, JY, BOUNDARY_DAY, "--percent", "19")
    assert colour(pufa) == (19.5, "red")  # 30.5 behind
    # Thresholds from options, else the environment.
    assert colour(pufa, "--red", "30.5") == (19.5, "yellow")
    monkeypatch.setenv("PUFA_RED", "30.5")
    assert colour(pufa) == (19.5, "yellow")
    assert colour(pufa, "--red", "30") == (19.5, "red")  # the option wins
    monkeypatch.setenv("PUFA_YELLOW", "30.5")
    assert colour(pufa) == (19.5, "green")
    monkeypatch.delenv("PUFA_RED")
    monkeypatch.delenv("PUFA_YELLOW")
    # Counted by section as well.
    data = report(pufa, "--as-of", BOUNDARY_DAY)
    assert (data["rows"][0]["red"], data["rows"][0]["yellow"]) == (1, 1)  # task 2: 12.3 behind


def test_expected_percent_and_colour_rules():
    from datetime import date

    from pufa_cli.report import Thresholds, colour_of, expected_percent

    due = date(2011, 3, 31)
    assert expected_percent(due, date(2011, 2, 14), date(2011, 1, 1)) == 50.0
    assert expected_percent(due, date(2011, 1, 1), date(2011, 1, 1)) == pytest.approx(100 / 90)
    assert expected_percent(due, due, date(2011, 1, 1)) == 100.0
    assert expected_percent(due, date(2011, 7, 1), date(2011, 1, 1)) == 100.0
    assert expected_percent(due, date(2010, 12, 31), date(2011, 1, 1)) == 0.0
    th = Thresholds()
    assert colour_of("in-progress", False, 10.0, th) == "green"
    assert colour_of("in-progress", False, 10.0000001, th) == "yellow"
    assert colour_of("in-progress", False, 30.0, th) == "yellow"
    assert colour_of("in-progress", False, 30.0000001, th) == "red"
    assert colour_of("in-progress", False, 30 + 1e-12, th) == "yellow"  # float noise only
    assert colour_of("in-progress", True, -5.0, th) == "red"  # overdue
    assert colour_of("done", False, 80.0, th) == "green"
    assert colour_of("not-started", False, 10.5, Thresholds(10, 20)) == "yellow"
    assert colour_of("not-started", False, 10.5, Thresholds(0, 10)) == "red"


def test_csv_and_markdown_carry_the_json_rows(scenario, pufa):
    import csv
    import io

    data = report(pufa, "--quarter", "2")
    r = pufa("report", "--quarter", "2", "-f", "csv")
    assert r.code == 0, r
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert list(rows[0]) == ["section", "title", *KEYS, "missed"]
    assert [{k: str(v) for k, v in row.items()} for row in data["rows"]] == rows
    r = pufa("report", "--quarter", "2", "-f", "csv", "--by", "task")
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert rows[1]["targets"] == "60/100 個"
    assert rows[0]["units"] == f"{SJ}、{JY}"
    assert rows[0]["overdue"] == "true"
    r = pufa("report", "--quarter", "2", "-f", "markdown")
    assert r.code == 0, r
    lines = r.out.splitlines()
    assert f"| 1 | {S1} | 2 | 0 | 2 | 0 | 1 | 1 | 0 | 47.5 | 0 |" in lines
    assert "|  | Total | 5 | 1 | 3 | 1 | 1 | 2 | 1 | 46.0 | 0 |" in lines
    assert any(line.startswith("Overdue as of 2011-06-30: 1") for line in lines)
    assert any(line.startswith("Not done and due in Q3 2011: 5") for line in lines)


def test_table_lists_overdue_and_due_next(scenario, pufa, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    r = pufa("report", "--quarter", "2")
    assert r.code == 0, r
    assert "\x1b" not in r.out  # NO_COLOR, and not a terminal
    assert S1 in r.out and "47.5%" in r.out
    assert "Overdue as of 2011-06-30: 1\n" in r.out
    assert "Not done and due in Q3 2011: 5\n" in r.out
    r = pufa("report", "--quarter", "4", "--by", "unit")
    assert "Due next quarter: none" in r.out
    lines = r.out.splitlines()
    ranked = [line.split()[:2] for line in lines if line.strip()[:1].isdigit()]
    assert ranked == [["1", TW], ["2", SJ], ["3", JY]]
    r = pufa("report", "--quarter", "4", "--by", "task")
    assert "60/100 個" in r.out and "overdue" in r.out


def test_installed_report_prints_json_without_sqlalchemy(sqlite_db, pufa, tmp_path):
    ok(pufa, "init", "-q")
    # PYTHONPROFILEIMPORTTIME lists every module imported, on stderr.
    r = run_installed(
        "report", "--quarter", "4", "-f", "json", env={"PYTHONPROFILEIMPORTTIME": "1"}
    )
    assert r.code == 0, r
    assert json.loads(r.out)["total"]["tasks"] == 23
    imported = [line.rsplit("|", 1)[-1].strip() for line in r.err.splitlines()]
    assert "pufa_cli.report" in imported
    assert not [m for m in imported if m.split(".")[0] in ("sqlalchemy", "alembic")]


BAD_INPUTS: list[tuple[list[str], dict[str, str], str]] = [
    (["--quarter", "5"], {}, "quarter must be 1 to 4"),
    (["--quarter", "0"], {}, "quarter must be 1 to 4"),
    (["--quarter", "2", "--as-of", "2011-06-30"], {}, "not both"),
    (["--yellow", "40", "--red", "30"], {}, "0 <= yellow <= red <= 100"),
    (["--yellow", "-1"], {}, "0 <= yellow <= red <= 100"),
    (["--red", "101"], {}, "0 <= yellow <= red <= 100"),
    ([], {"PUFA_YELLOW": "ten"}, "PUFA_YELLOW must be a number"),
    ([], {"PUFA_YELLOW": "50"}, "0 <= yellow <= red <= 100"),
    (["--unit", "區不存在局"], {}, "unknown unit"),
    (["--section", "9"], {}, "no section 9"),
    (["--section", "99999999999"], {}, "no section 99999999999"),
    (["--as-of", "2011-02-30"], {}, "not a valid date"),
    (["--by", "year"], {}, "--by"),
    (["--format", "xml"], {}, "--format"),
]


def test_bad_input_is_refused(scenario, db, pufa, monkeypatch):
    before = dump_db(db)
    for args, env, message in BAD_INPUTS:
        with monkeypatch.context() as m:
            for key, value in env.items():
                m.setenv(key, value)
            r = pufa("report", *args)
        assert r.code == 2, (args, r)
        assert r.out == "", (args, r)
        assert r.err.startswith("Error: ") and r.err.count("\n") == 1, (args, r)
        assert message in r.err, (args, r)
        assert "Traceback" not in r.err
    assert dump_db(db) == before


def test_tasks_refuses_an_unknown_section_like_report(scenario, db, pufa):
    """`tasks --section 99` printed an empty table and exited 0 while `report` exited 2
    (issue 12, item 14): one rule for both."""
    for command in ("tasks", "report"):
        r = pufa(command, "--section", "99")
        assert r.code == 2 and r.out == "", (command, r)
        assert "no section 99" in r.err and r.err.count("\n") == 1, (command, r)
    assert pufa("tasks", "--section", "2").code == 0


def test_the_line_for_the_next_quarter_says_why_it_is_empty(loaded, pufa):
    """As of a day before the plan year nothing of the plan is due next quarter because the
    year has not begun, not because "next year is another plan" (that is Q4's reason)."""
    lines = {
        day: pufa("report", "--as-of", day).out.splitlines()
        for day in ("2010-06-30", "2010-12-31", "2011-12-31")
    }
    assert "Due next quarter: none (the plan year has not begun)" in lines["2010-06-30"]
    assert any(line.startswith("Not done and due in Q1 2011: ") for line in lines["2010-12-31"])
    assert "Due next quarter: none (next year is another plan)" in lines["2011-12-31"]

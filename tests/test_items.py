"""Sub-items (issue 14.6): a version 2 task's ``items:`` are tracked on their own as ``TASK.N``
and the task takes their mean. Every expected number is worked out by hand in the comments.
Runs on SQLite and, with ``PUFA_TEST_PG_URL``, on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import dump_db
from pufa_cli import store as dbmod
from pufa_cli.config import resolve_db
from pufa_cli.schema import SCHEMA_HEAD

SJ, JY, TW = "區司法局", "區教育局", "區團委"

ITEMS = f"""\
version: 2
id: items
year: 2023
title: 子項測試方案
units: [{SJ}, {JY}, {TW}]
sections:
  - number: 1
    title: 一、重點工作
    tasks:
      - number: 1
        title: 開展法治宣傳
        lead: {SJ}
        items:
          - label: (1)
            title: 舉辦憲法講座
            checks: [4月30日, 6月30日]
          - label: (2)
            title: 建設法治教育基地
            lead: {JY}
            support: [{TW}]
            targets:
              - {{key: bases, label: 基地, target: 10, unit: 個}}
      - number: 2
        title: 單項任務
        lead: {TW}
"""


def load(pufa: Any, tmp_path: Path, text: str = ITEMS) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    r = pufa("init", "-q", "--plan", path)
    assert r.code == 0, r
    return path


def ok(pufa: Any, *args: str) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def log_work(pufa: Any) -> None:
    r = ok(pufa, "log", "1.1", "--unit", SJ, "--percent", "80", "--date", "2023-05-01")
    assert f"— task 1.1: {SJ} 80 %" in r.err  # the item, not its task 1
    r = ok(pufa, "log", "1.2", "--unit", JY, "--metric", "bases=5", "--date", "2023-05-02")
    assert f"— task 1.2: {JY} " in r.err


def tasks(pufa: Any, as_of: str) -> list[dict[str, Any]]:
    return json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", as_of).out)


def test_items_are_listed_under_their_task_with_their_own_units_and_due(db, pufa, tmp_path):
    load(pufa, tmp_path)
    got = tasks(pufa, "2023-03-01")
    # Each task, then its items; JSON numbers: plain integers for tasks, "1.2" for items.
    assert [t["number"] for t in got] == [1, "1.1", "1.2", 2]
    by = {t["number"]: t for t in got}
    # 1.1 names no units: it is done by its task's (區司法局 leads); the task itself has none.
    assert [(u["unit"], u["role"]) for u in by["1.1"]["units"]] == [(SJ, "lead")]
    assert [(u["unit"], u["role"]) for u in by["1.2"]["units"]] == [(JY, "lead"), (TW, "support")]
    assert by[1]["units"] == []
    # 1.1 is due at its last checkpoint (6月30日); 1.2 gives none: it is due with its task (年底).
    assert (by["1.1"]["due"], by["1.2"]["due"], by[1]["due"]) == (
        "2023-06-30",
        "2023-12-31",
        "2023-12-31",
    )
    table = ok(pufa, "tasks", "--as-of", "2023-03-01").out
    assert "1.1" in table and "1.2" in table
    # plan list counts the tasks (1 and 2), not their items.
    assert [p["tasks"] for p in json.loads(ok(pufa, "plan", "list", "-f", "json").out)] == [2]


def test_a_task_takes_the_mean_of_its_items(db, pufa, tmp_path):
    load(pufa, tmp_path)
    log_work(pufa)
    by = {t["number"]: t for t in tasks(pufa, "2023-07-01")}
    # 1.1: 區司法局's 80. 1.2: bases sum 5 (區教育局) + 0 (區團委) = 5 of 10 → 50.
    # Task 1: (80 + 50) / 2 = 65.
    assert (by["1.1"]["percent"], by["1.2"]["percent"], by[1]["percent"]) == (80.0, 50.0, 65.0)
    assert by[1]["status"] == "in-progress" and by[2]["status"] == "not-started"
    report = json.loads(ok(pufa, "report", "-f", "json", "--as-of", "2023-07-01").out)
    # The section counts tasks 1 and 2 once each (not the items again): (65 + 0) / 2 = 32.5.
    assert report["total"]["tasks"] == 2 and report["total"]["percent"] == 32.5
    assert report["rows"][0]["percent"] == 32.5
    # 1.1 was due 06-30 at 80 %: overdue on 07-01, and listed as "1.1".
    assert report["overdue"] == ["1.1"]
    rows = json.loads(
        ok(pufa, "report", "--by", "task", "-f", "json", "--as-of", "2023-07-01").out
    )["rows"]
    assert [(r["number"], r["percent"]) for r in rows] == [
        (1, 65.0),
        ("1.1", 80.0),
        ("1.2", 50.0),
        (2, 0.0),
    ]


def test_an_item_has_its_own_checkpoints(db, pufa, tmp_path):
    load(pufa, tmp_path)
    log_work(pufa)
    by = {t["number"]: t for t in tasks(pufa, "2023-07-01")}
    # 1.1's checkpoints 04-30 and 06-30; its one entry is dated 05-01: after 04-30 (missed),
    # within (04-30, 06-30] (met).
    assert by["1.1"]["checkpoints"] == [
        {"date": "2023-04-30", "met": False},
        {"date": "2023-06-30", "met": True},
    ]
    rows = json.loads(
        ok(pufa, "report", "--by", "task", "-f", "json", "--as-of", "2023-07-01").out
    )["rows"]
    missed = {r["number"]: r["missed"] for r in rows}
    # The task counts the checkpoints its items missed.
    assert (missed[1], missed["1.1"], missed["1.2"]) == (1, 1, 0)


def test_log_and_assign_refuse_a_task_with_items_naming_them(db, pufa, tmp_path):
    load(pufa, tmp_path)
    before = dump_db(db)
    for args in (
        ("log", "1", "--unit", SJ, "--percent", "50", "--date", "2023-05-01"),
        ("assign", "1", TW),
    ):
        r = pufa(*args)
        assert r.code == 2 and "1.1, 1.2" in r.err and len(r.err.splitlines()) == 1, r
    assert dump_db(db) == before
    for bad in ("1.0", "1.x", "1.", "1.3", ".2", "1.2.1"):
        r = pufa("show", bad)
        assert r.code != 0 and r.err.startswith("Error: ") and bad in r.err, (bad, r)
    # An item takes assign like any task.
    ok(pufa, "assign", "1.1", TW)
    assert {u["unit"] for u in json.loads(ok(pufa, "show", "1.1", "-f", "json").out)["units"]} == {
        SJ,
        TW,
    }


def test_show_and_export_name_an_item_as_task_dot_n(db, pufa, tmp_path):
    load(pufa, tmp_path)
    log_work(pufa)
    shown = json.loads(ok(pufa, "show", "1.2", "-f", "json", "--as-of", "2023-07-01").out)
    assert (shown["number"], shown["label"], shown["percent"]) == ("1.2", "(2)", 50.0)
    assert ok(pufa, "show", "1.2").out.startswith("1.2. (2) 建設法治教育基地")
    entries = json.loads(ok(pufa, "export", "-w", "entries", "-f", "json").out)
    assert sorted(str(e["task"]) for e in entries) == ["1.1", "1.2"]
    r = ok(pufa, "export", "-w", "tasks", "--as-of", "2023-07-01")
    rows = list(csv.DictReader(io.StringIO(r.out.removeprefix("\ufeff"), newline="")))
    assert [row["number"] for row in rows] == ["1", "1.1", "1.2", "2"]


def test_import_takes_items_and_refuses_their_task(db, pufa, tmp_path):
    load(pufa, tmp_path)
    path = tmp_path / "in.csv"
    path.write_text(
        f"year,task,unit,date,percent,metrics,note,by\n2023,1.1,{SJ},2023-05-01,40,,,王\n",
        encoding="utf-8",
    )
    ok(pufa, "import", path)
    by = {t["number"]: t for t in tasks(pufa, "2023-06-01")}
    # 1.1 at 40, 1.2 at 0: the task (40 + 0) / 2 = 20.
    assert (by["1.1"]["percent"], by[1]["percent"]) == (40.0, 20.0)
    # The same row again is recognised (the key of "1.1" is the key `pufa log 1.1` makes).
    before = dump_db(db)
    ok(pufa, "import", path)
    assert dump_db(db) == before
    before = dump_db(db)
    path.write_text(
        f"year,task,unit,date,percent,metrics,note,by\n2023,1,{SJ},2023-05-01,40,,,王\n",
        encoding="utf-8",
    )
    r = pufa("import", path)
    assert r.code == 2 and "1.1, 1.2" in r.err, r
    assert dump_db(db) == before


def test_loading_again_writes_nothing_and_items_cannot_take_over_a_task_with_entries(
    db, pufa, tmp_path
):
    path = load(pufa, tmp_path)
    before = dump_db(db)
    ok(pufa, "init", "-q", "--plan", path)
    assert dump_db(db) == before
    ok(pufa, "log", "2", "--unit", TW, "--percent", "30", "--date", "2023-05-01")
    before = dump_db(db)
    with_items = ITEMS + "        items:\n          - title: 子項\n"
    path.write_text(with_items, encoding="utf-8")
    r = pufa("init", "-q", "--plan", path)
    assert r.code == 2 and "task 2" in r.err and "entries" in r.err, r
    assert dump_db(db) == before


BAD = {
    "items in version 1": (
        ("version: 2\nid: items\n", "version: 1\nid: items\n"),
        "tasks[0].items:",
        "needs 'version: 2'",
    ),
    "item number twice": (
        ("          - label: (2)\n", "          - label: (2)\n            number: 1\n"),
        "items[1].number:",
        "item number 1.1 is used twice",
    ),
    "targets beside items": (
        (
            "        lead: 區司法局\n        items:",
            "        lead: 區司法局\n        targets:\n"
            "          - {key: x, label: x, target: 1, unit: 個}\n        items:",
        ),
        "tasks[0].targets:",
        "on its items",
    ),
    "no items": (
        (
            "        items:\n          - label: (1)",
            "        items: []\n        xitems:\n          - label: (1)",
        ),
        "tasks[0]",
        "",
    ),
    "unknown item field": (
        (
            "            title: 舉辦憲法講座",
            "            title: 舉辦憲法講座\n            deu: 6月",
        ),
        "items[0]",
        "deu",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_items_are_refused(case, db, pufa, tmp_path):
    (old, new), where, what = BAD[case]
    assert old in ITEMS, case
    path = tmp_path / "bad.yaml"
    path.write_text(ITEMS.replace(old, new, 1), encoding="utf-8")
    r = pufa("plan", "check", path)
    assert r.code == 2 and where in r.err and what in r.err, (case, r)
    assert len(r.err.splitlines()) == 1


def test_an_upgraded_database_reports_the_same_numbers(db, pufa):
    """A 2011 ledger written at schema 0010 (offices, before items): after the upgrade every
    report number is the one it gave before."""
    ok(pufa, "init", "-q")
    ok(pufa, "unit", "add", "區教育局")
    ok(pufa, "unit", "add", "區司法局")
    ok(
        pufa,
        "log",
        "19",
        "--unit",
        "區教育局",
        "--assign",
        "--percent",
        "60",
        "--date",
        "2011-03-01",
    )
    ok(
        pufa,
        "log",
        "7",
        "--unit",
        "區司法局",
        "--assign",
        "--percent",
        "30",
        "--date",
        "2011-04-01",
    )
    args = ("report", "--by", "task", "-f", "json", "--as-of", "2011-06-30")
    before = ok(pufa, *args).out
    target = resolve_db(db)
    dbmod.migrate(target, "0010", down=True)
    assert dbmod.current_revision(target) == "0010"
    ok(pufa, "db", "upgrade", "-q")
    assert dbmod.current_revision(target) == SCHEMA_HEAD
    assert ok(pufa, *args).out == before
    assert json.loads(before)["total"]["tasks"] == 23

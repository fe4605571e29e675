"""Format version 2 (issue 14): metadata and the issue-date clock, deadline words in a plan,
ongoing work, next-year deadlines; every expected number worked out by hand in the comments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import dump_db

V2 = """\
version: 2
id: 2023-pufa
year: 2023
title: 2023年全區普法依法治理工作要點
doc_number: 區法宣發〔2023〕3號
issuer: 區委全面依法治區委員會守法普法協調小組
issued: 2023-03-01
addressees: [各街道辦事處, 區直各部門]
units: [區司法局, 區教育局]
sections:
  - number: 1
    title: 一、重點工作
    tasks:
      - number: 1
        title: 開展憲法宣傳周活動
        due: “12·4”
        lead: 區司法局
      - number: 2
        title: 上半年工作總結
        due: 上半年
        lead: 區司法局
      - number: 3
        title: 常態化開展以案釋法
        due: 常態化
        lead: 區教育局
      - number: 4
        title: 年度總結
        due: 次年1月
        lead: 區司法局
      - number: 5
        title: 國家安全教育日
        checks: [2023-04-15, 下半年]
        lead: 區司法局
      - number: 6
        title: 民法典宣傳月
        due: 5月1日至31日
"""


def load(pufa: Any, tmp_path: Path, text: str = V2) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    r = pufa("init", "-q", "--plan", path)
    assert r.code == 0, r
    return path


def tasks(pufa: Any, as_of: str) -> dict[int, dict[str, Any]]:
    r = pufa("tasks", "-f", "json", "--as-of", as_of)
    assert r.code == 0, r
    return {t["number"]: t for t in json.loads(r.out)}


def report_rows(pufa: Any, as_of: str) -> dict[int, dict[str, Any]]:
    r = pufa("report", "--by", "task", "-f", "json", "--as-of", as_of)
    assert r.code == 0, r
    return {t["number"]: t for t in json.loads(r.out)["rows"]}


def test_deadline_words_in_a_plan(db, pufa, tmp_path):
    load(pufa, tmp_path)
    got = tasks(pufa, "2023-04-30")
    assert {n: (t["due"], t["due_word"]) for n, t in got.items()} == {
        1: ("2023-12-04", "“12·4”"),
        2: ("2023-06-30", "上半年"),
        3: ("2023-12-31", "常態化"),
        4: ("2024-01-31", "次年1月"),  # the year-end summary is due next January
        5: ("2023-12-31", "下半年"),
        6: ("2023-05-31", "5月1日至31日"),  # a range is due at its end
    }
    assert [n for n, t in got.items() if t["ongoing"]] == [3]


def test_the_clock_starts_at_the_issue_date(db, pufa, tmp_path):
    load(pufa, tmp_path)
    rows = report_rows(pufa, "2023-04-30")
    # Task 2, due 06-30: window 03-01..06-30 = 31+30+31+30 = 122 days; 03-01..04-30 = 61 days.
    # 61/122 = 50 %. (From 1 January it would be 120/181 = 66.3 %.)
    assert rows[2]["expected"] == 50.0
    # Task 3 is ongoing: judged against the elapsed share of its window, never overdue before
    # year end. 03-01..12-31 = 306 days; 03-01..11-30 = 275 days: 275/306 = 89.87 → 89.9.
    late = report_rows(pufa, "2023-11-30")
    assert (late[3]["ongoing"], late[3]["overdue"], late[3]["expected"]) == (True, False, 89.9)
    # Before the issue date nothing is expected yet.
    assert report_rows(pufa, "2023-02-15")[2]["expected"] == 0.0


def test_without_issue_date_the_clock_starts_on_1_january(db, pufa, tmp_path):
    load(pufa, tmp_path, V2.replace("issued: 2023-03-01\n", ""))
    # Task 2: 01-01..04-30 = 120 days of 01-01..06-30 = 181 days: 66.298 → 66.3.
    assert report_rows(pufa, "2023-04-30")[2]["expected"] == 66.3
    # Task 3 (ongoing): 01-01..06-30 = 181 of 365 days: 49.589 → 49.6.
    assert report_rows(pufa, "2023-06-30")[3]["expected"] == 49.6


def test_show_gives_the_metadata_and_a_date_checkpoint_once(db, pufa, tmp_path):
    load(pufa, tmp_path)
    data = json.loads(pufa("show", "5", "-f", "json").out)
    assert data["plan"] == "2023-pufa"
    assert data["doc_number"] == "區法宣發〔2023〕3號"
    assert data["issuer"] == "區委全面依法治區委員會守法普法協調小組"
    assert data["issued"] == "2023-03-01"
    assert data["addressees"] == ["各街道辦事處", "區直各部門"]
    assert data["checks"] == [
        {"word": "2023-04-15", "date": "2023-04-15"},
        {"word": "下半年", "date": "2023-12-31"},
    ]
    out = pufa("show", "5", "--as-of", "2023-05-01").out
    assert out.count("2023-04-15") == 1, out  # issue 13.5: was "2023-04-15 2023-04-15"
    assert "下半年 2023-12-31" in out
    assert "區法宣發〔2023〕3號" in out and "issued 2023-03-01" in out
    listed = json.loads(pufa("plan", "list", "-f", "json").out)
    assert listed == [
        {"plan": "2023-pufa", "year": 2023, "title": "2023年全區普法依法治理工作要點", "tasks": 6}
    ]


def test_assign_due_takes_the_new_words(db, pufa, tmp_path):
    load(pufa, tmp_path)
    r = pufa("assign", "6", "區教育局", "--due", "6月中旬")
    assert r.code == 0, r
    unit = tasks(pufa, "2023-04-30")[6]["units"][0]
    assert (unit["unit"], unit["due"]) == ("區教育局", "2023-06-20")


BAD = {
    "issued long ago": ("issued: 2023-03-01", "issued: 2020-01-01", ":7: issued:", "2020-01-01"),
    "impossible issued": (
        "issued: 2023-03-01",
        "issued: 2023-02-30",
        ":7: issued:",
        "cannot be read as !!timestamp",
    ),
    "addressees not a list": (
        "addressees: [各街道辦事處, 區直各部門]",
        "addressees: {a: 1}",
        ":8: addressees:",
        "expected a list",
    ),
    "unknown deadline": ("due: 常態化", "due: 適時", "tasks[2].due:", "accepted: "),
    "next year twice": ("due: 次年1月", "due: 次年次年1月", "tasks[3].due:", "unknown period"),
    "range backwards": ("due: 5月1日至31日", "due: 5月31日至1日", "tasks[5].due:", "ends before"),
    "date of another year": (
        "due: 次年1月",
        "due: 2024年1月15日",
        "tasks[3].due:",
        "not in the plan year 2023",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_v2_fields_are_refused_whole(case, db, pufa, tmp_path):
    old, new, where, what = BAD[case]
    assert old in V2
    load(pufa, tmp_path)
    before = dump_db(db)
    path = tmp_path / "bad.yaml"
    path.write_text(V2.replace(old, new, 1), encoding="utf-8")
    for args in (("plan", "check", path), ("init", "--plan", path)):
        r = pufa(*args)
        assert r.code == 2, (case, r)
        assert len(r.err.splitlines()) == 1, (case, r)
        assert where in r.err and what in r.err, (case, r)
    assert dump_db(db) == before


GROUPS = """\
version: 2
year: 2023
title: 責任測試方案
units: [區司法局, 甲街道, 乙街道, 丙街道]
groups:
  各街道辦事處: [甲街道, 乙街道, 丙街道]
sections:
  - number: 1
    title: 一、責任
    tasks:
      - number: 1
        title: 社區普法
        lead: 區司法局
        support: [各街道辦事處]
        leader: 區委常委、政法委書記
      - number: 2
        title: 街道自查
"""


def test_groups_assign_each_unit_and_the_leader_is_shown(db, pufa, tmp_path):
    load(pufa, tmp_path, GROUPS)
    one = json.loads(pufa("show", "1", "-f", "json").out)
    # The lead, then the group's three units, each supporting.
    assert (one["units"][0]["unit"], one["units"][0]["role"]) == ("區司法局", "lead")
    assert sorted((u["unit"], u["role"]) for u in one["units"][1:]) == [
        ("丙街道", "support"),
        ("乙街道", "support"),
        ("甲街道", "support"),
    ]
    assert one["leader"] == "區委常委、政法委書記"
    assert "區委常委、政法委書記" in pufa("show", "1").out
    # The group names its units in `pufa assign` too.
    r = pufa("assign", "2", "各街道辦事處")
    assert r.code == 0, r
    two = json.loads(pufa("show", "2", "-f", "json").out)
    assert sorted(u["unit"] for u in two["units"]) == ["丙街道", "乙街道", "甲街道"]
    row = json.loads(pufa("report", "--by", "task", "-f", "json", "--as-of", "2023-06-30").out)
    assert len(row["rows"][0]["units"]) == 4  # the report lists the members


GROUP_BAD = {
    "unknown member": (
        "[甲街道, 乙街道, 丙街道]",
        "[甲街道, 丁街道]",
        "groups.各街道辦事處[1]:",
        "丁街道",
    ),
    "group leads": ("lead: 區司法局", "lead: 各街道辦事處", "tasks[0].lead:", "is a group"),
    "group is a unit": (
        "  各街道辦事處:",
        "  甲街道:",
        "groups.甲街道:",
        "both a unit and a group",
    ),
    "empty group": ("[甲街道, 乙街道, 丙街道]", "[]", "groups.各街道辦事處:", "at least one unit"),
    "group in version 1": ("version: 2", "version: 1", ":5: groups:", "needs 'version: 2'"),
    "label too long": (
        "title: 社區普法",
        "label: 一二三四五六七八九十一二三四五六七八九十一\n        title: 社區普法",
        "tasks[0].label:",
        "longer than 20",
    ),
}


@pytest.mark.parametrize("case", sorted(GROUP_BAD))
def test_bad_groups_are_refused(case, db, pufa, tmp_path):
    old, new, where, what = GROUP_BAD[case]
    assert old in GROUPS
    path = tmp_path / "bad.yaml"
    path.write_text(GROUPS.replace(old, new, 1), encoding="utf-8")
    r = pufa("plan", "check", path)
    assert r.code == 2 and where in r.err and what in r.err, (case, r)
    assert len(r.err.splitlines()) == 1


def test_the_bundled_example_plan_loads_beside_2011(loaded, pufa):
    from conftest import REPO

    example = REPO / "plans" / "2012-example.yaml"
    r = pufa("plan", "check", example)
    assert r.code == 0 and "2012-example (2012)" in r.out, r
    assert pufa("init", "-q", "--plan", example).code == 0
    listed = json.loads(pufa("plan", "list", "-f", "json").out)
    assert [(p["plan"], p["tasks"]) for p in listed] == [("2011", 23), ("2012-example", 7)]
    got = {
        t["number"]: t
        for t in json.loads(
            pufa("tasks", "-f", "json", "--plan-id", "2012-example", "--as-of", "2012-04-30").out
        )
    }
    assert {n: t["due"] for n, t in got.items()} == {
        1: "2012-12-10",  # 12月4日至10日
        2: "2012-09-30",  # 前三季度
        3: "2012-12-31",  # 持續
        4: "2012-06-30",  # 6月下旬
        5: "2012-12-31",  # 年底前
        6: "2013-01-31",  # 次年1月
        7: "2012-12-31",  # no due: year end
        "7.1": "2012-06-30",  # 年中
        "7.2": "2012-12-31",  # 年底前
    }
    # Item 7.1 names only its supporting group: its task's lead leads it.
    units = [(u["unit"], u["role"]) for u in got["7.1"]["units"]]
    assert units[0] == ("示例區司法局", "lead")
    assert sorted(units[1:]) == [("示例乙街道", "support"), ("示例甲街道", "support")]
    assert [n for n, t in got.items() if t["ongoing"]] == [3]
    # 每月5日前 from the issue date (03-01) to 12-31: the 5th of March … December, 10 in all;
    # 每季度末 from 03-01: 03-31, 06-30, 09-30, 12-31.
    assert len(got[3]["checkpoints"]) == 10 and len(got[5]["checkpoints"]) == 4
    # The group 各街道辦事處 supports task 1 with both its streets.
    assert sorted(u["unit"] for u in got[1]["units"]) == [
        "示例乙街道",
        "示例區司法局",
        "示例甲街道",
    ]
    # Task 2 has two co-leads (共同牽頭): both are shown as lead.
    assert [(u["unit"], u["role"]) for u in got[2]["units"]] == [
        ("示例區教育局", "lead"),
        ("示例區團委", "lead"),
    ]
    # Labels keep the source's numbering for display; the number stays the reference.
    assert [got[n]["label"] for n in (1, 2, 3, 4)] == ["(一)", "(二)", None, "二(一)"]
    four = json.loads(pufa("show", "4", "--plan-id", "2012-example", "-f", "json").out)
    assert (four["label"], four["section_label"]) == ("二(一)", "二、")
    shown = pufa("show", "4", "--plan-id", "2012-example").out
    assert "4. 二(一) 開展普法骨幹培訓" in shown and "二、 夯實基礎" in shown
    # The 2011 plan is untouched and still the one `--year 2011` reads.
    assert len(json.loads(pufa("tasks", "-f", "json", "--year", "2011").out)) == 23


def test_the_xlsx_report_sheet_gives_the_plan_details(db, pufa, tmp_path):
    from openpyxl import load_workbook

    load(pufa, tmp_path)
    out = tmp_path / "台賬.xlsx"
    r = pufa("export", "--what", "report", "-f", "xlsx", "--out", out, "--as-of", "2023-06-30")
    assert r.code == 0, r
    sheet = load_workbook(out)["Report"]
    assert (
        sheet["A3"].value
        == "區法宣發〔2023〕3號 · 區委全面依法治區委員會守法普法協調小組 · issued 2023-03-01"
    )


def test_assign_person(db, pufa, tmp_path):
    load(pufa, tmp_path)
    r = pufa("assign", "6", "區教育局", "--person", "張 三")
    assert r.code == 0, r
    units = json.loads(pufa("show", "6", "-f", "json").out)["units"]
    assert [(u["unit"], u["person"]) for u in units] == [("區教育局", "張 三")]
    assert "區教育局 (張 三)" in pufa("show", "6").out
    # Assigning again with another person changes it; without --person keeps it.
    assert pufa("assign", "6", "區教育局", "--person", "李四").code == 0
    assert pufa("assign", "6", "區教育局").code == 0
    units = json.loads(pufa("show", "6", "-f", "json").out)["units"]
    assert units[0]["person"] == "李四"
    # Plan-assigned units have nobody named yet.
    assert json.loads(pufa("show", "1", "-f", "json").out)["units"][0]["person"] is None
    before = dump_db(db)
    for bad in ("", "   ", "張\x1b[2J三", "x" * 101):
        r = pufa("assign", "6", "區教育局", "--person", bad)
        assert r.code == 2 and "--person" in r.err and "\x1b" not in r.err, (bad, r)
    assert dump_db(db) == before


def test_the_responsible_phrase_is_labelled_as_units(loaded, pufa):
    # Issue 14.7: the source's 各部門各單位 names units (責任單位), not a person (責任人).
    out = pufa("--lang", "zh-Hant", "show", "22").out
    assert "責任單位" in out and "各部門各單位" in out and "責任人" not in out
    assert "责任单位" in pufa("--lang", "zh-Hans", "show", "22").out


def test_the_xlsx_report_sheet_heads_the_missed_column(loaded, pufa, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "台賬.xlsx"
    r = pufa("--lang", "zh-Hant", "export", "--what", "report", "-f", "xlsx", "--out", out)
    assert r.code == 0, r
    sheet = load_workbook(out).worksheets[0]
    header = [c.value for c in sheet[4]]
    assert header[-1] == "漏報節點", header


def test_a_plan_issued_the_year_before_starts_on_1_january(db, pufa, tmp_path):
    load(pufa, tmp_path, V2.replace("issued: 2023-03-01", "issued: 2022-12-20"))
    # The clock cannot start before the plan year: task 2 is judged from 01-01, 120/181 = 66.3.
    assert report_rows(pufa, "2023-04-30")[2]["expected"] == 66.3

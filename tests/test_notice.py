"""Notices (issue 17.3): frozen, numbered snapshots; the ranking's change against the previous
notice; list, show as json and markdown; bad input. Expected numbers derived by hand in the
comments (plan of tests/test_scoring.py: task 1 60 points due 06-30, task 2 40 points due
03-31, task 3 10 points due 12-31; overdue 10, late 5)."""

from __future__ import annotations

import json

import pytest

from conftest import dump_db
from test_scoring import WORKED, log, ok, plan_yaml


@pytest.fixture
def ledger(db, pufa, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "plan.yaml"
    path.write_text(plan_yaml(WORKED), encoding="utf-8")
    ok(pufa, "init", "-q", "--plan", path)
    for task, units in ((1, ["甲局", "乙局"]), (2, ["甲局", "乙局"]), (3, ["丙局"])):
        ok(pufa, "assign", str(task), *units)
    # As of 2012-06-30: 甲局 60 + max(0, 20 − 10) = 70 → 70.0; 乙局 60 + max(0, 0 − 10) = 60
    # → 60.0; 丙局 5 of 10 → 50.0. Ranking 甲 1, 乙 2, 丙 3.
    log(pufa, 1, "甲局", 100, "2012-06-01")
    log(pufa, 2, "甲局", 50, "2012-03-01")
    log(pufa, 1, "乙局", 100, "2012-06-10")
    log(pufa, 3, "丙局", 50, "2012-06-01")
    return db


def show_json(pufa, number: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return json.loads(ok(pufa, "notice", "show", number, "-f", "json").out)


def test_a_notice_is_frozen_against_a_back_dated_entry(ledger, pufa):
    r = ok(pufa, "notice", "issue", "--quarter", "2", "--title", "2012年上半年考核通報")
    assert r.out.strip() == "2012-1"
    frozen_json = ok(pufa, "notice", "show", "2012-1", "-f", "json").out
    frozen_md = ok(pufa, "notice", "show", "2012-1", "-f", "markdown").out
    body = json.loads(frozen_json)
    # Tasks as of 06-30: task 1 (100 + 100)/2 = 100 done; task 2 (50 + 0)/2 = 25, overdue (red);
    # task 3 50 (expected 182/366 = 49.7: green). Mean (100 + 25 + 50)/3 = 58.3.
    assert body["total"] == {
        "tasks": 3,
        "done": 1,
        "in_progress": 2,
        "not_started": 0,
        "overdue": 1,
        "red": 1,
        "yellow": 0,
        "percent": 58.3,
        "missed": 0,
    }
    assert [(r["unit"], r["rank"], r["score"], r["rank_change"]) for r in body["ranking"]] == [
        ("甲局", 1, 70.0, None),
        ("乙局", 2, 60.0, None),
        ("丙局", 3, 50.0, None),
    ]
    assert [(t["number"], t["units"], t["overdue"]) for t in body["lagging"]] == [
        (2, ["乙局", "甲局"], True)  # no lead: by name (code point)
    ]
    assert body["due_next"] == [] and body["previous"] is None
    assert body["title"] == "2012年上半年考核通報" and body["as_of"] == "2012-06-30"

    report_before = json.loads(ok(pufa, "report", "--quarter", "2", "-f", "json").out)
    # 乙局 reports task 2 done on 03-20, entered after the notice: back-dated into Q2.
    log(pufa, 2, "乙局", 100, "2012-03-20")
    assert ok(pufa, "notice", "show", "2012-1", "-f", "json").out == frozen_json
    assert ok(pufa, "notice", "show", "2012-1", "-f", "markdown").out == frozen_md
    report_after = json.loads(ok(pufa, "report", "--quarter", "2", "-f", "json").out)
    # The next report changed: task 2 (50 + 100)/2 = 75; total (100 + 75 + 50)/3 = 75.0.
    assert report_before["total"]["percent"] == 58.3
    assert report_after["total"]["percent"] == 75.0

    # Live scores compare with notice 2012-1: 乙局 100 + 0 → 100.0, up from 2nd to 1st.
    live = json.loads(ok(pufa, "score", "--quarter", "2", "-f", "json").out)
    assert live["compared_with"] == "2012-1"
    assert [(r["unit"], r["rank"], r["rank_change"]) for r in live["rows"]] == [
        ("乙局", 1, 1),
        ("甲局", 2, -1),
        ("丙局", 3, 0),
    ]
    # The next notice (Q3, 09-30) ranks 乙 100.0, 甲 70.0, 丙 50.0 and shows the change.
    assert ok(pufa, "notice", "issue", "--quarter", "3").out.strip() == "2012-2"
    second = show_json(pufa, "2012-2")
    assert second["previous"] == "2012-1"
    assert [(r["unit"], r["score"], r["rank_change"]) for r in second["ranking"]] == [
        ("乙局", 100.0, 1),
        ("甲局", 70.0, -1),
        ("丙局", 50.0, 0),
    ]
    # The trend runs over the notices up to the one shown: 58.3 then, as of 09-30, task 2 at
    # 75 and task 3 at 50: (100 + 75 + 50)/3 = 75.0.
    assert [(p["number"], p["percent"]) for p in second["trend"]] == [
        ("2012-1", 58.3),
        ("2012-2", 75.0),
    ]
    assert [p["number"] for p in show_json(pufa, "2012-1")["trend"]] == ["2012-1"]

    listed = json.loads(ok(pufa, "notice", "list", "-f", "json").out)
    assert [(n["number"], n["as_of"]) for n in listed] == [
        ("2012-1", "2012-06-30"),
        ("2012-2", "2012-09-30"),
    ]
    assert all(set(n) == {"number", "as_of", "issued_at", "title"} for n in listed)


def test_markdown_names_the_lagging_units_in_the_readers_language(ledger, pufa):
    ok(pufa, "notice", "issue", "--as-of", "2012-06-30")
    md = ok(pufa, "notice", "show", "2012-1").out
    assert md.startswith("# Notice on the progress of 考核測試方案\n")
    assert "As of 2012-06-30, 1 of the 3 tasks of 考核測試方案 are done (overall 58.3%)." in md
    assert "2 任務二 — due 2012-03-31, 25.0%, overdue: 乙局、甲局" in md
    assert "| 1 | 甲局 | 70.0 |" in md
    hant = ok(pufa, "--lang", "zh-Hant", "notice", "show", "2012-1").out
    # One done of three; two in progress, no space between Chinese sentences.
    assert "共 3 項任務" in hant and "已完成 1 項" in hant and "。進行中 2 項" in hant
    zh = ok(pufa, "--lang", "zh-Hans", "notice", "show", "2012-1").out
    assert "考核测试方案" in zh and "乙局、甲局" in zh


def test_a_plan_without_scoring_ranks_by_completion(loaded, pufa):
    # Task 9 has no assigned unit in the 2011 plan: two units take a share each; 甲 at 40 %
    # ranks first, 乙 at 0 % second.
    ok(pufa, "unit", "add", "甲局")
    ok(pufa, "unit", "add", "乙局")
    ok(pufa, "assign", "9", "甲局", "乙局")
    log(pufa, 9, "甲局", 40, "2011-04-02")
    ok(pufa, "notice", "issue", "--quarter", "2")
    body = show_json(pufa, "2011-1")
    assert body["scored"] is False
    ranking = [(r["unit"], r["rank"], r["percent"], r["score"]) for r in body["ranking"]]
    assert ranking[:2] == [("甲局", 1, 40.0, None), ("乙局", 2, 0.0, None)]


def test_notice_numbers_run_per_plan(ledger, pufa):
    for expected in ("2012-1", "2012-2", "2012-3"):
        assert ok(pufa, "notice", "issue", "--quarter", "1").out.strip() == expected


BAD = {
    "unknown number": ("notice", "show", "2012-9"),
    "not a number": ("notice", "show", "abc"),
    "quarter 5": ("notice", "issue", "--quarter", "5"),
    "both": ("notice", "issue", "--quarter", "2", "--as-of", "2012-06-30"),
    "empty title": ("notice", "issue", "--title", " "),
    "a title of two lines": ("notice", "issue", "--title", "多行\n標題"),
    "a title with an escape": ("notice", "issue", "--title", "通報\x1b[2J"),
    "after today": ("notice", "issue", "--as-of", "2012-12-31"),
    "before the year": ("notice", "issue", "--as-of", "2011-12-31"),
    "docx to stdout": ("notice", "show", "2012-1", "-f", "docx"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_one_line_and_writes_nothing(name, ledger, pufa, monkeypatch):
    monkeypatch.setenv("PUFA_TODAY", "2012-07-15")  # "after today": as of 2012-12-31
    ok(pufa, "notice", "issue", "--quarter", "2")
    before = dump_db(ledger)
    r = pufa(*BAD[name])
    assert r.code == 2, r
    assert r.err.startswith("Error: ") and len(r.err.strip().splitlines()) == 1, r
    assert dump_db(ledger) == before


def test_an_existing_out_file_needs_force(ledger, pufa, tmp_path):
    ok(pufa, "notice", "issue", "--quarter", "2")
    out = tmp_path / "通報.md"
    out.write_text("keep me", encoding="utf-8")
    r = pufa("notice", "show", "2012-1", "--out", out)
    assert r.code == 2 and "--force" in r.err, r
    assert out.read_text(encoding="utf-8") == "keep me"
    ok(pufa, "notice", "show", "2012-1", "--out", out, "--force")
    assert out.read_text(encoding="utf-8").startswith("# Notice on the progress of")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_notice_numbers_sub_items_as_commands_do(db, pufa, monkeypatch):
    """Task 7 of the 2012 example has items 7.1 and 7.2 (units of their own, none on 7): the
    notice lists them as 7.1 and 7.2 (strings in JSON, as report --by task), and task 7 names
    its items' units."""
    from conftest import REPO

    monkeypatch.setenv("PUFA_TODAY", "2012-12-31")
    ok(pufa, "init", "-q", "--plan", REPO / "plans" / "2012-example.yaml")
    ok(pufa, "notice", "issue", "--quarter", "2")
    body = show_json(pufa, "2012-example-1")
    report = json.loads(ok(pufa, "report", "--by", "task", "--quarter", "2", "-f", "json").out)
    rows = {r["number"]: r for r in report["rows"]}
    lagging = {t["number"]: t for t in body["lagging"]}
    assert {"7.1", "7.2"} <= set(lagging) and 7 in lagging
    for ref in ("7.1", "7.2"):
        assert lagging[ref]["title"] == rows[ref]["title"]
        assert lagging[ref]["units"] == rows[ref]["units"]
    items = rows["7.1"]["units"] + [
        u for u in rows["7.2"]["units"] if u not in rows["7.1"]["units"]
    ]
    assert rows[7]["units"] == [] and lagging[7]["units"] == items
    md = ok(pufa, "notice", "show", "2012-example-1").out
    assert f"- 7.1 {rows['7.1']['title']} — due" in md

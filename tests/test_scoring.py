"""Scoring (issue 17.1, 17.2): every expected score derived by hand in the comments, from the
rule in docs/scoring.md: per task max(0, points × percent / 100 − deductions); score =
100 × (earned + reviewer points) / (points of the unit's tasks + manual points) + bonus
(capped), one decimal half up; ties share a rank."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import dump_db

UNITS = "[甲局, 乙局, 丙局, 丁局, 戊局]"


def plan_yaml(scoring: str, *, tasks: str | None = None) -> str:
    tasks = tasks or (
        "      - {number: 1, title: 任務一, due: 上半年}\n"  # due 2012-06-30
        "      - {number: 2, title: 任務二, due: 一季度}\n"  # due 2012-03-31
        "      - {number: 3, title: 任務三, due: 年底}\n"  # due 2012-12-31
    )
    return (
        "version: 1\nyear: 2012\ntitle: 考核測試方案\n"
        f"units: {UNITS}\n"
        f"{scoring}"
        "sections:\n  - number: 1\n    title: 第一部分\n    tasks:\n"
        f"{tasks}"
    )


WORKED = (
    "scoring:\n"
    "  points: {default: 10, 1: 60, 2: 40}\n"
    "  deductions: {overdue: 10, late: 5}\n"
    "  bonus_cap: 5\n"
)


@pytest.fixture
def scored(db, pufa, tmp_path):  # type: ignore[no-untyped-def]
    def load(scoring: str = WORKED, **kw: str) -> Path:
        path = tmp_path / "plan.yaml"
        path.write_text(plan_yaml(scoring, **kw), encoding="utf-8")
        r = pufa("init", "-q", "--plan", path)
        assert r.code == 0, r
        return path

    return load


def ok(pufa, *args: str):  # type: ignore[no-untyped-def]
    r = pufa(*args)
    assert r.code == 0, r
    return r


def log(pufa, task: int, unit: str, percent: int, day: str) -> None:  # type: ignore[no-untyped-def]
    ok(pufa, "log", str(task), "--unit", unit, "--percent", str(percent), "--date", day)


def scores(pufa, *args: str) -> dict[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    doc = json.loads(ok(pufa, "score", "-f", "json", *args).out)
    return {row["unit"]: row for row in doc["rows"]}


def test_the_worked_example_of_the_docs(scored, pufa):
    """Task 1 (60) done on time, task 2 (40) at 50 % and overdue with overdue: 10:
    60 + max(0, 20 − 10) = 70 of 100 → 70.0."""
    scored()
    ok(pufa, "assign", "1", "甲局")
    ok(pufa, "assign", "2", "甲局")
    log(pufa, 1, "甲局", 100, "2012-06-01")
    log(pufa, 2, "甲局", 50, "2012-03-01")
    row = scores(pufa, "--as-of", "2012-06-30")["甲局"]
    assert row == {
        "rank": 1,
        "unit": "甲局",
        "score": 70.0,
        "earned": 70,
        "possible": 100,
        "deductions": 10,
        "bonus": 0,
        "rank_change": None,
    }
    # On 2012-03-30 task 2 (due 03-31) is not yet overdue, and task 1's entry (06-01) is still
    # to come: 0 + 40 × 50 % = 20 of 100 → 20.0.
    assert scores(pufa, "--as-of", "2012-03-30")["甲局"]["score"] == 20.0
    # On 03-31 itself, not done by the end of its due day, it is overdue (docs/rules.md,
    # due <= D): 0 + max(0, 20 − 10) = 10 of 100 → 10.0.
    assert scores(pufa, "--as-of", "2012-03-31")["甲局"]["score"] == 10.0


def test_floor_at_zero_per_task_late_normalisation_ties_and_the_bonus_cap(scored, pufa):
    scored()
    for task, units in (
        (1, ["甲局", "乙局"]),
        (2, ["甲局", "乙局"]),
        (3, ["丙局", "丁局", "戊局"]),
    ):
        ok(pufa, "assign", str(task), *units)
    log(pufa, 1, "甲局", 100, "2012-06-01")
    log(pufa, 2, "甲局", 50, "2012-03-01")
    # 乙局: task 1 done 2012-07-10, after its due 06-30: late 5 → 60 − 5 = 55; task 2 never
    # reported and overdue: max(0, 0 − 10) = 0 (not −10). 55/100 → 55.0.
    log(pufa, 1, "乙局", 100, "2012-07-10")
    # 丙局 and 丁局: only task 3 (10 points), 50 %: 5/10 → 50.0 each, one scale with the others.
    log(pufa, 3, "丙局", 50, "2012-07-01")
    log(pufa, 3, "丁局", 50, "2012-07-02")
    # 戊局: task 3 at 10 %: 1/10 → 10.0, plus bonus 3 + 4 = 7 capped at 5 → 15.0.
    log(pufa, 3, "戊局", 10, "2012-07-03")
    ok(pufa, "score", "bonus", "--unit", "戊局", "--points", "3", "--reason", "市級表彰")
    ok(pufa, "score", "bonus", "--unit", "戊局", "--points", "4", "--reason", "省級表彰")
    rows = scores(pufa, "--as-of", "2012-07-31")
    # 甲局 70.0; 乙局 55.0 (deductions: 60 − 55 = 5 from late, 0 − 0 from the floored task 2).
    assert [(u, rows[u]["score"], rows[u]["rank"]) for u in rows] == [
        ("甲局", 70.0, 1),
        ("乙局", 55.0, 2),
        ("丁局", 50.0, 3),
        ("丙局", 50.0, 3),
        ("戊局", 15.0, 5),
    ]
    assert rows["乙局"]["deductions"] == 5 and rows["乙局"]["earned"] == 55
    assert rows["丙局"]["possible"] == 10 and rows["丙局"]["earned"] == 5
    assert rows["戊局"]["bonus"] == 5


def test_half_up_rounding_without_float_noise(scored, pufa):
    """40 points at 17 % with overdue 1.9: 6.8 − 1.9 = 4.9 (4.8999999999999995 in floats);
    100 × 4.9 / 40 = 12.25 → 12.3 half up (12.2 with float noise or banker's rounding)."""
    scored(
        "scoring:\n  points: {default: 40}\n  deductions: {overdue: 1.9}\n",
        tasks="      - {number: 1, title: 任務一, due: 一季度}\n",
    )
    ok(pufa, "assign", "1", "甲局")
    log(pufa, 1, "甲局", 17, "2012-02-01")
    row = scores(pufa, "--as-of", "2012-04-01")["甲局"]
    assert row["score"] == 12.3
    assert row["earned"] == 4.9 and row["deductions"] == 1.9


def test_manual_items_count_the_reviewer_not_the_self_score(scored, pufa):
    """Tasks as in the worked example (70 of 100) plus 組織領導 out of 20: self 18, reviewer 15:
    100 × (70 + 15) / (100 + 20) = 70.8333… → 70.8."""
    scored(WORKED + "  items: [{key: org, label: 組織領導, points: 20}]\n")
    ok(pufa, "assign", "1", "甲局")
    ok(pufa, "assign", "2", "甲局")
    log(pufa, 1, "甲局", 100, "2012-06-01")
    log(pufa, 2, "甲局", 50, "2012-03-01")
    ok(pufa, "score", "set", "--unit", "甲局", "--item", "org", "--self", "18")
    # Self-score alone: the reviewer's 0 counts → 100 × 70 / 120 = 58.333… → 58.3.
    assert scores(pufa, "--as-of", "2012-06-30")["甲局"]["score"] == 58.3
    ok(pufa, "score", "set", "--unit", "甲局", "--item", "org", "--self", "18", "--review", "12")
    ok(pufa, "score", "set", "--unit", "甲局", "--item", "org", "--self", "19", "--review", "15")
    assert scores(pufa, "--as-of", "2012-06-30")["甲局"]["score"] == 70.8
    # A new self-score keeps the reviewer's latest (15).
    ok(pufa, "score", "set", "--unit", "甲局", "--item", "org", "--self", "20")
    doc = json.loads(ok(pufa, "score", "-f", "json", "--by", "task", "--as-of", "2012-06-30").out)
    assert doc["items"] == [
        {"unit": "甲局", "item": "org", "label": "組織領導", "points": 20, "self": 20, "review": 15}
    ]
    assert doc["rows"][1] == {
        "unit": "甲局",
        "task": 2,
        "section": 1,
        "title": "任務二",
        "points": 40,
        "percent": 50,
        "due": "2012-03-31",
        "done_on": None,
        "deductions": {"overdue": 10, "late": 0, "missed_checkpoint": 0, "missing_evidence": 0},
        "earned": 10,
        "lost": 30,
    }


def test_late_counts_the_day_done_after_the_last_entry_below_100(scored, pufa):
    """甲局 reaches 100 on 06-01 (on time), goes back to 80 on 06-15, and 100 again on 07-05:
    done on 07-05, after 06-30 → late 5: 60 − 5 = 55 of 60 (task 1 only) → 91.7."""
    scored()
    ok(pufa, "assign", "1", "甲局")
    log(pufa, 1, "甲局", 100, "2012-06-01")
    log(pufa, 1, "甲局", 80, "2012-06-15")
    log(pufa, 1, "甲局", 100, "2012-07-05")
    assert scores(pufa, "--as-of", "2012-06-10")["甲局"]["score"] == 100.0
    # 06-20: 80 % and not yet due: 48/60 = 80.0.
    assert scores(pufa, "--as-of", "2012-06-20")["甲局"]["score"] == 80.0
    # 07-01: 80 % and overdue: 48 − 10 = 38 → 63.3.
    assert scores(pufa, "--as-of", "2012-07-01")["甲局"]["score"] == 63.3
    assert scores(pufa, "--as-of", "2012-07-31")["甲局"]["score"] == 91.7


def test_csv_markdown_and_table(scored, pufa):
    scored()
    ok(pufa, "assign", "1", "甲局")
    log(pufa, 1, "甲局", 50, "2012-06-01")
    r = ok(pufa, "score", "-f", "csv", "--as-of", "2012-06-29")
    # The day before task 1 is due (06-30), so not overdue: 30 of 60 → 50.0
    assert r.out.splitlines() == [
        "rank,unit,score,earned,possible,deductions,bonus,rank_change",
        "1,甲局,50.0,30,60,0,0,",
    ]
    md = ok(pufa, "score", "-f", "markdown", "--as-of", "2012-06-29").out
    assert "| 1 | 甲局 | 50.0 |" in md
    table = ok(pufa, "score", "--as-of", "2012-06-29").out
    assert "甲局" in table and "50.0" in table


BAD_SCORING = {
    "negative points": ("  points: {default: -1}\n", "scoring.points.default", "not -1"),
    "unknown deduction": (
        "  deductions: {absent: 2}\n",
        "scoring.deductions.absent",
        "unknown deduction",
    ),
    "item key twice": (
        "  items: [{key: org, label: 甲, points: 5}, {key: org, label: 乙, points: 5}]\n",
        "scoring.items[1].key",
        "used twice",
    ),
    "unknown task": ("  points: {9: 5}\n", "scoring.points.9", "task 9 is not in the plan"),
    "negative cap": ("  bonus_cap: -2\n", "scoring.bonus_cap", "not -2"),
}


@pytest.mark.parametrize("name", list(BAD_SCORING))
def test_a_bad_scoring_block_is_one_line_exit_2(name, pufa, tmp_path):
    block, where, words = BAD_SCORING[name]
    path = tmp_path / "plan.yaml"
    path.write_text(plan_yaml("scoring:\n" + block), encoding="utf-8")
    r = pufa("plan", "check", path)
    assert r.code == 2, r
    assert len(r.err.strip().splitlines()) == 1 and where in r.err and words in r.err, r


BAD_MANUAL = {
    "self above points": ("set", "--unit", "甲局", "--item", "org", "--self", "21"),
    "review above points": (
        "set",
        "--unit",
        "甲局",
        "--item",
        "org",
        "--self",
        "2",
        "--review",
        "20.5",
    ),
    "negative self": ("set", "--unit", "甲局", "--item", "org", "--self", "-1"),
    "unknown item": ("set", "--unit", "甲局", "--item", "nope", "--self", "1"),
    "unknown unit": ("set", "--unit", "無此局", "--item", "org", "--self", "1"),
    "bonus without reason": ("bonus", "--unit", "甲局", "--points", "2"),
    "bonus blank reason": ("bonus", "--unit", "甲局", "--points", "2", "--reason", " "),
    "bonus of zero": ("bonus", "--unit", "甲局", "--points", "0", "--reason", "x"),
}


@pytest.mark.parametrize("name", list(BAD_MANUAL))
def test_bad_manual_scores_write_nothing(name, scored, pufa, db):
    scored(WORKED + "  items: [{key: org, label: 組織領導, points: 20}]\n")
    before = dump_db(db)
    r = pufa("score", *BAD_MANUAL[name])
    assert r.code == 2, r
    assert r.err.startswith("Error: ") and len(r.err.strip().splitlines()) == 1, r
    assert dump_db(db) == before


def test_a_plan_without_scoring_says_so(loaded, pufa):
    r = pufa("score")
    assert r.code == 2 and "does not score" in r.err, r


def test_the_report_by_unit_gains_the_score_where_the_plan_scores(scored, pufa):
    """The worked example's 70.0 beside 甲局's own completion ((100 + 50)/2 = 75 %)."""
    scored()
    ok(pufa, "assign", "1", "甲局")
    ok(pufa, "assign", "2", "甲局")
    log(pufa, 1, "甲局", 100, "2012-06-01")
    log(pufa, 2, "甲局", 50, "2012-03-01")
    doc = json.loads(ok(pufa, "report", "--by", "unit", "--as-of", "2012-06-30", "-f", "json").out)
    assert [(r["unit"], r["percent"], r["score"]) for r in doc["rows"]] == [("甲局", 75.0, 70.0)]
    csv = ok(pufa, "report", "--by", "unit", "--as-of", "2012-06-30", "-f", "csv").out
    import csv as csvmod

    (row,) = list(csvmod.DictReader(csv.splitlines()))
    assert (row["unit"], row["percent"], row["score"]) == ("甲局", "75.0", "70.0")
    table = ok(pufa, "report", "--by", "unit", "--as-of", "2012-06-30").out
    assert "Score" in table and "70.0" in table
    # By section nothing changes: no score key.
    sections = json.loads(ok(pufa, "report", "--as-of", "2012-06-30", "-f", "json").out)
    assert all("score" not in r for r in sections["rows"])


def test_a_report_of_a_plan_without_scoring_has_no_score(loaded, pufa):
    doc = json.loads(ok(pufa, "report", "--by", "unit", "-f", "json", "--quarter", "2").out)
    assert doc["rows"] and all("score" not in r for r in doc["rows"])


def test_each_missed_checkpoint_deducts(scored, pufa):
    """Task 1 (10 points) checked at 一季度 (03-31) and 上半年 (06-30), missed_checkpoint: 2.
    甲局 reports 50 % on 05-01 only: the 03-31 checkpoint is missed (no entry by then), the
    06-30 one met: 10 × 50 % − 2 = 3 → 30.0. 乙局 reports 20 % on 03-15 and 60 % on 06-01:
    both met, 6 → 60.0."""
    scored(
        "scoring:\n  deductions: {missed_checkpoint: 2}\n",
        tasks="      - {number: 1, title: 任務一, due: 上半年, checks: [一季度, 上半年]}\n",
    )
    ok(pufa, "assign", "1", "甲局", "乙局")
    log(pufa, 1, "甲局", 50, "2012-05-01")
    log(pufa, 1, "乙局", 20, "2012-03-15")
    log(pufa, 1, "乙局", 60, "2012-06-01")
    rows = scores(pufa, "--as-of", "2012-06-30")
    assert (rows["甲局"]["score"], rows["乙局"]["score"]) == (30.0, 60.0)
    assert rows["甲局"]["deductions"] == 2 and rows["乙局"]["deductions"] == 0
    # On 03-31 the first checkpoint is not yet missed by anyone who reported by then: 乙局 2 of
    # 10 → 20.0; 甲局 nothing yet and the checkpoint missed: max(0, 0 − 2) = 0 → 0.0.
    rows = scores(pufa, "--as-of", "2012-03-31")
    assert (rows["甲局"]["score"], rows["乙局"]["score"]) == (0.0, 20.0)
    doc = json.loads(ok(pufa, "score", "--by", "task", "-f", "json", "--as-of", "2012-06-30").out)
    assert [(r["unit"], r["deductions"]["missed_checkpoint"]) for r in doc["rows"]] == [
        ("乙局", 0),
        ("甲局", 2),
    ]


def test_the_workbook_gains_a_score_sheet(scored, pufa, tmp_path):
    """The worked example with 組織領導 (self 18, reviewer 15) as the office's table: each task
    with its deductions and points earned, the item, then the total: 70 + 15 = 85 of 120 →
    70.8."""
    from openpyxl import load_workbook

    scored(WORKED + "  items: [{key: org, label: 組織領導, points: 20}]\n")
    ok(pufa, "assign", "1", "甲局")
    ok(pufa, "assign", "2", "甲局")
    log(pufa, 1, "甲局", 100, "2012-06-01")
    log(pufa, 2, "甲局", 50, "2012-03-01")
    ok(pufa, "score", "set", "--unit", "甲局", "--item", "org", "--self", "18", "--review", "15")
    out = tmp_path / "台賬.xlsx"
    ok(pufa, "export", "--what", "all", "-f", "xlsx", "--as-of", "2012-06-30", "--out", out)
    wb = load_workbook(out, read_only=True)
    assert "Score" in wb.sheetnames
    # A read-only sheet leaves out empty cells at the end of a row: pad to the 14 columns.
    rows = [[*r, *[None] * (14 - len(r))] for r in wb["Score"].iter_rows(values_only=True)]
    assert rows[0][:5] == ["Unit", "Task or item", "Title", "Points", "%"]
    assert rows[1:] == [
        ["甲局", 1, "任務一", 60, 100, 0, 0, 0, 0, 60, None, None, None, None],
        ["甲局", 2, "任務二", 40, 50, 10, 0, 0, 0, 10, None, None, None, None],
        ["甲局", "org", "組織領導", 20, None, None, None, None, None, 15, 18, 15, None, None],
        [
            "甲局",
            None,
            "Total (rank 1)",
            120,
            None,
            None,
            None,
            None,
            None,
            85,
            None,
            None,
            0,
            70.8,
        ],
    ]
    wb.close()


def test_a_done_claim_without_evidence_deducts(scored, pufa, tmp_path):
    """Task 1 (60 points), missing_evidence: 3. 甲局 claims 100 % without a file: 60 − 3 = 57
    of 60 → 95.0; 乙局 claims it with its 佐證 attached: 60 → 100.0."""
    scored("scoring:\n  points: {1: 60}\n  deductions: {missing_evidence: 3}\n")
    ok(pufa, "assign", "1", "甲局", "乙局")
    proof = tmp_path / "佐證.pdf"
    proof.write_bytes(b"%PDF-1.4 proof")
    log(pufa, 1, "甲局", 100, "2012-06-01")
    ok(
        pufa,
        "log",
        "1",
        "--unit",
        "乙局",
        "--percent",
        "100",
        "--date",
        "2012-06-01",
        "--evidence",
        str(proof),
    )
    rows = scores(pufa, "--as-of", "2012-06-30")
    assert (rows["甲局"]["score"], rows["乙局"]["score"]) == (95.0, 100.0)
    assert rows["甲局"]["deductions"] == 3


def test_late_and_missing_reporting_rounds_come_off_the_total(scored, pufa, tmp_path):
    """reporting: 每季度末 (rounds due 03-31, 06-30, 09-30, 12-31); late_report 1,
    missing_report 2. 甲局 reports on 03-15 (Q1 on time) and 07-05 (Q2, late); as of 10-15 the
    Q3 round is missing, Q4 still open: 60 − 1 − 2 = 57 of 60 → 95.0."""
    path = tmp_path / "plan.yaml"
    path.write_text(
        plan_yaml(
            "reporting: 每季度末\nscoring:\n  points: {1: 60}\n"
            "  deductions: {late_report: 1, missing_report: 2}\n"
        ),
        encoding="utf-8",
    )
    ok(pufa, "init", "-q", "--plan", path)
    ok(pufa, "assign", "1", "甲局")
    log(pufa, 1, "甲局", 50, "2012-03-15")
    log(pufa, 1, "甲局", 100, "2012-07-05")
    row = scores(pufa, "--as-of", "2012-10-15")["甲局"]
    assert (row["score"], row["earned"], row["deductions"]) == (95.0, 57, 3)
    # As of 06-30 the Q2 round is not yet missing (due that day): 30 of 60 → 50.0.
    assert scores(pufa, "--as-of", "2012-06-30")["甲局"]["score"] == 50.0


def test_global_plan_option_before_score(scored, pufa):
    """`score` is a group that also runs on its own: `pufa --plan-id 2011 score` must score the
    2011 plan (which has no scoring: block, so exit 2 naming it), not the latest plan."""
    scored()
    assert pufa("init", "-q").code == 0  # the bundled 2011 plan, beside the 2012 test plan
    r = pufa("--plan-id", "2011", "score")
    assert r.code == 2 and "plan 2011 does not score" in r.err, r
    doc = json.loads(ok(pufa, "--plan-id", "2012", "score", "-f", "json").out)
    assert doc["plan"] == "2012"


ITEMS_PLAN = (
    "version: 2\nyear: 2012\ntitle: 子項考核\n"
    "units: [甲局, 乙局]\n"
    "scoring:\n  points: {default: 10, 2: 30}\n  deductions: {overdue: 1}\n"
    "sections:\n  - number: 1\n    title: 第一部分\n    tasks:\n"
    "      - {number: 1, title: 任務一, due: 年底, lead: 甲局}\n"
    "      - number: 2\n        title: 任務二\n        lead: 甲局\n        items:\n"
    "          - {title: 子項一, due: 年底}\n"
    "          - {title: 子項二, due: 年底}\n"
    "          - {title: 子項三, due: 年底, lead: 乙局}\n"
)


def test_a_task_with_items_splits_its_points_evenly(db, pufa, tmp_path):
    """Task 2 (30 points) has three items: 10 points each. 甲局 leads 1 (10 points), 2.1 and
    2.2; 乙局 leads 2.3. As of 2012-06-30 (nothing overdue): 甲局 at 1: 50 %, 2.1: 100 %,
    2.2: 20 % earns 5 + 10 + 2 = 17 of 10 + 10 + 10 = 30 → 56.7; 乙局 at 2.3: 40 % earns 4 of
    10 → 40.0. Without the split 甲局 would hold 70 possible points."""
    path = tmp_path / "plan.yaml"
    path.write_text(ITEMS_PLAN, encoding="utf-8")
    ok(pufa, "init", "-q", "--plan", path)
    for task, unit, pct in (("1", "甲局", 50), ("2.1", "甲局", 100), ("2.2", "甲局", 20)):
        ok(pufa, "log", task, "--unit", unit, "--percent", str(pct), "--date", "2012-05-01")
    ok(pufa, "log", "2.3", "--unit", "乙局", "--percent", "40", "--date", "2012-05-01")
    doc = json.loads(ok(pufa, "score", "-f", "json", "--as-of", "2012-06-30").out)
    rows = {row["unit"]: row for row in doc["rows"]}
    assert (rows["甲局"]["earned"], rows["甲局"]["possible"], rows["甲局"]["score"]) == (
        17,
        30,
        56.7,
    )
    assert (rows["乙局"]["earned"], rows["乙局"]["possible"], rows["乙局"]["score"]) == (
        4,
        10,
        40.0,
    )
    by_task = ok(pufa, "score", "--by", "task", "-f", "json", "--as-of", "2012-06-30").out
    shares = {(s["unit"], s["task"]): s["points"] for s in json.loads(by_task)["rows"]}
    assert shares == {
        ("甲局", 1): 10,
        ("甲局", "2.1"): 10,
        ("甲局", "2.2"): 10,
        ("乙局", "2.3"): 10,
    }


@pytest.mark.parametrize("by", [(), ("--by", "task")])
def test_a_long_score_table_streams_as_rich_prints_it(scored, pufa, monkeypatch, by):
    """The score table goes through the streamed writer past STREAM_ROWS rows (issue 19): the
    same bytes as Rich's table, by unit and by task."""
    import pufa_cli.render.stream as stream

    scored()
    for task, unit, pct in ((1, "甲局", 100), (2, "乙局", 40), (3, "丙局", 70), (1, "丁局", 5)):
        ok(pufa, "assign", str(task), unit)
        log(pufa, task, unit, pct, "2012-03-01")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(stream, "STREAM_ROWS", 10**9)
    by_rich = ok(pufa, "score", "--as-of", "2012-06-30", *by).out
    streamed: list[int] = []
    write_table = stream.write_table

    def counted(*args, **kw):  # type: ignore[no-untyped-def]
        streamed.append(1)
        return write_table(*args, **kw)

    monkeypatch.setattr(stream, "write_table", counted)
    monkeypatch.setattr(stream, "STREAM_ROWS", 0)
    assert ok(pufa, "score", "--as-of", "2012-06-30", *by).out == by_rich
    assert streamed == [1]  # the streamed writer printed it
    assert "甲局" in by_rich and "乙局" in by_rich

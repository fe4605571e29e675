"""``report --by office`` reads every district plan at once (issue 18.5): the same rows as
judging each plan with its own reads, and the same as each district's own report.

offices/rollup.py reads the task rows of all the district plans in one statement, and asks
once which plans have checkpoints or aggregating targets (build_report then reads those of
those plans only). A third district here has both, so every branch is compared, as of dates
on both sides of its checkpoints and logs. Runs on SQLite and, with ``PUFA_TEST_PG_URL``, on
PostgreSQL. 丙's plan requires review (issue 16): its task 3 at 100 % awaits review, done in
neither the district's report nor the city's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from test_offices import CITY, JIA, YI, city  # noqa: F401  (the fixture)

BING = "丙區依法治區辦"
BING_PLAN = """\
version: 2
id: 2023-bing
year: 2023
title: 丙區2023年普法工作要點
office: 丙區依法治區辦
review: required
units: [區司法局, 區教育局]
sections:
  - number: 1
    title: 一、重點工作
    tasks:
      - number: 1
        title: 任務1
        due: 12月31日
        lead: 區司法局
        carries: 2023-city#1
        checks: [2023-04-15, 2023-08-31, 2023-12-31]
      - number: 2
        title: 任務2
        due: 6月30日
        lead: 區司法局
        support: [區教育局]
        carries: 2023-city#2
        targets: [{key: sessions, label: 培訓, target: 4, unit: 次, aggregate: sum}]
      - number: 3
        title: 任務3
        due: 9月30日
        lead: 區教育局
"""
AS_OF = ["2023-03-01", "2023-04-20", "2023-06-30", "2023-09-01", "2023-12-31"]


@pytest.fixture
def three(city: str, pufa, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]  # noqa: F811
    def ok(*args: str) -> None:
        r = pufa(*args)
        assert r.code == 0, (args, r)

    ok("office", "add", BING, "--parent", CITY, "-q")
    path = tmp_path / "bing.yaml"
    path.write_text(BING_PLAN, encoding="utf-8")
    ok("init", "-q", "--plan", str(path))
    log = ("--office", BING, "log", "-q")
    ok(*log, "1", "--unit", "區司法局", "-p", "30", "--date", "2023-04-10")
    # Summed, 2 + 2 of 4 sessions make the task 100 %, where its units' entries say 50 each.
    ok(*log, "2", "--unit", "區司法局", "-m", "sessions=2", "--date", "2023-05-01")
    ok(*log, "2", "--unit", "區教育局", "-m", "sessions=2", "--date", "2023-05-02")
    ok(*log, "3", "--unit", "區教育局", "-p", "100", "--date", "2023-08-01")
    ok(
        "--office",
        JIA,
        "log",
        "3",
        "--unit",
        "甲區教育局",
        "-p",
        "40",
        "--date",
        "2023-07-01",
        "-q",
    )
    return city


def _by_office(pufa: Any, *extra: str) -> dict[str, Any]:
    out = {}
    for day in AS_OF:
        r = pufa("report", "--by", "office", "--as-of", day, "-f", "json", *extra)
        assert r.code == 0, r
        out[day] = json.loads(r.out)
    return out


@pytest.mark.parametrize("against", [(), ("--against", "plan")])
def test_all_plans_at_once_equal_each_plan_on_its_own(three, pufa, monkeypatch, against):
    from pufa_cli.offices import rollup

    at_once = _by_office(pufa, *against)
    monkeypatch.setattr(rollup, "given_for", lambda *a, **k: defaultdict(lambda: None))
    one_by_one = _by_office(pufa, *against)
    assert at_once == one_by_one
    # Not empty rows: the days differ, and 丙's row has its checkpoints and targets at work.
    assert len({json.dumps(r["rows"]) for r in at_once.values()}) == len(AS_OF)
    assert {row["office"] for row in at_once["2023-12-31"]["rows"]} == {JIA, YI, BING}


def test_each_row_agrees_with_the_districts_own_report(three, pufa):
    for day, report in _by_office(pufa).items():
        for row in report["rows"]:
            r = pufa("--office", row["office"], "report", "--as-of", day, "-f", "json")
            assert r.code == 0, r
            own = json.loads(r.out)["total"]
            for key in ("tasks", "done", "in_progress", "not_started", "overdue", "red", "yellow"):
                assert row[key] == own[key], (day, row["office"], key)
            assert row["percent"] == pytest.approx(own["percent"]), (day, row["office"])

"""Target aggregates (issue 14.8): sum, mean, each, latest; the task's percent agrees with its
targets' text. Every expected number is worked out by hand in the comments."""

from __future__ import annotations

import json
from typing import Any

import pytest

A, B, C = "區司法局", "區教育局", "區團委"
PLAN = """\
version: 2
year: 2023
title: 指標測試方案
units: [區司法局, 區教育局, 區團委]
sections:
  - number: 1
    title: 一、指標
    tasks:
      - number: 1
        title: 建設青少年法治教育基地
        lead: 區司法局
        support: [區教育局]
        targets: [{key: bases, label: 基地, target: 100, unit: 個}]
      - number: 2
        title: 普法覆蓋率
        lead: 區司法局
        support: [區教育局]
        targets: [{key: coverage, label: 覆蓋率, target: 90, unit: "%"}]
      - number: 3
        title: 每單位培訓四次
        lead: 區司法局
        support: [區教育局, 區團委]
        targets: [{key: sessions, label: 培訓, target: 4, unit: 次, aggregate: each}]
      - number: 4
        title: 舊規則
        lead: 區司法局
        support: [區教育局]
        targets: [{key: bases, label: 基地, target: 50, unit: 個, aggregate: latest}]
"""


def ok(pufa: Any, *args: str) -> str:
    r = pufa(*args)
    assert r.code == 0, r
    return str(r.out)


@pytest.fixture
def plan(db, pufa, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2024-01-15")
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    ok(pufa, "init", "-q", "--plan", str(path))
    ids = {}
    for name, task, unit, day, metric in [
        ("a1", 1, A, "2023-05-01", "bases=70"),
        ("b1", 1, B, "2023-05-10", "bases=12"),
        ("a1b", 1, A, "2023-06-01", "bases=90"),
        ("a2", 2, A, "2023-05-01", "coverage=81"),
        ("b2", 2, B, "2023-05-02", "coverage=90"),
        ("a3", 3, A, "2023-05-01", "sessions=5"),
        ("b3", 3, B, "2023-05-01", "sessions=2"),
        ("a4", 4, A, "2023-05-01", "bases=30"),
        ("b4", 4, B, "2023-05-02", "bases=10"),
    ]:
        out = ok(pufa, "log", str(task), "--unit", unit, "--date", day, "--metric", metric)
        ids[name] = int(out.strip())
    return ids


def tasks(pufa: Any, as_of: str) -> dict[int, dict[str, Any]]:
    out = ok(pufa, "tasks", "-f", "json", "--as-of", as_of)
    return {t["number"]: t for t in json.loads(out)}


def figure(task: dict[str, Any]) -> tuple[Any, ...]:
    g = task["targets"][0]
    return (g["value"], task["percent"], task["status"])


def test_each_aggregate_as_of_may(plan, pufa):
    got = tasks(pufa, "2023-05-31")
    # sum: 70 + 12 = 82 of 100 → 82 % (the units' own percents, 70 and 12, would mean 41).
    assert figure(got[1]) == (82, 82.0, "in-progress")
    # mean: (81 + 90) / 2 = 85.5 of 90 → 95 %.
    assert figure(got[2]) == (85.5, 95.0, "in-progress")
    # each: A 5 ≥ 4 → 1, B 2/4 → 0.5, 區團委 nothing → 0: (1 + 0.5 + 0) / 3 = 50 %; the
    # value shown is the lowest unit's, 0.
    assert figure(got[3]) == (0, 50.0, "in-progress")
    # latest (today's rule): the newest value, B's 10; the percent is the mean of the units'
    # own percents: A 30/50 = 60, B 10/50 = 20 → 40.
    assert figure(got[4]) == (10, 40.0, "in-progress")


def test_sum_is_capped_and_counts_only_what_is_dated_by_d(plan, pufa):
    # From 06-01 A has 90: 90 + 12 = 102 of 100 → capped at 100 %: done.
    assert figure(tasks(pufa, "2023-06-30")[1]) == (102, 100.0, "done")
    # As of 04-30 nobody has reported: 0 of 100.
    assert figure(tasks(pufa, "2023-04-30")[1]) == (0, 0.0, "not-started")


def test_a_retracted_value_no_longer_adds_up(plan, pufa):
    ok(pufa, "retract", str(plan["b1"]), "--reason", "重複")
    # B's 12 is gone: 70 alone as of 05-31.
    assert figure(tasks(pufa, "2023-05-31")[1]) == (70, 70.0, "in-progress")


def test_report_agrees_with_the_target_text(plan, pufa):
    data = json.loads(ok(pufa, "report", "--by", "task", "-f", "json", "--as-of", "2023-05-31"))
    row = next(r for r in data["rows"] if r["number"] == 1)
    assert (row["percent"], row["targets"][0]["text"]) == (82.0, "82/100 個")
    # Section mean over the four tasks: (82 + 95 + 50 + 40) / 4 = 66.75 → 66.8.
    section = json.loads(ok(pufa, "report", "-f", "json", "--as-of", "2023-05-31"))
    assert section["rows"][0]["percent"] == 66.8


def test_aggregate_is_a_version_2_field(db, pufa, tmp_path):
    path = tmp_path / "p.yaml"
    v1 = PLAN.replace("version: 2", "version: 1")
    path.write_text(v1, encoding="utf-8")
    r = pufa("plan", "check", path)
    assert r.code == 2 and "targets[0].aggregate" in r.err and "version: 2" in r.err, r
    path.write_text(PLAN.replace("aggregate: each", "aggregate: total"), encoding="utf-8")
    r = pufa("plan", "check", path)
    assert r.code == 2 and "aggregate must be sum, each, mean or latest" in r.err, r
    # Without the explicit fields a version 1 file keeps today's rule (latest) everywhere.
    plain = v1.replace(", aggregate: each", "").replace(", aggregate: latest", "")
    path.write_text(plain, encoding="utf-8")
    assert pufa("init", "-q", "--plan", path).code == 0
    ok(pufa, "log", "1", "--unit", A, "--date", "2023-05-01", "--metric", "bases=70")
    ok(pufa, "log", "1", "--unit", B, "--date", "2023-05-10", "--metric", "bases=12")
    # latest: B's 12 shown; percent the mean of 70 and 12 = 41.
    assert figure(tasks(pufa, "2023-05-31")[1]) == (12, 41.0, "in-progress")

"""Loading a plan again: --prune keeps history and the office's own assignments (issues 12.3,
13.5), refuses to empty a plan without --prune-all; the database is unchanged when refused."""

from __future__ import annotations

import json

from conftest import dump_db

HEAD = """\
version: 1
year: 2012
title: 全區依法治區工作方案
units: [區司法局, 區教育局]
sections:
  - number: 1
    title: 第一部分
    tasks:
"""


def _plan(*numbers: int) -> str:
    tasks = "".join(
        f"      - number: {n}\n        title: 第{n}項\n"
        + ("        lead: 區司法局\n" if n in (1, 2) else "")
        for n in numbers
    )
    return HEAD + tasks


def _task_numbers(db: str) -> list[int]:
    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db

    conn = dbmod.connect(resolve_db(db))
    try:
        return [int(r[0]) for r in conn.rows("SELECT number FROM tasks ORDER BY number")]
    finally:
        conn.close()


def test_prune_deletes_only_tasks_without_history_or_office_work(db, pufa, tmp_path):
    plan = tmp_path / "p.yaml"
    plan.write_text(_plan(1, 2, 3, 4), encoding="utf-8")
    assert pufa("init", "-q", "--plan", plan).code == 0
    r = pufa(
        "log", "3", "--unit", "區司法局", "--assign", "--percent", "10", "--date", "2012-03-01"
    )
    assert r.code == 0, r
    assert pufa("assign", "4", "區教育局").code == 0

    plan.write_text(_plan(1), encoding="utf-8")
    r = pufa("init", "--plan", plan, "--prune")
    assert r.code == 0, r
    # 2 had only the unit the plan named: deleted. 3 has an entry, 4 the office's assignment.
    assert "deleted 1 task no longer in the plan: 2" in r.err
    assert "kept task 3: no longer in the plan but it has 1 progress entry" in r.err
    assert "kept task 4: no longer in the plan but it has 1 assignment the office made" in r.err
    assert _task_numbers(db) == [1, 3, 4]
    assert (
        len(dump_db(db)["assignments"]) == 3
    )  # 1 → 區司法局 (plan), 3 → 區司法局 (log --assign), 4 → 區教育局
    listed = json.loads(pufa("tasks", "-f", "json").out)
    assert [t["number"] for t in listed] == [1]


def test_prune_refuses_to_empty_a_plan(db, pufa, tmp_path):
    plan = tmp_path / "p.yaml"
    plan.write_text(_plan(1, 2), encoding="utf-8")
    assert pufa("init", "-q", "--plan", plan).code == 0
    assert (
        pufa("log", "2", "--unit", "區司法局", "--percent", "5", "--date", "2012-02-01").code == 0
    )
    plan.write_text(_plan(7), encoding="utf-8")
    before = dump_db(db)
    r = pufa("init", "--plan", plan, "--prune")
    assert r.code == 2 and "--prune-all" in r.err and "every task" in r.err, r
    assert len(r.err.splitlines()) == 1
    assert dump_db(db) == before
    r = pufa("init", "--plan", plan, "--prune", "--prune-all")
    assert r.code == 0, r
    assert _task_numbers(db) == [2, 7]  # 1 deleted; 2 keeps its entry


def test_without_prune_nothing_is_deleted(db, pufa, tmp_path):
    plan = tmp_path / "p.yaml"
    plan.write_text(_plan(1, 2), encoding="utf-8")
    assert pufa("init", "-q", "--plan", plan).code == 0
    plan.write_text(_plan(2), encoding="utf-8")
    r = pufa("init", "--plan", plan)
    assert r.code == 0 and "kept 1 task no longer in the plan: 1" in r.err, r
    assert _task_numbers(db) == [1, 2]

"""A new plan's tasks, targets and assignments are written in bulk (issue 19): the database
holds the same rows as when the same tasks arrive by a reload of a smaller plan, and loading
the same file again changes nothing. Runs on SQLite and, with ``PUFA_TEST_PG_URL``, on
PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from conftest import dump_db
from pufa_cli import store as dbmod
from pufa_cli.config import resolve_db

PLAN = """\
version: 2
id: {id}
year: 2023
title: 批量載入測試方案
units: [區司法局, 區教育局, 區團委, 區民政局]
sections:
  - number: 1
    title: 一、重點工作
    tasks:
      - number: 1
        title: 開展法治宣傳
        lead: [區司法局, 區民政局]
        support: [區團委]
        checks: [上半年, 年底]
        targets:
          - {{key: bases, label: 基地, target: 10, unit: 個}}
          - {{key: rate, label: 覆蓋率, target: 90, unit: "%"}}
      - number: 2
        title: 有子項的任務
        lead: 區教育局
        items:
          - title: 子項一
          - title: 子項二
            lead: 區團委
            targets:
              - {{key: talks, label: 講座, target: 5, unit: 場}}
{more}"""

MORE = """\
  - number: 2
    title: 二、保障措施
    tasks:
      - number: 3
        title: 第三項
        due: 第三季度
        lead: 區民政局
      - number: 4
        title: 第四項有子項
        support: [區司法局]
        items:
          - number: 7
            title: 子項七
            lead: 區團委
"""


def _rows(url: str, plan: str) -> dict[str, list[tuple[object, ...]]]:
    conn = dbmod.connect(resolve_db(url))
    try:
        tasks = conn.rows(
            "SELECT t.number, t.item, s.number, t.title, t.due_word, t.checks, t.plan_units, "
            "t.in_plan, (SELECT p.number FROM tasks p WHERE p.id = t.parent_id) "
            "FROM tasks t JOIN sections s ON s.id = t.section_id "
            "JOIN plans pl ON pl.id = t.plan_id "
            "WHERE pl.code = :c ORDER BY t.number, t.item",
            {"c": plan},
        )
        targets = conn.rows(
            "SELECT t.number, t.item, g.key, g.label, g.target, g.unit, g.position, g.aggregate "
            "FROM targets g JOIN tasks t ON t.id = g.task_id JOIN plans pl ON pl.id = t.plan_id "
            "WHERE pl.code = :c ORDER BY t.number, t.item, g.position",
            {"c": plan},
        )
        assignments = conn.rows(
            "SELECT t.number, t.item, u.name, a.role FROM assignments a "
            "JOIN tasks t ON t.id = a.task_id JOIN units u ON u.id = a.unit_id "
            "JOIN plans pl ON pl.id = t.plan_id WHERE pl.code = :c "
            "ORDER BY t.number, t.item, u.name",
            {"c": plan},
        )
        order = conn.rows(
            "SELECT t.number, t.item FROM tasks t JOIN plans pl ON pl.id = t.plan_id "
            "WHERE pl.code = :c ORDER BY t.id",
            {"c": plan},
        )
    finally:
        conn.close()
    return {
        "tasks": [tuple(r) for r in tasks],
        "targets": [tuple(r) for r in targets],
        "assignments": [tuple(r) for r in assignments],
        "order": [tuple(r) for r in order],
    }


def test_bulk_load_matches_a_reload_and_reloads_unchanged(db: str, pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    whole = tmp_path / "whole.yaml"
    whole.write_text(PLAN.format(id="bulk-a", more=MORE), encoding="utf-8")
    r = pufa("init", "--plan", whole)
    assert r.code == 0 and ": 7 added, 0 updated" in r.out, r

    # The same plan arriving in two loads: the first half, then the whole.
    half = tmp_path / "half.yaml"
    half.write_text(PLAN.format(id="bulk-b", more=""), encoding="utf-8")
    assert pufa("init", "-q", "--plan", half).code == 0
    half.write_text(PLAN.format(id="bulk-b", more=MORE), encoding="utf-8")
    r = pufa("init", "--plan", half)
    assert r.code == 0 and "3 added" in r.out, r

    at_once, in_two = _rows(db, "bulk-a"), _rows(db, "bulk-b")
    assert at_once == in_two
    # Tasks and their items in the plan's order; an item names its task.
    assert at_once["order"] == [(1, 0), (2, 0), (2, 1), (2, 2), (3, 0), (4, 0), (4, 7)]
    parents = {(t[0], t[1]): t[8] for t in at_once["tasks"]}
    assert parents[(2, 1)] == parents[(2, 2)] == 2 and parents[(4, 7)] == 4
    assert parents[(1, 0)] is None
    roles = {(a[0], a[1], a[2]): a[3] for a in at_once["assignments"]}
    assert roles[(1, 0, "區司法局")] == "lead" and roles[(1, 0, "區民政局")] == "colead"
    assert roles[(1, 0, "區團委")] == "support"
    assert (2, 0, "區教育局") not in roles  # a task with items: its items hold the units
    assert roles[(2, 1, "區教育局")] == "lead" and roles[(2, 2, "區團委")] == "lead"
    assert [t[2] for t in at_once["targets"]] == ["bases", "rate", "talks"]

    before = dump_db(db)
    r = pufa("init", "--plan", whole)
    assert r.code == 0 and "unchanged: 0 added, 0 updated" in r.out, r
    assert dump_db(db) == before

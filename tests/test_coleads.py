"""Co-leads (issue 14.7): ``lead`` may be a list (共同牽頭). The first lead is stored as the
task's lead, the others as co-leads (role ``colead``): all shown and reported as lead, while the
schema's "one lead per task" index keeps holding (docs/rules.md, "Co-leads"). Runs on SQLite and,
with ``PUFA_TEST_PG_URL``, on PostgreSQL."""

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

SJ, JY, TW = "區司法局", "區教育局", "區團委"

COLEADS = f"""\
version: 2
id: coleads
year: 2023
title: 共同牽頭測試方案
units: [{SJ}, {JY}, {TW}]
sections:
  - number: 1
    title: 一、責任
    tasks:
      - number: 1
        title: 青少年法治教育
        lead: [{SJ}, {JY}]
        support: [{TW}]
      - number: 2
        title: 單一牽頭
        lead: {SJ}
      - number: 3
        title: 未分工
"""


def load(pufa: Any, tmp_path: Path, text: str = COLEADS) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    r = pufa("init", "-q", "--plan", path)
    assert r.code == 0, r
    return path


def roles(db: str, number: int) -> dict[str, str]:
    """The stored role of each unit assigned to task ``number``."""
    conn = dbmod.connect(resolve_db(db))
    try:
        rows = conn.rows(
            "SELECT u.name, a.role FROM assignments a JOIN units u ON u.id = a.unit_id "
            "JOIN tasks t ON t.id = a.task_id WHERE t.number = :n",
            {"n": number},
        )
    finally:
        conn.close()
    return {str(n): str(r) for n, r in rows}


def shown(pufa: Any, number: int) -> list[tuple[str, str]]:
    r = pufa("show", str(number), "-f", "json")
    assert r.code == 0, r
    return [(u["unit"], u["role"]) for u in json.loads(r.out)["units"]]


def test_a_list_of_leads_loads_as_lead_and_co_lead_and_shows_both_as_lead(db, pufa, tmp_path):
    load(pufa, tmp_path)
    assert roles(db, 1) == {SJ: "lead", JY: "colead", TW: "support"}
    # Both leads read as lead, the plan's first lead first, then the supporting unit.
    assert shown(pufa, 1) == [(SJ, "lead"), (JY, "lead"), (TW, "support")]
    text = pufa("show", "1").out
    assert text.count("lead") == 2 and "supporting" in text
    # units list: 區司法局 leads tasks 1 and 2, 區教育局 task 1, 區團委 supports task 1.
    units = {u["unit"]: u for u in json.loads(pufa("unit", "list", "-f", "json").out)}
    assert (units[SJ]["lead"], units[SJ]["supporting"]) == (2, 0)
    assert (units[JY]["lead"], units[JY]["supporting"]) == (1, 0)
    assert (units[TW]["lead"], units[TW]["supporting"]) == (0, 1)


def test_reports_count_co_leads_as_lead_and_each_reports_its_own_share(db, pufa, tmp_path):
    load(pufa, tmp_path)
    for unit, pct in ((SJ, "60"), (JY, "20")):
        r = pufa("log", "1", "--unit", unit, "--percent", pct, "--date", "2023-05-01")
        assert r.code == 0, r
    rows = json.loads(pufa("report", "--by", "unit", "-f", "json", "--as-of", "2023-06-30").out)[
        "rows"
    ]
    by_unit = {r["unit"]: r for r in rows}
    assert (by_unit[SJ]["lead"], by_unit[SJ]["supporting"]) == (2, 0)
    assert (by_unit[JY]["lead"], by_unit[JY]["supporting"]) == (1, 0)
    # Task 1 has three units: 60, 20 and 0 (區團委 has no entry) → mean 80 / 3 = 26.7.
    task = json.loads(pufa("report", "--by", "task", "-f", "json", "--as-of", "2023-06-30").out)
    one = next(r for r in task["rows"] if r["number"] == 1)
    assert one["percent"] == pytest.approx(26.7, abs=0.05)
    # The lead first, then the co-lead, then the supporting unit.
    assert one["units"] == [SJ, JY, TW]
    # The ledger's lead column names both, joined by 、 like the supporting units.
    r = pufa("export", "-w", "tasks", "--as-of", "2023-06-30")
    assert r.code == 0, r
    rows1 = list(csv.DictReader(io.StringIO(r.out.removeprefix("\ufeff"), newline="")))
    t1 = next(r for r in rows1 if r["number"] == "1")
    assert t1["lead"] == f"{SJ}、{JY}" and t1["supporting"] == TW


def test_reloading_unchanged_writes_nothing_and_a_new_co_lead_is_added(db, pufa, tmp_path):
    path = load(pufa, tmp_path)
    before = dump_db(db)
    assert pufa("init", "-q", "--plan", path).code == 0
    assert dump_db(db) == before
    # The plan now names 區團委 a co-lead of task 2 (區司法局 stays its lead).
    load(pufa, tmp_path, COLEADS.replace(f"lead: {SJ}\n", f"lead: [{SJ}, {TW}]\n"))
    assert roles(db, 2) == {SJ: "lead", TW: "colead"}


def lead_events(db: str) -> list[tuple[str, str | None, str | None]]:
    """The lead changes recorded in ``unit_events``: (kind, old, new), in order."""
    conn = dbmod.connect(resolve_db(db))
    try:
        rows = conn.rows("SELECT action, old_value, new_value FROM unit_events ORDER BY id")
    finally:
        conn.close()
    return [(str(k), o, n) for k, o, n in rows if k == "lead"]


def test_assign_adds_co_leads_beside_the_named_lead_and_else_changes_the_lead(db, pufa, tmp_path):
    # The rule changed when co-leads met main's "lead changes in place" (docs/rules.md §4 and
    # "Co-leads"): `--lead U` without the task's lead L no longer is refused; it makes U the lead
    # and L a supporting unit, recorded. Naming L too still adds U as a co-lead.
    load(pufa, tmp_path)
    # Task 2 has the lead 區司法局: naming it too adds the co-lead, and records no lead change.
    r = pufa("assign", "2", "--lead", SJ, "--lead", JY)
    assert r.code == 0, r
    assert roles(db, 2) == {SJ: "lead", JY: "colead"}
    assert lead_events(db) == []
    # Naming another lead alone changes the lead in place: the old lead supports, the co-lead
    # stays a co-lead (of the new lead), and the change is recorded.
    r = pufa("assign", "2", "--lead", TW)
    assert r.code == 0, r
    assert roles(db, 2) == {TW: "lead", SJ: "support", JY: "colead"}
    assert lead_events(db) == [("lead", SJ, TW)]
    # A co-lead named alone becomes the lead in place, too.
    assert pufa("assign", "2", "--lead", JY).code == 0
    assert roles(db, 2) == {JY: "lead", SJ: "support", TW: "support"}
    assert lead_events(db) == [("lead", SJ, TW), ("lead", TW, JY)]
    # Task 3 has no lead: the first named becomes the lead, the second a co-lead; a unit
    # assigned as supporting before becomes a co-lead when named as a lead.
    assert pufa("assign", "3", TW).code == 0
    assert pufa("assign", "3", "--lead", JY, "--lead", TW).code == 0
    assert roles(db, 3) == {JY: "lead", TW: "colead"}
    # Several leads without the lead: the first named leads in place, the rest are co-leads.
    assert pufa("assign", "3", "--lead", SJ, "--lead", TW).code == 0
    assert roles(db, 3) == {SJ: "lead", JY: "support", TW: "colead"}
    assert lead_events(db)[-1] == ("lead", JY, SJ)
    r = pufa("check")
    assert r.code == 0, r


def test_merging_a_co_lead_keeps_the_higher_role(db, pufa, tmp_path):
    """``unit merge OLD NEW`` where both are on a task keeps one assignment with the higher
    role: a co-lead merged into a supporting unit leaves NEW a co-lead."""
    load(pufa, tmp_path)
    # Task 1: 區司法局 lead, 區教育局 co-lead, 區團委 supporting.
    assert pufa("unit", "merge", JY, TW).code == 0
    assert roles(db, 1) == {SJ: "lead", TW: "colead"}
    assert pufa("unit", "merge", SJ, TW).code == 0
    assert roles(db, 1) == {TW: "lead"}
    assert pufa("check").code == 0


def test_unassigning_the_lead_makes_the_co_lead_the_lead(db, pufa, tmp_path):
    load(pufa, tmp_path)
    assert pufa("unassign", "1", SJ).code == 0
    assert roles(db, 1) == {JY: "lead", TW: "support"}
    # Unassigning a co-lead leaves the lead alone.
    assert pufa("assign", "2", "--lead", SJ, "--lead", TW).code == 0
    assert pufa("unassign", "2", TW).code == 0
    assert roles(db, 2) == {SJ: "lead"}
    r = pufa("check")
    assert r.code == 0 and "a co-lead only beside its task's lead" in r.out, r


def test_the_schema_still_allows_one_lead_row_per_task(db, pufa, tmp_path):
    """Co-leads are a distinct role, so the partial unique index stays: a second 'lead' row is
    refused by the database itself, a second 'colead' row is not."""
    load(pufa, tmp_path)
    conn = dbmod.connect(resolve_db(db))
    try:
        insert = (
            "INSERT INTO assignments (task_id, unit_id, role, created_at) "
            "SELECT t.id, u.id, :role, '2023-01-01 00:00:00' FROM tasks t, units u "
            "WHERE t.number = 1 AND u.name = :u"
        )
        with conn.transaction(write=True):
            conn.run(
                "DELETE FROM assignments WHERE unit_id = (SELECT id FROM units WHERE name = :u)",
                {"u": TW},
            )
            conn.run(insert, {"role": "colead", "u": TW})
        with pytest.raises(Exception) as info:
            with conn.transaction(write=True):
                conn.run("UPDATE assignments SET role = 'lead' WHERE role = 'colead'")
        assert "uq_assignments_one_lead" in str(info.value) or "UNIQUE" in str(info.value).upper()
    finally:
        conn.close()
    assert roles(db, 1) == {SJ: "lead", JY: "colead", TW: "colead"}


def test_check_finds_a_co_lead_without_a_lead(db, pufa, tmp_path):
    load(pufa, tmp_path)
    conn = dbmod.connect(resolve_db(db))
    try:
        with conn.transaction(write=True):
            conn.run("DELETE FROM assignments WHERE role = 'lead'")
    finally:
        conn.close()
    r = pufa("check")
    assert r.code == 1 and "FAIL  a co-lead only beside its task's lead" in r.out, r


BAD = {
    "list in version 1": (
        ("version: 2\nid: coleads\n", "version: 1\nid: coleads\n"),
        "tasks[0].lead:",
        "needs 'version: 2'",
    ),
    "named twice": ((f"lead: [{SJ}, {JY}]", f"lead: [{SJ}, {SJ}]"), "tasks[0].lead[1]:", "twice"),
    "unknown co-lead": ((f"lead: [{SJ}, {JY}]", f"lead: [{SJ}, 區文明辦]"), "lead[1]:", "區文明辦"),
    "co-lead also supports": ((f"support: [{TW}]", f"support: [{JY}]"), "support[0]:", "twice"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_lead_lists_are_refused(case, db, pufa, tmp_path):
    (old, new), where, what = BAD[case]
    assert old in COLEADS
    path = tmp_path / "bad.yaml"
    path.write_text(COLEADS.replace(old, new, 1), encoding="utf-8")
    r = pufa("plan", "check", path)
    assert r.code == 2 and where in r.err and what in r.err, (case, r)
    assert len(r.err.splitlines()) == 1


def test_a_group_cannot_be_named_as_lead_in_assign(db, pufa, tmp_path):
    load(
        pufa,
        tmp_path,
        COLEADS.replace("sections:", f"groups:\n  青年單位: [{JY}, {TW}]\nsections:"),
    )
    before = dump_db(db)
    r = pufa("assign", "3", "--lead", "青年單位")
    assert r.code == 2 and "is a group" in r.err and len(r.err.splitlines()) == 1, r
    assert dump_db(db) == before

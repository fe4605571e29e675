"""The unit registry: unit add / rename / list, and how a typed name finds its unit."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import dump_db, run_installed

SJ, JY, LD, BG = "區司法局", "區教育局", "區依法治區工作領導小組", "區依法治區辦公室"


@pytest.fixture
def today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")


def ok(pufa: Any, *args: str) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def refused(pufa: Any, db: str, message: str, *args: str) -> None:
    """Exit 2, one line on stderr naming the problem, nothing on stdout, nothing written."""
    before = dump_db(db)
    r = pufa(*args)
    assert r.code == 2 and r.out == "" and "Traceback" not in r.err, r
    assert r.err.count("\n") == 1 and r.err.startswith("Error: ") and message in r.err, r
    assert dump_db(db) == before


def unit_list(pufa: Any, *args: str) -> dict[str, dict[str, Any]]:
    rows = json.loads(ok(pufa, "unit", "list", "-f", "json", *args).out)
    return {row.pop("unit"): row for row in rows}


def test_unit_add_and_list(loaded, pufa, today):
    r = ok(pufa, "unit", "add", SJ, "--kind", "部門")
    assert (r.out, r.err) == ("", f"unit added: {SJ}\n")
    ok(pufa, "unit", "add", JY, "-q")
    zero = {"lead": 0, "supporting": 0, "done": 0, "overdue": 0}
    # The plan's lead units are registered by init and assigned to tasks 7 and 8; both tasks are
    # due 12-31 and not done, so as of today (12-31) each lead has one overdue task.
    assert unit_list(pufa) == {
        LD: {"kind": None, **zero, "lead": 1, "overdue": 1},
        BG: {"kind": None, **zero, "lead": 1, "overdue": 1},
        SJ: {"kind": "部門", **zero},
        JY: {"kind": None, **zero},
    }
    ok(pufa, "assign", "19", JY, "--lead", SJ)
    ok(pufa, "assign", "14", SJ)
    ok(pufa, "log", "19", "-u", SJ, "--done", "--date", "2011-05-01")
    ok(pufa, "log", "19", "-u", JY, "--done", "--date", "2011-08-01")
    # As of Q2: task 19 is (100 + 0)/2, not done; task 14 (due 03-31, no entry) is overdue.
    assert unit_list(pufa, "--as-of", "Q2")[SJ] == {
        "kind": "部門",
        "lead": 1,
        "supporting": 1,
        "done": 0,
        "overdue": 1,
    }
    # As of Q3 both units of task 19 are at 100: done for each of them.
    listed = unit_list(pufa, "--as-of", "Q3")
    assert (listed[SJ]["done"], listed[JY]["done"], listed[JY]["supporting"]) == (1, 1, 1)
    r = ok(pufa, "unit", "list", "--as-of", "Q3")
    row = next(line for line in r.out.splitlines() if line.startswith(SJ))
    assert row.split() == [SJ, "部門", "1", "1", "1", "1"]
    assert "4 units" in r.out


def test_full_width_half_width_and_spaces_are_one_unit(loaded, pufa, today):
    ok(pufa, "unit", "add", "  ＡＢＣ科  ")
    assert "ABC科" in unit_list(pufa)  # trimmed and NFKC-normalised as stored
    refused(pufa, loaded, "'ABC科' already exists", "unit", "add", "ABC科")
    refused(pufa, loaded, "'ABC科' already exists", "unit", "add", " ＡＢＣ科")
    refused(pufa, loaded, "'ABC科' already exists", "unit", "add", "abc科")  # case too
    ok(pufa, "assign", "19", "ＡＢＣ科 ")
    ok(pufa, "log", "19", "-u", "\tABC科", "-p", "25", "--date", "2011-04-01")
    data = json.loads(ok(pufa, "show", "19", "-f", "json", "--as-of", "Q2").out)
    assert [(u["unit"], u["percent"]) for u in data["units"]] == [("ABC科", 25)]
    assert [
        t["number"] for t in json.loads(ok(pufa, "tasks", "-f", "json", "-u", "abc科").out)
    ] == [19]


def test_simplified_input_finds_the_traditional_unit(loaded, pufa, today):
    ok(pufa, "unit", "add", SJ)
    refused(pufa, loaded, f"'{SJ}' already exists", "unit", "add", "区司法局")
    r = ok(pufa, "assign", "19", "区司法局", "--lead", "区司法局")
    assert r.err == f"task 19: assigned {SJ}\n"
    entry = int(ok(pufa, "log", "19", "-u", "区司法局", "-p", "40", "--date", "2011-02-01").out)
    data = json.loads(ok(pufa, "show", "19", "-f", "json", "--as-of", "Q1").out)
    assert data["units"][0]["unit"] == SJ and data["units"][0]["percent"] == 40
    assert [(e["id"], e["unit"]) for e in data["history"]] == [(entry, SJ)]
    # a close but unknown name gets a suggestion, in the stored spelling
    refused(pufa, loaded, f"did you mean '{SJ}'?", "assign", "19", "区司法")


def test_rename_keeps_history_and_refuses_an_existing_name(loaded, pufa, today):
    ok(pufa, "unit", "add", SJ)
    ok(pufa, "unit", "add", JY)
    ok(pufa, "assign", "19", JY, "--lead", JY)
    entry = int(ok(pufa, "log", "19", "-u", JY, "-p", "30", "--date", "2011-03-01").out)
    refused(pufa, loaded, f"'{SJ}' already exists", "unit", "rename", JY, "区司法局")
    refused(pufa, loaded, "already the unit's name", "unit", "rename", JY, f" {JY} ")
    refused(pufa, loaded, "unknown unit", "unit", "rename", "區公安局", "區警察局")
    refused(pufa, loaded, "empty", "unit", "rename", JY, "   ")

    new = "區教育和體育局"
    r = ok(pufa, "unit", "rename", "区教育局", new)
    assert (r.out, r.err) == ("", f"unit renamed: {JY} → {new}\n")
    data = json.loads(ok(pufa, "show", "19", "-f", "json", "--as-of", "Q1").out)
    assert [(u["unit"], u["role"], u["percent"]) for u in data["units"]] == [(new, "lead", 30)]
    assert [(e["id"], e["unit"], e["percent"]) for e in data["history"]] == [(entry, new, 30)]
    assert [t["number"] for t in json.loads(ok(pufa, "tasks", "-f", "json", "-u", new).out)] == [19]
    # The old name answers with the new one.
    refused(
        pufa,
        loaded,
        f"(renamed to '{new}'); did you mean '{new}'?",
        "log",
        "19",
        "-u",
        JY,
        "-p",
        "5",
    )
    refused(pufa, loaded, f"did you mean '{new}'?", "log", "19", "-u", "区教育局", "-p", "50")
    # the old name is free again
    ok(pufa, "unit", "add", JY)
    assert set(unit_list(pufa)) == {LD, BG, SJ, JY, new}


def test_installed_pufa_adds_assigns_logs_and_shows(loaded, tmp_path):
    env = {"PUFA_TODAY": "2011-12-31"}
    r = run_installed("unit", "add", "区教育局", "--kind", "部门", env=env, cwd=tmp_path)
    assert (r.code, r.out, r.err) == (0, "", "unit added: 区教育局\n"), r
    r = run_installed("assign", "19", "區教育局", "--lead", "區教育局", env=env, cwd=tmp_path)
    assert r.code == 0 and r.out == "", r
    r = run_installed(
        "log", "19", "-u", "區教育局", "-m", "bases=37", "-n", "新建37個基地", env=env, cwd=tmp_path
    )
    assert r.code == 0, r
    entry = int(r.out)
    # What the entry counts as, then the lag warning (37 % on 12-31 is red; issue 16).
    lines = r.err.splitlines()
    assert lines[0] == f"entry {entry} — task 19: 区教育局 37/100 個 = 37 %", r
    assert lines[1].startswith("warning: task 19 is red as of 2011-12-31"), r
    assert len(lines) == 2, r
    r = run_installed("show", "19", "-f", "json", env=env, cwd=tmp_path)
    assert r.code == 0, r
    data = json.loads(r.out)
    # bases 37/100 → 37 %; the unit is shown as registered (Simplified here)
    assert data["units"] == [
        {
            "unit": "区教育局",
            "role": "lead",
            "due": "2011-12-31",
            "percent": 37,
            "person": None,
            "metrics": {"bases": 37},
        }
    ]
    assert [(e["id"], e["date"], e["note"]) for e in data["history"]] == [
        (entry, "2011-12-31", "新建37個基地")
    ]
    r = run_installed("show", "19", env={**env, "COLUMNS": "160"}, cwd=tmp_path)
    assert r.code == 0 and "37/100 個" in r.out and "新建37個基地" in r.out, r


def events(db: str) -> list[tuple[object, ...]]:
    rows = dump_db(db)
    return [r[1:2] + r[3:6] for r in rows["unit_events"]]  # action, task, old, new


def test_unit_set_kind_and_remove(loaded, pufa, today):
    ok(pufa, "unit", "add", SJ, "--kind", "部門")
    r = ok(pufa, "unit", "set", "区司法局", "--kind", " 政法 ")
    assert r.err == f"unit {SJ}: kind 政法\n"
    assert unit_list(pufa)[SJ]["kind"] == "政法"
    refused(pufa, loaded, "already of kind", "unit", "set", SJ, "--kind", "政法")
    refused(pufa, loaded, "--kind must be", "unit", "set", SJ, "--kind", "  ")
    # remove: only a unit nothing refers to
    ok(pufa, "assign", "19", SJ)
    refused(pufa, loaded, "1 assignment, 0 progress entries", "unit", "remove", SJ)
    ok(pufa, "log", "19", "-u", SJ, "-p", "5", "--date", "2011-03-01")
    ok(pufa, "unassign", "19", SJ)
    refused(pufa, loaded, "0 assignments, 1 progress entry", "unit", "remove", SJ)
    refused(pufa, loaded, "in use", "unit", "remove", LD)  # the plan's lead of task 7
    ok(pufa, "unit", "add", JY)
    r = ok(pufa, "unit", "remove", JY)
    assert r.err == f"unit removed: {JY}\n"
    assert JY not in unit_list(pufa)
    assert events(loaded) == [("kind", None, "部門", "政法"), ("remove", None, JY, None)]


def test_unit_merge_moves_assignments_and_entries_and_records_them(loaded, pufa, today):
    old, new, tw = "區教研室", JY, "區團委"
    for name in (old, new, tw):
        ok(pufa, "unit", "add", name)
    ok(pufa, "assign", "19", old, tw, "--lead", old)  # old leads 19; new is not on it
    ok(pufa, "assign", "20", old, new)  # both on 20: one assignment stays
    ok(pufa, "assign", "21", new, "--lead", new)
    e1 = int(ok(pufa, "log", "19", "-u", old, "-p", "40", "--date", "2011-03-01").out)
    e2 = int(ok(pufa, "log", "20", "-u", old, "-p", "10", "--date", "2011-03-02").out)
    e3 = int(ok(pufa, "log", "20", "-u", new, "-p", "30", "--date", "2011-03-03").out)
    refused(pufa, loaded, "the same unit", "unit", "merge", old, "区教研室")
    r = ok(pufa, "unit", "merge", old, "区教育局")
    assert r.err == f"unit {old} merged into {new}: moved 2 assignments and 2 progress entries\n"
    assert old not in unit_list(pufa)
    show19 = json.loads(ok(pufa, "show", "19", "-f", "json", "--as-of", "Q1").out)
    assert [(u["unit"], u["role"], u["percent"]) for u in show19["units"]] == [
        (new, "lead", 40),
        (tw, "support", 0),
    ]
    show20 = json.loads(ok(pufa, "show", "20", "-f", "json", "--as-of", "Q1").out)
    # new's latest entry on 20 is its own 30 of 03-03 (the moved 10 is of 03-02)
    assert [(u["unit"], u["percent"]) for u in show20["units"]] == [(new, 30)]
    assert [(e["id"], e["unit"]) for e in show20["history"]] == [(e2, new), (e3, new)]
    # Recorded: the merge, and which entries it moved (their original unit is its old name).
    rows = dump_db(loaded)
    merge = [r for r in rows["unit_events"] if r[1] == "merge"]
    assert [(r[4], r[5]) for r in merge] == [(old, new)]
    assert sorted(e for _ev, e in rows["unit_event_entries"]) == [e1, e2]
    refused(pufa, loaded, f"(merged into '{new}'); did you mean '{new}'?", "assign", "22", old)


def test_assign_lead_changes_the_lead_in_place(loaded, pufa, today):
    ok(pufa, "unit", "add", SJ)
    ok(pufa, "unit", "add", JY)
    ok(pufa, "assign", "19", JY, SJ, "--lead", JY)
    r = ok(pufa, "assign", "19", SJ, "--lead", SJ)
    assert f"task 19: the lead is now {SJ}; {JY} stays as a supporting unit\n" in r.err
    data = json.loads(ok(pufa, "show", "19", "-f", "json").out)
    assert sorted((u["unit"], u["role"]) for u in data["units"]) == sorted(
        [(SJ, "lead"), (JY, "support")]
    )
    # A unit not yet on the task can take the lead too: task 7's plan lead steps down.
    ok(pufa, "assign", "7", "--lead", JY)
    data = json.loads(ok(pufa, "show", "7", "-f", "json").out)
    assert sorted((u["unit"], u["role"]) for u in data["units"]) == sorted(
        [(JY, "lead"), (LD, "support")]
    )
    recorded = events(loaded)
    assert [(a, old, new) for a, _t, old, new in recorded] == [("lead", JY, SJ), ("lead", LD, JY)]
    assert (
        all(isinstance(t, int) for _a, t, _o, _n in recorded) and recorded[0][1] != recorded[1][1]
    )


@pytest.mark.parametrize(
    ("look_alike", "code"),
    [
        ("區教育局\ufe00", "U+FE00"),  # variation selector
        ("區教育局\U000e0100", "U+E0100"),  # variation selector supplement
        ("區\u3164教育局", "U+1160"),  # Hangul filler (NFKC makes it U+1160, also invisible)
        ("區教育局\u2800", "U+2800"),  # Braille blank
        ("區教\u0301育局", "U+0301"),  # a combining mark left after NFKC
        ("區教育局\u00ad", "U+00AD"),  # soft hyphen
        ("區教育局\u2061", "U+2061"),  # function application (default-ignorable)
        ("區教育局\u200b", "U+200B"),  # zero width space
    ],
)
def test_look_alike_unit_names_are_refused_and_find_the_real_unit(
    loaded, pufa, today, look_alike, code
):
    ok(pufa, "unit", "add", JY)
    refused(pufa, loaded, code, "unit", "add", look_alike)
    refused(pufa, loaded, code, "unit", "rename", JY, look_alike)
    # typed to find a unit, the invisible character is removed: it is 區教育局
    r = ok(pufa, "assign", "19", look_alike)
    assert r.err == f"task 19: assigned {JY}\n"


def test_unit_list_for_a_year_lists_that_plans_units(loaded, pufa, today, tmp_path):
    ok(pufa, "unit", "add", SJ)
    ok(pufa, "unit", "add", JY)
    ok(pufa, "assign", "19", JY)
    assert set(unit_list(pufa)) == {LD, BG, SJ, JY}  # the whole registry
    # --year (or PUFA_YEAR) asks for one plan: its units only.
    assert set(unit_list(pufa, "--year", "2011")) == {LD, BG, JY}

"""assign, unassign, log, retract, show and the tasks filters (issue 3), and bad input refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import dump_db, pufa_executable, run_installed

SJ, JY, TW, LD = "區司法局", "區教育局", "區團委", "區依法治區工作領導小組"


@pytest.fixture
def units(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    """The 2011 plan with three more units registered; today is pinned to 2011-12-31."""
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    for name in (SJ, JY, TW):
        r = pufa("unit", "add", name, "-q")
        assert r.code == 0, r
    return loaded


def ok(pufa: Any, *args: str) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def log(pufa: Any, *args: str) -> int:
    r = ok(pufa, "log", *args)
    return int(r.out)


def show(pufa: Any, task: int, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(pufa, "show", str(task), "-f", "json", *args).out)
    return data


def numbers(pufa: Any, *args: str) -> list[int]:
    return [t["number"] for t in json.loads(ok(pufa, "tasks", "-f", "json", *args).out)]


# --- assign / unassign ------------------------------------------------------------------------


def test_assign_units_with_a_lead_and_a_due_date(units, pufa):
    # Simplified input finds the registered Traditional names.
    r = ok(pufa, "assign", "19", "区教育局", TW, "--lead", "区教育局")
    assert r.out == ""
    assert r.err == f"task 19: assigned {JY}, {TW}\n"
    assert show(pufa, 19)["units"] == [
        {
            "unit": JY,
            "role": "lead",
            "due": "2011-12-31",
            "percent": 0,
            "person": None,  # nobody named with --person
            "metrics": {"bases": None},
        },
        {
            "unit": TW,
            "role": "support",
            "due": "2011-12-31",
            "percent": 0,
            "person": None,
            "metrics": {"bases": None},
        },
    ]
    r = ok(pufa, "assign", "19", TW)
    assert r.err == f"task 19: already assigned {TW}\n"
    # --due overrides the plan's 年底 for that unit; the task is due when its last unit is.
    r = ok(pufa, "assign", "19", TW, "--due", "Q2")
    assert r.err == f"task 19: updated {TW}\n"
    data = show(pufa, 19)
    assert [(u["unit"], u["due"]) for u in data["units"]] == [
        (JY, "2011-12-31"),
        (TW, "2011-06-30"),
    ]
    assert data["due"] == "2011-12-31"
    ok(pufa, "assign", "19", JY, "--due", "9月底")
    assert show(pufa, 19)["due"] == "2011-09-30"
    # Assigning again without --due keeps the override.
    ok(pufa, "assign", "19", JY, TW)
    assert show(pufa, 19)["due"] == "2011-09-30"
    # --quiet silences the notice.
    r = ok(pufa, "assign", "19", SJ, "-q")
    assert (r.out, r.err) == ("", "")


def test_a_supporting_unit_becomes_lead_when_the_task_has_none(units, pufa):
    ok(pufa, "assign", "19", TW)
    assert show(pufa, 19)["units"][0]["role"] == "support"
    r = ok(pufa, "assign", "19", "--lead", TW)
    assert r.err == f"task 19: updated {TW}\n"
    assert show(pufa, 19)["units"][0]["role"] == "lead"
    # A task's plan lead can be replaced only after it is unassigned.
    ok(pufa, "unassign", "7", LD)
    ok(pufa, "assign", "7", "--lead", SJ)
    assert [(u["unit"], u["role"]) for u in show(pufa, 7)["units"]] == [(SJ, "lead")]


def test_unassign_keeps_the_history(units, pufa):
    ok(pufa, "assign", "19", JY, TW)
    e1 = log(pufa, "19", "-u", TW, "-p", "40", "--date", "2011-03-01")
    r = ok(pufa, "unassign", "19", "区团委")
    assert (r.out, r.err) == ("", f"task 19: unassigned {TW}\n")
    data = show(pufa, 19)
    assert [u["unit"] for u in data["units"]] == [JY]
    assert [(e["id"], e["unit"], e["percent"]) for e in data["history"]] == [(e1, TW, 40)]
    # JY, the one unit left, has not reported: its entry no longer counts for the task.
    assert (data["percent"], data["status"]) == (0.0, "not-started")


# --- log ----------------------------------------------------------------------------------------


def test_log_prints_the_new_entry_id_on_stdout_only(units, pufa, monkeypatch):
    ok(pufa, "assign", "19", JY)
    monkeypatch.setenv("LOGNAME", "clerk_wang")
    monkeypatch.setenv("USER", "clerk_wang")
    monkeypatch.setenv("PUFA_TODAY", "2011-05-05")
    # 15 % on 05-05 is behind schedule: --problems keeps the lag warning (issue 16) away.
    r = ok(pufa, "log", "19", "--unit", JY, "--percent", "15", "--problems", "選址未定")
    assert r.out.strip().isdigit() and r.out == r.out.strip() + "\n"
    first = int(r.out)
    # stderr says what the entry counts as: no bases reported yet, 15 % as given.
    assert r.err == f"entry {first} — task 19: {JY} 0/100 個 = 15 %\n"
    assert ok(pufa, "log", "19", "-u", JY, "-p", "16", "-q").err == ""
    second = log(pufa, "19", "-u", JY, "--done", "--date", "2011-04-01", "--by", "李科長")
    assert second > first
    history = show(pufa, 19)["history"]
    # Oldest first by date: the back-dated entry comes first.
    assert [(e["id"], e["date"], e["percent"], e["by"]) for e in history] == [
        (second, "2011-04-01", 100, "李科長"),  # --done is 100
        (first, "2011-05-05", 15, "clerk_wang"),  # --date defaults to today, --by to the OS user
        (first + 1, "2011-05-05", 16, "clerk_wang"),
    ]


def test_metrics_derive_the_percent_unless_one_is_given(units, pufa):
    ok(pufa, "assign", "10", SJ)
    # study_hours target 50, training_days 15
    a = log(pufa, "10", "-u", SJ, "-m", "study_hours=30", "--date", "2011-02-01")  # ⌊(60+0)/2⌋
    b = log(pufa, "10", "-u", SJ, "-m", "training_days=３", "--date", "2011-02-02")  # ⌊(60+20)/2⌋
    c = log(pufa, "10", "-u", SJ, "-m", "study_hours=75", "--date", "2011-02-03")  # ⌊(100+20)/2⌋
    d = log(pufa, "10", "-u", SJ, "-p", "5", "-m", "training_days=15", "--date", "2011-02-04")
    e = log(pufa, "10", "-u", SJ, "--done", "-m", "study_hours=1", "--date", "2011-02-05")
    # the same metric twice over the day: this entry's own value counts, not the stored one
    f = log(pufa, "10", "-u", SJ, "-m", "training_days=7.5", "--date", "2011-02-05")  # ⌊(2+50)/2⌋
    history = {h["id"]: (h["percent"], h["metrics"]) for h in show(pufa, 10)["history"]}
    assert history == {
        a: (30, {"study_hours": 30}),
        b: (40, {"training_days": 3}),  # full-width digits are read as digits
        c: (60, {"study_hours": 75}),  # 75/50 is capped at 100
        d: (5, {"training_days": 15}),  # --percent wins over the metric
        e: (100, {"study_hours": 1}),  # --done wins over the metric
        f: (26, {"training_days": 7.5}),
    }
    units_ = show(pufa, 10, "--as-of", "2011-02-05")["units"]
    assert units_[0]["metrics"] == {"study_hours": 1, "training_days": 7.5}


def test_log_with_assign_assigns_the_unit_as_supporting(units, pufa):
    ok(pufa, "assign", "19", "--lead", JY)
    log(pufa, "19", "-u", SJ, "-p", "20", "--assign", "--date", "2011-03-03")
    data = show(pufa, 19, "--as-of", "2011-03-31")
    assert [(u["unit"], u["role"], u["percent"]) for u in data["units"]] == [
        (JY, "lead", 0),
        (SJ, "support", 20),
    ]
    assert data["percent"] == 10.0


# --- retract and show ---------------------------------------------------------------------------


def test_retract_records_who_when_why_and_the_entry_stays(units, pufa):
    ok(pufa, "assign", "19", JY)
    old = log(pufa, "19", "-u", JY, "-m", "bases=20", "-n", "第一批", "--date", "2011-03-01")
    new = log(pufa, "19", "-u", JY, "-p", "60", "-n", "重報", "--date", "2011-03-02", "--by", "王")
    r = ok(pufa, "retract", str(new), "--reason", "數字填錯", "--by", "督查科")
    assert (r.out, r.err) == ("", f"entry {new} retracted\n")
    data = show(pufa, 19, "--as-of", "2011-03-31")
    assert data["percent"] == 20.0  # back to the previous counting entry
    first, second = data["history"]
    assert set(second) == {
        "id",
        "date",
        "unit",
        "percent",
        "metrics",
        "note",
        "by",
        "recorded_at",
        "retracted",
        "retracted_at",
        "retracted_by",
        "retraction_reason",
        "evidence",  # issue 16: the entry's evidence files and reviews
        "reviews",
        "problems",
        "next",
    }
    assert first["id"] == old and first["retracted"] is False
    assert first["retraction_reason"] is None and first["retracted_at"] is None
    assert first["metrics"] == {"bases": 20} and first["note"] == "第一批"
    assert second["id"] == new
    assert (second["date"], second["unit"], second["percent"], second["note"], second["by"]) == (
        "2011-03-02",
        JY,
        60,
        "重報",
        "王",
    )
    assert second["retracted"] is True
    assert (second["retracted_by"], second["retraction_reason"]) == ("督查科", "數字填錯")
    assert second["retracted_at"][:4].isdigit()
    # The table shows the same history, the retraction with its reason.
    r = ok(pufa, "show", "19", "--as-of", "2011-03-31")
    lines = r.out.splitlines()
    row = next(line for line in lines if line.strip().startswith(f"{new} "))
    assert "2011-03-02" in row and "60%" in row and "重報" in row and "王" in row
    assert "retracted" in row and "數字填錯" in row
    row = next(line for line in lines if line.strip().startswith(f"{old} "))
    assert "bases=20" in row and "第一批" in row and "retracted" not in row


def test_show_json_is_one_object(units, pufa):
    r = ok(pufa, "show", "19", "-f", "json", "--as-of", "Q2")
    data = json.loads(r.out)
    assert isinstance(data, dict)
    assert r.err == ""
    assert {
        "year",
        "number",
        "section",
        "title",
        "due",
        "percent",
        "status",
        "overdue",
        "units",
        "targets",
        "history",
        "as_of",
    } <= set(data)
    assert (data["number"], data["as_of"], data["status"], data["overdue"]) == (
        19,
        "2011-06-30",
        "not-started",
        False,
    )


# --- tasks filters ------------------------------------------------------------------------------


def test_tasks_filters(units, pufa):
    ok(pufa, "assign", "19", JY, TW)
    ok(pufa, "assign", "20", TW, "--due", "Q2")
    log(pufa, "19", "-u", JY, "-p", "100", "--date", "2011-02-01")
    log(pufa, "19", "-u", TW, "--done", "--date", "2011-08-01")
    log(pufa, "20", "-u", TW, "-p", "30", "--date", "2011-05-01")

    assert numbers(pufa, "--section", "5") == [18, 19, 20]
    assert numbers(pufa, "--unit", "区团委") == [19, 20]
    assert numbers(pufa, "--unit", JY) == [19]
    assert numbers(pufa, "--unit", SJ) == []
    # as of 2011-06-30: 19 is (100 + 0)/2 = 50 in progress; 20 (30) is due 06-30, not yet overdue
    assert numbers(pufa, "--as-of", "2011-06-30", "--status", "in-progress") == [19, 20]
    assert numbers(pufa, "--as-of", "2011-07-01", "--status", "overdue") == [14, 20]
    assert numbers(pufa, "--as-of", "2011-09-30", "--status", "done") == [19]
    assert len(numbers(pufa, "--as-of", "2011-09-30", "--status", "not-started")) == 21
    assert numbers(pufa, "--due", "Q1") == [14]
    assert numbers(pufa, "--due", "q2") == [20]
    assert numbers(pufa, "--due", "Q3") == []
    assert 7 in numbers(pufa, "--due", "Q4") and 20 not in numbers(pufa, "--due", "Q4")
    # filters combine
    assert numbers(pufa, "-s", "5", "--unit", TW, "--status", "overdue", "--as-of", "Q3") == [20]
    # before any entry, --as-of keeps everything not started
    assert numbers(pufa, "--as-of", "2011-01-31", "--status", "not-started") == list(range(1, 24))
    listed = json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", "Q3").out)
    t20 = listed[19]
    assert (t20["percent"], t20["status"], t20["overdue"], t20["due"]) == (
        30.0,
        "in-progress",
        True,
        "2011-06-30",
    )
    assert t20["units"] == [
        {"unit": TW, "role": "support", "due": "2011-06-30", "percent": 30, "person": None}
    ]
    # the table says overdue in words
    r = ok(pufa, "tasks", "--status", "overdue", "--as-of", "Q3")
    assert "overdue" in r.out and "2011-06-30" in r.out


def test_a_mean_just_under_100_is_not_shown_as_100(units, pufa):
    # 21 units, 20 of them done and one at 99: (20 × 100 + 99)/21 = 99.952…, which rounds to
    # 100.0 — but the task is not done, so JSON must not say 100.0.
    names = [f"第{i}街道" for i in range(1, 22)]
    for name in names:
        ok(pufa, "unit", "add", name, "-q")
    ok(pufa, "assign", "21", *names, "-q")
    for name in names:
        log(
            pufa,
            "21",
            "-u",
            name,
            "-p",
            "99" if name == names[0] else "100",
            "--date",
            "2011-05-01",
        )
    task = json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", "Q2").out)[20]
    assert (task["percent"], task["status"]) == (99.9, "in-progress")
    log(pufa, "21", "-u", names[0], "--done", "--date", "2011-05-02")
    task = json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", "Q2").out)[20]
    assert (task["percent"], task["status"]) == (100.0, "done")


def test_installed_pufa_logs_retracts_and_refuses(units, pufa):
    ok(pufa, "assign", "19", JY)
    r = run_installed("log", "19", "-u", "区教育局", "-p", "35", "--date", "2011-03-01")
    assert r.code == 0, r
    entry = int(r.out)
    assert r.err == f"entry {entry} — task 19: {JY} 0/100 個 = 35 %\n"
    r = run_installed("retract", str(entry), "-r", "重複")
    assert (r.code, r.out, r.err) == (0, "", f"entry {entry} retracted\n")
    before = dump_db(units)
    r = run_installed("log", "19", "-u", JY, "-p", "abc")
    assert r.code == 2 and r.out == "" and "Traceback" not in r.err, r
    assert r.err.count("\n") == 1 and r.err.startswith("Error:"), r
    r = run_installed("unassign", "19", "區公安局")
    assert r.code == 2 and r.err.startswith("Error: unknown unit"), r
    assert dump_db(units) == before


# --- bad input ----------------------------------------------------------------------------------

L19 = ("log", "19", "-u", SJ)

BAD_INPUT: list[tuple[str, tuple[str, ...], str]] = [
    ("unknown task (log)", ("log", "99", "-u", SJ, "-p", "5"), "no task 99"),
    ("unknown task (assign)", ("assign", "99", SJ), "no task 99"),
    ("unknown task (show)", ("show", "99"), "no task 99"),
    ("not a task number", ("show", "abc"), "not a task number"),
    ("huge task number", ("show", "99999999999999999999"), "not a task number"),
    ("unknown unit, close", (*L19[:3], "區司法", "-p", "5"), "did you mean '區司法局'?"),
    ("unknown unit, far", ("assign", "19", "區公安局"), "pufa unit add"),
    ("unknown unit (tasks)", ("tasks", "--unit", "区教育"), "did you mean '區教育局'?"),
    ("empty unit name", ("log", "19", "-u", "  ", "-p", "5"), "empty"),
    ("a note with a bidi control", (*L19, "-p", "5", "-n", "ab\u202ecd"), "bidirectional"),
    ("--by with a bidi control", (*L19, "-p", "5", "--by", "\u2067王"), "bidirectional"),
    ("no unit to assign", ("assign", "19"), "at least one unit"),
    ("unknown --due word", ("assign", "19", SJ, "--due", "明年"), "unknown period"),
    ("--due outside the plan year", ("assign", "19", SJ, "--due", "2012-03-31"), "plan year"),
    ("unassign an unassigned unit", ("unassign", "19", JY), "not assigned"),
    ("percent 101", (*L19, "-p", "101"), "0 to 100"),
    ("percent -1", (*L19, "-p", "-1"), "0 to 100"),
    ("percent abc", (*L19, "--percent", "abc"), "0 to 100, not abc"),
    ("percent 2.5", (*L19, "--percent", "2.5"), "0 to 100, not 2.5"),
    ("percent 101%", (*L19, "--percent", "101%"), "0 to 100, not 101%"),
    ("both --percent and --done", (*L19, "-p", "5", "--done"), "not both"),
    ("no percent, done or metric", L19, "--percent P, --done or --metric"),
    ("malformed date", (*L19, "-p", "5", "--date", "2011_05_01"), "not a date"),
    ("month and day only, impossible", (*L19, "-p", "5", "--date", "2月30日"), "not a valid date"),
    ("date before the plan year", (*L19, "-p", "5", "--date", "2010/12/31"), "--year"),
    ("Chinese label naming no target", (*L19, "-m", "學校=3"), "no target '學校'"),
    ("metric with another unit", (*L19, "-m", "bases=37天"), "not a number"),
    ("impossible date", (*L19, "-p", "5", "--date", "2011-02-30"), "not a valid date"),
    ("future date", (*L19, "-p", "5", "--date", "2012-01-01"), "in the future"),
    ("unknown metric key", (*L19, "-m", "schools=3"), "no target 'schools'"),
    ("metric on a task without targets", ("log", "18", "-u", SJ, "-m", "x=1"), "no target"),
    ("non-numeric metric", (*L19, "-m", "bases=many"), "not a number"),
    ("metric without '='", (*L19, "-m", "bases37"), "KEY=VALUE"),
    ("negative metric", (*L19, "-m", "bases=-3"), "from 0 to 10^12"),
    ("infinite metric", (*L19, "-m", "bases=inf"), "from 0 to 10^12"),
    ("metric given twice", (*L19, "-m", "bases=1", "-m", "bases=2"), "twice"),
    ("log for an unassigned unit", ("log", "18", "-u", SJ, "-p", "5"), "--assign"),
    ("empty --by", (*L19, "-p", "5", "--by", " "), "--by"),
    ("a note with a NUL byte", (*L19, "-p", "5", "-n", "a\x00b"), "control character"),
    ("a note with ESC", (*L19, "-p", "5", "-n", "red\x1b[31m"), "control character"),
    ("a 10 MB note", (*L19, "-p", "5", "-n", "x" * 10_000_001), "longer than"),
    ("retract an unknown entry", ("retract", "999", "-r", "x"), "no entry 999"),
    ("retract a huge entry id", ("retract", "99999999999", "-r", "x"), "no entry"),
    ("retract entry 0", ("retract", "0", "-r", "x"), "entry"),
    ("retract twice", ("retract", "{retracted}", "-r", "again"), "already retracted"),
    ("empty --reason", ("retract", "{entry}", "--reason", ""), "reason"),
    ("blank --reason", ("retract", "{entry}", "--reason", "  \n "), "reason"),
    ("retract with empty --by", ("retract", "{entry}", "-r", "x", "--by", ""), "--by"),
    ("unknown --status", ("tasks", "--status", "late"), "'late' is not a status"),
    ("--section 0", ("tasks", "--section", "0"), "--section"),
    ("unknown --due quarter", ("tasks", "--due", "Q5"), "--due"),
    ("bad --as-of", ("tasks", "--as-of", "2011-02-30"), "not a valid date"),
    ("unknown --year (tasks)", ("tasks", "--year", "2030"), "no plan for 2030"),
    ("unknown --year (log)", (*L19, "-p", "5", "--year", "2010"), "no plan for 2010"),
    ("huge --year", ("tasks", "--year", "99999999999999999999"), "no plan for"),
    ("unknown option", (*L19, "--pct", "5"), "--pct"),
    ("missing --unit", ("log", "19", "-p", "5"), "Missing option '--unit'"),
    ("--percent without a value", (*L19, "-p"), "requires an argument"),
    ("retract without an entry", ("retract", "-r", "x"), "Missing argument"),
]


def test_bad_input_is_refused_with_one_line_and_nothing_written(units, pufa):
    ok(pufa, "assign", "19", SJ, "--lead", SJ)
    ok(pufa, "assign", "19", TW)
    entry = log(pufa, "19", "-u", SJ, "-p", "10", "--date", "2011-03-01")
    retracted = log(pufa, "19", "-u", SJ, "-p", "20", "--date", "2011-03-02")
    ok(pufa, "retract", str(retracted), "-r", "duplicate")
    before = dump_db(units)
    failures = []
    for name, raw, message in BAD_INPUT:
        args = [a.format(entry=entry, retracted=retracted) for a in raw]
        r = pufa(*args)
        good = (
            r.code == 2
            and r.out == ""
            and "Traceback" not in r.err
            and r.err.count("\n") == 1
            and r.err.startswith("Error: ")
            and message in r.err
        )
        if not good:
            failures.append((name, r))
        elif dump_db(units) != before:
            failures.append((name, "database changed"))
    assert not failures, "\n".join(f"{n}: {r!r}" for n, r in failures)
    assert dump_db(units) == before


# --- show as of a date, the status colour, the due word ----------------------------------------


def test_show_as_of_leaves_out_later_entries(units, pufa, monkeypatch):
    ok(pufa, "assign", "19", JY)
    early = log(pufa, "19", "-u", JY, "-p", "30", "--date", "2011-05-01", "-n", "五月")
    late = log(pufa, "19", "-u", JY, "-p", "80", "--date", "2011-08-01", "-n", "八月")
    data = show(pufa, 19, "--as-of", "Q2")
    # The page matches its numbers: 30 % as of 06-30, and only the entry that counts then.
    assert data["percent"] == 30.0
    assert [e["id"] for e in data["history"]] == [early]
    assert data["later_entries"] == 1
    assert [e["id"] for e in show(pufa, 19, "--as-of", "Q3")["history"]] == [early, late]
    assert show(pufa, 19, "--as-of", "Q3")["later_entries"] == 0
    monkeypatch.setenv("COLUMNS", "120")
    out = ok(pufa, "show", "19", "--as-of", "Q2").out
    assert "五月" in out and "八月" not in out
    assert "1 later entry (after 2011-06-30) not shown" in out


def test_status_is_coloured_as_the_light(units, pufa, monkeypatch):
    # As of 06-30 task 19 (due 12-31) expects 49.6 %: at 45 % it is 4.6 behind, a green light,
    # so its status "in progress" is green, not yellow. At 30 % (19.6 behind) it is yellow.
    ok(pufa, "assign", "19", JY)
    log(pufa, "19", "-u", JY, "-p", "45", "--date", "2011-06-01")
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    green, yellow = "\x1b[32min progress", "\x1b[33min progress"
    for command in (("tasks", "--section", "5"), ("show", "19")):
        out = ok(pufa, *command, "--as-of", "Q2").out
        assert green in out and yellow not in out, command
    log(pufa, "19", "-u", JY, "-p", "30", "--date", "2011-06-02")
    for command in (("tasks", "--section", "5"), ("show", "19")):
        out = ok(pufa, *command, "--as-of", "Q2").out
        assert yellow in out and green not in out, command


def test_due_word_is_the_plans_where_the_plans_date_stands(units, pufa):
    # Task 19 is due 年底 (12-31) in the plan. An assignment's own due date written "Q4" is the
    # same date: the task's due word stays the plan's 年底.
    ok(pufa, "assign", "19", JY, TW)
    ok(pufa, "assign", "19", JY, "--due", "Q4")
    data = show(pufa, 19)
    assert (data["due"], data["due_word"]) == ("2011-12-31", "年底")
    # Every unit due earlier: the task is due at the overrides' date, with their word.
    ok(pufa, "assign", "19", JY, TW, "--due", "上半年")
    data = show(pufa, 19)
    assert (data["due"], data["due_word"]) == ("2011-06-30", "上半年")


# --- duplicates, PUFA_BY and PUFA_TODAY, output that cannot be written ---------------------------


def test_the_same_entry_twice_is_refused_with_the_first_id(units, pufa):
    ok(pufa, "assign", "19", JY, TW)
    L = ("19", "-u", JY, "--date", "2011-05-01", "-m", "bases=37", "-n", "新建37個基地")
    first = log(pufa, *L)
    before = dump_db(units)
    r = pufa("log", *L)
    assert r.code == 2 and r.out == "" and f"entry {first}" in r.err and "--again" in r.err, r
    assert r.err.count("\n") == 1 and dump_db(units) == before
    # Who records it is not part of what is recorded: still the same entry.
    assert pufa("log", *L, "--by", "李科長").code == 2
    # Anything else different is a new entry: the note, the date, the unit, the value, the percent.
    variants = [
        ("19", "-u", JY, "--date", "2011-05-01", "-m", "bases=37", "-n", "新建37個"),
        ("19", "-u", JY, "--date", "2011-05-02", "-m", "bases=37", "-n", "新建37個基地"),
        ("19", "-u", TW, "--date", "2011-05-01", "-m", "bases=37", "-n", "新建37個基地"),
        ("19", "-u", JY, "--date", "2011-05-01", "-m", "bases=38", "-n", "新建37個基地"),
        (*L, "-p", "50"),
    ]
    ids = [log(pufa, *v) for v in variants]
    assert ids == list(range(first + 1, first + 6))
    # --again records it a second time; then a third try is refused naming the first.
    again = log(pufa, *L, "--again")
    assert again == first + 6
    r = pufa("log", *L)
    assert r.code == 2 and f"entry {first} " in r.err
    # Once both are retracted, logging it again is how the figure is restored.
    ok(pufa, "retract", str(first), "-r", "重複")
    r = pufa("log", *L)
    assert r.code == 2 and f"entry {again} " in r.err
    ok(pufa, "retract", str(again), "-r", "重複")
    assert log(pufa, *L) == first + 7


def test_pufa_by_and_pufa_today_are_what_is_recorded(units, pufa, monkeypatch):
    ok(pufa, "assign", "14", SJ)
    monkeypatch.setenv("PUFA_TODAY", "2011-03-20")
    monkeypatch.setenv("PUFA_BY", "督查科")
    first = log(pufa, "14", "-u", SJ, "-p", "30")
    ok(pufa, "retract", str(first), "-r", "誤報")
    second = log(pufa, "14", "-u", SJ, "-p", "40", "--by", "李科長")  # --by wins
    entries = {e["id"]: e for e in show(pufa, 14)["history"]}
    assert (entries[first]["by"], entries[second]["by"]) == ("督查科", "李科長")
    # Every recorded time is on the pinned day, as the entry's date is.
    assert entries[first]["date"] == "2011-03-20"
    assert entries[first]["recorded_at"].startswith("2011-03-20T")
    assert entries[first]["retracted_at"].startswith("2011-03-20T")
    assert entries[first]["retracted_by"] == "督查科"
    assert entries[second]["recorded_at"].startswith("2011-03-20T")


def test_log_to_a_full_disk_records_nothing(units):
    """`pufa log > /dev/full`: the id is written before the commit, so a failed write leaves
    nothing recorded and says so (exit 1); a retry then records the entry once."""
    import os

    if not os.path.exists("/dev/full"):
        pytest.fail("this test needs /dev/full (Linux)")
    before = dump_db(units)
    args = ["log", "19", "-u", JY, "-p", "10", "--assign", "--date", "2011-05-01"]
    env = {"PUFA_DB": units, "PUFA_TODAY": "2011-12-31"}
    exe = pufa_executable()
    import subprocess

    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [exe, *args], stdout=full, stderr=subprocess.PIPE, text=True, env={**os.environ, **env}
        )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("Error: ") and "nothing was recorded" in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert dump_db(units) == before
    r = run_installed(*args, env=env)
    assert r.code == 0 and r.out.strip().isdigit(), r


def test_chatter_that_cannot_be_written_does_not_fail_a_done_command(units):
    """`pufa unit add X 2>/dev/full`: the unit is added and committed before its notice goes to
    stderr; a notice that cannot be written is dropped, and the exit status (0) says what was
    done (it was 1, "system failure", with the unit added)."""
    import os
    import subprocess

    env = {**os.environ, "PUFA_DB": units, "PUFA_TODAY": "2011-12-31"}
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [pufa_executable(), "unit", "add", "區統計局"],
            stdout=subprocess.PIPE,
            stderr=full,
            env=env,
            text=True,
        )
    assert proc.returncode == 0
    assert any("區統計局" in row for row in dump_db(units)["units"])

"""The "Done when" scenario of issue 3, checked through the CLI's JSON at every quarter's end.

Three tasks of the 2011 plan, four units, entries dated across all four quarters, one
retraction and metric-derived percents. Every expected number is worked out by hand below from
docs/rules.md; nothing here calls pufa's own rules.

    task 10  targets study_hours 50 小時, training_days 15 天; plan due 年底 (2011-12-31)
             lead 區司法局 (SJ), support 區公安局 (GA)
    task 7   target inspections 2 次; plan due 第四季度 (2011-12-31); plan lead
             區依法治區工作領導小組 (LD), whose assignment is overridden with --due 上半年
    task 14  no target; plan due 一季度 (2011-03-31); units assigned by `log --assign`

State A: every entry logged, nothing retracted, every unit assigned.
State B: entry f1 retracted, GA unassigned from task 10, both units unassigned from task 14.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

Q1, Q2, Q3, Q4 = "2011-03-31", "2011-06-30", "2011-09-30", "2011-12-31"
SJ, GA, LD = "區司法局", "區公安局", "區依法治區工作領導小組"
IP, NS, DONE = "in-progress", "not-started", "done"


@pytest.fixture
def ledger(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    """The scenario's ledger in state A; returns the entry ids by name."""
    monkeypatch.setenv("PUFA_TODAY", "2012-01-15")

    def ok(*args: str) -> str:
        r = pufa(*args)
        assert r.code == 0, r
        return r.out

    def log(task: int, unit: str, day: str, *how: str) -> int:
        out = ok("log", str(task), "--unit", unit, "--date", day, "--by", "測試員", *how)
        return int(out.strip())

    ok("unit", "add", SJ)
    ok("unit", "add", GA)
    ok("assign", "10", GA, "--lead", SJ)
    ok("assign", "7", LD, "--due", "上半年")

    ids = {}
    # task 10 — SJ derives its percent from metrics; GA gives percents.
    # f1: study 20/50 = 40 %, training no value yet = 0 → ⌊(40 + 0)/2⌋ = 20
    ids["f1"] = log(10, SJ, "2011-01-20", "--metric", "study_hours=20")
    # f2: dated on the quarter's last day, so it counts as of Q1
    ids["f2"] = log(10, GA, Q1, "--percent", "10")
    # f3: dated the day after Q1 ends. study: SJ's latest as of 04-01 is f1 (20) → 40;
    # training 6/15 = 40 → ⌊(40 + 40)/2⌋ = 40
    ids["f3"] = log(10, SJ, "2011-04-01", "--metric", "training_days=6")
    # f4, f5: the same date; f5 is recorded later, so it wins although it is lower
    ids["f4"] = log(10, GA, Q2, "--percent", "60")
    ids["f5"] = log(10, GA, Q2, "--percent", "45")
    # f6: study 35/50 = 70; training latest f3 (6) → 40 → ⌊(70 + 40)/2⌋ = 55
    ids["f6"] = log(10, SJ, "2011-07-10", "--metric", "study_hours=35")
    ids["f7"] = log(10, GA, "2011-11-02", "--done")
    # f8: study 40/50 = 80; training 11/15 = 73.33… → ⌊76.67⌋ = 76 (rounding would give 77)
    ids["f8"] = log(10, SJ, "2011-12-30", "-m", "study_hours=40", "-m", "training_days=11")

    # task 7 — LD's own due date is 06-30 (上半年), so the task is due then, not at 12-31.
    # h1: inspections 1/2 → 50; h2: 2/2 → 100
    ids["h1"] = log(7, LD, "2011-06-20", "--metric", "inspections=1")
    ids["h2"] = log(7, LD, "2011-12-01", "--metric", "inspections=2")

    # task 14 — no unit assigned in the plan; --assign assigns and logs in one step.
    ids["k1"] = log(14, SJ, "2011-03-20", "--percent", "30", "--assign")
    ids["k2"] = log(14, GA, "2011-04-10", "--percent", "60", "--assign")
    ids["k3"] = log(14, SJ, "2011-05-01", "--percent", "80")
    ids["k4"] = log(14, GA, "2011-10-15", "--done")
    return ids


def tasks_json(pufa: Any, day: str) -> dict[int, dict[str, Any]]:
    r = pufa("tasks", "-f", "json", "--as-of", day)
    assert r.code == 0, r
    assert r.err == ""
    return {t["number"]: t for t in json.loads(r.out)}


def show_json(pufa: Any, task: int, day: str) -> dict[str, Any]:
    r = pufa("show", str(task), "-f", "json", "--as-of", day)
    assert r.code == 0, r
    data: dict[str, Any] = json.loads(r.out)
    return data


def check(pufa: Any, expected: dict[str, dict[int, tuple[Any, ...]]]) -> None:
    """expected[D][task] = (percent, status, overdue, due, {unit: percent})."""
    for day, per_task in expected.items():
        listed = tasks_json(pufa, day)
        for task, (percent, status, overdue, due, units) in per_task.items():
            want = {"percent": percent, "status": status, "overdue": overdue, "due": due}
            for source in (listed[task], show_json(pufa, task, day)):
                got = {k: source[k] for k in want}
                assert got == want, (day, task, source)
                assert {u["unit"]: u["percent"] for u in source["units"]} == units, (day, task)


# State A, by hand (mean over the units assigned now; due = the latest unit's due date;
# overdue as of D = not done and due <= D, i.e. not done by the end of the due date):
#   task 10 (due 12-31):
#     Q1  SJ f1 = 20, GA f2 = 10 (dated 03-31 counts; f3 of 04-01 does not) → 15.0
#     Q2  SJ f3 = 40, GA f5 = 45 (f4 and f5 both 06-30: the later, f5, wins) → 42.5
#     Q3  SJ f6 = 55, GA f5 = 45 → 50.0
#     Q4  SJ f8 = 76, GA f7 = 100 → 88.0, not done at the end of its due date 12-31: overdue
#   task 7 (LD only, due 06-30 by the override):
#     Q1  no entry yet → 0.0 not-started, not overdue (due 06-30 is after 03-31)
#     Q2  h1 = 50 → in-progress; 06-30 has ended and it is not done: overdue
#     Q3  50 → overdue (with the plan's own 12-31 it would not be)
#     Q4  h2 = 100 → done, and a done task is never overdue
#   task 14 (SJ and GA, due 03-31):
#     Q1  SJ k1 = 30, GA none yet (k2 is 04-10) = 0 → 15.0, overdue as of its due date
#     Q2  SJ k3 = 80, GA k2 = 60 → 70.0 overdue;  Q3 the same
#     Q4  SJ k3 = 80, GA k4 = 100 → 90.0 overdue
STATE_A: dict[str, dict[int, tuple[Any, ...]]] = {
    Q1: {
        10: (15.0, IP, False, Q4, {SJ: 20, GA: 10}),
        7: (0.0, NS, False, Q2, {LD: 0}),
        14: (15.0, IP, True, Q1, {SJ: 30, GA: 0}),
    },
    Q2: {
        10: (42.5, IP, False, Q4, {SJ: 40, GA: 45}),
        7: (50.0, IP, True, Q2, {LD: 50}),
        14: (70.0, IP, True, Q1, {SJ: 80, GA: 60}),
    },
    Q3: {
        10: (50.0, IP, False, Q4, {SJ: 55, GA: 45}),
        7: (50.0, IP, True, Q2, {LD: 50}),
        14: (70.0, IP, True, Q1, {SJ: 80, GA: 60}),
    },
    Q4: {
        10: (88.0, IP, True, Q4, {SJ: 76, GA: 100}),
        7: (100.0, DONE, False, Q2, {LD: 100}),
        14: (90.0, IP, True, Q1, {SJ: 80, GA: 100}),
    },
}

# State B, by hand:
#   task 10: only SJ counts now, and f1 no longer counts.
#     Q1  SJ has no counting entry (f1 retracted) and GA's f2 is not a current unit's
#         → 0.0 not-started
#     Q2  SJ f3 = 40 — stored when logged; it is NOT recomputed to ⌊(0 + 40)/2⌋ = 20 now that
#         f1 is retracted → 40.0
#     Q3  f6 = 55 → 55.0;  Q4  f8 = 76 → 76.0, overdue (12-31 has ended, not done)
#   task 7: unchanged.
#   task 14: no unit assigned → the latest counting entry of any unit dated <= D;
#            due falls back to the plan's 03-31.
#     Q1  k1 = 30 → 30.0 in-progress, overdue (due 03-31 has ended, not done)
#     Q2  latest dated is k3 (05-01; k2 is 04-10) = 80 → overdue;  Q3 the same
#     Q4  k4 (10-15) = 100 → done, not overdue
STATE_B: dict[str, dict[int, tuple[Any, ...]]] = {
    Q1: {
        10: (0.0, NS, False, Q4, {SJ: 0}),
        7: (0.0, NS, False, Q2, {LD: 0}),
        14: (30.0, IP, True, Q1, {}),
    },
    Q2: {
        10: (40.0, IP, False, Q4, {SJ: 40}),
        7: (50.0, IP, True, Q2, {LD: 50}),
        14: (80.0, IP, True, Q1, {}),
    },
    Q3: {
        10: (55.0, IP, False, Q4, {SJ: 55}),
        7: (50.0, IP, True, Q2, {LD: 50}),
        14: (80.0, IP, True, Q1, {}),
    },
    Q4: {
        10: (76.0, IP, True, Q4, {SJ: 76}),
        7: (100.0, DONE, False, Q2, {LD: 100}),
        14: (100.0, DONE, False, Q1, {}),
    },
}


def test_percents_and_statuses_at_every_quarter_end(ledger, pufa):
    check(pufa, STATE_A)

    r = pufa("retract", str(ledger["f1"]), "--reason", "重複填報", "--by", "督查科")
    assert r.code == 0, r
    # Unassigning GA takes its 45 out of task 10's mean: (55 + 45)/2 = 50.0 becomes 55.0.
    assert tasks_json(pufa, Q3)[10]["percent"] == 50.0
    r = pufa("unassign", "10", GA)
    assert r.code == 0, r
    assert tasks_json(pufa, Q3)[10]["percent"] == 55.0
    # Unassigning GA from task 14 leaves SJ alone: as of Q4 its mean 90.0 becomes SJ's 80.0.
    assert pufa("unassign", "14", GA).code == 0
    assert tasks_json(pufa, Q4)[14]["percent"] == 80.0
    assert pufa("unassign", "14", SJ).code == 0
    check(pufa, STATE_B)


def test_the_other_tasks_and_the_filters_agree(ledger, pufa):
    # The 20 untouched tasks have no entry: 0.0 and not-started at every quarter; the only
    # plan due date before 12-31 is task 14's (一季度), and task 7's override gives 06-30. As of
    # 12-31 every task not done is overdue: all 23 but task 7 (done in Q4).
    everything_but_7 = [n for n in range(1, 24) if n != 7]
    for day, overdue in ((Q1, [14]), (Q2, [7, 14]), (Q3, [7, 14]), (Q4, everything_but_7)):
        listed = tasks_json(pufa, day)
        assert len(listed) == 23
        others = [t for n, t in listed.items() if n not in (7, 10, 14)]
        late = day == Q4
        assert {(t["percent"], t["status"], t["overdue"]) for t in others} == {(0.0, NS, late)}
        r = pufa("tasks", "-f", "json", "--as-of", day, "--status", "overdue")
        assert [t["number"] for t in json.loads(r.out)] == overdue, day
    r = pufa("tasks", "-f", "json", "--as-of", Q4, "--status", "done")
    assert [t["number"] for t in json.loads(r.out)] == [7]
    r = pufa("tasks", "-f", "json", "--as-of", Q1, "--status", "in-progress")
    assert [t["number"] for t in json.loads(r.out)] == [10, 14]
    # task 7 is due in Q2 by its override; 10 and 14 keep 12-31 and 03-31
    r = pufa("tasks", "-f", "json", "--as-of", Q4, "--due", "Q2")
    assert [t["number"] for t in json.loads(r.out)] == [7]
    r = pufa("tasks", "-f", "json", "--as-of", Q4, "--due", "Q1")
    assert [t["number"] for t in json.loads(r.out)] == [14]
    r = pufa("tasks", "-f", "json", "--as-of", Q4, "--unit", GA)
    assert [t["number"] for t in json.loads(r.out)] == [10, 14]


def test_show_gives_each_units_metrics_and_the_history(ledger, pufa):
    data = show_json(pufa, 10, Q3)
    assert data["as_of"] == Q3
    # As of Q3: SJ's latest values are f6's study 35 and f3's training 6; GA gave none.
    assert {u["unit"]: (u["role"], u["due"], u["metrics"]) for u in data["units"]} == {
        SJ: ("lead", Q4, {"study_hours": 35, "training_days": 6}),
        GA: ("support", Q4, {"study_hours": None, "training_days": None}),
    }
    assert [(g["key"], g["value"]) for g in data["targets"]] == [
        ("study_hours", 35),
        ("training_days", 6),
    ]
    # The history as of Q3 is what the figures as of Q3 are made of: the entries dated on or
    # before 09-30, oldest first, with each entry's stored percent; same-date entries in the
    # order recorded. f7 (11-02) and f8 (12-30) come later: counted, not listed.
    assert [(e["id"], e["date"], e["unit"], e["percent"]) for e in data["history"]] == [
        (ledger["f1"], "2011-01-20", SJ, 20),
        (ledger["f2"], Q1, GA, 10),
        (ledger["f3"], "2011-04-01", SJ, 40),
        (ledger["f4"], Q2, GA, 60),
        (ledger["f5"], Q2, GA, 45),
        (ledger["f6"], "2011-07-10", SJ, 55),
    ]
    assert data["later_entries"] == 2
    whole = show_json(pufa, 10, Q4)["history"]  # as of 12-31: the whole ledger
    assert [e["id"] for e in whole[-2:]] == [ledger["f7"], ledger["f8"]]
    assert whole[-1]["metrics"] == {"study_hours": 40, "training_days": 11}
    task7 = show_json(pufa, 7, Q3)
    assert task7["units"] == [
        {
            "unit": LD,
            "role": "lead",
            "due": Q2,
            "percent": 50,
            "person": None,
            "metrics": {"inspections": 1},
        }
    ]

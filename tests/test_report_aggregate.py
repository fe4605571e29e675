"""`pufa report` by section and by unit counts in SQL (issue 19): the same numbers as judging
each task, over a generated ledger with every kind of task and status.

The ledger (seeded, so the same every run): a review plan (`review: required`) of three
sections; tasks with one lead, co-leads, supporting units or no unit at all; sub-items with
their own units and checkpoints; targets that aggregate; checkpoints met and missed;
extensions; retracted entries; claims at 100 % approved, returned and pending. Two checks:

* the report by section and its total, summed here from `report --by task -f json` (the
  per-task rows) without any of pufa's rules: counts exactly, percents within rounding;
* in process, ``build_report(aggregate=True)`` (SQL) against the per-task path, by section and
  by unit, with and without --section and --unit, at several dates and thresholds: every count
  equal, every mean within 10⁻⁹ (floats added in another order).

And the long lists under the table: counted and cut in the table, complete in JSON.
"""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest

UNITS = ("區司法局", "區教育局", "區團委", "區民政局", "區衛健委", "區財政局")
DUES = ("一季度", "上半年", "三季度", "年底", "10月底", "持續")
YEAR = 2023
DATES = ("2023-02-15", "2023-03-31", "2023-06-30", "2023-08-20", "2023-09-30", "2023-12-31")


def ok(pufa: Any, *args: Any) -> str:
    r = pufa(*args)
    assert r.code == 0, r
    return str(r.out)


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _people(rng: random.Random, indent: str) -> list[str]:
    """lead / support lines: one lead, co-leads, support, or no unit at all."""
    kind = rng.random()
    if kind < 0.15:
        return []
    chosen = rng.sample(UNITS, rng.randint(1, 3))
    if kind < 0.35 and len(chosen) > 1:  # co-leads
        lines = [f"{indent}lead: {_flow(chosen[:2])}"]
        rest = chosen[2:]
    else:
        lines = [f"{indent}lead: {chosen[0]}"]
        rest = chosen[1:]
    if rest:
        lines.append(f"{indent}support: {_flow(list(rest))}")
    return lines


def plan_text(seed: int) -> str:
    rng = random.Random(seed)
    out = [
        "version: 2",
        "id: agg",
        f"year: {YEAR}",
        "title: 匯總對照測試方案",
        "review: required",
        f"units: {_flow(list(UNITS))}",
        "sections:",
    ]
    number = 0
    for s in range(1, 4):
        out += [f"  - number: {s}", f"    title: 第{s}部分", "    tasks:"]
        for _ in range(7):
            number += 1
            out += [f"      - number: {number}", f"        title: 任務{number}"]
            due = rng.choice(DUES)
            out.append(f"        due: {due}")
            if rng.random() < 0.2:  # sub-items, each with its own units
                out.append("        items:")
                for i in range(rng.randint(2, 3)):
                    out += [f"          - label: ({i + 1})", f"            title: 子項{i + 1}"]
                    if rng.random() < 0.3:
                        out.append("            checks: [5月31日, 8月31日]")
                    out += _people(rng, "            ") or [f"            lead: {UNITS[i]}"]
                continue
            if rng.random() < 0.25 and due in ("年底", "三季度", "10月底"):
                out.append(f"        checks: [上半年, {due}]")  # due at its last checkpoint
            out += _people(rng, "        ")
            if rng.random() < 0.15:
                out.append("        targets: [{key: cases, label: 案件, target: 20, unit: 件}]")
    return "\n".join(out) + "\n"


def build_ledger(pufa: Any, tmp_path: Path, seed: int = 19) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(plan_text(seed), encoding="utf-8")
    ok(pufa, "init", "-q", "--plan", path)
    rng = random.Random(seed + 1)
    # a unit with its own due date on two tasks (the task is due when its last unit is)
    for t in json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", f"{YEAR}-12-31")):
        if isinstance(t["number"], int) and len(t["units"]) > 1 and t["number"] % 4 == 1:
            ok(pufa, "assign", t["number"], t["units"][-1]["unit"], "--due", "三季度", "-q")
    tasks = json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", f"{YEAR}-12-31"))
    parents = {str(t["number"]).split(".")[0] for t in tasks if isinstance(t["number"], str)}
    for t in tasks:
        ref = str(t["number"])
        if ref in parents:  # a task with items: its items take the entries
            continue
        units = [u["unit"] for u in t["units"]]
        # a task without units: a unit logs, then is unassigned (its entries still count)
        loose = [] if units else ["--assign"]
        units = units or [rng.choice(UNITS)]
        with_target = bool(t.get("targets"))
        for unit in units:
            days = sorted(rng.sample(range(10, 360), rng.randint(0, 3)))
            percent = 0
            for n, offset in enumerate(days):
                day = date.fromordinal(date(YEAR, 1, 1).toordinal() + offset).isoformat()
                percent = min(100, percent + rng.choice((20, 35, 50, 100)))
                how = ["--percent", str(percent)]
                if with_target and rng.random() < 0.7:
                    how = ["--metric", f"cases={rng.randint(1, 12)}"]
                entry = int(
                    ok(pufa, "log", ref, "--unit", unit, "--date", day, "--by", "測", *how, *loose)
                )
                if percent == 100 and how[0] == "--percent":
                    fate = rng.random()
                    if fate < 0.4:
                        ok(pufa, "review", entry, "--approve", "--date", day, "--by", "審")
                    elif fate < 0.55:
                        ok(pufa, "review", entry, "--return", "-r", "缺材料", "--date", day)
                elif n == len(days) - 1 and rng.random() < 0.1:
                    ok(pufa, "retract", entry, "--reason", "錯報")
            if loose and days:
                ok(pufa, "unassign", ref, unit, "-q")
            dues = {u["unit"]: u["due"] for u in t["units"]}
            if dues.get(unit, "9999") < f"{YEAR}-12-31" and rng.random() < 0.3:
                ok(
                    pufa,
                    "extend",
                    ref,
                    "--unit",
                    unit,
                    "--to",
                    "年底",
                    "--reason",
                    "延後",
                    "--approved-by",
                    "主任",
                    "--date",
                    f"{YEAR}-05-01",
                )


@pytest.fixture
def ledger(db, pufa, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", f"{YEAR + 1}-01-15")
    build_ledger(pufa, tmp_path)
    return db


def _next_quarter(as_of: str) -> tuple[str, str] | None:
    d = date.fromisoformat(as_of)
    q = (d.month - 1) // 3 + 1
    if q == 4:
        return None
    ends = {1: "03-31", 2: "06-30", 3: "09-30", 4: "12-31"}
    return f"{YEAR}-{3 * q + 1:02d}-01", f"{YEAR}-{ends[q + 1]}"


def _summed(rows: list[dict[str, Any]]) -> dict[str, Any]:
    status = [r["status"] for r in rows]
    return {
        "tasks": len(rows),
        "done": status.count("done"),
        "awaiting_review": status.count("awaiting-review"),
        "in_progress": status.count("in-progress"),
        "not_started": status.count("not-started"),
        "overdue": sum(1 for r in rows if r["overdue"]),
        "red": sum(1 for r in rows if r["colour"] == "red"),
        "yellow": sum(1 for r in rows if r["colour"] == "yellow"),
        "missed": sum(r["missed"] for r in rows),
    }


def _check_against_tasks(pufa: Any, as_of: str, *scope: str) -> dict[str, Any]:
    report = json.loads(ok(pufa, "report", "-f", "json", "--as-of", as_of, *scope))
    per_task = json.loads(
        ok(pufa, "report", "--by", "task", "-f", "json", "--as-of", as_of, *scope)
    )["rows"]
    tasks_in_scope = {r["number"] for r in per_task if isinstance(r["number"], int)}
    # each task once: an item only when its task is not in scope
    counted = [
        r
        for r in per_task
        if isinstance(r["number"], int) or int(r["number"].split(".")[0]) not in tasks_in_scope
    ]
    sections = sorted({r["section"] for r in counted})
    assert [row["section"] for row in report["rows"]] == sections

    def summed(rows: list[dict[str, Any]], shown: dict[str, Any]) -> dict[str, Any]:
        out = _summed(rows)
        if "awaiting_review" not in shown:  # a plan without review has no such count
            assert out.pop("awaiting_review") == 0
        return out

    for row in report["rows"]:
        mine = [r for r in counted if r["section"] == row["section"]]
        want = summed(mine, row)
        assert {k: row[k] for k in want} == want, (as_of, scope, row)
        mean = sum(r["percent"] for r in mine) / len(mine)
        assert abs(row["percent"] - mean) <= 0.1 + 1e-9
    if counted:
        want = summed(counted, report["total"])
        assert {k: report["total"][k] for k in want} == want
    assert report["overdue"] == [r["number"] for r in per_task if r["overdue"]]
    window = _next_quarter(as_of)
    assert report["due_next"] == (
        []
        if window is None
        else [
            r["number"]
            for r in per_task
            if r["status"] != "done" and window[0] <= r["due"] <= window[1]
        ]
    )
    return report


def test_the_sql_report_adds_up_the_per_task_rows(ledger, pufa):
    seen: dict[str, set[Any]] = {"status": set(), "colour": set()}
    for as_of in DATES:
        for scope in ((), ("--section", "2"), ("--unit", UNITS[1])):
            _check_against_tasks(pufa, as_of, *scope)
        for r in json.loads(ok(pufa, "report", "--by", "task", "-f", "json", "--as-of", as_of))[
            "rows"
        ]:
            seen["status"].add(r["status"])
            seen["colour"].add(r["colour"])
            seen.setdefault("overdue", set()).add(r["overdue"])
            seen.setdefault("missed", set()).add(r["missed"] > 0)
            seen.setdefault("item", set()).add(isinstance(r["number"], str))
            seen.setdefault("extended", set()).add(r["due"] != r["planned_due"])
    # the ledger holds every kind the rules tell apart
    assert seen["status"] == {"done", "awaiting-review", "in-progress", "not-started"}
    assert seen["colour"] == {"green", "yellow", "red"}
    for kind in ("overdue", "missed", "item", "extended"):
        assert seen[kind] == {True, False}, kind


def _plain(row: Any) -> Any:
    data = row._asdict()
    counts = data["counts"] = row.counts._asdict()
    if counts["percent"] is not None:
        counts["percent"] = round(counts["percent"], 9)
    return data


def test_sql_aggregate_equals_the_per_task_path_in_process(ledger):
    from pufa_cli.cli.common import session
    from pufa_cli.progress import find_plan
    from pufa_cli.report import Thresholds, build_report
    from pufa_cli.units import resolve_unit

    with session(ledger) as conn:
        plan = find_plan(conn, YEAR)
        unit = resolve_unit(conn, UNITS[2]).id
        for as_of in DATES:
            day = date.fromisoformat(as_of)
            for by in ("section", "unit"):
                for scope in ({}, {"section": 3}, {"unit_id": unit}):
                    for thresholds in (Thresholds(), Thresholds(5, 12.5)):
                        for against_plan in (False, True):
                            args: dict[str, Any] = dict(
                                by=by, thresholds=thresholds, against_plan=against_plan, **scope
                            )
                            slow = build_report(conn, plan, day, **args)
                            fast = build_report(conn, plan, day, aggregate=True, **args)
                            assert not fast.tasks
                            assert [_plain(r) for r in fast.rows] == [
                                _plain(r) for r in slow.rows
                            ], (as_of, args)
                            total_f, total_s = fast.total, slow.total
                            assert (total_f.percent is None) == (total_s.percent is None)
                            if total_s.percent is not None:
                                assert total_f.percent == pytest.approx(total_s.percent, abs=1e-9)
                            assert total_f._replace(percent=None) == total_s._replace(percent=None)
                            assert (fast.overdue, fast.due_next) == (slow.overdue, slow.due_next)
                            assert (fast.next_quarter, fast.unit, fast.section) == (
                                slow.next_quarter,
                                slow.unit,
                                slow.section,
                            )


# --- long lists under the table ---------------------------------------------------------------


def _many_tasks_plan(n: int) -> str:
    tasks = "\n".join(
        f"      - {{number: {i}, title: 任務{i}, due: 一季度, lead: 區司法局}}"
        for i in range(1, n + 1)
    )
    return (
        "version: 1\nid: many\nyear: 2023\ntitle: 長清單方案\nunits: [區司法局]\nsections:\n"
        f"  - number: 1\n    title: 第一部分\n    tasks:\n{tasks}\n"
    )


@pytest.mark.parametrize("n", [20, 35])
def test_a_long_list_shows_its_count_and_first_numbers_json_keeps_all(
    db, pufa, tmp_path, monkeypatch, n
):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2024-01-15")
    monkeypatch.setenv("COLUMNS", "400")
    path = tmp_path / "many.yaml"
    path.write_text(_many_tasks_plan(n), encoding="utf-8")
    ok(pufa, "init", "-q", "--plan", path)
    data = json.loads(ok(pufa, "report", "-f", "json", "--as-of", "2023-04-15"))
    assert data["overdue"] == list(range(1, n + 1))
    lines = ok(pufa, "report", "--as-of", "2023-04-15").splitlines()
    [line] = [x for x in lines if x.startswith("Overdue as of")]
    if n <= 20:  # in full
        assert line == "Overdue as of 2023-04-15: " + ", ".join(str(i) for i in range(1, n + 1))
    else:
        assert line == (
            f"Overdue as of 2023-04-15: {n} tasks — 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … "
            "(pufa tasks --status overdue --as-of 2023-04-15 --plan-id many)"
        )
        # the command named lists them all
        listed = json.loads(
            ok(
                pufa,
                "tasks",
                "--status",
                "overdue",
                "--as-of",
                "2023-04-15",
                "--plan-id",
                "many",
                "-f",
                "json",
            )
        )
        assert [t["number"] for t in listed] == list(range(1, n + 1))
        markdown = ok(pufa, "report", "-f", "markdown", "--as-of", "2023-04-15")
        assert f"Overdue as of 2023-04-15: {n} tasks — 1, 2, 3" in markdown


# --- a plan whose every task has a unit -------------------------------------------------------


def _same_report(conn: Any, plan: Any, day: date, **args: Any) -> None:
    from pufa_cli.report import build_report

    slow = build_report(conn, plan, day, **args)
    fast = build_report(conn, plan, day, aggregate=True, **args)
    assert [_plain(r) for r in fast.rows] == [_plain(r) for r in slow.rows], (day, args)
    assert fast.total._replace(percent=None) == slow.total._replace(percent=None)
    assert fast.total.percent == pytest.approx(slow.total.percent, abs=1e-9)
    assert (fast.overdue, fast.due_next) == (slow.overdue, slow.due_next)


def test_a_plan_whose_tasks_all_have_units_is_counted_without_the_any_unit_lookups(
    loaded, pufa, monkeypatch
):
    """The report leaves the any-unit lookups out of its statements (the main aggregate, the
    checkpoint pairs) once every task has a unit: the same numbers as the per-task path, with
    checkpoints met and missed; one task without a unit brings them back."""
    from pufa_cli.cli.common import session
    from pufa_cli.progress import find_plan
    from pufa_cli.report.shape import plan_shape

    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    units = ("區司法局", "區教育局", "區團委")
    for name in units:
        ok(pufa, "unit", "add", name, "-q")
    rng = random.Random(11)
    # A lead, and a supporting unit for every other task. Task 2 (one of the 2011 plan's two
    # tasks with checkpoints, with 7) ends without a unit but with entries, logged while a
    # unit had it: its percent is then the latest entry of any unit, and any unit's entry
    # meets its checkpoints.
    for number in (n for n in range(1, 24) if n != 2):
        ok(pufa, "assign", number, *units[number % 3 : number % 3 + 1 + number % 2])
    days = ["2011-02-10", "2011-05-20", "2011-07-15", "2011-11-30"]
    for number in (2, 3, 7, 11, 23):
        # 2's entries all in the first half: its year-end checkpoint is missed
        for day in days[:2] if number == 2 else rng.sample(days, 2):
            pct = str(rng.choice([20, 55, 100]))
            unit = units[number % 3]
            ok(pufa, "log", number, "-u", unit, "--assign", "-p", pct, "--date", day, "-n", "記錄")
    ok(pufa, "unassign", 2, units[2 % 3])

    def compare(unitless: bool) -> None:
        with session(loaded) as conn:
            plan = find_plan(conn, 2011)
            shape = plan_shape(conn, plan)
            assert (shape.unitless, shape.checks, shape.items) == (unitless, True, False)
            for as_of in ("2011-06-30", "2011-09-30", "2011-12-31"):
                for by in ("section", "unit"):
                    _same_report(conn, plan, date.fromisoformat(as_of), by=by)
        for as_of in ("2011-06-30", "2011-12-31"):
            _check_against_tasks(pufa, as_of)

    compare(unitless=True)
    ok(pufa, "assign", 2, units[0])
    compare(unitless=False)
    report = json.loads(ok(pufa, "report", "-f", "json", "--as-of", "2011-12-31"))
    assert report["total"]["missed"] > 0 and report["total"]["in_progress"] > 0

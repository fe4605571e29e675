"""Reporting rounds (issue 16, item 7): each entry answers one round; on-time, late, missing,
open; the by-unit report counts late and missing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import PLAN_2011

SJ = "區司法局"


def plan_with(folder: Path, word: str) -> Path:
    text = PLAN_2011.read_text(encoding="utf-8")
    path = folder / "rounds.yaml"
    path.write_text(text.replace("\nversion: 1\n", f"\nversion: 1\nreporting: {word}\n"), "utf-8")
    return path


@pytest.fixture
def monthly(db, pufa, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    assert pufa("init", "-q", "--plan", plan_with(tmp_path, "每月5日前")).code == 0
    assert pufa("unit", "add", SJ, "-q").code == 0
    assert pufa("assign", "19", SJ, "-q").code == 0
    assert pufa("assign", "20", SJ, "-q").code == 0
    return db


def ok(pufa: Any, *args: str) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def rounds(pufa: Any, as_of: str) -> list[tuple[str, str, str, str | None]]:
    rows = json.loads(ok(pufa, "rounds", "--unit", SJ, "--as-of", as_of, "-f", "json").out)
    assert all(r["unit"] == SJ for r in rows)
    return [(r["period"], r["due"], r["status"], r["date"]) for r in rows]


def test_each_entry_answers_one_round(monthly, pufa):
    for task, day in (
        ("19", "2011-01-03"),
        ("20", "2011-02-07"),
        ("19", "2011-02-20"),
        ("20", "2011-05-01"),
    ):
        ok(pufa, "log", task, "-u", SJ, "-p", "10", "--date", day, "--problems", "-")
    # 01-03 answers January (due 01-05) on time; 02-07 February, late; 02-20 comes after the
    # February due day and after February's report, so it answers March, on time; 05-01 April,
    # late; nothing answers May (due 05-05, passed); June's window has opened, not its due day.
    assert rounds(pufa, "2011-05-31") == [
        ("2011-01", "2011-01-05", "on-time", "2011-01-03"),
        ("2011-02", "2011-02-05", "late", "2011-02-07"),
        ("2011-03", "2011-03-05", "on-time", "2011-02-20"),
        ("2011-04", "2011-04-05", "late", "2011-05-01"),
        ("2011-05", "2011-05-05", "missing", None),
        ("2011-06", "2011-06-05", "open", None),
    ]
    # As of 02-06 the 02-07 entry is not there yet: February is missing, March open.
    assert rounds(pufa, "2011-02-06") == [
        ("2011-01", "2011-01-05", "on-time", "2011-01-03"),
        ("2011-02", "2011-02-05", "missing", None),
        ("2011-03", "2011-03-05", "open", None),
    ]
    data = json.loads(
        ok(pufa, "report", "--by", "unit", "-f", "json", "--as-of", "2011-05-31", "--unit", SJ).out
    )
    [row] = data["rows"]
    assert (row["late"], row["missing"]) == (2, 1)
    csv = ok(pufa, "report", "--by", "unit", "-f", "csv", "--as-of", "2011-05-31").out
    assert csv.splitlines()[0].endswith(",late,missing")


def test_two_entries_a_day_and_retracted_ones(monthly, pufa):
    first = int(ok(pufa, "log", "19", "-u", SJ, "-p", "5", "--date", "2011-01-03").out)
    ok(pufa, "log", "20", "-u", SJ, "-p", "5", "--date", "2011-01-03")
    # Two entries on 01-03: the second is not after January's due day, so February waits.
    assert rounds(pufa, "2011-02-10")[:2] == [
        ("2011-01", "2011-01-05", "on-time", "2011-01-03"),
        ("2011-02", "2011-02-05", "missing", None),
    ]
    ok(pufa, "retract", str(first), "--reason", "錯")
    ok(pufa, "retract", str(first + 1), "--reason", "錯")
    assert rounds(pufa, "2011-01-31") == [
        ("2011-01", "2011-01-05", "missing", None),
        ("2011-02", "2011-02-05", "open", None),
    ]


def test_reporting_words():
    from pufa_cli.errors import BadInput
    from pufa_cli.supervision.rounds import rounds_of

    q = rounds_of("每季度末", 2011)
    assert [(r.period, r.due) for r in q] == [
        ("2011-Q1", date(2011, 3, 31)),
        ("2011-Q2", date(2011, 6, 30)),
        ("2011-Q3", date(2011, 9, 30)),
        ("2011-Q4", date(2011, 12, 31)),
    ]
    assert [r.due for r in rounds_of("每月末", 2012)][:2] == [date(2012, 1, 31), date(2012, 2, 29)]
    assert [r.due for r in rounds_of("每月25日前", 2011)][11] == date(2011, 12, 25)
    assert [r.period for r in rounds_of("每半年末", 2011)] == ["2011-H1", "2011-H2"]
    for bad in ("每月31日前", "每週一", "monthly"):
        with pytest.raises(BadInput):
            rounds_of(bad, 2011)


def test_a_bad_reporting_word_is_refused_and_rounds_need_one(db, pufa, tmp_path):
    r = pufa("init", "-q", "--plan", plan_with(tmp_path, "每週一"))
    assert r.code == 2 and "unknown reporting word '每週一'" in r.err, r
    assert r.err.count("\n") == 1
    ok(pufa, "init", "-q")
    r = pufa("rounds")
    assert r.code == 2 and "has no reporting rounds" in r.err, r
    data = json.loads(ok(pufa, "report", "--by", "unit", "-f", "json").out)
    assert all("late" not in row for row in data["rows"])

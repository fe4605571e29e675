"""Review and closure (issue 16, item 2): in a plan with ``review: required`` a 100 % entry
awaits review until approved (dated), a return stops it counting; refusals change nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import PLAN_2011, dump_db

JY, TW, SJ = "區教育局", "區團委", "區司法局"


def reviewed_plan(folder: Path, word: str = "required") -> Path:
    text = PLAN_2011.read_text(encoding="utf-8")
    assert "\nversion: 1\n" in text
    path = folder / "reviewed.yaml"
    path.write_text(text.replace("\nversion: 1\n", f"\nversion: 1\nreview: {word}\n"), "utf-8")
    return path


@pytest.fixture
def reviewed(db, pufa, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    assert pufa("init", "-q", "--plan", reviewed_plan(tmp_path)).code == 0
    for name in (JY, TW, SJ):
        assert pufa("unit", "add", name, "-q").code == 0
    assert pufa("assign", "19", JY, TW, "--lead", JY, "-q").code == 0
    return db


def ok(pufa: Any, *args: str) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def log(pufa: Any, *args: str) -> int:
    return int(ok(pufa, "log", *args).out)


def task19(pufa: Any, as_of: str) -> tuple[float, str]:
    [t] = [
        t
        for t in json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", as_of).out)
        if t["number"] == 19
    ]
    return t["percent"], t["status"]


def section5(pufa: Any, as_of: str) -> dict[str, Any]:
    rows = json.loads(ok(pufa, "report", "-f", "json", "--as-of", as_of).out)["rows"]
    [row] = [r for r in rows if r["section"] == 5]
    return row


def unit_rows(pufa: Any, as_of: str) -> dict[str, dict[str, Any]]:
    data = json.loads(ok(pufa, "report", "--by", "unit", "-f", "json", "--as-of", as_of).out)
    return {r["unit"]: r for r in data["rows"]}


def test_a_year_of_claims_returns_and_approvals(reviewed, pufa):
    e1 = log(pufa, "19", "-u", JY, "--done", "--date", "2011-03-01")
    e2 = log(pufa, "19", "-u", TW, "--done", "--date", "2011-03-05")
    # Both units claim 100 %: the task is at 100 but awaits review, not done.
    assert task19(pufa, "2011-03-31") == (100.0, "awaiting-review")
    s5 = section5(pufa, "2011-03-31")
    assert (s5["done"], s5["awaiting_review"]) == (0, 1)
    assert (
        ok(
            pufa, "tasks", "--status", "awaiting-review", "-f", "json", "--as-of", "2011-03-31"
        ).out.count('"number"')
        == 1
    )

    # The office returns TW's claim: it stops counting, TW is back at 0, the task at 50.
    r = ok(
        pufa,
        "review",
        str(e2),
        "--return",
        "--reason",
        "缺少佐證",
        "--date",
        "2011-04-10",
        "--by",
        "督查科",
    )
    assert (r.out, r.err) == ("", f"entry {e2} returned\n")
    assert task19(pufa, "2011-04-30") == (50.0, "in-progress")

    # TW logs again; JY's claim is approved on 05-15: the task still waits for TW's.
    e3 = log(pufa, "19", "-u", TW, "--done", "--date", "2011-05-10")
    ok(pufa, "review", str(e1), "--approve", "--note", "材料齊全", "--date", "2011-05-15")
    assert task19(pufa, "2011-05-31") == (100.0, "awaiting-review")
    units = unit_rows(pufa, "2011-05-31")
    assert (units[JY]["done"], units[JY]["awaiting_review"]) == (1, 0)
    assert (units[TW]["done"], units[TW]["awaiting_review"]) == (0, 1)

    ok(pufa, "review", str(e3), "--approve", "--date", "2011-06-01")
    assert task19(pufa, "2011-06-30") == (100.0, "done")
    # An approval counts from its own date: the ledger as of May is unchanged.
    assert task19(pufa, "2011-05-31") == (100.0, "awaiting-review")
    s5 = section5(pufa, "2011-06-30")
    assert (s5["done"], s5["awaiting_review"]) == (1, 0)

    history = {e["id"]: e for e in json.loads(ok(pufa, "show", "19", "-f", "json").out)["history"]}
    assert history[e2]["retracted"] is True
    assert history[e2]["retraction_reason"] == "缺少佐證"
    assert [(v["decision"], v["date"], v["note"], v["by"]) for v in history[e2]["reviews"]] == [
        ("return", "2011-04-10", "缺少佐證", "督查科")
    ]
    assert [(v["decision"], v["date"], v["note"]) for v in history[e1]["reviews"]] == [
        ("approve", "2011-05-15", "材料齊全")
    ]
    assert history[e3]["reviews"][0]["decision"] == "approve"
    assert "Reviews" in ok(pufa, "show", "19").out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{e2}", "--approve"], "entry {e2} is retracted"),
        (["{e1}", "--approve"], "entry {e1} is already approved"),
        (["{e1}", "--return", "--reason", "晚了"], "entry {e1} is already approved"),
        (["999", "--approve"], "no entry 999"),
        (["{e4}", "--approve"], "entry {e4} is at 60%: only a 100% entry can be approved"),
        (["{e4}", "--return"], "give a reason for the return"),
        (["{e4}", "--return", "--reason", " "], "give a reason for the return"),
        (["{e4}"], "give either --approve or --return"),
        (["{e4}", "--approve", "--return", "--reason", "x"], "give either --approve or --return"),
        (["{e4}", "--return", "--reason", "x", "--date", "2011-04-30"], "before the entry's date"),
        (["{e4}", "--return", "--reason", "x", "--date", "2012-01-01"], "is in the future"),
    ],
)
def test_bad_reviews_are_refused_and_change_nothing(reviewed, pufa, args, message):
    e1 = log(pufa, "19", "-u", JY, "--done", "--date", "2011-03-01")
    e2 = log(pufa, "19", "-u", TW, "--done", "--date", "2011-03-05")
    e4 = log(pufa, "19", "-u", TW, "-p", "60", "--date", "2011-05-01")
    ok(pufa, "review", str(e1), "--approve", "--date", "2011-03-02")
    ok(pufa, "retract", str(e2), "--reason", "重複")
    ids = {"e1": e1, "e2": e2, "e4": e4}
    before = dump_db(reviewed)
    r = pufa("review", *[a.format(**ids) for a in args])
    assert r.code == 2, r
    assert r.err.startswith("Error: ") and r.err.count("\n") == 1, r
    assert message.format(**ids) in r.err, r
    assert dump_db(reviewed) == before


def test_a_plan_without_review_behaves_as_before(loaded, pufa, monkeypatch):
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    ok(pufa, "unit", "add", JY, "-q")
    ok(pufa, "assign", "19", JY, "-q")
    e = log(pufa, "19", "-u", JY, "--done", "--date", "2011-03-01")
    assert task19(pufa, "2011-03-31") == (100.0, "done")
    assert "awaiting_review" not in section5(pufa, "2011-03-31")
    csv = ok(pufa, "report", "-f", "csv", "--as-of", "2011-03-31").out
    assert "awaiting_review" not in csv
    before = dump_db(loaded)
    r = pufa("review", str(e), "--approve")
    assert r.code == 2 and "does not require review" in r.err, r
    assert dump_db(loaded) == before


def test_the_review_field_is_validated_and_follows_the_plan_file(db, pufa, tmp_path):
    r = pufa("init", "-q", "--plan", reviewed_plan(tmp_path, "sometimes"))
    assert r.code == 2 and "review must be 'required' or 'none'" in r.err, r
    ok(pufa, "init", "-q", "--plan", reviewed_plan(tmp_path))
    assert "awaiting_review" in section5(pufa, "2011-03-31")
    csv = ok(pufa, "report", "-f", "csv", "--as-of", "2011-03-31").out
    assert csv.splitlines()[0].split(",")[:5] == [
        "section",
        "title",
        "tasks",
        "done",
        "awaiting_review",
    ]
    ok(pufa, "init", "-q", "--plan", reviewed_plan(tmp_path, "none"))
    assert "awaiting_review" not in section5(pufa, "2011-03-31")


def test_a_review_without_a_date_past_the_plan_year(reviewed, pufa, monkeypatch):
    e = log(pufa, "19", "-u", JY, "--done", "--date", "2011-03-01")
    log(pufa, "19", "-u", TW, "--done", "--date", "2011-03-01")
    monkeypatch.setenv("PUFA_TODAY", "2012-01-10")
    r = ok(pufa, "review", str(e), "--approve")
    assert r.err.startswith("no --date: dated 2011-12-31")
    [v] = next(
        x for x in json.loads(ok(pufa, "show", "19", "-f", "json").out)["history"] if x["id"] == e
    )["reviews"]
    assert v["date"] == "2011-12-31"

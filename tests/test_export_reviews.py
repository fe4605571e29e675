"""Review decisions as export columns (issue 16): the entries export (csv, json, xlsx) carries
each entry's review — approved (銷號) or returned, its date, reviewer and note — so the 台賬 an
office forwards shows closure; import of such a file ignores those columns."""

from __future__ import annotations

import csv
import json
from datetime import date
from typing import Any

import pytest

from conftest import PLAN_2011, dump_db

JY, TW = "區教育局", "區團委"
REVIEW_COLUMNS = ["review", "review_date", "reviewed_by", "review_note"]


def ok(pufa: Any, *args: Any) -> Any:
    r = pufa(*map(str, args))
    assert r.code == 0, r
    return r


@pytest.fixture
def reviewed(db, pufa, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Task 19 of the 2011 plan with ``review: required``, JY lead and TW supporting:
    JY's claim approved, TW's claim returned, TW's later 80 % not reviewed."""
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    text = PLAN_2011.read_text(encoding="utf-8")
    plan = tmp_path / "reviewed.yaml"
    plan.write_text(text.replace("\nversion: 1\n", "\nversion: 1\nreview: required\n"), "utf-8")
    ok(pufa, "init", "-q", "--plan", plan)
    for name in (JY, TW):
        ok(pufa, "unit", "add", name, "-q")
    ok(pufa, "assign", "19", JY, TW, "--lead", JY, "-q")
    ids = {
        "claim": int(ok(pufa, "log", 19, "-u", JY, "--done", "--date", "2011-06-30").out),
        "returned": int(ok(pufa, "log", 19, "-u", TW, "--done", "--date", "2011-07-01").out),
    }
    ok(pufa, "review", ids["claim"], "--approve", "--note", "材料齊全", "--date", "2011-07-05")
    ok(pufa, "review", ids["returned"], "--return", "--reason", "缺少佐證", "--date", "2011-07-06")
    ids["again"] = int(ok(pufa, "log", 19, "-u", TW, "-p", 80, "--date", "2011-07-10").out)
    ids["plan"] = plan  # type: ignore[assignment]
    return ids


def by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {int(r["id"]): r for r in rows}


def test_csv_carries_each_entrys_review(reviewed, pufa, tmp_path, monkeypatch):
    out = tmp_path / "entries.csv"
    ok(pufa, "export", "--what", "entries", "--out", out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames is not None
        assert reader.fieldnames[-4:] == REVIEW_COLUMNS
        rows = by_id(list(reader))
    claim, returned, again = (rows[reviewed[k]] for k in ("claim", "returned", "again"))
    by = claim["reviewed_by"]
    assert by  # who reviewed: PUFA_BY or the OS user at the time of the review
    assert [claim[c] for c in REVIEW_COLUMNS] == ["approve", "2011-07-05", by, "材料齊全"]
    assert [returned[c] for c in REVIEW_COLUMNS] == ["return", "2011-07-06", by, "缺少佐證"]
    # a return is also a retraction, with the same reason
    assert (returned["retracted"], returned["retraction_reason"]) == ("true", "缺少佐證")
    assert [again[c] for c in REVIEW_COLUMNS] == ["", "", "", ""]
    # --headers human: the labels and the words of the language
    monkeypatch.setenv("PUFA_LANG", "zh-Hant")
    human = tmp_path / "human.csv"
    ok(pufa, "export", "--what", "entries", "--headers", "human", "--out", human)
    with human.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][-4:] == ["審核銷號", "審核日期", "審核人", "審核意見"]
    words = {int(r[table[0].index("記錄編號")]): r[-4] for r in table[1:]}
    assert words == {reviewed["claim"]: "通過", reviewed["returned"]: "退回", reviewed["again"]: ""}


def test_json_entries_carry_the_review(reviewed, pufa):
    rows = by_id(json.loads(ok(pufa, "export", "--what", "entries", "-f", "json").out))
    claim = rows[reviewed["claim"]]
    assert (claim["review"], claim["review_date"], claim["review_note"]) == (
        "approve",
        "2011-07-05",
        "材料齊全",
    )
    assert rows[reviewed["returned"]]["review"] == "return"
    assert {k: rows[reviewed["again"]][k] for k in REVIEW_COLUMNS} == dict.fromkeys(REVIEW_COLUMNS)
    # The same reviewer as pufa show lists.
    shown = json.loads(ok(pufa, "show", "19", "-f", "json").out)["history"]
    [review] = next(e["reviews"] for e in shown if e["id"] == reviewed["claim"])
    assert (review["decision"], review["date"], review["by"]) == (
        claim["review"],
        claim["review_date"],
        claim["reviewed_by"],
    )


def test_workbook_shows_closure_and_returns(reviewed, pufa, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setenv("PUFA_LANG", "zh-Hant")
    out = tmp_path / "台賬.xlsx"
    ok(pufa, "export", "--out", out)  # xlsx: every sheet
    wb = load_workbook(out)
    ws = wb["進展記錄"]
    header = [c.value for c in ws[1]]
    assert header[-4:] == ["審核銷號", "審核日期", "審核人", "審核意見"]
    ident = header.index("記錄編號")
    rows = {r[ident].value: r for r in ws.iter_rows(min_row=2)}
    claim, returned, again = (rows[reviewed[k]] for k in ("claim", "returned", "again"))
    assert claim[-4].value == "通過"
    assert claim[-3].value.date() == date(2011, 7, 5)  # a real date cell
    assert claim[-1].value == "材料齊全"
    assert (returned[-4].value, returned[-1].value) == ("退回", "缺少佐證")
    assert returned[-4].font.strike  # a returned entry no longer counts: struck through
    assert not claim[-4].font.strike
    assert [c.value for c in again[-4:]] == [None, None, None, None]
    # Import reads the Chinese headers and words of the review columns past (they name
    # columns it knows): the workbook goes back in as it came out.
    ok(pufa, "import", out, "--dry-run")


def test_an_exported_file_imports_and_its_reviews_are_ignored(reviewed, pufa, tmp_path):
    """Import reads past the review columns: the same ledger finds every row present; a new
    ledger of the same plan gets the entries (the returned one retracted) and no review —
    reviews are recorded by ``pufa review``, not by a file."""
    from openpyxl import load_workbook

    csv_out, xlsx_out = tmp_path / "entries.csv", tmp_path / "entries.xlsx"
    ok(pufa, "export", "--what", "entries", "--out", csv_out)
    ok(pufa, "export", "--what", "entries", "--out", xlsx_out)
    assert load_workbook(xlsx_out)["Entries"]["R1"].value == "Review"
    for source in (csv_out, xlsx_out):
        r = ok(pufa, "import", source)
        assert "added 0, already present 3" in r.err, r.err
    fresh = tmp_path / "fresh.db"
    ok(pufa, "--db", fresh, "init", "-q", "--plan", reviewed["plan"])
    for name in (JY, TW):
        ok(pufa, "--db", fresh, "unit", "add", name, "-q")
    ok(pufa, "--db", fresh, "assign", "19", JY, TW, "--lead", JY, "-q")
    assert "added 3, already present 0" in ok(pufa, "--db", fresh, "import", xlsx_out).err
    rows = dump_db(str(fresh))
    assert len(rows["entries"]) == 3
    assert len(rows["retractions"]) == 1
    assert rows["reviews"] == []
    # and the csv, into the same fresh ledger: all present already
    assert "added 0, already present 3" in ok(pufa, "--db", fresh, "import", csv_out).err
    assert len(dump_db(str(fresh))["entries"]) == 3


@pytest.mark.parametrize("by", ["section", "unit", "task"])
def test_every_report_column_of_the_workbook_has_a_label(db, pufa, tmp_path, monkeypatch, by):
    """The review count, the reporting rounds and the plan's own due date were headed by their
    machine names (awaiting_review, late, missing, planned_due) in a Chinese workbook."""
    from openpyxl import load_workbook

    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    text = PLAN_2011.read_text(encoding="utf-8")
    plan = tmp_path / "reviewed.yaml"
    plan.write_text(
        text.replace("\nversion: 1\n", "\nversion: 1\nreview: required\nreporting: 每季度末\n"),
        "utf-8",
    )
    ok(pufa, "init", "-q", "--plan", plan)
    ok(pufa, "unit", "add", JY, "-q")
    ok(pufa, "assign", "19", JY, "-q")
    out = tmp_path / f"{by}.xlsx"
    ok(pufa, "--lang", "zh-Hant", "export", "-w", "report", "--by", by, "--out", out)
    header = [c.value for c in load_workbook(out).active[4]]
    assert header and not [h for h in header if h is None or (h.isascii() and h != "%")], header
    expected = {"section": "待審核", "unit": "漏報", "task": "原定時限"}[by]
    assert expected in header

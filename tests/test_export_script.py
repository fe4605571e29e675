"""Unit names in the reader's script in the workbook (issue 13, item 9): a zh-Hans office
exporting the Traditional 2011 plan reads 区依法治区工作领导小组 and 区司法局 on every sheet, as
``pufa report`` and ``pufa tasks`` show them; the machine csv and json keep names as stored; the
workbook still imports back (names match across scripts)."""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest

from conftest import dump_db

SJ = "區司法局"
LEADER = "區依法治區工作領導小組"  # the lead of task 7 in plans/2011.yaml


def ok(pufa: Any, *args: Any) -> Any:
    r = pufa(*map(str, args))
    assert r.code == 0, r
    return r


@pytest.fixture
def ledger(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    ok(pufa, "unit", "add", SJ, "-q")
    ok(pufa, "assign", "7", SJ, "-q")  # supporting; the plan's lead of 7 is LEADER
    ok(pufa, "log", "7", "-u", SJ, "-p", "40", "--date", "2011-06-30", "--note", "開展培訓")
    ok(pufa, "log", "7", "-u", LEADER, "-p", "50", "--date", "2011-06-30")
    return loaded


def sheet(wb: Any, name: str, header_row: int = 1) -> list[dict[str, Any]]:
    rows = list(wb[name].iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_zh_hans_workbook_shows_unit_names_in_simplified(ledger, pufa, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setenv("PUFA_LANG", "zh-Hans")
    out = tmp_path / "台账.xlsx"
    ok(pufa, "export", "--out", out, "--by", "unit", "--as-of", "2011-07-01")
    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["统计", "任务", "进展记录"]
    report = sheet(wb, "统计", header_row=4)
    assert {r["单位"] for r in report} == {"区依法治区工作领导小组", "区依法治区办公室", "区司法局"}
    tasks = {r["序号"]: r for r in sheet(wb, "任务")}
    assert (tasks[7]["牵头单位"], tasks[7]["配合单位"]) == ("区依法治区工作领导小组", "区司法局")
    assert tasks[7]["任务"].startswith("定期开展")  # plan text was already converted
    entries = sheet(wb, "进展记录")
    assert sorted(e["单位"] for e in entries) == ["区依法治区工作领导小组", "区司法局"]
    # what people typed stays as typed (docs/i18n.md): the note is Traditional
    assert {e["进展情况"] for e in entries} == {"開展培訓", None}
    # the same names as pufa report's table
    table = ok(pufa, "report", "--by", "unit", "--as-of", "2011-07-01").out
    assert "区司法局" in table and SJ not in table
    # By task, the units column too.
    by_task = tmp_path / "by-task.xlsx"
    ok(pufa, "export", "-w", "report", "--by", "task", "--out", by_task, "--as-of", "2011-07-01")
    [row7] = [r for r in sheet(load_workbook(by_task), "统计", 4) if r["序号"] == 7]
    assert row7["责任单位"] == "区依法治区工作领导小组、区司法局"
    # The workbook imports back: 区司法局 is 區司法局 (matched across scripts).
    before = dump_db(ledger)["entries"]
    assert ok(pufa, "import", out).code == 0
    assert dump_db(ledger)["entries"] == before


def test_names_as_stored_in_english_and_in_the_machine_exports(ledger, pufa, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "ledger.xlsx"
    ok(pufa, "--lang", "en", "export", "--out", out, "--as-of", "2011-07-01")
    entries = sheet(load_workbook(out), "Entries")
    assert sorted(e["Unit"] for e in entries) == [LEADER, SJ]
    # zh-Hans machine csv and json: identifiers as stored, so scripts can join them.
    csv_out = tmp_path / "tasks.csv"
    ok(pufa, "--lang", "zh-Hans", "export", "-w", "tasks", "--out", csv_out)
    with csv_out.open(encoding="utf-8-sig", newline="") as fh:
        row7 = next(r for r in csv.DictReader(fh) if r["number"] == "7")
    assert (row7["lead"], row7["supporting"]) == (LEADER, SJ)
    data = json.loads(ok(pufa, "--lang", "zh-Hans", "export", "-w", "entries", "-f", "json").out)
    assert sorted(e["unit"] for e in data) == [LEADER, SJ]

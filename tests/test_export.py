"""pufa export (issue 5): csv, json and xlsx of the report, the task ledger and the entries;
atomic files; formulas neutralised; the round trip through import."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import PG_URL, PLAN_2011, _pg_database, dump_db, run_installed

SJ, JY, TW = "區司法局", "區教育局", "區團委"
HYPERLINK = '=HYPERLINK("http://x","y")'
ENTRY_COLUMNS = [
    "year",
    "task",
    "unit",
    "date",
    "percent",
    "metrics",
    "note",
    "by",
    "recorded_at",
    "id",
    "key",
    "retracted",
    "retracted_at",
    "retracted_by",
    "retraction_reason",
    "problems",  # issue 16: structured progress
    "next",
    "review",  # issue 16: the entry's review (審核銷號)
    "review_date",
    "reviewed_by",
    "review_note",
]
TASK_COLUMNS = [
    "year",
    "section",
    "number",
    "title",
    "lead",
    "supporting",
    "due",
    "due_word",
    "percent",
    "status",
    "overdue",
    "colour",
    "targets",
    "latest_note",
]


def ok(pufa: Any, *args: Any) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def setup_plan(pufa: Any, *db_args: str) -> None:
    """The 2011 plan with three units and the assignments every scenario uses."""
    ok(pufa, "init", "-q", *db_args)
    for name in (SJ, JY, TW):
        ok(pufa, "unit", "add", name, "-q", *db_args)
    ok(pufa, "assign", "19", JY, TW, "--lead", JY, "-q", *db_args)
    ok(pufa, "assign", "10", SJ, "-q", *db_args)
    ok(pufa, "assign", "14", SJ, JY, "-q", *db_args)


def log_entries(pufa: Any) -> None:
    """Entries over the year: metrics, decimals, awkward notes, a retraction."""

    def log(*args: str) -> int:
        return int(ok(pufa, "log", *args).out)

    log("19", "-u", JY, "-m", "bases=37", "--note", "新建37個基地", "--date", "2011-03-01")
    log("19", "-u", TW, "-p", "50", "--date", "2011-04-01", "--by", "張三")
    wrong = log("19", "-u", JY, "-p", "90", "--date", "2011-05-02", "--note", "填錯了")
    ok(pufa, "retract", str(wrong), "--reason", "重複填報", "--by", "李四", "-q")
    log("19", "-u", JY, "-p", "60", "--date", "2011-08-01", "--note", HYPERLINK)
    log(
        "10",
        "-u",
        SJ,
        "-m",
        "training_days=3",
        "-m",
        "study_hours=12.5",
        "--date",
        "2011-02-10",
        "--note",
        '第一行, "引號"\n第二行',
        "--by",
        "@alice",
    )
    log("10", "-u", SJ, "-p", "100", "--date", "2011-09-30", "--note", "'=1+1 已經加了引號")
    log("14", "-u", SJ, "--done", "--date", "2011-03-20", "--note", "-5 天提前完成")
    log("14", "-u", JY, "-p", "40", "--date", "2011-03-31", "--note", "+86 電話聯繫")


@pytest.fixture
def ledger(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    """The 2011 plan with units, assignments and entries; today is 2011-12-31."""
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    setup_plan(pufa)
    log_entries(pufa)
    return loaded


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the same backend as ``db``."""
    if PG_URL:
        gen = _pg_database()
        url = next(gen)
        yield url
        try:
            next(gen)
        except StopIteration:
            pass
    else:
        yield str(tmp_path / "fresh.db")


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def entries_json(pufa: Any, *args: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        ok(pufa, "export", "-w", "entries", "-f", "json", *args).out
    )
    return data


# --- csv ---------------------------------------------------------------------------------


def test_entries_csv_has_the_documented_columns(ledger, pufa, tmp_path):
    out = tmp_path / "entries.csv"
    r = ok(pufa, "export", "--what", "entries", "--out", out)
    assert r.out == ""
    assert r.err == f"{out} written (8 entries)\n"
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfyear,task,unit,")
    # CRLF ends each of the 9 lines; the one other \n is inside a note (quoted)
    assert raw.count(b"\r\n") == 9 and raw.count(b"\n") == 10
    rows = read_csv(out)
    assert rows[0] == ENTRY_COLUMNS
    by_note = {r[6]: dict(zip(ENTRY_COLUMNS, r, strict=True)) for r in rows[1:]}
    first = by_note["新建37個基地"]
    assert first["year"] == "2011" and first["task"] == "19" and first["unit"] == JY
    assert first["date"] == "2011-03-01" and first["percent"] == "37"
    assert first["metrics"] == "bases=37"
    assert first["retracted"] == "false" and first["retracted_at"] == ""
    assert len(first["key"]) == 64 and first["recorded_at"][10] == "T"
    decimals = by_note['第一行, "引號"\n第二行']
    assert decimals["metrics"] == "study_hours=12.5;training_days=3"  # keys sorted
    assert decimals["by"] == "'@alice"
    wrong = by_note["填錯了"]
    assert wrong["retracted"] == "true"
    assert wrong["retracted_by"] == "李四" and wrong["retraction_reason"] == "重複填報"
    assert wrong["retracted_at"][:4] != "" and "T" in wrong["retracted_at"]
    # ids ascend: the file is in the order the entries were recorded
    ids = [int(r[9]) for r in rows[1:]]
    assert ids == sorted(ids)


def test_formulas_are_neutralised_in_csv(ledger, pufa):
    r = ok(pufa, "export", "-w", "entries", "--no-bom")
    assert not r.out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(r.out, newline="")))
    notes = [row[6] for row in rows[1:]]
    assert "'" + HYPERLINK in notes
    assert HYPERLINK not in notes
    assert "'-5 天提前完成" in notes
    assert "'+86 電話聯繫" in notes
    # A text that already starts with ' before a formula character gets one more, so that
    # import (which removes exactly one) gives back what was logged.
    assert "''=1+1 已經加了引號" in notes
    # numbers stay numbers
    assert all(row[4].isdigit() for row in rows[1:])


@given(st.text(max_size=30))
def test_neutralise_is_undone_by_restore(text):
    from pufa_cli.exchange.columns import FORMULA_START, neutralise, restore

    safe = neutralise(text)
    assert restore(safe) == text
    assert not safe or safe[0] not in FORMULA_START


@given(st.lists(st.text(max_size=20), min_size=2, max_size=4))
def test_fast_csv_cells_read_back_like_the_csv_module(cells):
    from pufa_cli.exchange.columns import neutralise
    from pufa_cli.exchange.csv import csv_cell

    line = ",".join(csv_cell(c) for c in cells) + "\r\n"
    expected = [neutralise(c) for c in cells]
    assert list(csv.reader(io.StringIO(line, newline=""))) == [expected]


def test_tasks_csv_is_the_ledger(ledger, pufa):
    r = ok(pufa, "export", "-w", "tasks", "--as-of", "2011-12-31")
    rows = list(csv.reader(io.StringIO(r.out.removeprefix("\ufeff"), newline="")))
    assert rows[0] == TASK_COLUMNS
    assert len(rows) == 24
    t19 = dict(zip(TASK_COLUMNS, rows[19], strict=True))
    assert t19["title"] == "努力建設青少年法制教育基地"
    assert t19["lead"] == JY and t19["supporting"] == TW
    assert t19["due"] == "2011-12-31" and t19["due_word"] == "年底"
    assert t19["percent"] == "55.0"  # (60 + 50) / 2
    # due 12-31 and not done at its end: overdue, and so red
    assert t19["status"] == "in-progress" and t19["overdue"] == "true"
    assert t19["colour"] == "red"
    assert t19["targets"] == "bases=37/100 個"
    assert t19["latest_note"] == "'" + HYPERLINK
    t14 = dict(zip(TASK_COLUMNS, rows[14], strict=True))
    assert t14["lead"] == "" and t14["supporting"] == f"{SJ}、{JY}"
    assert t14["due_word"] == "一季度" and t14["status"] == "in-progress"
    assert t14["percent"] == "70.0" and t14["latest_note"] == "'+86 電話聯繫"
    t7 = dict(zip(TASK_COLUMNS, rows[7], strict=True))
    assert t7["lead"] == "區依法治區工作領導小組" and t7["targets"] == "inspections=0/2 次"
    assert t7["status"] == "not-started" and t7["overdue"] == "true"  # due 12-31, as of 12-31
    tasks = json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", "2011-12-31").out)
    assert [int(r[2]) for r in rows[1:]] == [t["number"] for t in tasks]


def test_report_csv_carries_the_rows_of_pufa_report(ledger, pufa):
    r = ok(pufa, "export", "--quarter", "2", "--by", "unit", "--no-bom")
    assert r.out == ok(pufa, "report", "--quarter", "2", "--by", "unit", "-f", "csv").out.replace(
        "\n", "\r\n"
    )


def test_human_headers(ledger, pufa):
    r = ok(pufa, "export", "-w", "entries", "--headers", "human", "--no-bom")
    assert r.out.startswith("Year,Task,Unit,Date,Percent,Metrics,Note,Recorded by,")


# --- json --------------------------------------------------------------------------------


def test_json_report_tasks_entries_and_all(ledger, pufa):
    report = json.loads(ok(pufa, "export", "-f", "json", "--quarter", "3").out)
    assert report == json.loads(ok(pufa, "report", "--quarter", "3", "-f", "json").out)
    tasks = json.loads(ok(pufa, "export", "-w", "tasks", "-f", "json", "--quarter", "3").out)
    assert tasks == json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", "Q3").out)
    entries = entries_json(pufa)
    assert len(entries) == 8
    assert set(entries[0]) == set(ENTRY_COLUMNS)
    assert entries[0]["metrics"] == {"bases": 37}
    assert entries[4]["metrics"] == {"study_hours": 12.5, "training_days": 3}
    assert entries[4]["note"] == '第一行, "引號"\n第二行'  # json is not neutralised
    assert [e["retracted"] for e in entries].count(True) == 1
    everything = json.loads(ok(pufa, "export", "-w", "all", "-f", "json", "--quarter", "3").out)
    assert list(everything) == [*report, "tasks", "entries"]
    assert {k: everything[k] for k in report} == report
    assert everything["tasks"] == tasks and everything["entries"] == entries
    # the history of `pufa show` and the entries agree
    history = json.loads(ok(pufa, "show", "19", "-f", "json").out)["history"]
    mine = [e for e in entries if e["task"] == 19]
    # (evidence and reviews, issue 16, are shown per entry, not exported as entry columns)
    shown = [{k: v for k, v in h.items() if k not in ("evidence", "reviews")} for h in history]
    assert [{k: e[k] for k in shown[0]} for e in mine] == shown


def test_empty_entries_json_is_an_empty_array(loaded, pufa):
    assert json.loads(ok(pufa, "export", "-w", "entries", "-f", "json").out) == []
    data = json.loads(ok(pufa, "export", "-w", "all", "-f", "json").out)
    assert data["entries"] == [] and len(data["tasks"]) == 23


# --- xlsx --------------------------------------------------------------------------------


def test_xlsx_workbook_reads_back(ledger, pufa, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "台賬.xlsx"
    ok(pufa, "export", "-f", "xlsx", "--quarter", "4", "--out", out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["Report", "Tasks", "Entries"]
    report, tasks, entries = wb["Report"], wb["Tasks"], wb["Entries"]
    assert report["A1"].value == "全區依法治區工作方案 (2011)"
    assert "2011-12-31" in report["A2"].value
    assert report.freeze_panes == "A5" and tasks.freeze_panes == "A2"
    assert entries.freeze_panes == "A2"
    assert [c.value for c in report[4]][:2] == ["Sec.", "Section"]  # as in the report table
    assert report["B5"].value == "認真做好“五五”普法總結,全面啟動“六五”普法規劃"
    assert report.cell(11, 2).value == "Total"
    (chart,) = report._charts
    assert type(chart).__name__ == "BarChart"
    # Chinese titles get room: two columns per character
    assert report.column_dimensions["B"].width >= 2 * len(report["B5"].value)
    assert tasks.cell(20, 4).value == "努力建設青少年法制教育基地"
    assert tasks.cell(1, 4).value == "Title"
    notes = [row[6] for row in entries.iter_rows(min_row=2, values_only=True)]
    assert "'" + HYPERLINK in notes
    formula_cells = [c for row in entries.iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []
    assert entries.max_row == 9
    first = [c.value for c in entries[2]]
    assert first[:3] == [2011, 19, JY] and first[4] == 37
    assert first[3].date().isoformat() == "2011-03-01"
    # the workbook imports as it is: its Entries sheet, the other sheets left alone
    assert ok(pufa, "import", out).err == "added 0, already present 8\n"


def test_xlsx_needs_out(ledger, pufa):
    before = dump_db(ledger)
    r = pufa("export", "-f", "xlsx")
    assert r.code == 2 and r.out == ""
    assert r.err.count("\n") == 1 and "--out" in r.err
    assert dump_db(ledger) == before


def test_entries_continue_on_further_sheets(ledger, pufa, tmp_path, monkeypatch, fresh_db):
    from openpyxl import load_workbook

    from pufa_cli.exchange import xlsx

    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 3)
    out = tmp_path / "entries.xlsx"
    ok(pufa, "export", "-w", "entries", "-f", "xlsx", "-o", out)
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["Entries", "Entries 2", "Entries 3"]
    sizes = [len(list(wb[n].iter_rows(values_only=True))) for n in wb.sheetnames]
    wb.close()
    assert sizes == [4, 4, 3]  # a header and up to 3 rows each
    setup_plan(pufa, "--db", fresh_db)
    r = ok(pufa, "import", out, "--db", fresh_db)
    assert r.err == "added 8, already present 0; retractions 1\n"


# --- the round trip ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_gives_the_same_report(ledger, pufa, tmp_path, fresh_db, fmt):
    out = tmp_path / f"entries.{fmt}"
    ok(pufa, "export", "-w", "entries", "-f", fmt, "-o", out)
    setup_plan(pufa, "--db", fresh_db)
    r = ok(pufa, "import", out, "--db", fresh_db)
    assert r.err == "added 8, already present 0; retractions 1\n"

    def reports(*db: str) -> list[Any]:
        return [
            json.loads(ok(pufa, "report", "--quarter", q, "--by", by, "-f", "json", *db).out)
            for q in ("1", "2", "3", "4")
            for by in ("section", "unit", "task")
        ] + [json.loads(ok(pufa, "tasks", "-f", "json", *db).out)]

    assert reports("--db", fresh_db) == reports()

    def entries(*db: str) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.items() if k != "id"} for e in entries_json(pufa, *db)]

    # Everything but the ids comes back: keys, who, when recorded and retracted.
    assert entries("--db", fresh_db) == entries()
    again = ok(pufa, "import", out, "--db", fresh_db)
    assert again.err == "added 0, already present 8\n"


def test_logged_then_exported_entries_are_recognised_in_the_same_database(ledger, pufa, tmp_path):
    out = tmp_path / "e.csv"
    ok(pufa, "export", "-w", "entries", "-o", out)
    before = dump_db(ledger)
    assert ok(pufa, "import", out).err == "added 0, already present 8\n"
    assert dump_db(ledger) == before


# --- atomic files ------------------------------------------------------------------------


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), RuntimeError("boom")])
def test_a_failed_export_leaves_the_old_file(ledger, pufa, tmp_path, monkeypatch, failure):
    from pufa_cli.exchange import csv as export

    out = tmp_path / "entries.csv"
    out.write_text("the previous export\n", encoding="utf-8")
    real = export.entry_rows
    written: list[int] = []

    def failing(conn: Any, plan: Any) -> Iterator[Any]:
        for n, row in enumerate(real(conn, plan)):
            if n == 5:
                written.extend(p.stat().st_size for p in tmp_path.glob(".entries.csv.*.tmp"))
                raise failure
            yield row

    monkeypatch.setattr(export, "entry_rows", failing)
    monkeypatch.setattr(export, "CSV_CHUNK", 1)  # rows reach the temporary file one by one
    r = pufa("export", "-w", "entries", "-o", out)
    assert r.code == 1, r
    assert r.out == "" and r.err.count("\n") == 1 and "Traceback" not in r.err
    assert written  # the temporary file was there, half-written, when the export failed
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    assert not list(tmp_path.glob(".*.tmp"))


def test_export_replaces_a_file_atomically_and_keeps_its_mode(ledger, pufa, tmp_path):
    out = tmp_path / "report.csv"
    out.write_text("old", encoding="utf-8")
    os.chmod(out, 0o640)
    ok(pufa, "export", "-o", out, "-q")
    assert out.read_text(encoding="utf-8-sig").startswith("section,title,tasks,")
    assert (out.stat().st_mode & 0o777) == 0o640
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    "where",
    ["missing/folder/out.csv", "."],
)
def test_unwritable_out_is_a_runtime_failure(ledger, pufa, tmp_path, where):
    before = dump_db(ledger)
    target = tmp_path / where
    r = pufa("export", "-o", target)
    assert r.code == 1, r
    assert r.out == "" and r.err.count("\n") == 1 and r.err.startswith("Error: cannot write")
    assert dump_db(ledger) == before


def test_a_folder_that_refuses_files_is_a_runtime_failure(ledger, pufa, tmp_path, monkeypatch):
    import tempfile

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    r = pufa("export", "-o", tmp_path / "out.csv")
    assert r.code == 1 and r.out == ""
    assert r.err == f"Error: cannot write {tmp_path / 'out.csv'}: Permission denied\n"
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_folder_is_a_runtime_failure(ledger, pufa, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        r = pufa("export", "-o", folder / "out.csv")
    finally:
        os.chmod(folder, 0o700)
    assert r.code == 1 and r.err.count("\n") == 1


# --- usage -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-w", "all"], "csv holds one table"),
        (["-w", "all", "-f", "csv", "-o", "x.csv"], "csv holds one table"),
        (["--quarter", "5"], "quarter must be 1 to 4"),
        (["--quarter", "1", "--as-of", "2011-03-31"], "either --quarter or --as-of"),
        (["--as-of", "明年"], "明年"),
        (["-f", "pdf"], "pdf"),
        (["--year", "1999"], "no plan for 1999"),
    ],
)
def test_bad_usage(loaded, pufa, tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    before = dump_db(loaded)
    r = pufa("export", *args)
    assert r.code == 2, r
    assert r.out == "" and r.err.count("\n") == 1 and needle in r.err
    assert "Traceback" not in r.err
    assert not (tmp_path / "x.csv").exists()
    assert dump_db(loaded) == before


def test_entries_of_one_year_or_all_years(ledger, pufa, tmp_path, fresh_db, monkeypatch):
    plan = tmp_path / "2012.yaml"
    plan.write_text(
        PLAN_2011.read_text(encoding="utf-8").replace("\nyear: 2011\n", "\nyear: 2012\n"),
        encoding="utf-8",
    )
    ok(pufa, "init", "--plan", plan, "-q")
    ok(pufa, "assign", "19", JY, "--year", "2012", "-q")
    monkeypatch.setenv("PUFA_TODAY", "2012-12-31")
    ok(pufa, "log", "19", "-u", JY, "-p", "5", "--date", "2012-01-05", "--year", "2012")
    assert [e["year"] for e in entries_json(pufa)] == [2012]  # the latest plan
    assert len(entries_json(pufa, "--year", "2011")) == 8
    every = entries_json(pufa, "--all-years")
    assert [e["year"] for e in every] == [2011] * 8 + [2012]
    out = tmp_path / "all.csv"
    ok(pufa, "export", "-w", "entries", "--all-years", "-o", out)
    setup_plan(pufa, "--db", fresh_db)
    ok(pufa, "init", "--plan", plan, "-q", "--db", fresh_db)
    ok(pufa, "assign", "19", JY, "--year", "2012", "-q", "--db", fresh_db)
    r = ok(pufa, "import", out, "--db", fresh_db)
    assert r.err == "added 9, already present 0; retractions 1\n"
    assert len(entries_json(pufa, "--year", "2012", "--db", fresh_db)) == 1


# --- for scripts -------------------------------------------------------------------------


def test_installed_export_and_import(tmp_path):
    env = {"PUFA_DB": str(tmp_path / "a.db"), "PUFA_TODAY": "2011-12-31", "PUFA_YEAR": "2011"}
    for args in (
        ["init", "-q"],
        ["unit", "add", JY, "-q"],
        ["assign", "19", JY, "-q"],
        ["log", "19", "-u", JY, "-p", "30", "--date", "2011-06-01", "--note", "中文"],
    ):
        r = run_installed(*args, env=env, cwd=tmp_path)
        assert r.code == 0, r
    r = run_installed("export", "-w", "entries", env=env, cwd=tmp_path)
    assert r.code == 0 and r.err == "", r
    assert r.out.startswith("\ufeffyear,task,unit,") and "中文" in r.out
    (tmp_path / "e.csv").write_text(r.out, encoding="utf-8", newline="")
    r = run_installed("import", "e.csv", env=env, cwd=tmp_path)
    assert r.code == 0 and r.out == "" and r.err == "added 0, already present 1\n", r
    r = run_installed("import", "e.csv", "-q", env=env, cwd=tmp_path)
    assert r.code == 0 and r.err == "", r
    r = run_installed("export", "-f", "xlsx", env=env, cwd=tmp_path)
    assert r.code == 2 and r.err.startswith("Error: ") and r.err.count("\n") == 1, r


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite path")
def test_csv_and_json_exports_load_neither_sqlalchemy_nor_openpyxl(ledger, tmp_path):
    code = (
        "import sys\n"
        "from pufa_cli.main import run\n"
        "for args in (['export', '-w', 'entries', '-o', 'e.csv'],\n"
        "             ['export', '-w', 'all', '-f', 'json', '-o', 'a.json']):\n"
        "    assert run(args) == 0\n"
        "print(sorted(m for m in ('sqlalchemy', 'openpyxl', 'alembic') if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PUFA_DB": ledger},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[]\n"


# --- from a user review ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [("x.xlsx", "xlsx"), ("x.XLSX", "xlsx"), ("x.json", "json"), ("x.csv", "csv"), ("x", "csv")],
)
def test_the_format_follows_the_extension_of_out(ledger, pufa, tmp_path, name, kind):
    """Without --format, --out's extension decides: a .xlsx is a workbook, not csv inside."""
    out = tmp_path / name
    ok(pufa, "export", "-w", "entries", "--out", out, "-q")
    raw = out.read_bytes()
    if kind == "xlsx":
        from openpyxl import load_workbook

        assert raw[:2] == b"PK"
        wb = load_workbook(out, read_only=True)
        assert wb.sheetnames == ["Entries"]
        wb.close()
    elif kind == "json":
        assert len(json.loads(raw.decode("utf-8"))) == 8
    else:
        assert raw.startswith(b"\xef\xbb\xbfyear,task,unit,")


def test_an_xlsx_out_without_what_is_the_whole_workbook(ledger, pufa, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "台賬.xlsx"
    ok(pufa, "export", "--quarter", "4", "--out", out, "-q")
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["Report", "Tasks", "Entries"]
    wb.close()


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("csv", "x.xlsx"), ("xlsx", "x.csv"), ("json", "x.csv"), ("csv", "x.JSON")],
)
def test_a_format_that_contradicts_out_is_refused(ledger, pufa, tmp_path, fmt, name):
    out = tmp_path / name
    before = dump_db(ledger)
    r = pufa("export", "-w", "entries", "-f", fmt, "--out", out)
    assert r.code == 2, r
    assert r.out == "" and r.err.count("\n") == 1 and r.err.startswith("Error: ")
    assert f"--format is {fmt}" in r.err and name in r.err
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))
    assert dump_db(ledger) == before


def _report_sheet_rows(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(min_row=4, values_only=True)]
    wb.close()
    return rows


def test_the_by_unit_report_sheet_has_no_total_row(ledger, pufa, tmp_path):
    """report.md: by unit, the rows count each unit's share, so no total line sums them."""
    out = tmp_path / "u.xlsx"
    ok(
        pufa,
        "--lang",
        "zh-Hant",
        "export",
        "-f",
        "xlsx",
        "--by",
        "unit",
        "--quarter",
        "2",
        "-o",
        out,
    )
    header, *rows = _report_sheet_rows(out)
    assert header[1] == "單位"
    units = json.loads(ok(pufa, "report", "--by", "unit", "--quarter", "2", "-f", "json").out)
    assert [r[1] for r in rows] == [u["unit"] for u in units["rows"]]
    assert not any(v in ("合計", "total", "Total") for r in rows for v in r)
    # by section the total row stays (it adds up there)
    out = tmp_path / "s.xlsx"
    ok(pufa, "--lang", "zh-Hant", "export", "-f", "xlsx", "--quarter", "2", "-o", out)
    _header, *rows = _report_sheet_rows(out)
    assert rows[-1][1] == "合計" and len(rows) == 7


def test_labels_of_sheets_and_section_titles(ledger, pufa, tmp_path):
    """The Tasks sheet is not named after the count column (任務數), and a section's title is
    headed as in the report table (板塊名稱), in xlsx and in human csv."""
    from openpyxl import load_workbook

    table = ok(pufa, "--lang", "zh-Hant", "report", "--quarter", "2").out
    assert "板塊名稱" in table
    out = tmp_path / "台賬.xlsx"
    ok(pufa, "--lang", "zh-Hant", "export", "-f", "xlsx", "--quarter", "2", "-o", out)
    wb = load_workbook(out, read_only=True)
    names = wb.sheetnames
    header = next(wb[names[0]].iter_rows(min_row=4, max_row=4, values_only=True))
    wb.close()
    assert len(names) == 3 and "任務數" not in names
    assert list(header[:3]) == ["板塊", "板塊名稱", "任務數"]
    r = ok(pufa, "--lang", "zh-Hant", "export", "--quarter", "2", "--headers", "human")
    assert r.out.removeprefix("\ufeff").startswith("板塊,板塊名稱,任務數,")
    # a task's title is still a task's title
    r = ok(pufa, "--lang", "zh-Hant", "export", "--by", "task", "--headers", "human")
    assert r.out.removeprefix("\ufeff").startswith("板塊,序號,任務,")
    # English: two different headers, as in the table
    r = ok(pufa, "export", "--quarter", "2", "--headers", "human")
    assert r.out.removeprefix("\ufeff").startswith("Sec.,Section,Tasks,")


def test_human_csv_has_human_values(ledger, pufa):
    """With --headers human, status, yes/no and colours are words of the language too."""

    def table(*args: str) -> list[dict[str, str]]:
        r = ok(pufa, *args, "--headers", "human", "--no-bom")
        header, *rows = csv.reader(io.StringIO(r.out, newline=""))
        return [dict(zip(header, row, strict=True)) for row in rows]

    tasks = table("export", "-w", "tasks", "--as-of", "2011-12-31")
    t19 = tasks[18]
    assert (t19["Status"], t19["Overdue"], t19["Colour"]) == ("in progress", "yes", "red")
    assert {t["Status"] for t in tasks} == {"in progress", "not started", "done"}
    hant = table("--lang", "zh-Hant", "export", "-w", "tasks", "--as-of", "2011-12-31")
    assert (hant[18]["完成狀態"], hant[18]["逾期"], hant[18]["亮燈"]) == ("進行中", "是", "紅")
    by_task = table("export", "--by", "task", "--as-of", "2011-12-31")
    assert {t["Status"] for t in by_task} == {"in progress", "not started", "done"}
    assert {t["Overdue"] for t in by_task} <= {"yes", "no"}
    entries = table("export", "-w", "entries")
    assert sorted(e["Retracted"] for e in entries) == ["no"] * 7 + ["yes"]
    # machine headers keep machine values
    r = ok(pufa, "export", "-w", "tasks", "--as-of", "2011-12-31", "--no-bom")
    assert ",in-progress,true,red," in r.out  # task 19, overdue as of its due date


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans", "en"])
def test_human_csv_entries_import_back(ledger, pufa, tmp_path, fresh_db, lang):
    out = tmp_path / "e.csv"
    ok(pufa, "--lang", lang, "export", "-w", "entries", "--headers", "human", "-o", out)
    text = out.read_text(encoding="utf-8-sig")
    assert ",true," not in text and ",false," not in text
    setup_plan(pufa, "--db", fresh_db)
    r = ok(pufa, "import", out, "--db", fresh_db)
    assert r.err == "added 8, already present 0; retractions 1\n"

    def entries(*db: str) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.items() if k != "id"} for e in entries_json(pufa, *db)]

    assert entries("--db", fresh_db) == entries()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_retracted_duplicate_round_trips(loaded, pufa, tmp_path, fresh_db, monkeypatch, fmt):
    """Logged twice, the second retracted (重複填報): the round trip keeps two entries and the
    retraction on the second, so task 15 stays at 80 %."""
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    for db_args in ((), ("--db", fresh_db)):
        if db_args:
            ok(pufa, "init", "-q", *db_args)
        ok(pufa, "unit", "add", SJ, "-q", *db_args)
        ok(pufa, "assign", "15", SJ, "-q", *db_args)
    for again in ((), ("--again",)):  # the second time is refused as a duplicate without it
        ok(pufa, "log", "15", "--unit", SJ, "--percent", "80", "--date", "2011-06-30", *again)
    ok(pufa, "retract", "2", "--reason", "重複填報", "-q")
    out = tmp_path / f"e.{fmt}"
    ok(pufa, "export", "-w", "entries", "-o", out, "-q")
    r = ok(pufa, "import", out, "--db", fresh_db)
    assert r.err == "added 2, already present 0; retractions 1\n"

    def report(*db: str) -> Any:
        return json.loads(ok(pufa, "report", "--by", "task", "-f", "json", *db).out)

    assert report("--db", fresh_db) == report()
    assert next(r for r in report()["rows"] if r["number"] == 15)["percent"] == 80.0

    def entries(*db: str) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.items() if k != "id"} for e in entries_json(pufa, *db)]

    assert entries("--db", fresh_db) == entries()
    assert ok(pufa, "import", out, "--db", fresh_db).err == "added 0, already present 2\n"
    assert ok(pufa, "import", out).err == "added 0, already present 2\n"


# --- report -f csv --excel (issues 12.10, 13.14) -----------------------------------------


def test_report_csv_for_excel_is_the_export_form(ledger, pufa):
    ok(pufa, "unit", "add", HYPERLINK, "-q")
    ok(pufa, "assign", "19", HYPERLINK, "-q")
    excel = ok(pufa, "report", "--by", "unit", "-f", "csv", "--excel", "--as-of", "Q4").out
    assert excel.startswith("\ufeff") and excel.endswith("\r\n")
    lines = excel.removeprefix("\ufeff").split("\r\n")
    assert "\n" not in "".join(lines)
    rows = list(csv.reader(io.StringIO(excel.removeprefix("\ufeff"), newline="")))
    units = [r[1] for r in rows[1:]]
    assert "'" + HYPERLINK in units and HYPERLINK not in units
    # The very bytes of the export of the report.
    exported = ok(pufa, "export", "-w", "report", "--by", "unit", "-f", "csv", "--as-of", "Q4").out
    assert excel == exported


def test_plain_report_csv_is_for_machines(ledger, pufa):
    ok(pufa, "unit", "add", HYPERLINK, "-q")
    ok(pufa, "assign", "19", HYPERLINK, "-q")
    plain = ok(pufa, "report", "--by", "unit", "-f", "csv", "--as-of", "Q4").out
    assert not plain.startswith("\ufeff") and "\r" not in plain
    rows = list(csv.reader(io.StringIO(plain, newline="")))
    assert HYPERLINK in [r[1] for r in rows[1:]]  # the value itself, as in the JSON


def test_excel_needs_csv(ledger, pufa):
    r = pufa("report", "--excel")
    assert r.code == 2 and r.out == ""
    assert r.err == "Error: --excel is a form of csv: give it with --format csv\n"


# --- the workbook prints well (issue 13.13) ----------------------------------------------


def _workbook(pufa: Any, tmp_path: Path, *lang: str) -> Any:
    from openpyxl import load_workbook

    out = tmp_path / "台賬.xlsx"
    ok(pufa, *lang, "export", "-f", "xlsx", "--quarter", "4", "--out", out)
    return load_workbook(out)


def test_every_sheet_is_set_up_for_printing(ledger, pufa, tmp_path):
    wb = _workbook(pufa, tmp_path)
    # (sheet, header row, last column and row of its table): Report has 11 columns by section
    # (section … percent, missed) and 6 sections + a total in rows 5–11; Tasks the 14 task
    # columns and 23 tasks; Entries the 17 entry columns (problems and next, issue 16, the last
    # two) and the 8 entries logged by the fixture.
    expected = {"Report": (4, "A4:K11"), "Tasks": (1, "A1:N24"), "Entries": (1, "A1:U9")}
    for ws in wb.worksheets:
        header_row, table = expected[ws.title]
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_options.gridLines is True
        assert ws.print_title_rows == f"${header_row}:${header_row}"
        assert ws.auto_filter.ref == table
        assert ws.oddHeader.center.text == "全區依法治區工作方案 (2011)"
        assert ws.oddHeader.right.text == "As of 2011-12-31"
        assert ws.oddFooter.center.text == "&P / &N"


def test_workbook_cells_read_as_people_expect(ledger, pufa, tmp_path):
    from datetime import datetime

    wb = _workbook(pufa, tmp_path, "--lang", "zh-Hant")
    report, tasks, entries = wb.worksheets
    # Percents are numbers shown with a % sign, not text and not scaled.
    header = [c.value for c in report[4]]
    pct = report.cell(11, header.index("完成度") + 1)  # the total row
    assert isinstance(pct.value, (int, float)) and pct.number_format == '0.0"%"'
    header = [c.value for c in tasks[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    t19 = tasks.cell(20, col["完成度"])
    # Task 19: 區教育局 at 60 % (its 90 % retracted), 區團委 at 50 %: the mean, 55 %.
    assert t19.value == 55 and t19.number_format == '0.0"%"'
    # The light's cell filled with its colour; the words of the language.
    ledger_csv = ok(pufa, "export", "-w", "tasks", "--quarter", "4").out.removeprefix("\ufeff")
    colours = {
        int(r["number"]): r["colour"] for r in csv.DictReader(io.StringIO(ledger_csv, newline=""))
    }
    assert set(colours.values()) >= {"red", "green"}
    fills = {"red": "00FFC7CE", "yellow": "00FFEB9C", "green": "00C6EFCE"}
    words = {"red": "紅", "yellow": "黃", "green": "綠"}
    for row in range(2, 25):
        number = tasks.cell(row, col["序號"]).value
        light = tasks.cell(row, col["亮燈"])
        assert light.value == words[colours[number]]
        assert light.fill.start_color.rgb == fills[colours[number]]
    assert {tasks.cell(r, col["逾期"]).value for r in range(2, 25)} <= {"是", "否"}
    # Targets by their labels.
    assert tasks.cell(20, col["量化指標"]).value == "青少年法制教育基地 37/100 個"
    # Entries: 是/否, times to the minute, the key hidden, retracted rows struck through.
    header = [c.value for c in entries[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    assert entries.column_dimensions["K"].hidden is True and header[10] == "記錄標識"
    rows = list(entries.iter_rows(min_row=2))
    retracted = [r for r in rows if r[col["撤銷"] - 1].value == "是"]
    kept = [r for r in rows if r[col["撤銷"] - 1].value == "否"]
    assert len(retracted) == 1 and len(kept) == 7
    assert all(c.font.strike for c in retracted[0] if c.value is not None)
    assert not any(c.font.strike for r in kept for c in r)
    assert retracted[0][col["撤銷理由"] - 1].value == "重複填報"
    recorded = rows[0][col["填報時間"] - 1]
    assert isinstance(recorded.value, datetime) and recorded.number_format == "yyyy-mm-dd hh:mm"
    assert retracted[0][col["撤銷時間"] - 1].number_format == "yyyy-mm-dd hh:mm"
    assert rows[0][col["完成度"] - 1].number_format == '0.0"%"'


def test_yes_and_no_in_english(ledger, pufa, tmp_path):
    entries = _workbook(pufa, tmp_path)["Entries"]
    assert sorted({r[11] for r in entries.iter_rows(min_row=2, values_only=True)}) == ["no", "yes"]


@pytest.mark.slow
def test_the_report_sheet_prints_on_one_page(ledger, pufa, tmp_path):
    """LibreOffice renders the report workbook to PDF: the Report sheet is one A4 page."""
    import shutil

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdfinfo = shutil.which("pdfinfo")
    if not (soffice and pdfinfo):
        if os.environ.get("CI"):
            pytest.fail(
                "LibreOffice (soffice) and pdfinfo are needed in CI (.ci/run installs them)"
            )
        pytest.skip(
            "needs LibreOffice and pdfinfo (apt-get install libreoffice-calc-nogui poppler-utils)"
        )
    out = tmp_path / "report.xlsx"
    ok(pufa, "export", "-w", "report", "-f", "xlsx", "--quarter", "4", "--out", out)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    info = subprocess.run(
        [pdfinfo, str(tmp_path / "report.pdf")], check=True, capture_output=True, text=True
    ).stdout
    pages = int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == 1

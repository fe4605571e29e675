"""pufa import (issue 5): all rows or none, every bad row named, a row seen before skipped,
retractions honoured, bad files refused with one line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import dump_db

SJ, JY, TW = "區司法局", "區教育局", "區團委"
HEADER = ["year", "task", "unit", "date", "percent", "metrics", "note", "by"]


def ok(pufa: Any, *args: Any) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


@pytest.fixture
def plan(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    """The 2011 plan with units and assignments, no entries; today is 2011-12-31."""
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    for name in (SJ, JY, TW):
        ok(pufa, "unit", "add", name, "-q")
    ok(pufa, "assign", "19", JY, TW, "--lead", JY, "-q")
    ok(pufa, "assign", "10", SJ, "-q")
    return loaded


def write_csv(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


def good_rows(n: int) -> list[list[Any]]:
    return [
        [
            2011,
            19,
            JY if i % 2 else TW,
            f"2011-{1 + i % 12:02d}-{1 + i % 28:02d}",
            i % 101,
            "",
            f"第{i}次",
            "王",
        ]
        for i in range(n)
    ]


def entries(pufa: Any) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(ok(pufa, "export", "-w", "entries", "-f", "json").out)
    return data


# --- all or nothing ----------------------------------------------------------------------


def test_one_bad_row_in_a_thousand_imports_nothing(plan, pufa, tmp_path):
    rows = good_rows(1000)
    rows[536][2] = "區財政局"  # the 537th data row: line 538 of the file
    path = write_csv(tmp_path / "進展.csv", rows)
    before = dump_db(plan)
    r = pufa("import", path)
    assert r.code == 2, r
    assert r.out == ""
    lines = r.err.splitlines()
    assert lines[0].startswith(f"{path}:538: unknown unit '區財政局'")
    assert lines[-1] == f"Error: {path}: 1 row(s) not valid; nothing was imported"
    assert len(lines) == 2 and "Traceback" not in r.err
    assert dump_db(plan) == before


def test_importing_twice_adds_nothing(plan, pufa, tmp_path):
    rows = good_rows(300)
    rows.append(rows[0])  # the same row twice: two entries (`pufa log` can make them too)
    path = write_csv(tmp_path / "e.csv", rows)
    r = ok(pufa, "import", path)
    assert r.out == "" and r.err == "added 301, already present 0\n"
    after = dump_db(plan)
    r = ok(pufa, "import", path)
    assert r.err == "added 0, already present 301\n"
    assert dump_db(plan) == after
    assert len(entries(pufa)) == 301


def test_many_bad_rows_are_listed_up_to_twenty(plan, pufa, tmp_path):
    rows = good_rows(40)
    for i in range(25):
        rows[i][4] = 101 + i
    path = write_csv(tmp_path / "e.csv", rows)
    before = dump_db(plan)
    r = pufa("import", path)
    assert r.code == 2
    lines = r.err.splitlines()
    assert len(lines) == 22
    assert lines[0] == f"{path}:2: percent must be a whole number from 0 to 100, not 101"
    assert lines[19].startswith(f"{path}:21: ")
    assert lines[20] == "… and 5 more"
    assert lines[21] == f"Error: {path}: 25 row(s) not valid; nothing was imported"
    assert dump_db(plan) == before


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ([2011, 24, JY, "2011-03-01", 10], "no task 24 in plan 2011"),
        ([2011, "x", JY, "2011-03-01", 10], "task: 'x' is not a whole number"),
        ([2011, 19, "区财政局", "2011-03-01", 10], "unknown unit '区财政局'"),
        ([2011, 19, SJ, "2011-03-01", 10], f"unit {SJ} is not assigned to task 19"),
        ([2011, 19, JY, "2012-01-01", 10], "the date 2012-01-01 is in the future"),
        ([2011, 19, JY, "2011-02-30", 10], "'2011-02-30' is not a valid date"),
        ([2011, 19, JY, "昨天", 10], "'昨天' is not a date"),
        ([2011, 19, JY, "", 10], "date is empty"),
        ([2011, 19, JY, "2011-03-01", ""], "percent is empty"),
        ([2011, 19, JY, "2011-03-01", "12.5"], "not 12.5"),
        ([2011, 19, JY, "2011-03-01", -1], "not -1"),
        ([2011, 19, JY, "2011-03-01", 10, "teams=2"], "task 19 has no target 'teams'"),
        ([2011, 19, JY, "2011-03-01", 10, "bases=-3"], "metric bases: -3 must be a number"),
        ([2011, 19, JY, "2011-03-01", 10, "bases"], "'bases' is not KEY=VALUE"),
        ([2011, 19, JY, "2011-03-01", 10, "", "a\x07b"], "note contains a control character"),
        ([2011, 19, JY, "2011-03-01", 10, "", "x" * 10_001], "longer than 10000"),
        ([2012, 19, JY, "2011-03-01", 10], "no plan for 2012"),
        ([2011, "", JY, "2011-03-01", 10], "task is empty"),
        ([2011, 19, "", "2011-03-01", 10], "unit is empty"),
    ],
)
def test_each_bad_row_is_named(plan, pufa, tmp_path, row, reason):
    path = write_csv(tmp_path / "e.csv", [*good_rows(3), row])
    before = dump_db(plan)
    r = pufa("import", path)
    assert r.code == 2, r
    first = r.err.splitlines()[0]
    assert first.startswith(f"{path}:5: ") and reason in first, r.err
    assert dump_db(plan) == before


def test_assign_as_you_go(plan, pufa, tmp_path):
    path = write_csv(
        tmp_path / "e.csv", [[2011, 19, SJ, "2011-03-01", 10], [2011, 19, SJ, "2011-04-01", 20]]
    )
    assert pufa("import", path).code == 2
    r = ok(pufa, "import", path, "--assign")
    assert r.err == "added 2, already present 0; assignments 1\n"
    units = json.loads(ok(pufa, "show", "19", "-f", "json").out)["units"]
    assert {u["unit"]: u["role"] for u in units} == {JY: "lead", TW: "support", SJ: "support"}


def test_dry_run_checks_and_writes_nothing(plan, pufa, tmp_path):
    path = write_csv(tmp_path / "e.csv", good_rows(10))
    before = dump_db(plan)
    r = ok(pufa, "import", path, "--dry-run")
    assert r.err == "dry run: 10 row(s) valid; would add 10, already present 0\n"
    assert dump_db(plan) == before
    bad = write_csv(tmp_path / "bad.csv", [*good_rows(2), [2011, 19, JY, "2011-03-01", 200]])
    r = pufa("import", bad, "--dry-run")
    assert r.code == 2 and f"{bad}:4:" in r.err


def test_a_progress_bar_only_on_a_terminal(plan, pufa, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "e.csv", good_rows(3000))
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    r = ok(pufa, "import", path)
    assert r.err.endswith("added 3000, already present 0\n")
    assert "checking rows" in r.err and "writing entries" in r.err  # the bar was drawn
    again = ok(pufa, "import", path, "-q")
    assert again.err == ""


def test_quiet_prints_errors_only(plan, pufa, tmp_path):
    path = write_csv(tmp_path / "e.csv", good_rows(5))
    r = ok(pufa, "import", path, "-q")
    assert r.out == "" and r.err == ""
    bad = write_csv(tmp_path / "bad.csv", [[2011, 99, JY, "2011-03-01", 1]])
    r = pufa("import", bad, "-q")
    assert r.code == 2 and "no task 99" in r.err


# --- what a row means --------------------------------------------------------------------


def test_optional_columns_and_defaults(plan, pufa, tmp_path):
    """Only the four required columns: year is the plan's, by is --by (else the OS user)."""
    path = write_csv(
        tmp_path / "e.csv",
        [[19, "区教育局", "2011/3/1", "30%"], [10, SJ, "２０１１-０５-０１", "２０"]],
        header=["Task", "UNIT", " date ", "percent"],
    )
    ok(pufa, "import", path, "--by", "辦公室")
    got = entries(pufa)
    assert [(e["year"], e["task"], e["unit"], e["date"], e["percent"], e["by"]) for e in got] == [
        (2011, 19, JY, "2011-03-01", 30, "辦公室"),
        (2011, 10, SJ, "2011-05-01", 20, "辦公室"),
    ]


def test_metrics_and_the_key_match_pufa_log(plan, pufa, tmp_path):
    """A row with the content of a logged entry is that entry: the key is the same."""
    ok(
        pufa,
        "log",
        "10",
        "-u",
        SJ,
        "-m",
        "study_hours=12.5",
        "-m",
        "training_days=3",
        "-p",
        "40",
        "--date",
        "2011-02-10",
        "--note",
        "學法",
        "--by",
        "王",
    )
    path = write_csv(
        tmp_path / "e.csv",
        [
            [2011, 10, SJ, "2011-02-10", 40, "training_days=3；study_hours=12.50", " 學法 ", "王"],
            [2011, 10, SJ, "2011-02-11", 45, "study_hours=13", "學法", "王"],
        ],
    )
    r = ok(pufa, "import", path)
    assert r.err == "added 1, already present 1\n"
    assert entries(pufa)[1]["metrics"] == {"study_hours": 13}


def test_neutralised_cells_are_restored(plan, pufa, tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        [
            [2011, 19, JY, "2011-03-01", 1, "", '\'=HYPERLINK("http://x")', "'@王"],
            [2011, 19, JY, "2011-03-02", 2, "", "''=1+1", "王"],
            [2011, 19, JY, "2011-03-03", 3, "", "'不是公式", "王"],
        ],
    )
    ok(pufa, "import", path)
    assert [(e["note"], e["by"]) for e in entries(pufa)] == [
        ('=HYPERLINK("http://x")', "@王"),
        ("'=1+1", "王"),
        ("'不是公式", "王"),  # a ' before anything else is the text's own
    ]


RETRACTION_HEADER = [*HEADER, "retracted", "retracted_at", "retracted_by", "retraction_reason"]


def test_retractions_in_the_file_are_honoured(plan, pufa, tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        [
            [
                2011,
                19,
                JY,
                "2011-03-01",
                50,
                "",
                "填錯",
                "王",
                "true",
                "2011-03-05T09:30:00",
                "李",
                "重複",
            ],
            [2011, 19, JY, "2011-03-02", 40, "", "", "王", "false", "", "", ""],
            [2011, 19, TW, "2011-03-03", 30, "", "", "王", "yes", "", "", "錯了"],
        ],
        header=RETRACTION_HEADER,
    )
    r = ok(pufa, "import", path, "--by", "導入")
    assert r.err == "added 3, already present 0; retractions 2\n"
    got = entries(pufa)
    marks = [(e["retracted"], e["retracted_by"], e["retraction_reason"]) for e in got]
    assert marks == [(True, "李", "重複"), (False, None, None), (True, "導入", "錯了")]
    assert got[0]["retracted_at"] == "2011-03-05T09:30:00"
    assert got[2]["retracted_at"] is not None  # when it was imported
    before = dump_db(plan)
    assert ok(pufa, "import", path).err == "added 0, already present 3\n"
    assert dump_db(plan) == before


def test_a_retraction_reaches_an_entry_already_imported(plan, pufa, tmp_path):
    row = [2011, 19, JY, "2011-03-01", 50, "", "填錯", "王"]
    ok(pufa, "import", write_csv(tmp_path / "a.csv", [row]))
    later = write_csv(
        tmp_path / "b.csv", [[*row, "true", "", "李", "重複"]], header=RETRACTION_HEADER
    )
    r = ok(pufa, "import", later)
    assert r.err == "added 0, already present 1; retractions 1\n"
    assert entries(pufa)[0]["retraction_reason"] == "重複"
    before = dump_db(plan)
    assert ok(pufa, "import", later).err == "added 0, already present 1\n"
    assert dump_db(plan) == before


@pytest.mark.parametrize(
    ("retraction", "reason"),
    [
        (["true", "", "", ""], "needs a retraction_reason"),
        (["false", "", "", "重複"], "retracted is not true"),
        (["maybe", "", "", ""], "'maybe' is not true or false"),
        (["true", "昨天", "", "重複"], "retracted_at: '昨天' is not a date and time"),
    ],
)
def test_bad_retraction_columns(plan, pufa, tmp_path, retraction, reason):
    path = write_csv(
        tmp_path / "e.csv",
        [[2011, 19, JY, "2011-03-01", 50, "", "", "王", *retraction]],
        header=RETRACTION_HEADER,
    )
    before = dump_db(plan)
    r = pufa("import", path)
    assert r.code == 2 and reason in r.err.splitlines()[0], r
    assert dump_db(plan) == before


def test_human_headers_of_another_language(plan, pufa, tmp_path, monkeypatch):
    """A csv exported with --headers human in zh-Hant imports under any language."""
    ok(pufa, "log", "19", "-u", JY, "-p", "20", "--date", "2011-03-01")
    r = ok(pufa, "--lang", "zh-Hant", "export", "-w", "entries", "--headers", "human")
    header = next(csv.reader(io.StringIO(r.out.removeprefix("\ufeff"))))
    assert header[0] != "year" and header[0] != "Year"  # translated
    path = tmp_path / "e.csv"
    path.write_text(r.out, encoding="utf-8", newline="")
    monkeypatch.setenv("PUFA_LANG", "en")
    r = ok(pufa, "import", path)
    assert r.err == "added 0, already present 1\n", header
    # and a workbook whose sheet names and headers are in Simplified Chinese
    book = tmp_path / "e.xlsx"
    ok(pufa, "--lang", "zh-Hans", "export", "-w", "all", "-f", "xlsx", "-o", book)
    from openpyxl import load_workbook

    wb = load_workbook(book, read_only=True)
    names = wb.sheetnames
    wb.close()
    assert "Entries" not in names and len(names) == 3
    assert ok(pufa, "import", book).err == "added 0, already present 1\n"


def test_a_departments_own_workbook(plan, pufa, tmp_path):
    """One sheet, typed cells (real dates, numbers), a blank row, an empty header column."""
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "進展"
    ws.append(["task", "unit", "date", "percent", "metrics", "note", None])
    ws.append([19, JY, datetime(2011, 3, 1), 37, "bases=37", 12345])
    ws.append([])
    ws.append([19.0, TW, datetime(2011, 4, 1), 40.0, None, "完成"])
    path = tmp_path / "dept.xlsx"
    wb.save(path)
    r = ok(pufa, "import", path, "--by", "科室")
    assert r.err == "added 2, already present 0\n"
    got = entries(pufa)
    assert [(e["unit"], e["date"], e["percent"], e["metrics"], e["note"]) for e in got] == [
        (JY, "2011-03-01", 37, {"bases": 37}, "12345"),
        (TW, "2011-04-01", 40, {}, "完成"),
    ]
    wb = Workbook()
    wb.active.append(["task", "unit", "date", "percent"])
    wb.active.append([19, JY, datetime(2011, 3, 1), 101])
    wb.active.append([19, JY, datetime(2011, 3, 1), 10])
    wb.save(tmp_path / "bad.xlsx")
    r = pufa("import", tmp_path / "bad.xlsx")
    assert r.code == 2 and r.err.startswith(f"{tmp_path / 'bad.xlsx'}[Sheet]:2: percent")


def test_csv_on_stdin(plan, pufa, tmp_path, monkeypatch):
    data = "task,unit,date,percent\r\n19,區教育局,2011-03-01,10\r\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data.encode("utf-8"))))
    r = ok(pufa, "import", "-")
    assert r.err == "added 1, already present 0\n"


# --- bad files ---------------------------------------------------------------------------


def _xlsx_not_zip(path: Path) -> None:
    path.write_bytes(b"this is not a workbook")


@pytest.mark.parametrize(
    ("name", "content", "code", "needle"),
    [
        (
            "binary.csv",
            b"task,unit,date,percent\n19,\xff\xfe,2011-03-01,10\n",
            2,
            ":2: neither UTF-8, UTF-16 nor GB18030 text",
        ),
        ("nul.csv", b"task,unit,date,percent\n19,x\x00,2011-03-01,10\n", 2, ":2: contains a NUL"),
        ("cols.csv", b"task,unit,date\n19,x,2011-03-01\n", 2, "missing column(s) percent"),
        ("unknown.csv", b"task,unit,date,percent,nte\n", 2, "unknown column 'nte'"),
        ("twice.csv", b"task,unit,date,percent,Task\n", 2, "column 'task' appears twice"),
        ("empty.csv", b"", 2, "the file is empty"),
        ("blank.csv", b"\xef\xbb\xbf\r\n\r\n", 2, "the file is empty"),
        ("late.csv", b"\r\ntask,unit,date,percent\r\n", 2, ":1: the first row must name"),
        ("book.xlsx", b"this is not a workbook", 2, "not an xlsx workbook"),
        ("notes.txt", b"task,unit,date,percent\n", 2, "unknown file type '.txt'"),
        ("missing.csv", None, 2, "no such file"),
    ],
)
def test_bad_files_are_refused_with_one_line(plan, pufa, tmp_path, name, content, code, needle):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = dump_db(plan)
    r = pufa("import", path)
    assert r.code == code, r
    assert r.out == ""
    assert r.err.count("\n") == 1 and r.err.startswith("Error: ") and needle in r.err, r.err
    assert "Traceback" not in r.err
    assert dump_db(plan) == before


def test_a_header_only_file_adds_nothing(plan, pufa, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("task,unit,date,percent\n", encoding="utf-8")
    assert ok(pufa, "import", path).err == "added 0, already present 0\n"


def test_a_folder_is_refused(plan, pufa, tmp_path):
    r = pufa("import", tmp_path)
    assert r.code == 2 and r.err.count("\n") == 1 and "folder" in r.err


# --- entries alike (the same key), from a user review -------------------------------------

ALIKE = [2011, 19, JY, "2011-06-30", 80, "", "", "王"]
RETRACTED = [*ALIKE, "true", "2011-07-01T09:00:00", "李", "重複填報"]
KEPT = [*ALIKE, "false", "", "", ""]


def alike(pufa: Any) -> list[tuple[bool, str | None]]:
    """(retracted, reason) of each entry, by id (every entry here has the key of ALIKE)."""
    return [(e["retracted"], e["retraction_reason"]) for e in entries(pufa)]


def percent_of_19(pufa: Any) -> float:
    data = json.loads(ok(pufa, "report", "--by", "task", "-f", "json").out)
    return float(next(r["percent"] for r in data["rows"] if r["number"] == 19))


def test_rows_alike_are_as_many_entries_and_keep_their_retractions(plan, pufa, tmp_path):
    """Two rows with one key, the second retracted: two entries, the second retracted (not
    one entry, retracted: the unit's 80 % would fall to nothing)."""
    path = write_csv(tmp_path / "e.csv", [KEPT, RETRACTED], header=RETRACTION_HEADER)
    r = ok(pufa, "import", path)
    assert r.err == "added 2, already present 0; retractions 1\n"
    assert alike(pufa) == [(False, None), (True, "重複填報")]
    assert percent_of_19(pufa) == 40.0  # (80 + 0) / 2 units
    after = dump_db(plan)
    assert ok(pufa, "import", path).err == "added 0, already present 2\n"
    assert dump_db(plan) == after


def test_rows_alike_count_against_the_entries_alike_in_the_database(plan, pufa, tmp_path):
    ok(pufa, "import", write_csv(tmp_path / "one.csv", [ALIKE]))
    three = write_csv(tmp_path / "three.csv", [ALIKE, ALIKE, ALIKE])
    r = ok(pufa, "import", three, "--dry-run")
    assert r.err == "dry run: 3 row(s) valid; would add 2, already present 1\n"
    assert ok(pufa, "import", three).err == "added 2, already present 1\n"
    assert len(entries(pufa)) == 3
    assert ok(pufa, "import", three).err == "added 0, already present 3\n"
    # a file with fewer of them adds nothing and takes nothing away
    assert ok(pufa, "import", tmp_path / "one.csv").err == "added 0, already present 1\n"
    assert len(entries(pufa)) == 3


@pytest.mark.parametrize(
    ("database", "file", "summary", "after"),
    [
        # one of two retracted on each side, in another order: nothing to do
        ([KEPT, RETRACTED], [RETRACTED, KEPT], "added 0, already present 2", [False, True]),
        # the file retracts both: the one not yet retracted is
        (
            [KEPT, KEPT],
            [RETRACTED, RETRACTED],
            "added 0, already present 2; retractions 2",
            [True, True],
        ),
        (
            [KEPT, RETRACTED],
            [RETRACTED, RETRACTED],
            "added 0, already present 2; retractions 1",
            [True, True],
        ),
        # one more, retracted: it comes retracted, the one there stays as it was
        ([KEPT], [KEPT, RETRACTED], "added 1, already present 1; retractions 1", [False, True]),
        # one more, not retracted, while the file's other one is: both happen
        ([KEPT], [RETRACTED, KEPT], "added 1, already present 1; retractions 1", [False, True]),
        # more retracted in the database than in the file: retractions are never undone
        ([RETRACTED], [KEPT, KEPT], "added 1, already present 1", [True, False]),
    ],
)
def test_retractions_of_rows_alike_are_counted(
    plan, pufa, tmp_path, database, file, summary, after
):
    ok(pufa, "import", write_csv(tmp_path / "db.csv", database, header=RETRACTION_HEADER))
    path = write_csv(tmp_path / "file.csv", file, header=RETRACTION_HEADER)
    assert ok(pufa, "import", path).err == summary + "\n"
    assert [retracted for retracted, _reason in alike(pufa)] == after
    again = dump_db(plan)
    assert ok(pufa, "import", path).err == f"added 0, already present {len(file)}\n"
    assert dump_db(plan) == again


# --- assignments only for what is added (from a user review) ----------------------------


def test_rows_already_present_need_no_assignment(plan, pufa, tmp_path):
    """Entries of a unit since unassigned: exporting and importing them is not an error, and
    --assign does not assign the unit back when nothing is added."""
    ok(pufa, "log", "19", "-u", SJ, "--assign", "-p", "30", "--date", "2011-03-01", "-q")
    ok(pufa, "log", "19", "-u", JY, "-p", "40", "--date", "2011-03-02", "-q")
    ok(pufa, "unassign", "19", SJ, "-q")
    path = tmp_path / "e.csv"
    ok(pufa, "export", "-w", "entries", "-o", path, "-q")
    before = dump_db(plan)
    r = ok(pufa, "import", path, "--dry-run")
    assert r.err == "dry run: 2 row(s) valid; would add 0, already present 2\n"
    assert ok(pufa, "import", path).err == "added 0, already present 2\n"
    assert ok(pufa, "import", path, "--assign").err == "added 0, already present 2\n"
    assert dump_db(plan) == before
    # a new row of that unit still needs the assignment, and names its own line only
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines.append(lines[1].replace("2011-03-01,30,", "2011-04-01,50,"))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    r = pufa("import", path)
    assert r.code == 2, r
    assert r.err.splitlines()[0].startswith(f"{path}:4: unit {SJ} is not assigned to task 19")
    assert len(r.err.splitlines()) == 2
    assert dump_db(plan) == before
    r = ok(pufa, "import", path, "--assign")
    assert r.err == "added 1, already present 2; assignments 1\n"


def test_unassigned_rows_are_listed_with_the_other_bad_rows_in_file_order(plan, pufa, tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        [
            [2011, 19, SJ, "2011-03-01", 10],
            [2011, 19, JY, "2011-03-01", 101],
            [2011, 10, JY, "2011-03-01", 10],
        ],
        header=["year", "task", "unit", "date", "percent"],
    )
    before = dump_db(plan)
    r = pufa("import", path)
    assert r.code == 2, r
    lines = r.err.splitlines()
    assert [line.split(": ")[0] for line in lines[:3]] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert "not assigned to task 19" in lines[0] and "percent" in lines[1]
    assert "not assigned to task 10" in lines[2]
    assert lines[3] == f"Error: {path}: 3 row(s) not valid; nothing was imported"
    assert dump_db(plan) == before


# --- csv read strictly (issue 12.1) ------------------------------------------------------


@pytest.mark.parametrize("dry_run", [False, True])
def test_an_unclosed_quote_is_an_error_naming_its_row(plan, pufa, tmp_path, dry_run):
    path = tmp_path / "進展.csv"
    path.write_text(
        "task,unit,date,percent,note\n"
        f"19,{JY},2011-03-01,10,好\n"
        f'19,{JY},2011-03-02,20,"未閉合\n'
        f"19,{JY},2011-03-03,30,三\n"
        f"19,{JY},2011-03-04,40,四\n",
        encoding="utf-8",
    )
    before = dump_db(plan)
    r = pufa("import", path, *(["--dry-run"] if dry_run else []))
    assert r.code == 2 and r.out == "", r
    assert r.err == (
        f"Error: {path}:3: a quoted cell starts in this row and is never closed "
        '(a " is missing; nothing after it could be read)\n'
    )
    assert dump_db(plan) == before


def test_text_after_a_closing_quote_is_an_error(plan, pufa, tmp_path):
    path = tmp_path / "進展.csv"
    path.write_text(f'task,unit,date,percent,note\n19,{JY},2011-03-01,10,"ab"c\n', encoding="utf-8")
    r = pufa("import", path)
    assert r.code == 2 and r.err.startswith(f"Error: {path}:2: not valid csv"), r


# --- xlsx percent cells (issue 12.2) -----------------------------------------------------


def test_percent_formatted_cells_are_read_as_they_show(plan, pufa, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["task", "unit", "date", "percent"])
    shown = [(1.0, "0%"), (0.37, "0.0%"), (0.5, "0%"), ("30 %", "General"), (45, "General")]
    for day, (value, fmt) in enumerate(shown, start=1):
        ws.append([19, JY, datetime(2011, 3, day), value])
        ws.cell(row=ws.max_row, column=4).number_format = fmt
    path = tmp_path / "進展.xlsx"
    wb.save(path)
    ok(pufa, "import", path)
    # What Excel shows: 100 %, 37.0 %, 50 %, the text 30 %, the number 45.
    assert [e["percent"] for e in entries(pufa)] == [100, 37, 50, 30, 45]


def test_a_percent_cell_showing_a_fraction_is_refused(plan, pufa, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["task", "unit", "date", "percent"])
    wb.active.append([19, JY, datetime(2011, 3, 1), 0.375])
    wb.active.cell(row=2, column=4).number_format = "0.0%"
    path = tmp_path / "進展.xlsx"
    wb.save(path)
    r = pufa("import", path)
    assert r.code == 2
    assert r.err.splitlines()[0] == (
        f"{path}[Sheet]:2: percent must be a whole number from 0 to 100, not 37.5"
    )


# --- control characters are shown escaped (issue 12.7) -----------------------------------


def test_control_characters_in_a_bad_cell_are_shown_escaped(plan, pufa, tmp_path):
    path = tmp_path / "進展.csv"
    title, clear, hidden = "\x1b]0;pwned\x07", "\x1b[2J", "\x1b[8m"
    path.write_text(
        "task,unit,date,percent,metrics\n"
        f"19,{JY},{title}2011-03-01,10,\n"
        f"19,{JY},2011-03-02,{clear}20,\n"
        f"19,{JY},2011-03-03,30,{hidden}x=1\n",
        encoding="utf-8",
    )
    r = pufa("import", path)
    assert r.code == 2
    assert "\x1b" not in r.err and "\x07" not in r.err
    lines = r.err.splitlines()
    assert lines[0].startswith(f"{path}:2: '\\x1b]0;pwned\\x072011-03-01' is not a date")
    assert lines[1] == f"{path}:3: percent must be a whole number from 0 to 100, not \\x1b[2J20"
    assert lines[2] == f"{path}:4: task 19 has no target '\\x1b[8mx' (targets: bases)"


def test_a_control_character_in_a_header_is_shown_escaped(plan, pufa, tmp_path):
    path = tmp_path / "進展.csv"
    path.write_text("task,unit,date,percent,\x1b[2Jnote\n", encoding="utf-8")
    r = pufa("import", path)
    assert r.code == 2 and "\x1b" not in r.err
    assert r.err.startswith(f"Error: {path}:1: unknown column '\\x1b[2Jnote'")


# --- what Chinese Excel writes (issue 13.10) ---------------------------------------------

ROWS = f"task,unit,date,percent,note\r\n19,{JY},2011-03-01,10,第一次\r\n19,{TW},2011-03-02,20,\r\n"


@pytest.mark.parametrize(
    ("encoding", "data", "label"),
    [
        ("gbk", ROWS.encode("gbk"), "GB18030"),
        ("gb18030", ROWS.encode("gb18030"), "GB18030"),
        ("utf-16 with BOM, tabs", ROWS.replace(",", "\t").encode("utf-16"), "UTF-16"),
        ("utf-16-le without BOM", ROWS.encode("utf-16-le"), "UTF-16"),
        ("utf-16-be with BOM", b"\xfe\xff" + ROWS.encode("utf-16-be"), "UTF-16"),
    ],
)
def test_csv_in_the_encodings_chinese_excel_writes(plan, pufa, tmp_path, encoding, data, label):
    path = tmp_path / "進展.csv"
    path.write_bytes(data)
    r = ok(pufa, "import", path)
    assert r.err == f"{path}: read as {label}\nadded 2, already present 0\n"
    got = [(e["unit"], e["date"], e["percent"], e["note"]) for e in entries(pufa)]
    assert got == [(JY, "2011-03-01", 10, "第一次"), (TW, "2011-03-02", 20, "")]


def test_a_header_error_names_the_encoding_used(plan, pufa, tmp_path):
    path = tmp_path / "進展.csv"
    path.write_bytes("任務,單位,日期\r\n".encode("gbk"))
    r = pufa("import", path)
    assert r.code == 2
    assert r.err.startswith(f"Error: {path}:1: missing column(s) percent")
    assert r.err.rstrip().endswith("(read as GB18030)")


def test_utf8_is_not_announced(plan, pufa, tmp_path):
    path = tmp_path / "進展.csv"
    path.write_bytes(ROWS.encode("utf-8"))
    assert ok(pufa, "import", path).err == "added 2, already present 0\n"


def test_a_legacy_xls_workbook(plan, pufa, tmp_path):
    """tests/data/dept-2003.xls: Excel 97–2003 (saved by LibreOffice from an openpyxl sheet):
    Chinese headers, date cells, 0.37 shown as 37 %, text dates and percents, a metric label."""
    import shutil

    path = tmp_path / "進展.xls"
    shutil.copyfile(Path(__file__).parent / "data" / "dept-2003.xls", path)
    r = ok(pufa, "import", path, "--by", "科室")
    assert r.err == "added 3, already present 0\n"
    got = [(e["unit"], e["date"], e["percent"], e["metrics"], e["note"]) for e in entries(pufa)]
    assert got == [
        (JY, "2011-03-01", 37, {"bases": 37}, "第一次"),
        (TW, "2011-04-01", 40, {}, ""),
        (TW, "2011-05-01", 50, {"bases": 50}, "文字"),
    ]


def test_a_file_named_xls_that_is_not_one(plan, pufa, tmp_path):
    path = tmp_path / "進展.xls"
    path.write_bytes(b"not a workbook at all")
    before = dump_db(plan)
    r = pufa("import", path)
    assert r.code == 2 and r.err.count("\n") == 1
    assert r.err.startswith(f"Error: {path}: not an xls workbook")
    assert dump_db(plan) == before

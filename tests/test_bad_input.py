"""Bad input never gets half-way in: one table of bad inputs across every command.

Each case gives one line on stderr (``Error: …``), exit status 2 (1 for failures of the
environment, such as a folder that does not exist), no traceback, and the database exactly
as it was (a dump of every table before and after). The only other stderr lines allowed are an
import's ``FILE:LINE: reason`` list of bad rows, which precedes its one ``Error:`` line.

Runs on SQLite, and on PostgreSQL when PUFA_TEST_PG_URL is set.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import PG_URL, _pg_database, dump_db

OFFICE = "區依法治區辦公室"
GROUP = "區依法治區工作領導小組"

GOOD_PLAN = """\
version: 1
year: 2012
title: 全區依法治區工作方案
units: [區司法局]
sections:
  - number: 1
    title: 總體要求
    tasks:
      - number: 1
        title: 建設基地
        text: 全區要建立100個青少年法制教育基地。
        due: 上半年
        lead: 區司法局
        targets:
          - {key: bases, label: 基地, target: 100, unit: 個}
"""

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

CSV_HEAD = "year,task,unit,date,percent,metrics,note,by\n"
TEN_MB = "記" * (10 * 1024 * 1024 // 3)  # 10 MB of UTF-8


def _plan(**swap: str) -> str:
    text = GOOD_PLAN
    for old, new in swap.items():
        text = text.replace(old.replace("_", " "), new)
    return text


@dataclass
class Case:
    id: str
    argv: list[str]
    code: int = 2
    files: dict[str, str | bytes | Callable[[Path], None]] = field(default_factory=dict)
    says: str = ""  # a fragment the error line must contain (case-insensitive)
    bad_rows: int = 0  # import: how many FILE:LINE lines precede the Error line
    code_pg: int | None = None  # when the answer differs on PostgreSQL


def _xlsx_with_bad_row(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(CSV_HEAD.strip().split(","))
    ws.append([2011, 19, OFFICE, "2011-05-01", 30, "", "ok", "x"])
    ws.append([2011, 19, OFFICE, "2011-05-01", "一半", "", "bad percent", "x"])
    wb.save(path)


CASES: list[Case] = [
    # --- plan files (init and plan check): validated before the database is touched
    Case("plan-yaml-syntax", ["init", "--plan", "{p}"], files={"p": "year: [2011\ntitle: x\n"}),
    Case(
        "plan-wrong-type",
        ["init", "--plan", "{p}"],
        files={"p": _plan(**{"year: 2012": "year: twenty"})},
        says="year",
    ),
    Case(
        "plan-duplicate-task",
        ["plan", "check", "{p}"],
        files={"p": GOOD_PLAN + "      - {number: 1, title: 重複, text: 重複。, due: 年底}\n"},
        says="twice",
    ),
    Case(
        "plan-unknown-period",
        ["init", "--plan", "{p}"],
        files={"p": _plan(**{"due: 上半年": "due: 明年"})},
        says="明年",
    ),
    Case(
        "plan-negative-target",
        ["init", "--plan", "{p}"],
        files={"p": _plan(**{"target: 100": "target: -5"})},
        says="target",
    ),
    Case(
        "plan-task-number-zero",
        ["init", "--plan", "{p}"],
        files={"p": _plan(**{"- number: 1\n        title": "- number: 0\n        title"})},
    ),
    Case(
        "plan-not-utf8",
        ["init", "--plan", "{p}"],
        files={"p": GOOD_PLAN.encode("gb18030")},
        says="UTF-8",
    ),
    Case(
        "plan-python-tag",
        ["init", "--plan", "{p}"],
        files={"p": "!!python/object/apply:os.system ['echo pwned']\n"},
    ),
    Case("plan-billion-laughs", ["init", "--plan", "{p}"], files={"p": BILLION_LAUGHS}),
    Case("plan-nul-bytes", ["plan", "check", "{p}"], files={"p": GOOD_PLAN[:40] + "\0" * 8}),
    Case("plan-missing-file", ["init", "--plan", "{tmp}/nope.yaml"]),
    Case("plan-is-a-folder", ["plan", "check", "{tmp}"]),
    # --- option values, dates, numbers
    Case("lang-unknown", ["tasks", "--lang", "klingon"], says="klingon"),
    Case("tasks-status", ["tasks", "--status", "finished"]),
    Case("tasks-section-zero", ["tasks", "--section", "0"]),
    Case("tasks-as-of-bad-date", ["tasks", "--as-of", "2011-02-30"]),
    Case("tasks-as-of-word", ["tasks", "--as-of", "明年"], says="明年"),
    Case("tasks-year-none", ["tasks", "--year", "1999"], says="1999"),
    Case("tasks-year-text", ["tasks", "--year", "二〇一一"]),
    Case("show-not-a-number", ["show", "十九"]),
    Case("show-unknown-task", ["show", "99"], says="99"),
    Case("log-percent-high", ["log", "19", "-u", OFFICE, "-p", "101"], says="101"),
    Case("log-percent-negative", ["log", "19", "-u", OFFICE, "-p", "-1"]),
    Case("log-percent-text", ["log", "19", "-u", OFFICE, "-p", "half"]),
    Case("log-percent-and-done", ["log", "19", "-u", OFFICE, "-p", "5", "--done"]),
    Case("log-nothing-to-say", ["log", "19", "-u", OFFICE]),
    Case("log-date-invalid", ["log", "19", "-u", OFFICE, "-p", "5", "--date", "2011-02-30"]),
    Case("log-date-future", ["log", "19", "-u", OFFICE, "-p", "5", "--date", "2099-01-01"]),
    Case("log-metric-text", ["log", "19", "-u", OFFICE, "-m", "bases=many"], says="bases"),
    Case("log-metric-unknown", ["log", "19", "-u", OFFICE, "-m", "schools=3"], says="schools"),
    Case("log-metric-negative", ["log", "19", "-u", OFFICE, "-m", "bases=-5"]),
    Case("log-metric-infinite", ["log", "19", "-u", OFFICE, "-m", "bases=inf"]),
    Case("log-note-10mb", ["log", "19", "-u", OFFICE, "-p", "5", "--note", TEN_MB]),
    Case("log-note-nul", ["log", "19", "-u", OFFICE, "-p", "5", "--note", "a\0b"]),
    Case("log-by-empty", ["log", "19", "-u", OFFICE, "-p", "5", "--by", "  "]),
    # --- unit names
    Case("log-unit-unknown", ["log", "19", "-u", "區教育局", "-p", "5"], says="區教育局"),
    Case("log-unit-not-assigned", ["log", "1", "-u", OFFICE, "-p", "5"], says="assign"),
    Case("unit-add-empty", ["unit", "add", "   "]),
    Case("unit-add-other-script", ["unit", "add", "区依法治区办公室"], says="exists"),
    Case("unit-add-control-char", ["unit", "add", "區\x07司法局"]),
    Case("unit-rename-clash", ["unit", "rename", OFFICE, GROUP], says="exists"),
    Case("assign-bad-due", ["assign", "19", OFFICE, "--due", "下下月"]),
    Case("assign-no-unit", ["assign", "19"]),
    Case("unassign-not-assigned", ["unassign", "1", OFFICE]),
    # --- entries
    Case("retract-unknown", ["retract", "9999", "--reason", "dup"], says="9999"),
    Case("retract-zero", ["retract", "0", "--reason", "dup"]),
    Case("retract-no-reason", ["retract", "1", "--reason", " "]),
    Case("retract-twice", ["retract", "2", "--reason", "again"], says="already"),
    # --- paths in missing folders (the environment: exit 1)
    Case("db-missing-folder-init", ["init", "--db", "{tmp}/missing/pufa.db"], code=1),
    Case("db-missing-folder-tasks", ["tasks", "--db", "{tmp}/missing/pufa.db"], code=1),
    # (on PostgreSQL, backup refuses whatever the path and names pg_dump: exit 2)
    Case("backup-missing-folder", ["backup", "{tmp}/missing/copy.db"], code=1, code_pg=2),
    # Messages that say what was wrong with what was typed.
    Case("office-empty-name", ["office", "add", " "], says="an office name cannot be empty"),
    Case("person-two-lines", ["assign", "19", OFFICE, "--person", "張\n三"], says="'張\\x0a三'"),
    Case(
        "extend-too-many-working-days",
        ["extend", "19", "-u", OFFICE, "--to", "99999個工作日", "-r", "上級文件"],
        says="99999 working days: give 1 to 366",
    ),
    # An empty path (a script's unset variable) is refused, never taken as "." or PUFA_DB.
    Case("backup-empty-path", ["backup", ""], says="PATH is empty"),
    Case("db-empty", ["tasks", "--db", ""], says="--db is empty"),
    Case("check-missing-folder", ["check", "--folder", "{tmp}/missing"], says="not a folder"),
    Case("check-empty-folder", ["check", "--folder", " "], says="--folder is empty"),
    Case("export-out-missing-folder", ["export", "--out", "{tmp}/missing/x.csv"], code=1),
    # --- reports and exports
    Case("report-quarter-5", ["report", "--quarter", "5"]),
    Case("report-thresholds", ["report", "--yellow", "40", "--red", "10"]),
    Case("report-as-of-junk", ["report", "--as-of", "Q9"]),
    Case("export-xlsx-to-terminal", ["export", "-f", "xlsx"]),
    Case("export-format", ["export", "-f", "pdf"]),
    # --- imports: csv and xlsx rows, whole files
    Case(
        "import-percent-row",
        ["import", "{f}"],
        files={
            "f": CSV_HEAD
            + f"2011,19,{OFFICE},2011-05-01,30,,ok,x\n2011,19,{OFFICE},2011-05-02,150,,bad,x\n"
        },
        bad_rows=1,
    ),
    Case(
        "import-unknown-task-and-unit",
        ["import", "{f}"],
        files={
            "f": CSV_HEAD
            + f"2011,99,{OFFICE},2011-05-01,30,,,x\n2011,19,區教育局,2011-05-01,30,,,x\n"
        },
        bad_rows=2,
    ),
    Case(
        "import-bad-date-and-metric",
        ["import", "{f}"],
        files={
            "f": CSV_HEAD
            + f"2011,19,{OFFICE},2011-13-01,30,,,x\n2011,19,{OFFICE},2011-05-01,,bases=many,,x\n"
        },
        bad_rows=2,
    ),
    Case(
        "import-10mb-note",
        ["import", "{f}"],
        files={"f": CSV_HEAD + f"2011,19,{OFFICE},2011-05-01,30,,{TEN_MB},x\n"},
    ),
    Case("import-xlsx-bad-row", ["import", "{x}"], files={"x": _xlsx_with_bad_row}, bad_rows=1),
    Case(
        "import-missing-columns",
        ["import", "{f}"],
        files={"f": "task,note\n19,hello\n"},
        says="percent",
    ),
    Case(
        # GB18030 and UTF-16 are read (exchange.md); bytes that fit no encoding are not.
        "import-not-text",
        ["import", "{f}"],
        files={"f": CSV_HEAD.encode() + b"2011,19,\xff\xff,2011-05-01,30,,,x\n"},
    ),
    Case("import-nul-bytes", ["import", "{f}"], files={"f": CSV_HEAD.encode() + b"\0\0\0"}),
    Case("import-random-bytes", ["import", "{x}"], files={"x": bytes(range(256)) * 64}),
    Case("import-missing-file", ["import", "{tmp}/nope.csv"]),
    Case("import-wrong-kind", ["import", "{p}"], files={"p": GOOD_PLAN}),
]

_SUFFIX = {"p": ".yaml", "f": ".csv", "x": ".xlsx"}


def test_the_table_is_big_enough():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)
    commands = {c.argv[0] for c in CASES}
    expected = {"init", "plan", "tasks", "show", "log", "unit", "assign", "unassign", "retract"}
    expected |= {"backup", "report", "export", "import"}
    assert expected <= commands


@pytest.fixture(scope="module")
def shared_ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The 2011 plan with a few assignments, two entries, the second one retracted.

    One ledger serves every case: each case proves that it left the ledger as it was, so the
    next one starts from the same state (and the PostgreSQL pass makes one database, not 70).
    """
    from pufa_cli.main import run

    gen = _pg_database() if PG_URL else None
    url = next(gen) if gen else str(tmp_path_factory.mktemp("ledger") / "pufa.db")
    for argv in (
        ["init"],
        ["assign", "19", OFFICE, "--lead", OFFICE],
        ["log", "19", "-u", OFFICE, "-m", "bases=10", "--by", "t", "--date", "2011-06-30"],
        ["log", "19", "-u", OFFICE, "-p", "40", "--by", "t", "--date", "2011-06-30"],
        ["retract", "2", "--reason", "dup", "--by", "t"],
    ):
        assert run([*argv, "-q", "--db", url]) == 0, argv
    yield url
    if gen:
        with contextlib.suppress(StopIteration):
            next(gen)


@pytest.fixture
def ledger(shared_ledger: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PUFA_DB", shared_ledger)
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    return shared_ledger


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_is_refused_in_one_line_and_changes_nothing(ledger, pufa, tmp_path, case):
    values = {"tmp": str(tmp_path)}
    for name, content in case.files.items():
        path = tmp_path / f"bad-{case.id}{_SUFFIX[name]}"
        if callable(content):
            content(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        values[name] = str(path)
    argv = [re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], a) for a in case.argv]
    before = dump_db(ledger)

    r = pufa(*argv)

    on_pg = "://" in ledger
    assert r.code == (case.code_pg if on_pg and case.code_pg else case.code), r
    assert "Traceback" not in r.err + r.out, r
    lines = r.err.strip().splitlines()
    assert lines and lines[-1].startswith("Error: "), r
    assert len(lines) == 1 + case.bad_rows, r
    for row_line in lines[:-1]:
        assert re.match(r"^.+:\d+: \S", row_line), row_line
    assert len(lines[-1]) < 2000, "the message must not echo a huge input"
    if case.says:
        assert case.says.lower() in lines[-1].lower(), r
    assert r.out == "", r
    assert dump_db(ledger) == before
    assert not (tmp_path / "missing").exists()

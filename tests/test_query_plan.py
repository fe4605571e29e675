"""The queries people wait for never read a whole table of progress.

Every SQL statement that ``tasks``, ``show``, ``report`` (each grouping), ``log`` and ``unit list``
run is recorded as SQLite executes it (a trace callback on pufa's own connection, so this is
the real SQL: ``progress.TASK_CTES``, the report's query, the ledger's lookups), then
``EXPLAIN QUERY PLAN`` must show no full scan of ``entries`` or ``entry_metrics``: each lookup
walks an index (``ix_entries_latest``, ``ix_entry_metrics_target_id``). Without statistics
(pufa never runs ANALYZE) SQLite plans from the schema alone, so a small ledger shows the plan
a large one gets. The timings are in benchmarks/, not here.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from pufa_cli import store as dbmod

AS_OF = "2011-12-31"
PROGRESS_TABLES = ("entries", "entry_metrics")
_ALIAS = re.compile(
    r"\b(entries|entry_metrics)\b(?:\s+(?:AS\s+)?(?!ON\b|WHERE\b|JOIN\b|LEFT\b|ORDER\b|GROUP\b)"
    r"([A-Za-z_]\w*))?",
    re.IGNORECASE,
)
_SCAN = re.compile(r"^SCAN (?:TABLE )?(\w+)(?: AS (\w+))?")


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement pufa's SQLite connections run while the test runs."""
    seen: list[str] = []
    original = dbmod.SqliteConnection.__init__

    def traced(self: dbmod.SqliteConnection, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        self.raw.set_trace_callback(seen.append)

    monkeypatch.setattr(dbmod.SqliteConnection, "__init__", traced)
    yield seen


@pytest.fixture
def ledger(sqlite_db: str, pufa, monkeypatch: pytest.MonkeyPatch) -> str:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", AS_OF)
    steps = [
        ("init", "-q"),
        ("unit", "add", "區教育局", "-q"),
        ("assign", "19", "區教育局", "區依法治區辦公室", "--lead", "區教育局", "-q"),
        ("assign", "10", "區教育局", "-q"),
        ("log", "10", "--unit", "區教育局", "--metric", "training_days=5", "--date", "2011-02-01"),
        ("log", "19", "--unit", "區教育局", "--metric", "bases=30", "--date", "2011-03-31"),
        ("log", "19", "--unit", "區依法治區辦公室", "--percent", "20", "--date", "2011-05-01"),
        ("log", "8", "--unit", "區依法治區辦公室", "--percent", "60", "--date", "2011-06-30"),
        ("retract", "3", "--reason", "重複填報", "-q"),
    ]
    for args in steps:
        r = pufa(*args)
        assert r.code == 0, (args, r)
    return sqlite_db


def scans_of_progress(db: sqlite3.Connection, sql: str) -> list[str]:
    """The plan lines of ``sql`` that read all of entries or entry_metrics."""
    names = {t.lower() for t in PROGRESS_TABLES}
    for _table, alias in _ALIAS.findall(sql):
        if alias:
            names.add(alias.lower())
    found = []
    for _id, _parent, _unused, detail in db.execute("EXPLAIN QUERY PLAN " + sql):
        m = _SCAN.match(detail)
        if m and {n.lower() for n in m.groups() if n} & names:
            found.append(detail)
    return found


def queries(seen: list[str]) -> list[str]:
    return [
        s
        for s in seen
        if s.lstrip().upper().startswith(("SELECT", "WITH"))
        and "sqlite_master" not in s
        and "alembic_version" not in s
    ]


COMMANDS = {
    "tasks": ("tasks", "--as-of", AS_OF),
    "tasks --unit": ("tasks", "--as-of", AS_OF, "--unit", "區教育局"),
    "show": ("show", "19", "--as-of", AS_OF),
    "report": ("report", "--quarter", "4"),
    "report --by unit": ("report", "--quarter", "2", "--by", "unit"),
    "report --by task": ("report", "--quarter", "4", "--by", "task"),
    "report --unit": ("report", "--quarter", "3", "--unit", "區教育局", "-f", "json"),
    # One of task 10's two targets: the other's latest value is looked up for the percent.
    "log": (
        "log",
        "10",
        "--unit",
        "區教育局",
        "--metric",
        "study_hours=20",
        "--date",
        "2011-09-01",
    ),
    "unit list": ("unit", "list", "--as-of", AS_OF),
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_no_full_scan_of_the_progress_tables(
    name: str,
    ledger: str,
    pufa,  # type: ignore[no-untyped-def]
    recorded: list[str],
) -> None:
    recorded.clear()
    r = pufa(*COMMANDS[name])
    assert r.code == 0, r
    statements = queries(recorded)
    # The probe saw the command's real queries, among them one that reads progress.
    assert any(re.search(r"\bentries\b", s) for s in statements), statements
    db = sqlite3.connect(ledger)
    try:
        bad = {s: scans_of_progress(db, s) for s in statements}
    finally:
        db.close()
    assert {s: plan for s, plan in bad.items() if plan} == {}


def test_the_probe_sees_a_full_scan() -> None:
    """The detector itself: a query without a usable index is caught, with or without alias."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, task_id INT, percent INT)")
    db.execute("CREATE TABLE entry_metrics (entry_id INT, target_id INT, value REAL)")
    assert scans_of_progress(db, "SELECT percent FROM entries WHERE task_id = 3")
    assert scans_of_progress(db, "SELECT e.percent FROM entries e WHERE e.task_id = 3")
    assert scans_of_progress(db, "SELECT m.value FROM entry_metrics AS m WHERE m.target_id = 1")
    assert not scans_of_progress(db, "SELECT percent FROM entries WHERE id = 3")


@pytest.mark.parametrize(
    "form",
    ["one pass", "one pass with items", "report rows", "report rows, plan due"],
)
def test_the_per_task_rows_are_grouped_without_a_sort(ledger: str, form: str) -> None:
    # The per-task GROUP BY follows the order the plan's tasks are read in (their unique index
    # on plan, number and item, then the row id): at 100,000 tasks a sort of every task into a
    # temporary B-tree first is time lost. The report's own outer GROUP BY (a row a section)
    # is not in these statements.
    from pufa_cli.progress import task_rows_one_pass_sql, task_rows_sql
    from pufa_cli.report.build import SECTION_JOIN, TASK_COLUMNS

    sql = {
        "one pass": task_rows_one_pass_sql(),
        "one pass with items": task_rows_one_pass_sql(
            {"item": "t.item", "parent_id": "t.parent_id"}
        ),
        "report rows": task_rows_sql(TASK_COLUMNS, SECTION_JOIN),
        "report rows, plan due": task_rows_sql(TASK_COLUMNS, SECTION_JOIN, against_plan=True),
    }[form]
    db = sqlite3.connect(ledger)
    try:
        plan = [
            row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, {"plan": 1, "as_of": AS_OF})
        ]
        rows = db.execute(sql, {"plan": 1, "as_of": AS_OF}).fetchall()
    finally:
        db.close()
    assert len(rows) == 23  # the 2011 plan's tasks, one row each
    assert any("USING INDEX sqlite_autoindex_tasks_1" in p for p in plan), plan
    assert [p for p in plan if "TEMP B-TREE FOR GROUP BY" in p] == []


def _report_plan(ledger: str, pufa: Any, recorded: list[str]) -> list[tuple[str, str]]:
    """(statement, plan line) for each line of EXPLAIN QUERY PLAN of each statement that
    ``pufa report`` runs."""
    recorded.clear()
    r = pufa(*COMMANDS["report"])
    assert r.code == 0, r
    db = sqlite3.connect(ledger)
    try:
        return [
            (s, row[3]) for s in queries(recorded) for row in db.execute("EXPLAIN QUERY PLAN " + s)
        ]
    finally:
        db.close()


def test_the_report_reads_assignments_and_plans_from_indexes_alone(
    ledger: str,
    pufa,  # type: ignore[no-untyped-def]
    recorded: list[str],
) -> None:
    # Migration 0014: the report reads each assignment's unit and own due date from
    # ix_assignments_task_unit_due (no visit to the row), and finds its plan by office and year
    # through ix_plans_office_year (not every plan of the office read to test its year).
    lines = _report_plan(ledger, pufa, recorded)
    assignments = [d for _s, d in lines if re.search(r"\b(SEARCH|SCAN) (a|assignments)\b", d)]
    assert assignments, lines  # the report reads them
    assert [d for d in assignments if "COVERING INDEX" not in d and "PRIMARY KEY" not in d] == []
    assert any("ix_assignments_task_unit_due" in d for d in assignments), assignments
    plans = [d for _s, d in lines if re.search(r"\b(SEARCH|SCAN) plans\b", d)]
    assert all("ix_plans_office_year" in d for d in plans), plans
    assert any("ix_plans_office_year (office_id=? AND year=?)" in d for d in plans), plans


def test_the_report_reads_each_assignments_latest_entry_from_latest_entries(
    ledger: str,
    pufa,  # type: ignore[no-untyped-def]
    recorded: list[str],
) -> None:
    # Migration 0015: SQLite keeps each (task, unit)'s latest counting entry as PostgreSQL
    # does; the report seeks it by its primary key, and walks ix_entries_latest only for a
    # kept entry dated after the report's date (in the CASE that reads it).
    lines = [d for s, d in _report_plan(ledger, pufa, recorded) if "latest_entries" in s]
    kept = [d for d in lines if re.search(r"\b(SEARCH|SCAN) m\b", d)]
    assert kept and all("USING PRIMARY KEY (task_id=? AND unit_id=?)" in d for d in kept), lines

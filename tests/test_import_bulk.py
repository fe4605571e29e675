"""The entry key's stored form, and the bulk path of a large import (indexes rebuilt after the
insert on SQLite): the same rows as the ordinary path, and nothing changed when it fails."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import dump_db
from pufa_cli.errors import RuntimeFailure
from pufa_cli.exchange import write as importer
from pufa_cli.store import SqliteConnection
from pufa_cli.tracker import entry_key
from test_latest_entries import _python_latest

SJ, JY, TW = "區司法局", "區教育局", "區團委"
HEADER = [
    "year",
    "task",
    "unit",
    "date",
    "percent",
    "metrics",
    "note",
    "by",
    "recorded_at",
    "retracted",
    "retracted_at",
    "retracted_by",
    "retraction_reason",
]


# --- the key -------------------------------------------------------------------------------


def test_the_entry_key_is_the_documented_form() -> None:
    """Keys are stored: an old export must be recognised by every later pufa, so the form is
    pinned here, written out by hand."""
    canonical = (
        "2011|10|2011-03-31|55|"  # year, task, date, percent
        "4|區司法局|7|a|b\nc|d|1|王|"  # unit, note, by: each with its length
        "11|study_hours|35.0|13|training_days|6.5|"  # metrics by key
    )
    expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    key = entry_key(
        2011,
        10,
        SJ,
        date(2011, 3, 31),
        55,
        {"training_days": 6.5, "study_hours": 35},
        "a|b\nc|d",
        "王",
    )
    assert key == expected


def test_texts_that_join_alike_get_different_keys() -> None:
    """Every text carries its length, so moving a separator between fields changes the key."""
    day = date(2011, 1, 1)
    variants: list[tuple[str, dict[str, float], str, str]] = [
        (SJ, {}, "a|1|b", "c"),
        (SJ, {}, "a", "b|1|c"),
        (SJ, {}, "a|", "|c"),
        (SJ, {}, "a", "|c"),
        (SJ + "|1|a", {}, "", "c"),
        (SJ, {"x": 1.0}, "", "c"),
        (SJ, {"x": 1.0, "y": 2.0}, "", "c"),
        (SJ, {"x|1|y": 2.0}, "", "c"),
        (SJ, {"x": 12.0}, "", "c"),
        (SJ, {"x": 1.5}, "", "c"),
    ]
    keys = {entry_key(2011, 19, u, day, 40, m, n, b) for u, m, n, b in variants}
    assert len(keys) == len(variants)
    # Whole numbers of a metric and their float are the same value, hence the same key.
    assert entry_key(2011, 19, SJ, day, 40, {"x": 3}, "", "c") == entry_key(
        2011, 19, SJ, day, 40, {"x": 3.0}, "", "c"
    )


# --- the bulk path ---------------------------------------------------------------------------


def ok(pufa: Any, *args: Any) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def ledger(path: Path, pufa: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PUFA_DB", str(path))
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    ok(pufa, "init", "-q")
    for name in (SJ, JY, TW):
        ok(pufa, "unit", "add", name, "-q")
    ok(pufa, "assign", "19", JY, TW, "--lead", JY, "-q")
    ok(pufa, "assign", "10", SJ, "-q")
    # One entry already there, so that the import adds to a ledger that is not empty.
    ok(pufa, "log", "19", "--unit", JY, "--percent", "5", "--date", "2011-01-03", "--by", "甲")
    return str(path)


def rows(n: int) -> list[list[Any]]:
    out = []
    for i in range(n):
        month, day = 1 + i % 12, 1 + i % 28
        recorded = f"2011-{month:02d}-{day:02d}T09:{i % 60:02d}:00"
        if i % 3 == 0:
            row = [2011, 10, SJ, f"2011-{month:02d}-{day:02d}", i % 101, f"study_hours={i % 50}"]
        else:
            row = [2011, 19, JY if i % 2 else TW, f"2011-{month:02d}-{day:02d}", i % 101, ""]
        row += [f"第{i}次", "王", recorded]
        if i % 7 == 0:
            row += ["true", f"2011-12-{1 + i % 28:02d}T10:00:00", "李", "重複"]
        else:
            row += ["false", "", "", ""]
        out.append(row)
    return out


def write_csv(path: Path, data: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        out.writerows(data)
    return path


def schema_of(path: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        db.close()


def test_a_large_import_rebuilds_the_indexes_and_writes_what_the_ordinary_path_writes(
    tmp_path: Path, pufa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = write_csv(tmp_path / "進展.csv", rows(300))
    ordinary = ledger(tmp_path / "ordinary.db", pufa, monkeypatch)
    bulk = str(tmp_path / "bulk.db")
    shutil.copyfile(ordinary, bulk)  # the same ledger, to the second (created_at)
    schema = schema_of(ordinary)
    monkeypatch.setattr(importer, "REBUILD_MIN", 10**9)
    ok(pufa, "import", csv_path, "-q")

    monkeypatch.setenv("PUFA_DB", bulk)
    monkeypatch.setattr(importer, "REBUILD_MIN", 1)
    dropped: list[str] = []
    real_run = SqliteConnection.run

    def run(self: Any, sql: str, params: Any = None) -> int:
        if sql.startswith(("DROP INDEX", "DROP TRIGGER")):
            dropped.append(sql)
        return real_run(self, sql, params)

    monkeypatch.setattr(SqliteConnection, "run", run)
    r = ok(pufa, "import", csv_path)
    assert "added 300" in r.err
    # The entries' indexes, and the triggers that keep latest_entries (filled again after).
    assert sorted(dropped) == ['DROP INDEX "ix_entries_key"', 'DROP INDEX "ix_entries_latest"'] + [
        f'DROP TRIGGER "pufa_latest_{t}"' for t in ("ed", "ei", "eu", "rd", "ri", "ru")
    ]

    # Every row the same, latest_entries' included (kept by the triggers on the ordinary path).
    assert dump_db(bulk) == dump_db(ordinary)
    assert dump_db(bulk)["latest_entries"] == _python_latest(bulk)
    assert schema_of(bulk) == schema
    # Each row's metrics and retraction are on its own entry (found by its note).
    exported = json.loads(ok(pufa, "export", "-w", "entries", "-f", "json").out)
    got = {e["note"]: (e["metrics"], e["retracted"]) for e in exported if e["by"] == "王"}
    assert got == {
        f"第{i}次": ({"study_hours": i % 50} if i % 3 == 0 else {}, i % 7 == 0) for i in range(300)
    }
    db = sqlite3.connect(bulk)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()
    # And the rows are recognised through the rebuilt key index.
    r = ok(pufa, "import", csv_path)
    assert "added 0, already present 300" in r.err


def test_a_failure_after_the_indexes_are_dropped_changes_nothing(
    tmp_path: Path, pufa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = write_csv(tmp_path / "進展.csv", rows(50))
    path = ledger(tmp_path / "pufa.db", pufa, monkeypatch)
    before, schema = dump_db(path), schema_of(path)
    monkeypatch.setattr(importer, "REBUILD_MIN", 1)

    dropped: list[str] = []
    real_run = SqliteConnection.run

    def run(self: Any, sql: str, params: Any = None) -> int:
        if sql.startswith("DROP INDEX"):
            dropped.append(sql)
        return real_run(self, sql, params)

    def fail(*_args: Any) -> Any:
        raise RuntimeFailure("disk full")

    monkeypatch.setattr(SqliteConnection, "run", run)
    # While the entries go in, after their indexes are dropped.
    monkeypatch.setattr(importer, "entry_values", fail)
    r = pufa("import", csv_path)
    assert r.code == 1, r
    assert r.err.strip() == "Error: disk full"
    assert len(dropped) == 2  # and the six triggers, restored with them by the rollback
    assert dump_db(path) == before
    assert schema_of(path) == schema

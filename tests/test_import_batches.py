"""Import in batches (issue 19): rows are checked and written a batch at a time inside the one
transaction, so a bad row after the first batch still leaves the database as it was, and rows of
one key are matched across batches as in one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import dump_db
from pufa_cli.exchange import importer, write
from test_import_bulk import JY, SJ, TW, ledger, ok, rows, write_csv

# The entry ``ledger`` logs: task 19, JY, 5 %, 2011-01-03, by 甲.
THERE = [2011, 19, JY, "2011-01-03", 5, "", "", "甲", "", "false", "", "", ""]


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "BATCH_ROWS", 4)


@pytest.mark.parametrize("rebuild", [False, True])
def test_a_bad_row_after_the_first_batch_changes_nothing(
    tmp_path: Path, pufa: Any, monkeypatch: pytest.MonkeyPatch, rebuild: bool
) -> None:
    path = ledger(tmp_path / "pufa.db", pufa, monkeypatch)
    monkeypatch.setattr(write, "REBUILD_MIN", 1 if rebuild else 10**9)
    data = rows(30)
    data[21][4] = 150  # line 23 (the header is line 1): batches 1-5 are written before it
    data[26][2] = SJ  # line 28: SJ is not assigned to task 19
    data[26][0], data[26][1] = 2011, 19
    csv_path = write_csv(tmp_path / "進展.csv", data)
    before = dump_db(path)
    r = pufa("import", csv_path)
    assert r.code == 2, r
    lines = [" ".join(line.split()) for line in r.err.splitlines()]
    assert any(line.startswith(f"{csv_path}:23: ") and "150" in line for line in lines), r.err
    assert any(
        line.startswith(f"{csv_path}:28: unit {SJ} is not assigned to task 19") for line in lines
    ), r.err
    assert f"{csv_path}: 2 row(s) not valid; nothing was imported" in r.err
    assert dump_db(path) == before


@pytest.mark.parametrize("rebuild", [False, True])
def test_rows_of_one_key_are_matched_across_batches(
    tmp_path: Path, pufa: Any, monkeypatch: pytest.MonkeyPatch, rebuild: bool
) -> None:
    path = ledger(tmp_path / "pufa.db", pufa, monkeypatch)
    monkeypatch.setattr(write, "REBUILD_MIN", 1 if rebuild else 10**9)
    data = rows(12)
    twice = data[1]
    # The entry there, in batches 1, 2 and 4: one is present, two are added. A row not there, in
    # batch 1 and again in batch 4: both added (the first, written in batch 1, is not taken for
    # an entry that was there).
    data = [THERE, *data[:6], THERE, *data[6:], list(twice), THERE]
    csv_path = write_csv(tmp_path / "進展.csv", data)
    r = ok(pufa, "import", csv_path)
    assert "added 15, already present 1" in r.err, r.err
    db = dump_db(path)
    r = ok(pufa, "import", csv_path)
    assert "added 0, already present 16" in r.err, r.err
    assert dump_db(path) == db


def test_the_assignments_of_later_batches_are_written(
    tmp_path: Path, pufa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger(tmp_path / "pufa.db", pufa, monkeypatch)
    data = rows(12)
    data[10][:3] = [2011, 19, SJ]
    data[11][:3] = [2011, 10, TW]
    csv_path = write_csv(tmp_path / "進展.csv", data)
    r = ok(pufa, "import", csv_path, "--assign", "--dry-run")
    assert "would add 12, already present 0; retractions 2, assignments 2" in r.err, r.err
    r = ok(pufa, "import", csv_path, "--assign")
    assert "added 12, already present 0; retractions 2, assignments 2" in r.err, r.err
    r = ok(pufa, "import", csv_path)
    assert "added 0, already present 12" in r.err, r.err

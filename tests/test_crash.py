"""A laptop loses power mid-import: ``kill -9`` of ``pufa import`` (100,000 entries) at five
moments spread over the run. Each time the database passes ``pufa check`` and holds all of the
file's entries or none of them, and it takes the same import again afterwards."""

from __future__ import annotations

import contextlib
import csv
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import dump_db, pufa_executable

pytestmark = pytest.mark.slow

ROWS = 100_000
UNIT = "區依法治區辦公室"
# Kill moments, as fractions of one measured full import (start-up, reading, checking rows,
# writing, committing), and one more as soon as the write transaction reaches the -wal file.
MOMENTS = (0.05, 0.25, 0.5, 0.75, 0.95)


def _write_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["year", "task", "unit", "date", "percent", "metrics", "note", "by"])
        for i in range(ROWS):
            out.writerow(
                [
                    2011,
                    1 + i % 23,
                    UNIT,
                    f"2011-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    i % 101,
                    "",
                    f"row {i}",
                    "crash-test",
                ]
            )


def _import(db: Path, source: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PUFA_DB": str(db), "PUFA_TODAY": "2011-12-31"}
    return subprocess.Popen(
        [pufa_executable(), "import", str(source), "--assign", "-q"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _imported(db: Path) -> int:
    return _count(db, "SELECT count(*) FROM entries WHERE recorded_by = 'crash-test'")


def _assignments(db: Path) -> int:
    return _count(db, "SELECT count(*) FROM assignments")


def test_kill_9_during_import_leaves_all_or_nothing(sqlite_db, pufa, tmp_path, capsys):
    assert pufa("init", "-q").code == 0
    source = tmp_path / "entries.csv"
    _write_csv(source)
    before = dump_db(sqlite_db)

    def fresh(name: str) -> Path:
        path = tmp_path / name
        r = pufa("backup", path, "-q")
        assert r.code == 0, r
        return path

    # One full run: it must succeed, and it tells how long a run takes on this machine.
    full = fresh("full.db")
    started = time.monotonic()
    proc = _import(full, source)
    _, err = proc.communicate(timeout=600)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, err
    assert _imported(full) == ROWS
    assigned = _assignments(full)
    assert assigned > len(before["assignments"])

    outcomes: list[tuple[object, bool, int | None, int]] = []
    for i, moment in enumerate((*MOMENTS, "writing")):
        db = fresh(f"crash{i}.db")
        wal = Path(f"{db}-wal")
        proc = _import(db, source)
        if moment == "writing":
            # One more moment, sure to fall inside the write transaction: as soon as its pages
            # start to reach the -wal file (before the commit record).
            deadline = time.monotonic() + 10 * elapsed
            while proc.poll() is None and time.monotonic() < deadline:
                if wal.exists() and wal.stat().st_size > 0:
                    break
                time.sleep(0.001)
        else:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=elapsed * float(moment))
        wal_bytes = wal.stat().st_size if wal.exists() else 0
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        killed = proc.returncode == -signal.SIGKILL

        r = pufa("check", "--db", db)
        assert r.code == 0, (moment, r)
        n = _imported(db)
        outcomes.append((moment, killed, wal_bytes if killed else None, n))
        if n == 0:
            assert dump_db(str(db)) == before, moment
        else:
            assert n == ROWS, (moment, n)
            assert _assignments(db) == assigned

    # (moment, killed?, bytes in the -wal at the kill, entries afterwards); see pytest -s
    with capsys.disabled():
        print(f"\nfull import {elapsed:.1f} s; kills: {outcomes}")
    assert any(killed for _, killed, _, _ in outcomes), outcomes
    # The database that was killed last takes the import again, completely.
    proc = _import(db, source)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert _imported(db) == ROWS
    assert pufa("check", "--db", db).code == 0

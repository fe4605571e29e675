"""A laptop loses power mid-import: ``kill -9`` of ``pufa import`` (100,000 entries) at five
moments spread over the run. Each time the database passes ``pufa check`` and holds all of the
file's entries or none of them, and it takes the same import again afterwards."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
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


# kill -9 at the N-th statement a migration sends (or at its commit), for N = 1, 2, … until a
# run completes: counted by SQLAlchemy events in the pufa process itself, so every statement of
# every migration is a kill point. The driver imports pufa once and forks one child per kill
# (a fresh interpreter per kill would take a second each); each child works on its own copy,
# kept for the test to inspect. Prints the list of N whose child was killed.
KILL_EACH = """
import json, os, shutil, signal, sys
import alembic.command, sqlalchemy, typer
from sqlalchemy import event
from sqlalchemy.engine import Engine
import pufa_cli.cli, pufa_cli.models, pufa_cli.store
from pufa_cli.main import run
original, folder, args = sys.argv[1], sys.argv[2], sys.argv[3:]
state = {"n": 0, "sent": 0}
def count(*_args, **_kw):
    state["sent"] += 1
    if state["sent"] == state["n"]:
        os.kill(os.getpid(), signal.SIGKILL)
event.listen(Engine, "before_cursor_execute", count)
event.listen(Engine, "commit", count)
killed = []
for n in range(1, 1000):
    db = os.path.join(folder, f"kill{n}.db")
    if original != "-":
        shutil.copyfile(original, db)
    pid = os.fork()
    if pid == 0:
        state["n"] = n
        os.environ["PUFA_DB"] = db
        os._exit(run(args))
    _pid, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        killed.append(n)
        continue
    assert os.WEXITSTATUS(status) == 0, (n, status)
    break
print(json.dumps(killed))
"""


def _kill_at_each_statement(original: Path | None, folder: Path, *args: str) -> list[int]:
    """Run ``pufa args`` killed at its 1st, 2nd, … statement, each on ``folder/killN.db`` (a
    copy of ``original``, or a new file); the N that were killed."""
    env = {**os.environ, "PUFA_TODAY": "2011-12-31", "PUFA_LANG": "en"}
    folder.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", KILL_EACH, str(original or "-"), str(folder), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return [int(n) for n in json.loads(proc.stdout.splitlines()[-1])]


def _objects(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
        ).fetchall()
    finally:
        conn.close()


def test_kill_9_at_every_statement_of_an_upgrade_leaves_the_old_revision(tmp_path, pufa, capsys):
    """A ledger at the first revision, holding data, upgraded by an everyday command killed at
    each statement of the migrations in turn: every time, the copy is still at its revision
    with every row and object, and the next command upgrades it."""
    from pufa_cli.config import resolve_db
    from pufa_cli.schema import KNOWN_REVISIONS, SCHEMA_HEAD
    from test_migrations import LEDGER, _rows_now, build_at, expected_at_head

    first = KNOWN_REVISIONS[0]
    original = tmp_path / "original.db"
    build_at(resolve_db(str(original)), first)
    objects = _objects(original)
    killed = _kill_at_each_statement(original, tmp_path / "kills", "tasks", "--year", "2011")
    assert len(killed) > 20, killed  # every statement of every migration was a kill point
    with capsys.disabled():  # pytest -s shows it (docs/operations.md quotes it)
        print(f"\nupgrade {first} → head killed at each of {len(killed)} statements")
    for n in killed:
        db = tmp_path / "kills" / f"kill{n}.db"
        assert _objects(db) == objects, n
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(first,)]
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            for table, rows in LEDGER.items():
                assert len(conn.execute(f"SELECT * FROM {table}").fetchall()) == len(rows), n
        finally:
            conn.close()
        if n % 10 == 1:  # and it upgrades afterwards, keeping every row (a sample)
            assert pufa("tasks", "--year", "2011", "-q", "--db", db).code == 0
            assert _rows_now(str(db)) == expected_at_head(first)
    # The run that was not killed upgraded its copy.
    r = pufa("db", "current", "--db", tmp_path / "kills" / f"kill{killed[-1] + 1}.db")
    assert f"schema {SCHEMA_HEAD} (at head" in r.out, r


def test_kill_9_at_every_statement_of_init_leaves_an_empty_file_init_then_fills(
    tmp_path, pufa, capsys
):
    """``pufa init`` of a new file killed at each statement: the file holds no table at all (or
    the whole schema, killed after its commit), and init run again makes a working ledger."""
    killed = _kill_at_each_statement(None, tmp_path / "kills", "init", "-q")
    assert len(killed) > 20, killed
    with capsys.disabled():
        print(f"\ninit of a new file killed at each of {len(killed)} statements")
    for n in killed:
        db = tmp_path / "kills" / f"kill{n}.db"
        objects = _objects(db) if db.exists() else []
        names = {name for _type, name in objects}
        assert objects == [] or {"alembic_version", "entries", "plans"} <= names, (n, objects)
        r = pufa("init", "-q", "--db", db)
        assert r.code == 0, (n, r)
        r = pufa("tasks", "-q", "--db", db)
        assert r.code == 0, (n, r)

"""Opening a database: what pufa takes over, what it refuses, what it prints, how it waits.

Only an empty file or one with no tables at all becomes a pufa database; another application's
database is refused unchanged (issue 12.6). Configuration from ``PUFA_*`` variables is checked
like an option (issue 11.6); no form of URL shows its password (12.9); a command waiting for
the write lock longer than ``PUFA_BUSY_TIMEOUT_MS`` says so (12.14); commands started together
on a new file or one needing an upgrade wait for each other (12.5).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import run_installed


def one_line_error(r, code: int) -> None:  # type: ignore[no-untyped-def]
    assert r.code == code, r
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r
    assert "Traceback" not in r.err + r.out


def digest(path: Path) -> dict[str, str]:
    """Each file of the database (main, -wal, -shm) and its content hash."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.parent.glob(path.name + "*"))
    }


def make(path: Path, *sql: str) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in sql:
            conn.execute(statement)
    finally:
        conn.close()
    return path


FOREIGN = {
    "an empty alembic_version beside other tables": (
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)",
        "INSERT INTO orders (item) VALUES ('茶')",
    ),
    "an empty alembic_version alone": (
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
    ),
    "only views": ("CREATE VIEW v AS SELECT 1 AS one",),
    "only an index-less trigger-less table of its own": (
        "CREATE TABLE orders (id INTEGER PRIMARY KEY)",
    ),
    "another application's revision": (
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
        "INSERT INTO alembic_version VALUES ('ae1027a6acf')",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY)",
    ),
    "a four-digit revision without pufa's tables": (
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
        "INSERT INTO alembic_version VALUES ('0099')",
    ),
}


@pytest.mark.parametrize("case", list(FOREIGN), ids=list(FOREIGN))
@pytest.mark.parametrize("command", [("init", "-q"), ("tasks",), ("db", "upgrade")])
def test_a_foreign_database_is_refused_unchanged(tmp_path, pufa, case, command):
    db = make(tmp_path / "other.db", *FOREIGN[case])
    before = digest(db)
    r = pufa(*command, "--db", db)
    one_line_error(r, 1)
    assert "not a pufa database" in r.err, r
    assert digest(db) == before


def test_a_newer_pufas_database_is_called_that(tmp_path, pufa):
    db = tmp_path / "pufa.db"
    assert pufa("init", "-q", "--db", db).code == 0
    make(db, "UPDATE alembic_version SET version_num = '9999'")
    r = pufa("tasks", "--db", db)
    one_line_error(r, 1)
    assert "written by a newer pufa (schema 9999)" in r.err


def test_a_foreign_wal_database_is_inspected_without_merging_its_wal(tmp_path, pufa):
    """Another application's WAL database, its -wal holding a commit not yet checkpointed:
    pufa looks, refuses, and leaves the -wal (and the file) exactly as they were."""
    db = tmp_path / "other.db"
    keeper = sqlite3.connect(db, isolation_level=None)
    keeper.execute("PRAGMA journal_mode = WAL")
    keeper.execute("PRAGMA wal_autocheckpoint = 0")
    keeper.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)")
    keeper.execute("INSERT INTO orders (item) VALUES ('茶')")
    # Copy the three files while the other application holds them open (as a crash would
    # leave them): the -wal holds the table and its row.
    copy = tmp_path / "copy"
    copy.mkdir()
    for p in tmp_path.glob("other.db*"):
        (copy / p.name).write_bytes(p.read_bytes())
    keeper.close()
    db = copy / "other.db"
    assert Path(f"{db}-wal").stat().st_size > 0
    before = {k: v for k, v in digest(db).items() if not k.endswith("-shm")}
    for command in (("init", "-q"), ("tasks",)):
        r = pufa(*command, "--db", db)
        one_line_error(r, 1)
        assert "not a pufa database" in r.err, r
        assert {k: v for k, v in digest(db).items() if not k.endswith("-shm")} == before


@pytest.mark.parametrize("value", [":memory:", "sqlite://", "sqlite:///", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused_and_no_file_appears(tmp_path, pufa, value, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = pufa("init", "-q", "--db", value)
    one_line_error(r, 2)
    assert "in-memory" in r.err
    assert list(tmp_path.iterdir()) == []


def test_a_path_with_a_question_mark_is_that_file(tmp_path, pufa, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    assert pufa("init", "-q", "--db", "data/a?b.db").code == 0
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["a?b.db"]
    assert pufa("tasks", "-q", "--db", "data/a?b.db").code == 0


# ---------------------------------------------------------------------------------------------
# PUFA_* variables


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "86400001", "1e3"])
def test_a_bad_busy_timeout_is_one_line_exit_2(sqlite_db, pufa, monkeypatch, value):
    assert pufa("init", "-q").code == 0
    monkeypatch.setenv("PUFA_BUSY_TIMEOUT_MS", value)
    r = pufa("tasks")
    one_line_error(r, 2)
    assert "PUFA_BUSY_TIMEOUT_MS" in r.err and repr(value) in r.err.replace('"', "'"), r


def test_the_installed_pufa_refuses_a_bad_busy_timeout_too(tmp_path):
    db = str(tmp_path / "pufa.db")
    assert run_installed("init", "-q", "--db", db).code == 0
    r = run_installed("tasks", "--db", db, env={"PUFA_BUSY_TIMEOUT_MS": "abc"})
    one_line_error(r, 2)


HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def test_a_write_waiting_past_the_busy_timeout_names_the_wait_and_the_variable(
    sqlite_db, pufa, monkeypatch
):
    assert pufa("init", "-q").code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, sqlite_db, "10"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        monkeypatch.setenv("PUFA_BUSY_TIMEOUT_MS", "300")
        started = time.monotonic()
        r = pufa("unit", "add", "區審計局")
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.communicate()
    one_line_error(r, 1)
    assert "0.3 s" in r.err and "PUFA_BUSY_TIMEOUT_MS=300" in r.err, r
    assert 0.25 < waited < 5
    assert pufa("unit", "add", "區審計局", "-q").code == 0  # the lock gone, it goes through


# ---------------------------------------------------------------------------------------------
# Passwords


SECRET_URLS = [
    "postgresql+psycopg://clerk:s3cret@127.0.0.1:1/pufa",
    "postgresql+psycopg://clerk:s3@cret@127.0.0.1:1/pufa",
    "postgresql+psycopg://clerk@127.0.0.1:1/pufa?password=s3cret",
    "postgresql+psycopg://clerk:s3/c?ret@127.0.0.1:1/pufa",
    "postgresql+psycopg://127.0.0.1:1/pufa?user=clerk&sslpassword=s3cret&password=s3cret",
]


@pytest.mark.parametrize("url", SECRET_URLS)
@pytest.mark.parametrize("command", [("tasks",), ("backup", "x.dump"), ("db", "current")])
def test_no_form_of_url_shows_its_password(pufa, url, command):
    r = pufa(*command, "--db", url)
    assert r.code != 0, r
    assert "s3" not in r.out + r.err and "cret" not in r.out + r.err, r
    assert "clerk" in r.err  # the URL is still shown, without its password


def test_the_pg_dump_hint_hides_a_password_with_an_at_sign(pufa):
    r = pufa("backup", "x.dump", "--db", "postgresql+psycopg://clerk:p@ss@db.example/pufa")
    one_line_error(r, 2)
    assert "pg_dump" in r.err and "postgresql://clerk:***@db.example/pufa" in r.err, r
    assert "p@ss" not in r.err and "ss@" not in r.err


# ---------------------------------------------------------------------------------------------
# Commands started together


TOGETHER = """
import json, sys, time
from pathlib import Path
from pufa_cli.main import run
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.002)
sys.exit(run(json.loads(sys.argv[2])))
"""


def _together(tmp_path: Path, db: Path, commands: list[list[str]]) -> list[tuple[int, str]]:
    go = tmp_path / f"go{time.monotonic_ns()}"
    env = {**os.environ, "PUFA_DB": str(db), "PUFA_TODAY": "2011-12-31", "PUFA_LANG": "en"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", TOGETHER, str(go), json.dumps(c)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in commands
    ]
    time.sleep(0.5)
    go.touch()
    out = []
    for p in procs:
        _o, err = p.communicate(timeout=300)
        out.append((p.returncode, err))
    return out


def test_4_inits_of_a_new_file_at_once_all_succeed(tmp_path, pufa):
    db = tmp_path / "pufa.db"
    results = _together(tmp_path, db, [["init", "-q"]] * 4)
    assert results == [(0, "")] * 4
    r = pufa("check", "--db", db)
    assert r.code == 0, r


def test_6_commands_on_a_database_needing_an_upgrade_at_once_all_succeed(tmp_path, pufa):
    from pufa_cli import store
    from pufa_cli.config import resolve_db
    from pufa_cli.schema import KNOWN_REVISIONS, SCHEMA_HEAD

    db = tmp_path / "pufa.db"
    store.migrate(resolve_db(str(db)), KNOWN_REVISIONS[0])
    results = _together(tmp_path, db, [["db", "upgrade", "-q"]] * 3 + [["init", "-q"]] * 3)
    assert results == [(0, "")] * 6
    assert store.current_revision(resolve_db(str(db))) == SCHEMA_HEAD


@pytest.mark.skipif(
    not os.environ.get("PUFA_TEST_PG_URL"), reason="PostgreSQL's advisory lock (CI runs it)"
)
def test_on_postgresql_a_write_waits_for_the_write_lock_and_says_so(db, pufa, monkeypatch):
    from sqlalchemy import create_engine, text

    from pufa_cli.store.postgres import WRITE_LOCK_KEY

    assert pufa("init", "-q").code == 0
    engine = create_engine(db)
    try:
        with engine.connect() as other:  # another pufa command, mid-write
            other.execute(text(f"SELECT pg_advisory_lock({WRITE_LOCK_KEY})"))
            monkeypatch.setenv("PUFA_BUSY_TIMEOUT_MS", "300")
            started = time.monotonic()
            r = pufa("unit", "add", "區審計局")
            waited = time.monotonic() - started
            one_line_error(r, 1)
            assert "0.3 s" in r.err and "PUFA_BUSY_TIMEOUT_MS=300" in r.err, r
            assert 0.25 < waited < 5
            r = pufa("tasks", "-q")  # readers do not wait
            assert r.code == 0, r
            other.execute(text(f"SELECT pg_advisory_unlock({WRITE_LOCK_KEY})"))
    finally:
        engine.dispose()
    assert pufa("unit", "add", "區審計局", "-q").code == 0

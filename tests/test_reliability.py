"""Files and transactions: WAL, busy timeout, foreign keys, write locks taken up front,
owner-only files, refusal of newer or foreign files, backup and check."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import dump_db, run_installed
from pufa_cli import store as dbmod
from pufa_cli.config import resolve_db
from pufa_cli.schema import KNOWN_REVISIONS


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line_error(r, code: int) -> None:  # type: ignore[no-untyped-def]
    assert r.code == code, r
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r
    assert "Traceback" not in r.err + r.out


def raw(path: str | Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), isolation_level=None)


# ---------------------------------------------------------------------------------------------
# SQLite for concurrent use


def test_new_database_is_wal_and_connections_are_set_for_concurrency(sqlite_db, pufa):
    assert pufa("init", "-q").code == 0
    with raw(sqlite_db) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn = dbmod.connect(resolve_db(sqlite_db))
    try:
        assert isinstance(conn, dbmod.SqliteConnection)
        assert conn.scalar("PRAGMA busy_timeout") == 60_000
        assert conn.scalar("PRAGMA foreign_keys") == 1
        assert conn.scalar("PRAGMA synchronous") == 2  # FULL
    finally:
        conn.close()


def test_foreign_keys_are_enforced(sqlite_db, pufa):
    assert pufa("init", "-q").code == 0
    conn = dbmod.connect(resolve_db(sqlite_db))
    try:
        with pytest.raises(sqlite3.IntegrityError), conn.transaction(write=True):
            conn.run(
                "INSERT INTO entries (task_id, unit_id, entry_date, percent, note, recorded_by, "
                "created_at, key) VALUES (99999, 99999, '2011-01-01', 5, '', 'x', "
                "'2011-01-01 00:00:00', 'k')"
            )
    finally:
        conn.close()
    assert dump_db(sqlite_db)["entries"] == []


def test_a_write_transaction_takes_the_write_lock_before_its_first_statement(sqlite_db, pufa):
    assert pufa("init", "-q").code == 0
    conn = dbmod.connect(resolve_db(sqlite_db))
    other = sqlite3.connect(sqlite_db, isolation_level=None, timeout=0)
    try:
        with conn.transaction(write=True):
            # Nothing has been read or written yet, and still no one else may start writing.
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again after commit
        other.execute("ROLLBACK")
        with conn.transaction():
            # a reader does not block writers (WAL)
            conn.scalar("SELECT count(*) FROM tasks")
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()
        conn.close()


def test_concurrent_writers_wait_for_each_other_instead_of_failing(sqlite_db, pufa):
    assert pufa("init", "-q").code == 0
    target = resolve_db(sqlite_db)
    holder = dbmod.connect(target)
    started = threading.Event()
    finished: list[str] = []
    errors: list[BaseException] = []

    def second_writer() -> None:
        conn = dbmod.connect(target)
        try:
            started.wait(10)
            with conn.transaction(write=True):
                conn.run("UPDATE plans SET source = source || 'B'")
            finished.append("B")
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    t = threading.Thread(target=second_writer)
    t.start()
    try:
        with holder.transaction(write=True):
            holder.run("UPDATE plans SET source = source || 'A'")
            started.set()
            # B is now waiting on the lock (busy timeout), not failing
            t.join(0.5)
            assert finished == [] and errors == []
            finished.append("A")
    finally:
        t.join(30)
        holder.close()
    assert errors == [] and finished == ["A", "B"]
    assert dump_db(sqlite_db)["plans"][0][4].endswith("AB")


# ---------------------------------------------------------------------------------------------
# Files: owner-only, newer schema, not a pufa database, unreadable paths


def test_new_files_are_owner_only_whatever_the_umask(sqlite_db, pufa, tmp_path):
    old = os.umask(0)
    try:
        assert pufa("init", "-q").code == 0
        backup = tmp_path / "copy.db"
        assert pufa("backup", backup, "-q").code == 0
    finally:
        os.umask(old)
    for path in (Path(sqlite_db), backup):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.fixture
def newer_db(sqlite_db, pufa) -> Path:  # type: ignore[no-untyped-def]
    assert pufa("init", "-q").code == 0
    with raw(sqlite_db) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999'")
    c.close()
    path = Path(sqlite_db)
    assert not Path(sqlite_db + "-wal").exists()
    return path


EVERY_KIND_OF_COMMAND = [
    ["init"],
    ["db", "upgrade"],
    ["db", "current"],
    ["tasks"],
    ["show", "1"],
    ["log", "19", "--unit", "區依法治區辦公室", "-p", "5", "--assign"],
    ["retract", "1", "--reason", "x"],
    ["unit", "add", "區司法局"],
    ["check"],
    ["backup", "{tmp}/copy.db"],
]


@pytest.mark.parametrize("argv", EVERY_KIND_OF_COMMAND, ids=lambda a: " ".join(a[:2]))
def test_a_database_from_a_newer_pufa_is_refused_unchanged(newer_db, pufa, tmp_path, argv):
    before = sha(newer_db)
    r = pufa(*[a.replace("{tmp}", str(tmp_path)) for a in argv])
    one_line_error(r, 1)
    assert "newer pufa" in r.err and "9999" in r.err
    assert sha(newer_db) == before
    assert not Path(f"{newer_db}-wal").exists()
    assert not (tmp_path / "copy.db").exists()


def test_the_installed_pufa_refuses_a_newer_database(newer_db):
    before = sha(newer_db)
    r = run_installed("tasks")
    one_line_error(r, 1)
    assert sha(newer_db) == before


def _text_file(path: Path) -> None:
    path.write_text("year,task\n2011,19\n", encoding="utf-8")


def _random_bytes(path: Path) -> None:
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(8192)))


def _other_sqlite_app(path: Path) -> None:
    with raw(path) as c:
        c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        c.execute("INSERT INTO notes (body) VALUES ('mine')")
    c.close()


@pytest.mark.parametrize("make", [_text_file, _random_bytes, _other_sqlite_app])
@pytest.mark.parametrize(
    "argv", [["init"], ["tasks"], ["db", "upgrade"], ["db", "current"], ["check"], ["backup", "b"]]
)
def test_a_file_that_is_not_a_pufa_database_is_refused_unchanged(
    tmp_path, pufa, monkeypatch, make, argv
):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "x.db"
    make(path)
    before = sha(path)
    names_before = sorted(p.name for p in tmp_path.iterdir())
    r = pufa(*argv, "--db", str(path))
    one_line_error(r, 1)
    assert "not a pufa database" in r.err
    assert sha(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == names_before  # no -wal, no copy


def test_a_folder_given_as_the_database_is_one_line(tmp_path, pufa):
    folder = tmp_path / "adir"
    folder.mkdir()
    for argv in (["init"], ["tasks"], ["check"], ["db", "current"]):
        r = pufa(*argv, "--db", str(folder))
        one_line_error(r, 1)
    assert list(folder.iterdir()) == []


def test_a_database_in_a_missing_folder_is_one_line(tmp_path, pufa):
    path = tmp_path / "missing" / "pufa.db"
    for argv in (["init"], ["tasks"], ["check"], ["db", "upgrade"], ["backup", "b"]):
        r = pufa(*argv, "--db", str(path))
        one_line_error(r, 1)
    assert not (tmp_path / "missing").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_database_is_one_line_and_unchanged(sqlite_db, pufa):
    assert pufa("init", "-q").code == 0
    path = Path(sqlite_db)
    before = sha(path)
    path.chmod(0)
    try:
        for argv in (["tasks"], ["init"], ["check"], ["log", "1", "-u", "x", "-p", "1"]):
            one_line_error(pufa(*argv), 1)
    finally:
        path.chmod(0o600)
    assert sha(path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_database_refuses_writes_in_one_line(sqlite_db, pufa):
    assert pufa("init", "-q").code == 0
    before = dump_db(sqlite_db)
    Path(sqlite_db).chmod(0o400)
    try:
        one_line_error(pufa("unit", "add", "區司法局"), 1)
    finally:
        Path(sqlite_db).chmod(0o600)
    assert dump_db(sqlite_db) == before


# ---------------------------------------------------------------------------------------------
# backup


def _log(pufa, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        r = pufa("log", "19", "-u", "區依法治區辦公室", "-p", str(i), "--assign", "--by", "t")
        assert r.code == 0, r


def test_backup_is_a_complete_pufa_database_that_passes_check(sqlite_db, pufa, tmp_path):
    assert pufa("init", "-q").code == 0
    _log(pufa, 3)
    dest = tmp_path / "out" / "ledger.db"
    dest.parent.mkdir()
    r = pufa("backup", dest)
    assert r.code == 0, r
    assert r.out.strip() == str(dest)
    assert "3 entries" in r.err
    assert dump_db(str(dest)) == dump_db(sqlite_db)
    r = pufa("check", "--db", dest)
    assert r.code == 0, r
    # 16, issue 16's evidence refs, reviews and digests, entries-office (issue 18), co-leads,
    # the kept latest entries (issue 11, schema 0015)
    assert "All 22 checks passed" in r.out
    # nothing but the copy is left in the folder (no temp file, no -wal)
    assert [p.name for p in dest.parent.iterdir()] == ["ledger.db"]


def test_backup_refuses_to_overwrite_without_force(sqlite_db, pufa, tmp_path):
    assert pufa("init", "-q").code == 0
    dest = tmp_path / "ledger.db"
    dest.write_text("precious", encoding="utf-8")
    r = pufa("backup", dest)
    one_line_error(r, 2)
    assert "--force" in r.err
    assert dest.read_text(encoding="utf-8") == "precious"
    r = run_installed("backup", str(dest), "--force", "-q")
    assert r.code == 0 and r.err == "", r
    assert dump_db(str(dest)) == dump_db(sqlite_db)


def test_backup_into_a_folder_names_the_copy_by_time(sqlite_db, pufa, tmp_path):
    assert pufa("init", "-q").code == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    r = pufa("backup", folder, "-q")
    assert r.code == 0, r
    made = list(folder.iterdir())
    assert len(made) == 1 and made[0].name.startswith("pufa-") and made[0].suffix == ".db"
    assert r.out.strip() == str(made[0])


def test_backup_refuses_the_database_itself_and_a_missing_folder(sqlite_db, pufa, tmp_path):
    assert pufa("init", "-q").code == 0
    before = sha(Path(sqlite_db))
    one_line_error(pufa("backup", sqlite_db, "--force"), 2)
    one_line_error(pufa("backup", tmp_path / "nope" / "b.db"), 1)
    assert sha(Path(sqlite_db)) == before


def test_backup_on_postgresql_names_pg_dump_and_fails(pufa):
    # refused before connecting: no server is needed, and the password is never printed
    r = pufa("backup", "x.dump", "--db", "postgresql+psycopg://clerk:s3cret@db.example:5432/pufa")
    one_line_error(r, 2)
    assert "pg_dump" in r.err and "postgresql://clerk:***@db.example:5432/pufa" in r.err
    assert "s3cret" not in r.err and "+psycopg" not in r.err
    assert not Path("x.dump").exists()


WRITER = """
import sys
from pathlib import Path
from pufa_cli.main import run
stop = Path(sys.argv[1])
n = 0
while not stop.exists() and n < 5000:
    code = run(["log", "19", "-u", "區依法治區辦公室", "-p", str(n % 101), "--by", "w", "-q"])
    if code:
        sys.exit(code)
    n += 1
print(n)
"""


def _entries(path: str | Path) -> int:
    with raw(path) as c:
        n = int(c.execute("SELECT count(*) FROM entries").fetchone()[0])
    c.close()
    return n


def _wait_for_more(path: str, than: int) -> None:
    for _ in range(10_000):
        if _entries(path) > than:
            return
        threading.Event().wait(0.01)
    raise AssertionError("the writer made no progress")


def test_backup_while_another_process_writes_is_a_consistent_snapshot(sqlite_db, pufa, tmp_path):
    assert pufa("init", "-q").code == 0
    assert pufa("assign", "19", "區依法治區辦公室", "-q").code == 0
    env = {**os.environ, "PUFA_TODAY": "2011-12-31"}
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop)], env=env, stdout=subprocess.PIPE, text=True
    )
    copies = []
    try:
        for i in range(5):
            _wait_for_more(sqlite_db, 10 * i)  # the writer is busy while each copy is taken
            dest = tmp_path / f"b{i}.db"
            r = pufa("backup", dest, "-q")
            assert r.code == 0, r
            copies.append(dest)
    finally:
        stop.touch()
        out, _ = writer.communicate(timeout=120)
    assert writer.returncode == 0
    written = int(out.split()[-1])  # log prints each entry id; the last line is the count
    counts = []
    for dest in copies:
        r = pufa("check", "--db", dest)
        assert r.code == 0, r
        ids = [row[0] for row in dump_db(str(dest))["entries"]]
        # a snapshot: every entry committed before it, none half-written, no gaps
        assert sorted(ids) == list(range(1, len(ids) + 1))
        counts.append(len(ids))
    assert counts == sorted(counts) and 0 < counts[0] and counts[-1] <= written
    assert _entries(sqlite_db) == written


# ---------------------------------------------------------------------------------------------
# check


def test_check_passes_on_a_sound_database_and_says_what_it_checked(loaded, pufa):
    _log(pufa, 2)
    r = pufa("check")
    assert r.code == 0, r
    for words in ("schema at head", "entry percent is from 0 to 100", "at most one lead"):
        assert words in r.out
    r = run_installed("check", "-f", "json")
    assert r.code == 0, r
    import json

    data = json.loads(r.out)
    assert data["ok"] is True and {c["check"] for c in data["checks"]} >= {
        "schema",
        "entries-percent",
        "one-lead",
        "retractions-entry",
    }


def test_check_finds_broken_ledger_rules_and_exits_1(loaded, pufa):
    _log(pufa, 1)
    conn = dbmod.connect(resolve_db(loaded))
    try:
        if conn.dialect == "sqlite":
            conn.run("PRAGMA ignore_check_constraints = ON")
        with conn.transaction(write=True):
            # what a hand edit could do, past the schema's own rules: percent out of range,
            # a second lead
            if conn.dialect != "sqlite":
                conn.run("ALTER TABLE entries DROP CONSTRAINT ck_entries_percent_range")
            conn.run("DROP INDEX uq_assignments_one_lead")
            conn.run("UPDATE entries SET percent = 150")
            conn.run(
                "INSERT INTO assignments (task_id, unit_id, role, created_at) "
                "SELECT t.id, u.id, 'lead', '2011-01-01 00:00:00' FROM tasks t, units u "
                "WHERE t.number = 7 AND NOT EXISTS (SELECT 1 FROM assignments a "
                "WHERE a.task_id = t.id AND a.unit_id = u.id)"
            )
            # the kept latest entry (the triggers followed the UPDATE) edited by hand
            pair = conn.rows("SELECT task_id, unit_id FROM latest_entries")
            assert len(pair) == 1 and conn.run("UPDATE latest_entries SET percent = 99") == 1
    finally:
        conn.close()
    r = pufa("check")
    one_line_error(r, 1)
    assert "FAIL  entry percent is from 0 to 100: 1 problem: 1" in r.out
    task, unit = pair[0]
    assert (
        "FAIL  each task and unit's kept latest entry is the latest of its entries: "
        f"1 problem: {task}:{unit}"
    ) in r.out
    assert "FAIL  at most one lead unit per task" in r.out
    assert "ok    schema at head" in r.out
    assert "problems" in r.err


def test_check_finds_orphans_and_a_corrupt_file(sqlite_db, pufa):
    assert pufa("init", "-q").code == 0
    _log(pufa, 1)
    with raw(sqlite_db) as c:
        c.execute("PRAGMA foreign_keys = OFF")
        c.execute("UPDATE entries SET unit_id = 999")
        c.execute(
            "INSERT INTO retractions (entry_id, reason, retracted_by, retracted_at) "
            "VALUES (4242, 'x', 'y', '2011-01-01 00:00:00')"
        )
    c.close()
    r = pufa("check")
    one_line_error(r, 1)
    assert "FAIL  foreign keys" in r.out
    assert "FAIL  entries name an existing unit: 1 problem" in r.out
    assert "FAIL  retractions name an existing entry: 1 problem: 4242" in r.out

    # damage the middle of the file: check says so in one line, never a traceback
    path = Path(sqlite_db)
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 4096):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    r = pufa("check")
    one_line_error(r, 1)


def test_check_of_an_empty_or_missing_database(tmp_path, pufa):
    one_line_error(pufa("check", "--db", tmp_path / "none.db"), 1)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    one_line_error(pufa("check", "--db", empty), 1)
    assert empty.read_bytes() == b""


@pytest.mark.skipif(len(KNOWN_REVISIONS) < 2, reason="one schema revision only")
def test_check_reports_an_old_schema_and_leaves_it_as_it_is(loaded, pufa):
    target = resolve_db(loaded)
    dbmod.migrate(target, KNOWN_REVISIONS[-2], down=True)
    r = pufa("check")
    one_line_error(r, 1)
    assert "FAIL  schema at head" in r.out and "pufa db upgrade" in r.out
    assert dbmod.current_revision(target) == KNOWN_REVISIONS[-2]
    assert pufa("db", "upgrade", "-q").code == 0
    assert pufa("check").code == 0


def test_backup_never_overwrites_a_file_that_appears_while_it_copies(
    sqlite_db, pufa, tmp_path, monkeypatch
):
    from pufa_cli import maintenance
    from pufa_cli.clock import now
    from pufa_cli.errors import Conflict

    assert pufa("init", "-q").code == 0
    dest = tmp_path / "out" / "copy.db"
    dest.parent.mkdir()
    real_copy = maintenance._copy

    def copy_while_someone_writes_dest(src, tmp):  # type: ignore[no-untyped-def]
        dest.write_text("written by someone else meanwhile", encoding="utf-8")
        return real_copy(src, tmp)

    monkeypatch.setattr(maintenance, "_copy", copy_while_someone_writes_dest)
    with pytest.raises(Conflict):
        maintenance.backup(resolve_db(sqlite_db), dest, force=False, now=now())
    assert dest.read_text(encoding="utf-8") == "written by someone else meanwhile"
    assert [p.name for p in dest.parent.iterdir()] == ["copy.db"]  # no temporary file left


# ---------------------------------------------------------------------------------------------
# Leftovers of interrupted exports and backups (issue 12.13)


def _leftover(folder: Path, name: str, *, suffix: str = "", age: float = 3600) -> Path:
    """A temporary file named exactly as pufa's exports and backups name theirs (mkstemp),
    as a kill -9 leaves it: untouched for ``age`` seconds."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    path = Path(tmp + suffix)
    if suffix:
        Path(tmp).rename(path)
    path.write_bytes(b"x" * 100)
    old = time.time() - age
    os.utime(path, (old, old))
    return path


def test_check_reports_leftovers_and_clean_removes_only_pufas(sqlite_db, pufa, tmp_path):
    assert pufa("init", "-q").code == 0
    exports = tmp_path / "exports"
    exports.mkdir()
    left = [
        _leftover(tmp_path, "pufa-20111231-020000.db"),
        _leftover(tmp_path, "pufa-20111231-020000.db", suffix="-wal"),
        _leftover(tmp_path, "pufa-20111231-020000.db", suffix="-shm"),
        _leftover(exports, "報表.xlsx"),
    ]
    keep = [
        _leftover(exports, "running.csv", age=5),  # an export writing right now
        tmp_path / ".notes.tmp",  # not a name pufa gives
        exports / "報表.xlsx",
    ]
    for path in keep[1:]:
        path.write_text("mine")
    r = pufa("check", "--folder", exports)
    one_line_error(r, 1)
    assert "FAIL  no leftovers of interrupted exports or backups: 4 problems" in r.out, r
    for path in left:
        assert str(path) in r.out
    r = pufa("check", "-f", "json")  # the export folder not named: 3 beside the database
    report = json.loads(r.out)
    item = next(c for c in report["checks"] if c["check"] == "leftovers")
    assert item["problems"] == 3 and report["removed"] == []

    r = pufa("check", "--clean", "--folder", exports)
    assert r.code == 0, r
    assert sorted(r.err.splitlines()) == sorted(f"removed {p}" for p in left)
    assert not any(p.exists() for p in left)
    assert all(p.exists() for p in keep)
    assert "ok    no leftovers" in r.out
    assert pufa("check").code == 0

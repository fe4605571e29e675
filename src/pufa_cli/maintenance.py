"""Keeping the ledger safe: ``backup`` (a consistent copy) and ``check`` (is it sound?).

Neither function migrates or writes to the database it reads: a backup of an old schema is a
copy of that old schema, and ``check`` reports a schema behind head instead of upgrading it.

**Backup** uses SQLite's online backup API in one step: the copy is taken inside one read
transaction, so it is a consistent snapshot, and in WAL mode writers go on while it runs. The
copy is written to a temporary file in the destination folder, verified (integrity check),
flushed to disk and only then given the destination's name (replacing a file there only with
``force``), so a crash or a full disk never leaves a half-written file under that name. On
PostgreSQL the server's own tool, ``pg_dump``, is the right one; ``backup`` refuses and prints
its command line.

**Check** runs the engine's own checks (SQLite: ``PRAGMA integrity_check`` and
``PRAGMA foreign_key_check``), then the schema revision, then ledger rules that the schema
cannot express (percent 0–100, at most one lead per task, metrics against the entry's own
task …). Each check counts its problems and names a few of them.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pufa_cli.config import DbTarget
from pufa_cli.errors import BadInput, Conflict, RuntimeFailure, SchemaError
from pufa_cli.files import atomic_path
from pufa_cli.i18n import _
from pufa_cli.schema import SCHEMA_HEAD
from pufa_cli.store import Connection, SqliteConnection, open_server, schema_state
from pufa_cli.store.opening import _check_revision
from pufa_cli.store.sql import LATEST_COLUMNS, LATEST_FROM_ENTRIES

EXAMPLES = 5  # problems named per check; the rest are counted

# What an interrupted export or backup leaves: its temporary file (``.NAME.`` + mkstemp's 8
# random characters + ``.tmp``) and, for a backup, that file's own -wal, -shm or -journal.
LEFTOVER = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp(-wal|-shm|-journal)?$")
# A file still being written is no leftover: only one untouched for this long counts.
LEFTOVER_AGE_S = 600


@dataclass
class CheckItem:
    """One check: what was checked, how many problems, and a few of them."""

    key: str  # stable, for JSON
    label: str
    problems: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problems == 0


@dataclass
class CheckReport:
    where: str
    engine: str
    revision: str | None
    items: list[CheckItem]
    removed: list[Path] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(1 for i in self.items if not i.ok)

    @property
    def ok(self) -> bool:
        return self.problems == 0


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    revision: str | None
    entries: int


def open_unchanged(target: DbTarget) -> tuple[Connection, str | None]:
    """Open a pufa database for reading without migrating it: (connection, revision).

    A missing file, a file that is not a pufa database and a database from a newer pufa are
    refused (exit 1), and the file is left as it was.
    """
    conn: Connection
    if target.path is not None:
        if not target.path.exists():
            raise RuntimeFailure(
                _("no database at {path}: run 'pufa init' first").format(path=target.path)
            )
        if target.path.is_dir():
            raise SchemaError(_("{path} is a folder, not a pufa database").format(path=target.path))
        conn = SqliteConnection(target.path, readonly=True)
    else:
        conn = open_server(target.url or "")
    try:
        revision = schema_state(conn)
        if revision is None:
            raise RuntimeFailure(
                _("the database at {where} is empty: run 'pufa init' first").format(
                    where=target.display()
                )
            )
        _check_revision(revision, target.display())
    except BaseException:
        conn.close()
        raise
    return conn, revision


# ---------------------------------------------------------------------------------------------
# check


def _ledger_checks() -> tuple[tuple[str, str, str], ...]:
    """(key, label, SQL selecting one value that names each problem), portable SQL.

    The orphan checks repeat what foreign keys guarantee, because SQLite enforces them only on
    connections that turn them on, and a file may have been edited with other tools.
    """
    return (
        (
            "sections-plan",
            _("sections belong to an existing plan"),
            "SELECT s.id FROM sections s "
            "WHERE NOT EXISTS (SELECT 1 FROM plans p WHERE p.id = s.plan_id)",
        ),
        (
            "tasks-section",
            _("tasks belong to an existing section of their own plan"),
            "SELECT t.id FROM tasks t WHERE NOT EXISTS (SELECT 1 FROM sections s "
            "WHERE s.id = t.section_id AND s.plan_id = t.plan_id)",
        ),
        (
            "targets-positive",
            _("targets belong to an existing task and are above 0"),
            "SELECT g.id FROM targets g WHERE g.target <= 0 "
            "OR NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = g.task_id)",
        ),
        (
            "assignments-refs",
            _("assignments name an existing task and unit"),
            "SELECT a.id FROM assignments a "
            "WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = a.task_id) "
            "OR NOT EXISTS (SELECT 1 FROM units u WHERE u.id = a.unit_id)",
        ),
        (
            "assignments-role",
            _("assignment roles are lead, colead or support"),
            "SELECT a.id FROM assignments a WHERE a.role NOT IN ('lead', 'colead', 'support')",
        ),
        (
            "colead-with-lead",
            _("a co-lead only beside its task's lead"),
            "SELECT a.task_id FROM assignments a WHERE a.role = 'colead' AND NOT EXISTS "
            "(SELECT 1 FROM assignments b WHERE b.task_id = a.task_id AND b.role = 'lead')",
        ),
        (
            "one-lead",
            _("at most one lead unit per task"),
            "SELECT a.task_id FROM assignments a WHERE a.role = 'lead' "
            "GROUP BY a.task_id HAVING COUNT(*) > 1",
        ),
        (
            "entries-task",
            _("entries name an existing task"),
            "SELECT e.id FROM entries e "
            "WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = e.task_id)",
        ),
        (
            "entries-unit",
            _("entries name an existing unit"),
            "SELECT e.id FROM entries e "
            "WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.id = e.unit_id)",
        ),
        (
            "entries-office",
            _("entries and assignments name a unit of their plan's office"),
            "SELECT e.id FROM entries e JOIN tasks t ON t.id = e.task_id "
            "JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = e.unit_id "
            "WHERE u.office_id <> p.office_id UNION ALL "
            "SELECT a.id FROM assignments a JOIN tasks t ON t.id = a.task_id "
            "JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = a.unit_id "
            "WHERE u.office_id <> p.office_id",
        ),
        (
            "entries-percent",
            _("entry percent is from 0 to 100"),
            "SELECT e.id FROM entries e WHERE e.percent < 0 OR e.percent > 100",
        ),
        (
            "metrics-refs",
            _("metrics belong to an existing entry and a target of the entry's own task"),
            "SELECT m.entry_id FROM entry_metrics m "
            "LEFT JOIN entries e ON e.id = m.entry_id LEFT JOIN targets g ON g.id = m.target_id "
            "WHERE e.id IS NULL OR g.id IS NULL OR g.task_id <> e.task_id",
        ),
        (
            "metrics-values",
            _("metric values are from 0 to 10^12"),
            "SELECT m.entry_id FROM entry_metrics m WHERE NOT (m.value >= 0 AND m.value <= 1e12)",
        ),
        (
            "retractions-entry",
            _("retractions name an existing entry"),
            "SELECT r.entry_id FROM retractions r "
            "WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.id = r.entry_id)",
        ),
        (
            "latest-entries",
            _("each task and unit's kept latest entry is the latest of its entries"),
            # (task:unit) of each pair whose kept row differs from its entries, either way.
            "SELECT CAST(d.task_id AS TEXT) || ':' || CAST(d.unit_id AS TEXT) FROM ("
            f"SELECT {LATEST_COLUMNS} FROM latest_entries EXCEPT {LATEST_FROM_ENTRIES}) d "
            "UNION SELECT CAST(d.task_id AS TEXT) || ':' || CAST(d.unit_id AS TEXT) FROM ("
            f"{LATEST_FROM_ENTRIES} EXCEPT SELECT {LATEST_COLUMNS} FROM latest_entries) d",
        ),
        (
            "evidence-refs",
            _("evidence names an existing entry and stored file"),
            "SELECT v.id FROM entry_evidence v "
            "WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.id = v.entry_id) "
            "OR NOT EXISTS (SELECT 1 FROM evidence_blobs b WHERE b.id = v.blob_id)",
        ),
        (
            "reviews",
            _("reviews name an existing entry and are approve or return"),
            "SELECT v.id FROM reviews v WHERE v.decision NOT IN ('approve', 'return') "
            "OR NOT EXISTS (SELECT 1 FROM entries e WHERE e.id = v.entry_id)",
        ),
    )


def _collect(item: CheckItem, values: Iterable[object]) -> None:
    for value in values:
        item.problems += 1
        if len(item.examples) < EXAMPLES:
            item.examples.append(str(value))


def _sqlite_checks(conn: SqliteConnection) -> list[CheckItem]:
    integrity = CheckItem("integrity", _("file integrity (PRAGMA integrity_check)"))
    foreign = CheckItem("foreign-keys", _("foreign keys (PRAGMA foreign_key_check)"))
    try:
        _collect(
            integrity,
            (r for (r,) in conn.stream("PRAGMA integrity_check") if str(r) != "ok"),
        )
    except sqlite3.DatabaseError as exc:
        _collect(integrity, [exc])
    try:
        _collect(
            foreign,
            (
                _("{table} row {rowid} → {parent}").format(table=table, rowid=rowid, parent=parent)
                for table, rowid, parent, _fk in conn.stream("PRAGMA foreign_key_check")
            ),
        )
    except sqlite3.DatabaseError as exc:
        _collect(foreign, [exc])
    return [integrity, foreign]


def leftovers(folders: Iterable[Path], *, now: float | None = None) -> list[Path]:
    """pufa's own leftovers in ``folders``: temporary files of interrupted exports and backups
    (and a half-made backup's -wal/-shm), untouched for LEFTOVER_AGE_S."""
    now = time.time() if now is None else now
    found: set[Path] = set()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not LEFTOVER.match(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                if now - entry.stat(follow_symlinks=False).st_mtime >= LEFTOVER_AGE_S:
                    found.add(Path(entry.path))
            except OSError:
                continue
    return sorted(found)


def _leftover_item(
    target: DbTarget, folders: Iterable[Path], clean: bool
) -> tuple[CheckItem, list[Path]]:
    where = list(folders)
    if target.path is not None:
        where.insert(0, target.path.expanduser().resolve().parent)
    item = CheckItem("leftovers", _("no leftovers of interrupted exports or backups"))
    found = leftovers(where)
    removed: list[Path] = []
    if clean:
        for path in found:
            try:
                path.unlink()
                removed.append(path)
            except FileNotFoundError:
                removed.append(path)  # gone meanwhile: as good as removed
            except OSError as exc:
                _collect(item, [f"{path}: {exc.strerror}"])
    else:
        _collect(item, (str(p) for p in found))
    return item, removed


def check(target: DbTarget, folders: Iterable[Path] = (), *, clean: bool = False) -> CheckReport:
    """Check the database at ``target``; it is read, never changed. Leftovers of interrupted
    exports and backups are looked for beside the database and in ``folders``; ``clean``
    removes them (pufa's own temporary files only)."""
    leftover, removed = _leftover_item(target, folders, clean)
    conn, revision = open_unchanged(target)
    try:
        items: list[CheckItem] = []
        with conn.transaction():
            if isinstance(conn, SqliteConnection):
                items += _sqlite_checks(conn)
                engine = "SQLite"
            else:
                connected = CheckItem("connection", _("server answers"))
                if conn.scalar("SELECT 1") != 1:
                    _collect(connected, [_("SELECT 1 did not return 1")])
                items.append(connected)
                engine = conn.dialect
            schema = CheckItem("schema", _("schema at head ({head})").format(head=SCHEMA_HEAD))
            if revision != SCHEMA_HEAD:
                _collect(
                    schema,
                    [_("schema {rev}: run 'pufa db upgrade'").format(rev=revision)],
                )
            items.append(schema)
            # The ledger checks are written for the newest schema: an older one is upgraded
            # first (pufa db upgrade), then checked.
            for key, label, sql in _ledger_checks() if schema.ok else ():
                item = CheckItem(key, label)
                try:
                    _collect(item, (r[0] for r in conn.stream(sql)))
                except sqlite3.DatabaseError as exc:
                    _collect(item, [exc])
                items.append(item)
            if schema.ok:
                from pufa_cli.supervision.evidence import bad_digests

                digests = CheckItem("evidence-digests", _("stored evidence matches its SHA-256"))
                _collect(digests, bad_digests(conn))
                items.append(digests)
    finally:
        conn.close()
    items.append(leftover)
    return CheckReport(target.display(), engine, revision, items, removed)


# ---------------------------------------------------------------------------------------------
# backup


def pg_dump_command(url: str) -> str:
    """The pg_dump command line for a SQLAlchemy URL (driver suffix dropped, password hidden)."""
    scheme, sep, rest = url.partition("://")
    libpq = scheme.split("+", 1)[0] + sep + rest
    shown = DbTarget(None, libpq).display()
    return f"pg_dump --format=custom --file=pufa.dump '{shown}'"


def backup_destination(dest: Path, now: datetime) -> Path:
    """``dest`` itself, or ``pufa-YYYYMMDD-HHMMSS.db`` inside it when it is a folder."""
    if dest.is_dir():
        return dest / f"pufa-{now:%Y%m%d-%H%M%S}.db"
    return dest


def backup(target: DbTarget, dest: Path, *, force: bool, now: datetime) -> BackupResult:
    """Copy the SQLite database at ``target`` to ``dest`` consistently and atomically."""
    if target.path is None:
        raise BadInput(
            _(
                "backup copies SQLite files only; back up a PostgreSQL database with "
                "the server's tool: {command}"
            ).format(command=pg_dump_command(target.url or ""))
        )
    dest = backup_destination(dest.expanduser(), now)
    folder = dest.parent
    if not folder.is_dir():
        raise RuntimeFailure(_("folder {folder} does not exist").format(folder=folder))
    if dest.exists() or dest.is_symlink():
        if dest.is_dir():
            raise BadInput(_("{path} is a folder").format(path=dest))
        if target.path.exists() and dest.resolve() == target.path.resolve():
            raise BadInput(_("{path} is the database itself").format(path=dest))
        if not force:
            raise Conflict(_("{path} exists; use --force to replace it").format(path=dest))
    src, revision = open_unchanged(target)
    assert isinstance(src, SqliteConnection)
    try:
        # private: a copy of the ledger is as private as the ledger (mode 0600).
        with atomic_path(dest, replace=force, private=True) as tmp:
            entries = _copy(src, tmp)
    finally:
        src.close()
    return BackupResult(dest, dest.stat().st_size, revision, entries)


def _copy(src: SqliteConnection, tmp: Path) -> int:
    """Back up into ``tmp`` and verify the copy; return its number of entries."""
    try:
        out = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            # pages=-1: the whole database in one step, inside one read transaction, so the
            # copy is a consistent snapshot even while other processes write (WAL).
            src.raw.backup(out, pages=-1)
            verdict = out.execute("PRAGMA integrity_check").fetchall()
            entries = int(out.execute("SELECT count(*) FROM entries").fetchone()[0])
        finally:
            out.close()
    except sqlite3.Error as exc:
        raise RuntimeFailure(_("backup failed: {reason}").format(reason=exc)) from None
    if verdict != [("ok",)]:
        raise RuntimeFailure(
            _("backup failed: the copy does not pass the integrity check ({reason})").format(
                reason=verdict[0][0]
            )
        )
    return entries

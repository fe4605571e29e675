"""SQLite through the standard library's ``sqlite3`` (no SQLAlchemy on the hot path).

Dates and datetimes go in as ISO text (``date.isoformat()``, ``datetime.isoformat(" ")``, what
the standard library's own, now deprecated, adapters wrote): adapters registered here convert
them in C, so bulk inserts pass tuples straight to ``executemany``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pufa_cli.config import busy_timeout_ms
from pufa_cli.errors import SchemaError
from pufa_cli.i18n import _
from pufa_cli.store.connection import (
    Connection,
    Params,
    Row,
    insert_returning,
    lock_timeout_failure,
)
from pufa_cli.store.sql import REFILL_LATEST

sqlite3.register_adapter(date, date.isoformat)
sqlite3.register_adapter(datetime, lambda moment: moment.isoformat(sep=" "))

# Rows per INSERT … VALUES (…), (…) RETURNING id: within SQLite's 32,766 bound parameters.
INSERT_CHUNK = 2000


class SqliteConnection(Connection):
    dialect = "sqlite"

    def __init__(self, path: Path, *, readonly: bool = False, inspect_only: bool = False) -> None:
        """Open ``path``; ``inspect_only`` opens it truly read-only (mode=ro), to look at a file
        that may not be pufa's without merging its ``-wal`` into it on close."""
        self.timeout_ms = busy_timeout_ms()
        try:
            # Readers open read-write too (SQLite falls back to read-only for a write-protected
            # file) and refuse writes with query_only: a mode=ro connection cannot remove the
            # -wal and -shm files when it closes last, and would leave them next to the file.
            self._db = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode={'ro' if inspect_only else 'rw'}",
                uri=True,
                isolation_level=None,
                timeout=self.timeout_ms / 1000,
                check_same_thread=False,
            )
            try:
                self._db.execute(f"PRAGMA busy_timeout = {self.timeout_ms}")
                self._db.execute("PRAGMA foreign_keys = ON")
                self._db.execute("PRAGMA synchronous = FULL")
                if readonly or inspect_only:
                    self._db.execute("PRAGMA query_only = ON")
            except sqlite3.Error:
                self._db.close()
                raise
        except sqlite3.OperationalError as exc:
            raise SchemaError(
                _("cannot open database {path}: {reason}").format(path=path, reason=exc)
            ) from None
        except sqlite3.DatabaseError as exc:  # SQLITE_NOTADB: a text file, random bytes
            raise SchemaError(
                _("{path} is not a pufa database ({reason})").format(path=path, reason=exc)
            ) from None
        self.path = path

    def rows(self, sql: str, params: Params = None) -> list[Row]:
        return self._db.execute(sql, params or {}).fetchall()

    def stream(self, sql: str, params: Params = None, size: int = 2000) -> Iterator[Row]:
        cur = self._db.execute(sql, params or {})
        while True:
            chunk = cur.fetchmany(size)
            if not chunk:
                return
            yield from chunk

    def run(self, sql: str, params: Params = None) -> int:
        return self._db.execute(sql, params or {}).rowcount

    def run_many(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> None:
        self._db.executemany(sql, seq)

    def insert_many(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        returning_ids: bool = False,
    ) -> list[int]:
        if not returning_ids:
            names = ", ".join(columns)
            marks = "(" + ", ".join("?" for _ in columns) + ")"
            self._db.executemany(f"INSERT INTO {table} ({names}) VALUES {marks}", rows)
            return []
        # SQLite takes at most 32,766 parameters a statement.
        per = max(1, min(INSERT_CHUNK, 32_766 // len(columns)))
        return insert_returning(self._db.execute, table, columns, rows, "?", per)

    @contextmanager
    def bulk_load(self, table: str, rows: int, *, rebuild_from: int) -> Iterator[None]:
        # Many random keys going into an index thrash SQLite's default 2 MB page cache; 64 MB
        # for this one connection takes a third off a 100,000-entry import.
        self._db.execute("PRAGMA cache_size = -65536")
        # A load at least as large as the table (the first import into a new database, say)
        # builds the table's indexes once after the insert instead of keeping them up to date
        # row by row: sorting 100,000 keys at the end is cheaper than 100,000 inserts at random
        # places. Same transaction, so a failure rolls the DROP back with the rest.
        indexes: list[tuple[str, str]] = []
        triggers: list[tuple[str, str]] = []
        if rows >= rebuild_from:
            size = int(
                self._db.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}").fetchone()[0]
            )
            if rows >= size:
                indexes = [
                    (str(name), str(sql))
                    for name, sql in self._db.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                        "AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                        (table,),
                    )
                ]
            if indexes and table == "entries":
                # The triggers that keep latest_entries (migration 0015) go too: a retraction's
                # would look its pair's entries up without ix_entries_latest, each a scan of
                # the table. The kept rows are computed again at the end, in one pass.
                triggers = [
                    (str(name), str(sql))
                    for name, sql in self._db.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                        "AND name LIKE 'pufa\\_latest\\_%' ESCAPE '\\' ORDER BY name"
                    )
                ]
        for name, _sql in indexes:
            self.run(f'DROP INDEX "{name}"')
        for name, _sql in triggers:
            self.run(f'DROP TRIGGER "{name}"')
        yield
        for _name, sql in indexes:
            self.run(sql)
        if triggers:
            self.run("DELETE FROM latest_entries")
            self.run(REFILL_LATEST)
        for _name, sql in triggers:
            self.run(sql)

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[SqliteConnection]:
        # IMMEDIATE takes the write lock now (waiting up to the busy timeout), so a writer never
        # fails half-way with "database is locked"; a reader's DEFERRED BEGIN gives a snapshot.
        try:
            self._db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.OperationalError as exc:
            # sqlite_errorcode: Python 3.11+; 5 SQLITE_BUSY, 6 SQLITE_LOCKED
            if getattr(exc, "sqlite_errorcode", None) in (5, 6) or "locked" in str(exc):
                raise lock_timeout_failure(self.timeout_ms) from None
            raise
        try:
            yield self
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")

    def has_table(self, name: str) -> bool:
        return bool(
            self.rows("SELECT 1 FROM sqlite_master WHERE type='table' AND name=:n", {"n": name})
        )

    def object_count(self) -> int:
        """Tables, views, indexes and triggers, SQLite's own (``sqlite_…``) not counted."""
        sql = "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        return int(self.rows(sql)[0][0])

    def close(self) -> None:
        self._db.close()

    @property
    def raw(self) -> sqlite3.Connection:
        return self._db

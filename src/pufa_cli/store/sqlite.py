"""SQLite through the standard library's ``sqlite3`` (no SQLAlchemy on the hot path)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pufa_cli.errors import SchemaError
from pufa_cli.i18n import _
from pufa_cli.store.connection import Connection, Params, Row

BUSY_TIMEOUT_MS = int(os.environ.get("PUFA_BUSY_TIMEOUT_MS", "60000"))


def _sqlite_param(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


class SqliteConnection(Connection):
    dialect = "sqlite"

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        try:
            # Readers open read-write too (SQLite falls back to read-only for a write-protected
            # file) and refuse writes with query_only: a mode=ro connection cannot remove the
            # -wal and -shm files when it closes last, and would leave them next to the file.
            self._db = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=rw",
                uri=True,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
            )
            try:
                self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                self._db.execute("PRAGMA foreign_keys = ON")
                self._db.execute("PRAGMA synchronous = FULL")
                if readonly:
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

    @staticmethod
    def _params(params: Params) -> Any:
        if not params:
            return {}
        return {k: _sqlite_param(v) for k, v in params.items()}

    def rows(self, sql: str, params: Params = None) -> list[Row]:
        return self._db.execute(sql, self._params(params)).fetchall()

    def stream(self, sql: str, params: Params = None, size: int = 2000) -> Iterator[Row]:
        cur = self._db.execute(sql, self._params(params))
        while True:
            chunk = cur.fetchmany(size)
            if not chunk:
                return
            yield from chunk

    def run(self, sql: str, params: Params = None) -> int:
        return self._db.execute(sql, self._params(params)).rowcount

    def run_many(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> None:
        self._db.executemany(sql, (self._params(p) for p in seq))

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[SqliteConnection]:
        # IMMEDIATE takes the write lock now (waiting up to the busy timeout), so a writer never
        # fails half-way with "database is locked"; a reader's DEFERRED BEGIN gives a snapshot.
        self._db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
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

    def table_count(self) -> int:
        return int(self.rows("SELECT count(*) FROM sqlite_master WHERE type='table'")[0][0])

    def close(self) -> None:
        self._db.close()

    @property
    def raw(self) -> sqlite3.Connection:
        return self._db

"""Opening the database: one small connection API over two drivers.

* **SQLite** (a path): the standard library's ``sqlite3`` directly. Importing SQLAlchemy costs
  ~200 ms, 13 × the start-up floor, and people expect ``pufa log`` and ``pufa report`` to answer
  at once; the SQL they run is plain and portable, so they do not need it.
* **Any other engine** (a SQLAlchemy URL, e.g. ``postgresql+psycopg://…``): SQLAlchemy Core.

Both take the same SQL with ``:name`` parameters and return rows as tuples. Dates go in as
``date`` objects; SQLite hands them back as ISO text, so read them with ``as_date``.

SQLite is opened for concurrent use: WAL journal (set once when the file is created), a busy
timeout, foreign keys on, ``synchronous=FULL`` (a committed entry survives power loss), and
write transactions that take the write lock up front (``BEGIN IMMEDIATE``), so concurrent
writers wait for each other instead of failing with "database is locked".

The schema version is checked with one query on ``alembic_version`` against
``schema.KNOWN_REVISIONS``; Alembic is imported only when a migration has to run.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pufa_cli.config import DbTarget
from pufa_cli.errors import RuntimeFailure, SchemaError
from pufa_cli.i18n import _
from pufa_cli.schema import KNOWN_REVISIONS, SCHEMA_HEAD

BUSY_TIMEOUT_MS = int(os.environ.get("PUFA_BUSY_TIMEOUT_MS", "60000"))

Params = Mapping[str, Any] | None
Row = tuple[Any, ...]


def as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _sqlite_param(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


class Connection:
    """The connection API every domain module uses (see the module docstring)."""

    dialect: str = ""

    def rows(self, sql: str, params: Params = None) -> list[Row]:
        raise NotImplementedError

    def stream(self, sql: str, params: Params = None, size: int = 2000) -> Iterator[Row]:
        raise NotImplementedError

    def run(self, sql: str, params: Params = None) -> int:
        """Execute a statement; return the number of rows it changed."""
        raise NotImplementedError

    def run_many(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> None:
        raise NotImplementedError

    def transaction(self, write: bool = False) -> Any:
        raise NotImplementedError

    def has_table(self, name: str) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def one(self, sql: str, params: Params = None) -> Row | None:
        for row in self.stream(sql, params, size=1):
            return row
        return None

    def scalar(self, sql: str, params: Params = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def insert(self, sql: str, params: Params = None) -> int:
        """Run an INSERT … RETURNING id and return the new id."""
        row = self.one(sql, params)
        assert row is not None
        return int(row[0])


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


class SAConnection(Connection):
    """SQLAlchemy Core, for PostgreSQL and other servers."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, text

        self._text = text
        try:
            self.engine = create_engine(url, future=True)
            self._conn = self.engine.connect()
        except ModuleNotFoundError as exc:
            raise RuntimeFailure(
                _(
                    "the driver for {url} is not installed ({name}); for PostgreSQL: "
                    "pip install 'pufa-cli[postgres]'"
                ).format(url=_short(url), name=exc.name)
            ) from None
        except Exception as exc:
            raise RuntimeFailure(
                _("cannot connect to {url}: {reason}").format(
                    url=_short(url), reason=_first_line(exc)
                )
            ) from None
        self.dialect = self.engine.dialect.name

    def rows(self, sql: str, params: Params = None) -> list[Row]:
        return [tuple(r) for r in self._conn.execute(self._text(sql), dict(params or {}))]

    def stream(self, sql: str, params: Params = None, size: int = 2000) -> Iterator[Row]:
        # yield_per on the statement, not the connection: Connection.execution_options()
        # changes the connection in place, and every later INSERT would then get a
        # server-side cursor too.
        result = self._conn.execute(
            self._text(sql).execution_options(yield_per=size), dict(params or {})
        )
        try:
            for r in result:
                yield tuple(r)
        finally:
            # A reader that stops early must not leave a server-side cursor behind.
            result.close()

    def one(self, sql: str, params: Params = None) -> Row | None:
        # Not through stream(): a server-side cursor cannot run INSERT … RETURNING.
        row = self._conn.execute(self._text(sql), dict(params or {})).first()
        return None if row is None else tuple(row)

    def run(self, sql: str, params: Params = None) -> int:
        return int(self._conn.execute(self._text(sql), dict(params or {})).rowcount)

    def run_many(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        for p in seq:
            batch.append(dict(p))
            if len(batch) >= 5000:
                self._conn.execute(self._text(sql), batch)
                batch = []
        if batch:
            self._conn.execute(self._text(sql), batch)

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[SAConnection]:
        if self._conn.in_transaction():
            self._conn.rollback()
        with self._conn.begin():
            yield self

    def has_table(self, name: str) -> bool:
        from sqlalchemy import inspect

        return bool(inspect(self._conn).has_table(name))

    def table_count(self) -> int:
        from sqlalchemy import inspect

        return len(inspect(self._conn).get_table_names())

    def close(self) -> None:
        self._conn.close()
        self.engine.dispose()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _short(url: str) -> str:
    return DbTarget(None, url).display()


def schema_state(conn: Connection) -> str | None:
    """The revision stored in the database, None for an empty one; SchemaError otherwise."""
    try:
        if not conn.has_table("alembic_version"):
            if conn.table_count() == 0:  # type: ignore[attr-defined]
                return None
            raise SchemaError(_("this database is not a pufa database"))
        row = conn.one("SELECT version_num FROM alembic_version")
    except sqlite3.DatabaseError as exc:
        raise SchemaError(
            _("this file is not a pufa database ({reason})").format(reason=exc)
        ) from None
    return None if row is None else str(row[0])


def _check_revision(revision: str | None, where: str) -> None:
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise SchemaError(
            _("{where} was written by a newer pufa (schema {rev}); upgrade pufa to use it").format(
                where=where, rev=revision
            )
        )


def connect(target: DbTarget, *, readonly: bool = False) -> Connection:
    """Open an existing pufa database at head (migrating an older one first)."""
    if target.path is not None:
        path = target.path
        if not path.exists():
            raise RuntimeFailure(
                _("no database at {path}: run 'pufa init' first").format(path=path)
            )
        conn: Connection = SqliteConnection(path, readonly=readonly)
    else:
        conn = SAConnection(target.url or "")
    try:
        revision = schema_state(conn)
        if revision is None:
            raise RuntimeFailure(
                _("the database at {where} is empty: run 'pufa init' first").format(
                    where=target.display()
                )
            )
        _check_revision(revision, target.display())
        if revision != SCHEMA_HEAD:
            conn.close()
            migrate(target)
            return connect(target, readonly=readonly)
    except BaseException:
        conn.close()
        raise
    return conn


def prepare(target: DbTarget) -> bool:
    """Create the database if needed and migrate it to head. True if it was created.

    A file that is not a pufa database, or one from a newer pufa, is refused unchanged.
    """
    created = False
    if target.path is not None:
        path = target.path
        if target.default:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.parent.is_dir():
            raise RuntimeFailure(_("folder {folder} does not exist").format(folder=path.parent))
        if not path.exists():
            try:
                # Owner-only from the first byte: the ledger is not for other local users.
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                os.close(fd)
            except OSError as exc:
                raise RuntimeFailure(
                    _("cannot create {path}: {reason}").format(path=path, reason=exc.strerror)
                ) from None
            created = True
        conn: Connection = SqliteConnection(path)
    else:
        conn = SAConnection(target.url or "")
    try:
        revision = schema_state(conn)
        _check_revision(revision, target.display())
        if isinstance(conn, SqliteConnection) and revision is None:
            conn.rows("PRAGMA journal_mode = WAL")
    except BaseException:
        conn.close()
        if created and target.path is not None:
            target.path.unlink(missing_ok=True)
        raise
    conn.close()
    if revision != SCHEMA_HEAD:
        migrate(target)
    return created


def alembic_config(connection: Any = None) -> Any:
    from alembic.config import Config

    from pufa_cli.resources import migrations_dir

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def sa_engine(target: DbTarget) -> Any:
    from sqlalchemy import create_engine, event

    if target.path is not None:
        engine = create_engine(f"sqlite:///{target.path}")

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            dbapi_conn.execute("PRAGMA foreign_keys = ON")

        return engine
    return create_engine(target.url or "")


def migrate(target: DbTarget, revision: str = "head", *, down: bool = False) -> None:
    """Run Alembic from code (upgrade, or downgrade with ``down=True``)."""
    from alembic import command

    engine = sa_engine(target)
    try:
        with engine.begin() as sa_conn:
            cfg = alembic_config(sa_conn)
            if down:
                command.downgrade(cfg, revision)
            else:
                command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def current_revision(target: DbTarget) -> str | None:
    """The stored revision (None when empty); SchemaError for one from a newer pufa."""
    conn: Connection = (
        SqliteConnection(target.path) if target.path is not None else SAConnection(target.url or "")
    )
    try:
        revision = schema_state(conn)
    finally:
        conn.close()
    _check_revision(revision, target.display())
    return revision


def dump(conn: Connection, tables: Sequence[str]) -> dict[str, list[Row]]:
    """Every row of ``tables`` in a stable order (tests compare databases before and after)."""
    return {t: sorted(conn.rows(f"SELECT * FROM {t}"), key=repr) for t in tables}

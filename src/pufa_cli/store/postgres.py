"""PostgreSQL (and any other server) through SQLAlchemy Core, imported only when used.

Write transactions are serialised with a transaction-level advisory lock (the same guarantee
SQLite's ``BEGIN IMMEDIATE`` gives): the checks pufa makes before it writes (one lead per task,
a unit's name across scripts, an import's "already present") see every write committed before
them, and nothing commits between the check and the write.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from pufa_cli.config import DbTarget, busy_timeout_ms
from pufa_cli.errors import RuntimeFailure
from pufa_cli.i18n import _
from pufa_cli.store.connection import (
    Connection,
    Params,
    Row,
    _first_line,
    lock_timeout_failure,
)

# pg_advisory_xact_lock key of pufa's write lock (any constant; "pufa" in ASCII).
WRITE_LOCK_KEY = 0x70756661
# Rows per INSERT … VALUES (…), (…) RETURNING id statement.
INSERT_CHUNK = 1000


def sa_url(url: str) -> Any:
    """The SQLAlchemy URL object for ``url``; a password may hold an unescaped ``@``.

    SQLAlchemy's parser ends the password at the first ``@``, so ``user:p@ss@host`` would try
    the host ``ss@host`` (and show that part of the password in the error); the userinfo ends
    at the last ``@`` before the host instead.
    """
    from sqlalchemy.engine import make_url

    scheme, sep, rest = url.partition("://")
    netloc = rest.split("/", 1)[0].split("?", 1)[0]
    if sep and netloc.count("@") > 1:
        userinfo, _at, hostpart = rest.rpartition("@")
        user, _colon, password = userinfo.partition(":")
        from urllib.parse import unquote

        return make_url(f"{scheme}://{hostpart}").set(
            username=unquote(user), password=unquote(password)
        )
    return make_url(url)


def _scrub(text: str, url: Any) -> str:
    """``text`` without the URL's password, should a driver message quote it."""
    password = url.password
    return text.replace(str(password), "***") if password else text


class SAConnection(Connection):
    """SQLAlchemy Core, for PostgreSQL and other servers."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, text

        self._text = text
        self.timeout_ms = busy_timeout_ms()
        try:
            parsed = sa_url(url)
        except Exception as exc:
            raise RuntimeFailure(
                _("cannot connect to {url}: {reason}").format(
                    url=_short(url), reason=_first_line(exc)
                )
            ) from None
        try:
            self.engine = create_engine(parsed)
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
                    url=_short(url), reason=_scrub(_first_line(exc), parsed)
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

    def insert_many(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        returning_ids: bool = False,
    ) -> list[int]:
        names = ", ".join(columns)
        if not returning_ids:
            params = ", ".join(f":{c}" for c in columns)
            self.run_many(
                f"INSERT INTO {table} ({names}) VALUES ({params})",
                (dict(zip(columns, row, strict=True)) for row in rows),
            )
            return []
        ids: list[int] = []
        chunk: list[Sequence[Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= INSERT_CHUNK:
                ids += self._insert_returning(table, columns, chunk)
                chunk = []
        if chunk:
            ids += self._insert_returning(table, columns, chunk)
        return ids

    def _insert_returning(
        self, table: str, columns: Sequence[str], rows: list[Sequence[Any]]
    ) -> list[int]:
        # One statement, rows in the order given; under the write lock nothing else takes ids
        # meanwhile, and a sequence only ascends, so the ids sorted are the ids of the rows in
        # order (RETURNING itself promises no order).
        values = ", ".join(
            "(" + ", ".join(f":c{j}_{i}" for j in range(len(columns))) + ")"
            for i in range(len(rows))
        )
        params = {f"c{j}_{i}": v for i, row in enumerate(rows) for j, v in enumerate(row)}
        result = self._conn.execute(
            self._text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} RETURNING id"),
            params,
        )
        return sorted(int(r[0]) for r in result)

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[SAConnection]:
        if self._conn.in_transaction():
            self._conn.rollback()
        with self._conn.begin():
            if write:
                self.take_write_lock()
            yield self

    def take_write_lock(self) -> None:
        """Wait (up to PUFA_BUSY_TIMEOUT_MS) for the write lock, held to the transaction's end."""
        if self.dialect != "postgresql":
            return
        from sqlalchemy.exc import OperationalError

        if self.timeout_ms == 0:  # do not wait (lock_timeout 0 would mean: wait forever)
            got = self._conn.execute(
                self._text(f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK_KEY})")
            ).scalar()
            if not got:
                raise lock_timeout_failure(self.timeout_ms)
            return
        # SET LOCAL takes no bind parameter; the value is an int checked by config.
        self._conn.execute(self._text(f"SET LOCAL lock_timeout = {int(self.timeout_ms)}"))
        try:
            self._conn.execute(self._text(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"))
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
                raise lock_timeout_failure(self.timeout_ms) from None
            raise
        self._conn.execute(self._text("SET LOCAL lock_timeout TO DEFAULT"))

    def has_table(self, name: str) -> bool:
        from sqlalchemy import inspect

        return bool(inspect(self._conn).has_table(name))

    def object_count(self) -> int:
        """Tables and views in the connection's schema."""
        from sqlalchemy import inspect

        inspector = inspect(self._conn)
        return len(inspector.get_table_names()) + len(inspector.get_view_names())

    def close(self) -> None:
        self._conn.close()
        self.engine.dispose()


def _short(url: str) -> str:
    return DbTarget(None, url).display()

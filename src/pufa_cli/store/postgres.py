"""PostgreSQL: psycopg directly on every command, SQLAlchemy Core only to migrate.

Importing SQLAlchemy (with its psycopg dialect) costs ~0.3 s, most of a district clerk's
``pufa report``; the SQL pufa runs is plain and portable, so ``PgConnection`` hands it to
psycopg itself, as the SQLite path hands it to ``sqlite3``. It keeps what SQLAlchemy did on
this path: ``:name`` parameters (rewritten with SQLAlchemy's own rules, ``%`` doubled), a
server-side cursor when streaming a ``SELECT``, the URL read as SQLAlchemy reads it (same
user, password, host, port, database and query options), and a transaction begun by the
first statement and ended by ``transaction()``. Other servers (any other SQLAlchemy URL) still
go through ``SAConnection``; Alembic, which needs SQLAlchemy, runs only to migrate.

Write transactions are serialised with transaction-level advisory locks (the guarantee SQLite's
``BEGIN IMMEDIATE`` gives a district's file): the checks pufa makes before it writes (one lead
per task, a unit's name across scripts within its office, an import's "already present") see
every write committed before them, and nothing commits between the check and the write. Every
such check is about the rows of one office, so on a city's server the lock is per office where
the server itself confines a command to one office (``take_write_locks``):

* a role bound by row-level security (``pufa db grant``: a district clerk) can change only its
  own office's rows (and add a content-addressed evidence file): it takes the city lock shared,
  then its office's lock. Clerks of different districts do not wait for each other; two of one
  district do;
* the owner and superusers (not bound: they may write any office, move the tree, grant, import
  another office's bundle, migrate) take the city lock exclusively, as every write did before:
  they wait for every writer and every writer waits for them.

The office a role writes is read from ``office_grants`` while the city lock is held (a grant
changes it only under the exclusive lock). Every writer takes the city lock first and at most
one office lock after it, so two writers never wait for each other in a cycle.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from pufa_cli.config import DbTarget, busy_timeout_ms
from pufa_cli.errors import RuntimeFailure
from pufa_cli.i18n import _
from pufa_cli.store.connection import (
    Connection,
    Params,
    Row,
    _first_line,
    batches,
    insert_returning,
    lock_timeout_failure,
)

# The city's write lock: pg_advisory_xact_lock(WRITE_LOCK_KEY) (any constant; "pufa" in
# ASCII), the one-bigint key space. An office's: pg_advisory_xact_lock(WRITE_LOCK_KEY, office
# id), the two-integer key space (a separate one on the server: never the city's key).
WRITE_LOCK_KEY = 0x70756661
# Rows per INSERT … VALUES (…), (…) RETURNING id statement.
INSERT_CHUNK = 1000


def take_write_locks(
    conn: Connection, timeout_ms: int, timed_out: Callable[[BaseException], bool]
) -> int | None:
    """Take the write lock(s) of this transaction (module docstring), waiting up to
    ``timeout_ms`` in all (0: not at all); the office locked, None when the whole city is.

    ``timed_out`` tells the driver's "lock not available" (SQLSTATE 55P03) from other errors.
    """
    deadline = time.monotonic() + timeout_ms / 1000

    def lock(args: str, shared: bool = False) -> None:
        fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        if timeout_ms == 0:  # do not wait (lock_timeout 0 would mean: wait forever)
            if not conn.scalar(f"SELECT {fn.replace('pg_', 'pg_try_', 1)}({args})"):
                raise lock_timeout_failure(timeout_ms)
            return
        left = int((deadline - time.monotonic()) * 1000)
        if left < 1:
            raise lock_timeout_failure(timeout_ms)
        # SET LOCAL takes no bind parameter; the value is an int.
        conn.run(f"SET LOCAL lock_timeout = {left}")
        try:
            conn.scalar(f"SELECT {fn}({args})")
        except Exception as exc:
            if timed_out(exc):
                raise lock_timeout_failure(timeout_ms) from None
            raise
        # Later statements wait for row and table locks as long as they need (as before).
        conn.run("SET LOCAL lock_timeout TO DEFAULT")

    if not conn.scalar("SELECT row_security_active('entries')"):
        lock(str(WRITE_LOCK_KEY))
        return None
    lock(str(WRITE_LOCK_KEY), shared=True)
    office = conn.scalar("SELECT office_id FROM office_grants WHERE role_name = current_user")
    if office is None:  # no office of its own: the policies let it write nothing
        return None
    lock(f"{WRITE_LOCK_KEY}, {int(office)}")
    return int(office)


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
        # The office whose write lock the transaction holds (None: the city's, or none yet).
        self.write_office: int | None = None
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
        for batch in batches((dict(p) for p in seq), 5000):
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
        for batch in batches(rows, INSERT_CHUNK):
            ids += self._insert_returning(table, columns, batch)
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
            self.write_office = None
            if write:
                self.take_write_lock()
            yield self

    def take_write_lock(self) -> None:
        """Wait (up to PUFA_BUSY_TIMEOUT_MS) for the write lock(s), held to the transaction's
        end (``take_write_locks``)."""
        if self.dialect != "postgresql":
            return

        def timed_out(exc: BaseException) -> bool:
            return getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03"

        self.write_office = take_write_locks(self, self.timeout_ms, timed_out)

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


# SQLAlchemy's own patterns (sqlalchemy.sql.compiler, sqlalchemy.engine.url), so a statement
# and a URL mean on psycopg exactly what they meant through SQLAlchemy.
_BIND_PARAMS = re.compile(r"(?<![:\w\$\x5c]):([\w\$]+)(?![:\w\$])", re.UNICODE)
_BIND_PARAMS_ESC = re.compile(r"\x5c(:[\w\$]*)(?![:\w\$])", re.UNICODE)
_SERVER_SIDE = re.compile(r"\s*SELECT", re.I | re.UNICODE)
_URL = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:
            (?P<username>[^:/]*)
            (?::(?P<password>[^@]*))?
        @)?
        (?:
            (?:
                \[(?P<ipv6host>[^/\?]+)\] |
                (?P<ipv4host>[^/:\?]+)
            )?
            (?::(?P<port>[^/\?]*))?
        )?
        (?:/(?P<database>[^\?]*))?
        (?:\?(?P<query>.*))?
    """,
    re.X,
)
# The URL schemes PgConnection serves (psycopg 3 is pufa's PostgreSQL driver).
PSYCOPG_SCHEMES = ("postgresql", "postgresql+psycopg")


@lru_cache(maxsize=1024)
def pg_sql(sql: str) -> str:
    """``sql`` with ``:name`` parameters as psycopg's ``%(name)s``, ``%`` doubled and ``\\:``
    unescaped, as SQLAlchemy's ``text()`` compiles it for psycopg."""
    doubled = sql.replace("%", "%%")
    named = _BIND_PARAMS.sub(lambda m: f"%({m.group(1)})s", doubled)
    return _BIND_PARAMS_ESC.sub(lambda m: m.group(1), named)


def connect_args(url: str) -> dict[str, Any] | None:
    """psycopg's keyword arguments for ``url``, as SQLAlchemy's psycopg dialect passes them
    (``user``, ``password``, ``host``, ``port``, ``dbname``, then the query's options); None
    for a URL only SQLAlchemy should read (another driver, several hosts, a repeated option)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in PSYCOPG_SCHEMES:
        return None
    netloc = rest.split("/", 1)[0].split("?", 1)[0]
    forced: dict[str, str] = {}
    if netloc.count("@") > 1:  # as sa_url: the userinfo ends at the last "@"
        userinfo, _at, rest = rest.rpartition("@")
        user, _colon, password = userinfo.partition(":")
        forced = {"user": unquote(user), "password": unquote(password)}
    m = _URL.match(f"{scheme}://{rest}")
    if m is None:
        return None
    parts = m.groupdict()
    args: dict[str, Any] = {}
    for key, name in (("username", "user"), ("password", "password"), ("database", "dbname")):
        if parts[key]:
            args[name] = unquote(parts[key])
    host = parts["ipv4host"] or parts["ipv6host"]
    if host:
        args["host"] = host
    if parts["port"]:
        try:
            args["port"] = int(parts["port"])
        except ValueError:
            return None
    args.update((k, v) for k, v in forced.items() if v)
    if parts["query"] is not None:
        query = parse_qsl(parts["query"])
        if len({k for k, _v in query}) != len(query):
            return None
        args.update(query)
    return args


class PgConnection(Connection):
    """psycopg 3 directly: the everyday commands on PostgreSQL (see the module docstring)."""

    dialect = "postgresql"

    def __init__(self, url: str, args: Mapping[str, Any]) -> None:
        self.timeout_ms = busy_timeout_ms()
        # The office whose write lock the transaction holds (None: the city's, or none yet).
        self.write_office: int | None = None
        self._cursors = 0
        try:
            import psycopg
        except ModuleNotFoundError as exc:
            raise RuntimeFailure(
                _(
                    "the driver for {url} is not installed ({name}); for PostgreSQL: "
                    "pip install 'pufa-cli[postgres]'"
                ).format(url=_short(url), name=exc.name)
            ) from None
        self._psycopg = psycopg
        try:
            # No JIT compiling: pufa's statements take milliseconds, and compiling one whose
            # estimated cost passes jit_above_cost took ~1 s (report --by office's task rows of
            # a hundred plans). A URL's own options= comes after, so it can turn it back on.
            options = " ".join(o for o in ("-c jit=off", args.get("options")) if o)
            self._pg = psycopg.connect(**{**args, "options": options})
        except Exception as exc:
            reason = _first_line(exc)
            password = args.get("password")
            if password:
                reason = reason.replace(str(password), "***")
            raise RuntimeFailure(
                _("cannot connect to {url}: {reason}").format(url=_short(url), reason=reason)
            ) from None

    def _params(self, params: Params) -> dict[str, Any]:
        return dict(params or {})

    def rows(self, sql: str, params: Params = None) -> list[Row]:
        cur = self._pg.execute(pg_sql(sql), self._params(params))
        return cur.fetchall() if cur.description is not None else []

    def stream(self, sql: str, params: Params = None, size: int = 2000) -> Iterator[Row]:
        # A server-side cursor for a SELECT (as SQLAlchemy's yield_per made one); it lives in
        # the transaction the statement runs in (begun now, if none is).
        if not _SERVER_SIDE.match(sql):
            cur = self._pg.execute(pg_sql(sql), self._params(params))
            if cur.description is not None:
                while chunk := cur.fetchmany(size):
                    yield from chunk
            return
        self._cursors += 1
        cur = self._pg.cursor(name=f"pufa_c{self._cursors}")
        try:
            cur.itersize = size
            cur.execute(pg_sql(sql), self._params(params))
            while chunk := cur.fetchmany(size):
                yield from chunk
        finally:
            # A reader that stops early must not leave a server-side cursor behind.
            if not self._pg.closed:
                cur.close()

    def one(self, sql: str, params: Params = None) -> Row | None:
        # Not through stream(): a server-side cursor cannot run INSERT … RETURNING.
        cur = self._pg.execute(pg_sql(sql), self._params(params))
        return cur.fetchone() if cur.description is not None else None

    def run(self, sql: str, params: Params = None) -> int:
        return int(self._pg.execute(pg_sql(sql), self._params(params)).rowcount)

    def run_many(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> None:
        query = pg_sql(sql)
        batch: list[dict[str, Any]] = []
        with self._pg.cursor() as cur:
            for p in seq:
                batch.append(dict(p))
                if len(batch) >= 5000:
                    cur.executemany(query, batch)
                    batch = []
            if batch:
                cur.executemany(query, batch)

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
            marks = "(" + ", ".join("%s" for _ in columns) + ")"
            with self._pg.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} ({names}) VALUES {marks}", rows)
            return []
        return insert_returning(self._pg.execute, table, columns, rows, "%s", INSERT_CHUNK)

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[PgConnection]:
        # As SQLAlchemy's Connection.begin(): whatever the first statements began is rolled
        # back; a new transaction commits at the block's end, or rolls back on an exception.
        if self._pg.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE:
            self._pg.rollback()
        # A read is one snapshot, as SQLite's deferred transaction is: a report's statements
        # (the plan's shape, checkpoints, the aggregate) all see the same committed writes,
        # not each its own at READ COMMITTED. Said in psycopg's BEGIN, no extra round trip;
        # read-only as SQLite's readers are (query_only). A write stays READ COMMITTED: its
        # snapshot must be taken after its lock is granted, not when it began waiting.
        self._pg.isolation_level = None if write else self._psycopg.IsolationLevel.REPEATABLE_READ
        self._pg.read_only = None if write else True
        with self._pg.transaction():
            self.write_office = None
            if write:
                self.take_write_lock()
            yield self

    def take_write_lock(self) -> None:
        """Wait (up to PUFA_BUSY_TIMEOUT_MS) for the write lock(s), held to the transaction's
        end (``take_write_locks``)."""
        lock_not_available = self._psycopg.errors.LockNotAvailable  # SQLSTATE 55P03
        self.write_office = take_write_locks(
            self, self.timeout_ms, lambda exc: isinstance(exc, lock_not_available)
        )

    def has_table(self, name: str) -> bool:
        # As SQLAlchemy's inspector: a table or view visible on the search path.
        return bool(
            self.scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                "ON n.oid = c.relnamespace WHERE c.relname = :n "
                "AND c.relkind IN ('r', 'p', 'f', 'v', 'm') "
                "AND pg_catalog.pg_table_is_visible(c.oid) AND n.nspname <> 'pg_catalog')",
                {"n": name},
            )
        )

    def object_count(self) -> int:
        """Tables and views in the connection's schema."""
        return int(
            self.scalar(
                "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                "AND c.relkind IN ('r', 'p', 'v', 'm')"
            )
        )

    def close(self) -> None:
        self._pg.close()


def open_server(url: str) -> Connection:
    """A connection to a server: psycopg directly for PostgreSQL, SQLAlchemy for others."""
    args = connect_args(url)
    if args is None:
        return SAConnection(url)
    return PgConnection(url, args)


def _short(url: str) -> str:
    return DbTarget(None, url).display()

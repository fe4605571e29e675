"""Opening, creating and migrating a pufa database; telling a pufa database from another's.

Only an empty database (no tables, views, indexes or triggers) may become a pufa database. One
with an ``alembic_version`` naming a revision pufa never wrote, or an empty one beside other
tables, is another application's: refused, unchanged. A SQLite file with a ``-wal`` beside it is
looked at through a read-only connection first, so a foreign database's journal is never merged.

Migrations run in one transaction that also stamps the revision, under the write lock (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: pufa's advisory lock): a crash leaves the revision the database
had, and commands started together on a database that needs an upgrade wait for the first one
and then find it done.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from pufa_cli.config import DbTarget, busy_timeout_ms
from pufa_cli.errors import RuntimeFailure, SchemaError
from pufa_cli.i18n import _
from pufa_cli.schema import KNOWN_REVISIONS, SCHEMA_HEAD
from pufa_cli.store.connection import Connection, lock_timeout_failure
from pufa_cli.store.postgres import WRITE_LOCK_KEY, open_server, sa_url
from pufa_cli.store.sqlite import SqliteConnection

# The form of pufa's revision ids (a newer pufa's revision looks like this too).
_PUFA_REVISION = re.compile(r"^[0-9]{4}$")


def _not_pufa(where: str) -> SchemaError:
    return SchemaError(_("{where} is not a pufa database").format(where=where))


def schema_state(conn: Connection, where: str = "") -> str | None:
    """The revision stored in the database, None for an empty one; SchemaError otherwise."""
    where = where or _("this database")
    try:
        if not conn.has_table("alembic_version"):
            if conn.object_count() == 0:
                return None
            raise _not_pufa(where)
        row = conn.one("SELECT version_num FROM alembic_version")
        if row is None:
            # pufa never leaves alembic_version empty (a downgrade to base drops it).
            raise _not_pufa(where)
        revision = str(row[0])
        if revision not in KNOWN_REVISIONS and not (
            _PUFA_REVISION.match(revision) and conn.has_table("entries")
        ):
            raise _not_pufa(where)
    except sqlite3.DatabaseError as exc:
        raise SchemaError(
            _("this file is not a pufa database ({reason})").format(reason=exc)
        ) from None
    return revision


def _check_revision(revision: str | None, where: str) -> None:
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise SchemaError(
            _("{where} was written by a newer pufa (schema {rev}); upgrade pufa to use it").format(
                where=where, rev=revision
            )
        )


def _inspect_first(path: Path, where: str) -> None:
    """A SQLite file with a ``-wal``: check it is pufa's read-only, before opening it to write
    (the last connection to close merges the ``-wal`` into the file)."""
    if not Path(f"{path}-wal").exists():
        return
    look = SqliteConnection(path, inspect_only=True)
    try:
        schema_state(look, where)
    finally:
        look.close()


def _open(target: DbTarget, *, readonly: bool = False) -> Connection:
    if target.path is None:
        return open_server(target.url or "")
    _inspect_first(target.path, target.display())
    return SqliteConnection(target.path, readonly=readonly)


def connect(target: DbTarget, *, readonly: bool = False) -> Connection:
    """Open an existing pufa database at head (migrating an older one first)."""
    if target.path is not None and not target.path.exists():
        raise RuntimeFailure(
            _("no database at {path}: run 'pufa init' first").format(path=target.path)
        )
    conn = _open(target, readonly=readonly)
    try:
        revision = schema_state(conn, target.display())
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
            except FileExistsError:
                pass  # another pufa created it this instant: migrate() waits for its lock
            except OSError as exc:
                raise RuntimeFailure(
                    _("cannot create {path}: {reason}").format(path=path, reason=exc.strerror)
                ) from None
            else:
                created = True
    conn = _open(target)
    try:
        revision = schema_state(conn, target.display())
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


def sa_engine(target: DbTarget, *, migrating: bool = False) -> Any:
    """A SQLAlchemy engine on ``target`` (URL built with SQLAlchemy's URL object).

    ``migrating``, on SQLite: transactions start with ``BEGIN IMMEDIATE`` (the write lock, and
    transactional DDL: the sqlite3 driver would otherwise run CREATE and ALTER outside any
    transaction) and foreign keys are off, as SQLite requires to copy a table in batch mode
    (with them on, dropping the old ``tasks`` would cascade to every assignment); migrate()
    runs ``PRAGMA foreign_key_check`` before it commits instead.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import URL

    if target.path is None:
        return create_engine(sa_url(target.url or ""))
    engine = create_engine(URL.create("sqlite", database=str(target.path)))
    timeout = busy_timeout_ms()

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA busy_timeout = {timeout}")
        dbapi_conn.execute(f"PRAGMA foreign_keys = {'OFF' if migrating else 'ON'}")
        if migrating:
            dbapi_conn.execute("PRAGMA synchronous = FULL")
            dbapi_conn.isolation_level = None  # no implicit BEGIN or COMMIT by the driver

    if migrating:

        @event.listens_for(engine, "begin")
        def _begin(sa_conn: Any) -> None:
            try:
                sa_conn.exec_driver_sql("BEGIN IMMEDIATE")
            except Exception as exc:
                if "locked" in str(exc):
                    raise lock_timeout_failure(timeout) from None
                raise

    return engine


def migrate(target: DbTarget, revision: str = "head", *, down: bool = False) -> None:
    """Run Alembic from code (upgrade, or downgrade with ``down=True``), in one transaction
    under the write lock."""
    from alembic import command

    engine = sa_engine(target, migrating=True)
    try:
        with engine.begin() as sa_conn:
            if target.path is None and engine.dialect.name == "postgresql":
                _pg_write_lock(sa_conn)
            cfg = alembic_config(sa_conn)
            if down:
                command.downgrade(cfg, revision)
                if revision == "base":
                    # Empty again: no alembic_version left to mistake for another app's.
                    sa_conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            else:
                command.upgrade(cfg, revision)
            if target.path is not None:
                broken = sa_conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise SchemaError(
                        _("migration left a broken reference in table {table}").format(
                            table=broken[0]
                        )
                    )
    finally:
        engine.dispose()


def _pg_write_lock(sa_conn: Any) -> None:
    from sqlalchemy import text

    timeout = busy_timeout_ms()
    # lock_timeout 0 would mean "wait for ever"; 1 ms is as good as not waiting.
    sa_conn.execute(text(f"SET LOCAL lock_timeout = {max(1, int(timeout))}"))
    try:
        sa_conn.execute(text(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"))
    except Exception as exc:
        if getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03":
            raise lock_timeout_failure(timeout) from None
        raise
    sa_conn.execute(text("SET LOCAL lock_timeout TO DEFAULT"))


def current_revision(target: DbTarget) -> str | None:
    """The stored revision (None when empty); SchemaError for one from a newer pufa."""
    conn = _open(target)
    try:
        revision = schema_state(conn, target.display())
    finally:
        conn.close()
    _check_revision(revision, target.display())
    return revision

"""Opening, creating and migrating a pufa database; the schema revision check."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from typing import Any

from pufa_cli.config import DbTarget
from pufa_cli.errors import RuntimeFailure, SchemaError
from pufa_cli.i18n import _
from pufa_cli.schema import KNOWN_REVISIONS, SCHEMA_HEAD
from pufa_cli.store.connection import Connection, Row
from pufa_cli.store.postgres import SAConnection
from pufa_cli.store.sqlite import BUSY_TIMEOUT_MS, SqliteConnection


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
        with engine.connect() as sa_conn:
            sqlite = target.path is not None
            if sqlite:
                # Batch mode copies a table, drops the old one and renames the copy; with foreign
                # keys on, DROP TABLE first deletes every row and cascades (a plan's sections and
                # tasks would go). The pragma only works outside a transaction; the keys are
                # checked once the copy is in place, before commit.
                sa_conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
                sa_conn.commit()
            with sa_conn.begin():
                cfg = alembic_config(sa_conn)
                if down:
                    command.downgrade(cfg, revision)
                else:
                    command.upgrade(cfg, revision)
                if sqlite:
                    broken = sa_conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise SchemaError(
                            _("migration left a broken reference in table {table}").format(
                                table=broken[0]
                            )
                        )
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

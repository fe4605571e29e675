"""The store: one small connection API over two database engines.

* **SQLite** (a path): the standard library's ``sqlite3`` directly (``store/sqlite.py``).
  Importing SQLAlchemy costs ~200 ms, 13 × the start-up floor, and people expect ``pufa log``
  and ``pufa report`` to answer at once; the SQL they run is plain and portable, so they do not
  need it.
* **PostgreSQL** (``postgresql+psycopg://…``): psycopg directly (``store/postgres.py``,
  ``PgConnection``), for the same reason: SQLAlchemy with its dialect costs ~0.3 s more.
* **Any other engine** (another SQLAlchemy URL): SQLAlchemy Core (``SAConnection``).

Both take the same SQL with ``:name`` parameters and return rows as tuples. Dates go in as
``date`` objects; SQLite hands them back as ISO text, so read them with ``as_date``.

SQLite is opened for concurrent use: WAL journal (set once when the file is created), a busy
timeout, foreign keys on, ``synchronous=FULL`` (a committed entry survives power loss), and
write transactions that take the write lock up front (``BEGIN IMMEDIATE``), so concurrent
writers wait for each other instead of failing with "database is locked".

The schema version is checked with one query on ``alembic_version`` against
``schema.KNOWN_REVISIONS``; Alembic (and SQLAlchemy) are imported only when a migration has
to run (``store/opening.py``).
"""

from pufa_cli.store.connection import Connection, Params, Row, as_date, as_datetime
from pufa_cli.store.opening import (
    alembic_config,
    connect,
    current_revision,
    migrate,
    prepare,
    sa_engine,
    schema_state,
)
from pufa_cli.store.postgres import PgConnection, SAConnection, open_server
from pufa_cli.store.sqlite import SqliteConnection

__all__ = [
    "Connection",
    "Params",
    "PgConnection",
    "Row",
    "SAConnection",
    "SqliteConnection",
    "alembic_config",
    "as_date",
    "as_datetime",
    "connect",
    "current_revision",
    "migrate",
    "open_server",
    "prepare",
    "sa_engine",
    "schema_state",
]

"""Alembic environment for pufa.

pufa runs migrations from code (``pufa_cli.store.migrate``), handing over an open connection in
``config.attributes["connection"]``; the ``alembic`` command line works too, with
``-x url=sqlite:///path/to/pufa.db``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from pufa_cli.models import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER constraints: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    engine = create_engine(url)
    with engine.connect() as conn:
        _configure_and_run(conn)


if context.is_offline_mode():
    raise SystemExit("pufa migrations run online only")
run_migrations_online()

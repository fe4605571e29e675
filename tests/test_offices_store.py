"""PostgreSQL through psycopg directly (issue 18.5): the everyday commands import neither
SQLAlchemy nor Alembic, and the store means what SQLAlchemy meant — the same URL (user,
password, host, port, database, query options), the same ``:name`` parameters, the same
transactions and write lock (tests/test_races.py and tests/test_offices_rls.py run on it).
"""

from __future__ import annotations

import pytest

from conftest import PG_URL
from test_startup import imported_by

pg_only = pytest.mark.skipif(not PG_URL, reason="needs a PostgreSQL server")

URLS = [
    "postgresql+psycopg://pufa@127.0.0.1:55432/pufa",
    "postgresql://clerk:s3cret@db.example/city",
    "postgresql+psycopg://clerk:p%40ss%2Fw@db.example:5433/%E5%B8%82",
    "postgresql+psycopg://clerk:s3@cret@127.0.0.1:1/pufa",
    "postgresql+psycopg://clerk:s3/c?ret@127.0.0.1:1/pufa",
    "postgresql+psycopg://clerk@127.0.0.1:1/pufa?password=s3cret&sslmode=require",
    "postgresql+psycopg://127.0.0.1:1/pufa?user=clerk&sslpassword=x&password=s3cret",
    "postgresql+psycopg://clerk@[::1]:5432/pufa",
    "postgresql+psycopg:///pufa?host=/var/run/postgresql",
    "postgresql+psycopg://clerk:@db.example/pufa",
    "postgresql+psycopg://@db.example/pufa",
]


@pytest.mark.parametrize("url", URLS)
def test_a_url_means_what_it_meant_to_sqlalchemy(url: str) -> None:
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    from pufa_cli.store.postgres import connect_args, sa_url

    _args, expected = PGDialect_psycopg().create_connect_args(sa_url(url))
    expected.pop("context", None)
    assert connect_args(url) == expected


def test_other_servers_and_several_hosts_stay_with_sqlalchemy() -> None:
    from pufa_cli.store.postgres import connect_args

    assert connect_args("mysql+pymysql://u@h/db") is None
    assert connect_args("postgresql+psycopg2://u@h/db") is None
    assert connect_args("postgresql+psycopg://u@/db?host=a&host=b") is None


STATEMENTS = [
    "SELECT id FROM units WHERE name = :n AND office_id = :o",
    "SELECT 1 FROM plans WHERE code LIKE '2023-%' AND id = :id",
    "SELECT CAST(:x AS integer)::text, '10:30', :a_b",
    "SELECT '\\:not_a_param', :p",
    "UPDATE entries SET note = :note WHERE id = :id RETURNING id",
]


@pytest.mark.parametrize("sql", STATEMENTS)
def test_a_statement_compiles_as_sqlalchemys_text_did(sql: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    from pufa_cli.store.postgres import pg_sql

    assert pg_sql(sql) == str(text(sql).compile(dialect=PGDialect_psycopg()))


@pg_only
@pytest.mark.parametrize(
    "args",
    [
        ("report", "--quarter", "4"),
        ("tasks",),
        ("show", "8"),
        ("log", "8", "--unit", "區依法治區辦公室", "--percent", "40", "--by", "科員", "-q"),
        ("report", "--by", "office"),
    ],
    ids=["report", "tasks", "show", "log", "by-office"],
)
def test_everyday_commands_on_postgresql_load_neither_sqlalchemy_nor_alembic(
    tmp_path, loaded, args
) -> None:
    modules = imported_by(tmp_path, *args, "--db", loaded)
    assert "psycopg" in modules  # it did connect, with psycopg itself
    assert sorted(m for m in ("sqlalchemy", "alembic", "yaml", "openpyxl") if m in modules) == []


@pg_only
def test_a_stream_stopped_early_and_a_failed_statement_leave_the_connection_usable(
    loaded,
) -> None:
    from pufa_cli import store
    from pufa_cli.config import DbTarget

    conn = store.connect(DbTarget(None, loaded))
    try:
        assert type(conn).__name__ == "PgConnection"
        with conn.transaction():
            first = next(conn.stream("SELECT id FROM tasks ORDER BY id", size=2))
            assert first is not None
        assert conn.scalar("SELECT count(*) FROM tasks WHERE title LIKE :t", {"t": "%"}) > 0
        import psycopg

        with pytest.raises(psycopg.errors.NotNullViolation), conn.transaction(write=True):
            conn.run("INSERT INTO offices (id) VALUES (NULL)")
        with conn.transaction(write=True):
            assert conn.run("UPDATE offices SET name = name WHERE id = :i", {"i": 1}) == 1
        assert conn.has_table("entries") and not conn.has_table("nope")
        assert conn.object_count() > 10
    finally:
        conn.close()

"""Migrations are code, and tested: empty → head matches the models exactly, every revision
goes down and up again, and the revision constants pufa checks at start-up agree with
``migrations/versions``. Runs on SQLite, and on PostgreSQL when PUFA_TEST_PG_URL is set."""

from __future__ import annotations

from typing import Any

from pufa_cli import store as dbmod
from pufa_cli.config import resolve_db
from pufa_cli.schema import KNOWN_REVISIONS, SCHEMA_HEAD

TABLES = {
    "plans",
    "sections",
    "tasks",
    "targets",
    "units",
    "assignments",
    "entries",
    "entry_metrics",
    "retractions",
}


def _script() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(dbmod.alembic_config())


def _revisions_base_to_head() -> list[str]:
    script = _script()
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def _tables(target: Any) -> set[str]:
    from sqlalchemy import inspect

    engine = dbmod.sa_engine(target)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _diff(target: Any) -> list[Any]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from pufa_cli.models import Base

    engine = dbmod.sa_engine(target)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def test_constants_agree_with_the_migration_scripts():
    script = _script()
    assert script.get_heads() == [SCHEMA_HEAD], "one head, and schema.SCHEMA_HEAD names it"
    assert tuple(_revisions_base_to_head()) == KNOWN_REVISIONS


def test_empty_to_head_matches_the_models_exactly(db):
    target = resolve_db(db)
    assert dbmod.prepare(target) is (target.path is not None)
    assert dbmod.current_revision(target) == SCHEMA_HEAD
    assert _tables(target) == TABLES
    assert _diff(target) == []


def test_every_revision_goes_down_and_up(db):
    target = resolve_db(db)
    dbmod.prepare(target)
    revisions = _revisions_base_to_head()
    # down one revision at a time, to base
    for i in range(len(revisions) - 1, -1, -1):
        below = revisions[i - 1] if i > 0 else "base"
        dbmod.migrate(target, below, down=True)
        assert dbmod.current_revision(target) == (None if below == "base" else below)
    assert _tables(target) == set()
    # and up again, one at a time
    for rev in revisions:
        dbmod.migrate(target, rev)
        assert dbmod.current_revision(target) == rev
    assert _tables(target) == TABLES
    assert _diff(target) == []


def test_a_migrated_database_still_loads_and_keeps_its_data(db, pufa):
    """Down to base and up again, then init: the schema is usable, not only present."""
    assert pufa("init", "-q").code == 0
    target = resolve_db(db)
    dbmod.migrate(target, "base", down=True)
    assert _tables(target) == set()
    r = pufa("db", "upgrade")
    assert r.code == 0, r
    assert pufa("init", "-q").code == 0
    r = pufa("db", "current")
    assert r.code == 0 and f"schema {SCHEMA_HEAD} (at head" in r.out, r

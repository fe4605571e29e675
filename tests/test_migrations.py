"""Migrations are code, and tested: empty → head matches the models exactly, every revision
goes down and up again, and the revision constants pufa checks at start-up agree with
``migrations/versions``. Runs on SQLite, and on PostgreSQL when PUFA_TEST_PG_URL is set."""

from __future__ import annotations

import json
from typing import Any

from pufa_cli import store as dbmod
from pufa_cli.config import resolve_db
from pufa_cli.schema import KNOWN_REVISIONS, SCHEMA_HEAD

TABLES = {
    "offices",
    "office_grants",
    "plans",
    "sections",
    "tasks",
    "targets",
    "units",
    "assignments",
    "entries",
    "entry_metrics",
    "retractions",
    "evidence_blobs",
    "entry_evidence",
    "reviews",
    "extensions",
    "reminders",
    "manual_scores",
    "bonuses",
    "notices",
    "unit_events",
    "unit_event_entries",
}
# Kept by the database itself, not a model (triggers keep it: 0013 on PostgreSQL, 0015 on
# SQLite).
SERVER_TABLES = {"latest_entries"}


def _expected_tables(target: Any) -> set[str]:
    return TABLES | SERVER_TABLES


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
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, kind, _parent: (
                        not (kind == "table" and name in SERVER_TABLES)
                    ),
                },
            )
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
    assert _tables(target) == _expected_tables(target)
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
    assert _tables(target) == _expected_tables(target)
    assert _diff(target) == []


def test_a_database_taken_down_and_up_again_keeps_its_data(db, pufa):
    """Down to each earlier revision with the ledger in it, then up again by a command: every
    row is kept (going down drops only what the later revisions added)."""
    target = resolve_db(db)
    build_at(target, SCHEMA_HEAD)
    for revision in reversed(KNOWN_REVISIONS[:-1]):
        dbmod.migrate(target, revision, down=True)
        assert dbmod.current_revision(target) == revision
        r = pufa("db", "upgrade")
        assert r.code == 0, (revision, r)
        assert _rows_now(db) == expected_at_head(revision), revision
        assert _latest_kept(db) == LATEST, revision
        dbmod.migrate(target, revision, down=True)  # and on down, further
    assert pufa("db", "upgrade", "-q").code == 0
    r = pufa("db", "current")
    assert r.code == 0 and f"schema {SCHEMA_HEAD} (at head" in r.out, r


# A ledger written at an earlier revision: the columns every revision has, in column order.
# Dates and datetimes as text (read back and compared as text on both engines).
LEDGER: dict[str, list[tuple[Any, ...]]] = {
    "plans": [(1, 2011, "2011年普法工作計劃", "前言", "2011.yaml", "Hant", "2011-01-05 08:00:00")],
    "sections": [(1, 1, 1, "一、學習宣傳"), (2, 1, 2, "二、依法治理")],
    "tasks": [
        (1, 1, 1, 1, "學習憲法", "組織學習憲法", "上半年", "2011-06-30", "[]", None, None, 1),
        (2, 1, 1, 2, "法治講座", "舉辦講座", "全年", "2011-12-31", "[]", "全年", "區司法局", 1),
        (3, 1, 2, 3, "舊任務", "已從計劃刪除", "10月", "2011-10-31", "[]", None, None, 0),
    ],
    "targets": [
        (1, 2, "lectures", "講座", 12.0, "場", "不少於12場", 0),
        (2, 2, "study_hours", "學時", 40.0, "小時", None, 1),
    ],
    "units": [
        (1, "區司法局", "区司法局", "局", "2011-01-05 08:00:00"),
        (2, "區教育局", "区教育局", None, "2011-01-06 08:00:00"),
        (3, "區團委", "区团委", None, "2011-01-07 08:00:00"),
    ],
    "assignments": [
        (1, 1, 1, "lead", None, None, "2011-01-05 08:00:00"),
        (2, 2, 1, "lead", "第三季度", "2011-09-30", "2011-01-05 08:00:00"),
        (3, 2, 2, "support", None, None, "2011-01-06 08:00:00"),
        (4, 3, 3, "lead", None, None, "2011-01-07 08:00:00"),
    ],
    "entries": [
        (1, 1, 1, "2011-02-01", 30, "已學習", "科員", "2011-02-01 09:00:00", "k1"),
        (2, 1, 1, "2011-03-01", 100, "", "科員", "2011-03-01 09:00:00", "k2"),
        (3, 2, 1, "2011-03-02", 25, "第一場", "王", "2011-03-02 09:00:00", "k3"),
        (4, 2, 2, "2011-03-03", 50, "", "李", "2011-03-03 09:00:00", "k4"),
        (5, 2, 1, "2011-04-01", 60, "錯誤", "王", "2011-04-01 09:00:00", "k5"),
        (6, 3, 3, "2011-05-01", 10, "", "張", "2011-05-01 09:00:00", "k6"),
    ],
    "entry_metrics": [(3, 1, 3.0), (3, 2, 10.5), (5, 1, 7.0)],
    "retractions": [
        (5, "重複", "王", "2011-04-02 10:00:00"),
        (6, "任務已刪除", "張", "2011-05-02 10:00:00"),
    ],
}


def _as_text(row: Any) -> tuple[Any, ...]:
    return tuple(str(v) if hasattr(v, "isoformat") else v for v in row)


# Columns a later revision made NOT NULL without a default: written when the table has them.
LEDGER_EXTRA = {
    "plans": {"code": "2011", "office_id": 1},
    "units": {"office_id": 1},  # 0010: the default office, which the migration creates
}


def build_at(target: Any, revision: str) -> None:
    """An empty database migrated to ``revision``, holding LEDGER, written with plain SQL."""
    from sqlalchemy import text

    dbmod.migrate(target, revision)
    engine = dbmod.sa_engine(target)
    try:
        with engine.begin() as conn:
            for table, rows in LEDGER.items():
                names = [
                    c[0] for c in conn.execute(text(f"SELECT * FROM {table}")).cursor.description
                ]
                extra = {k: v for k, v in LEDGER_EXTRA.get(table, {}).items() if k in names}
                cols = ", ".join(names[: len(rows[0])] + list(extra))
                marks = ", ".join(f":c{i}" for i in range(len(rows[0]) + len(extra)))
                for row in rows:
                    values = (*row, *extra.values())
                    conn.execute(
                        text(f"INSERT INTO {table} ({cols}) VALUES ({marks})"),
                        {f"c{i}": v for i, v in enumerate(values)},
                    )
            if engine.dialect.name == "postgresql":  # ids given by hand: move the sequences on
                for table in LEDGER:
                    if table not in ("entry_metrics", "retractions"):
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT MAX(id) FROM {table}))"
                            )
                        )
    finally:
        engine.dispose()


def expected_at_head(revision: str) -> dict[str, list[tuple[Any, ...]]]:
    """LEDGER as it reads after the upgrade from ``revision``, in the columns LEDGER wrote
    (later revisions only add columns after them): every value kept."""
    assert revision in KNOWN_REVISIONS
    return {t: sorted(rows, key=repr) for t, rows in LEDGER.items()}


def _rows_now(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the LEDGER tables, in the columns LEDGER wrote."""
    from conftest import dump_db

    data = dump_db(db)
    return {
        t: sorted((_as_text(r)[: len(LEDGER[t][0])] for r in data[t]), key=repr) for t in LEDGER
    }


# 0013 (PostgreSQL), 0015 (SQLite): each (task, unit)'s latest counting entry of LEDGER, filled
# on upgrade: task 2 by 區司法局 is entry 3 (its later 60 % retracted); task 3's only entry is
# retracted.
LATEST = [(1, 1, 2, "2011-03-01", 100), (2, 1, 3, "2011-03-02", 25), (2, 2, 4, "2011-03-03", 50)]


def _latest_kept(db: str) -> list[tuple[Any, ...]]:
    """latest_entries' rows (as text)."""
    from sqlalchemy import text

    target = resolve_db(db)
    engine = dbmod.sa_engine(target)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT task_id, unit_id, entry_id, entry_date, percent FROM latest_entries")
            )
            return sorted(_as_text(r) for r in rows)
    finally:
        engine.dispose()


def test_every_earlier_revision_upgrades_on_first_use_keeping_every_row(db, pufa):
    """Each revision before head, with entries, metrics, retractions and assignments in it,
    opened by an everyday command (the automatic path): every row is still there."""
    target = resolve_db(db)
    for revision in KNOWN_REVISIONS[:-1]:
        if revision != KNOWN_REVISIONS[0]:
            dbmod.migrate(target, "base", down=True)
        build_at(target, revision)
        assert dbmod.current_revision(target) == revision
        r = pufa("tasks", "--year", "2011", "-f", "json")
        assert r.code == 0, (revision, r)
        assert dbmod.current_revision(target) == SCHEMA_HEAD
        assert _rows_now(db) == expected_at_head(revision), revision
        assert _latest_kept(db) == LATEST, revision
        # And the upgraded ledger counts what it held: task 2's latest counting entry is 4
        # (50 %, 區教育局) and 3 (25 %, 區司法局; its 60 % was retracted).
        tasks = {t["number"]: t for t in json.loads(r.out)}
        assert set(tasks) == {1, 2}, revision  # task 3 left the plan


def test_a_ledger_breaking_a_rule_0006_enforces_is_not_upgraded_and_stays_as_it_was(db, pufa):
    """Two leads of one task (what racing writers on PostgreSQL could leave before 0006): the
    upgrade stops with one line naming the task, and the database is still at 0005, intact."""
    from sqlalchemy import text

    target = resolve_db(db)
    build_at(target, "0005")
    engine = dbmod.sa_engine(target)
    try:
        with engine.begin() as conn:  # 區教育局 made a second lead of task 2
            conn.execute(text("UPDATE assignments SET role = 'lead' WHERE id = 3"))
    finally:
        engine.dispose()
    before = _rows_now_unmigrated(target)
    r = pufa("tasks", "--year", "2011")
    assert r.code == 1, r
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r
    assert "schema 0006" in r.err and "more than one lead (task ids): 2" in r.err, r
    assert "internal error" not in r.err
    assert dbmod.current_revision(target) == "0005"
    assert _rows_now_unmigrated(target) == before


def _rows_now_unmigrated(target: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row, read without opening the database through pufa (which would upgrade it)."""
    from sqlalchemy import text

    engine = dbmod.sa_engine(target)
    try:
        with engine.connect() as conn:
            return {
                t: sorted((_as_text(r) for r in conn.execute(text(f"SELECT * FROM {t}"))), key=repr)
                for t in LEDGER
            }
    finally:
        engine.dispose()


def test_unit_events_upgrade_keeps_every_row(db, pufa, monkeypatch):
    """0009 (unit_events) on a database written at 0008 with units, assignments, entries and a
    retraction: opened by an everyday command, it is upgraded and every row is still there."""
    from conftest import dump_db

    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    assert pufa("init", "-q").code == 0
    for args in (
        ("unit", "add", "區教育局", "--kind", "部門"),
        ("unit", "add", "區團委"),
        ("assign", "19", "區教育局", "區團委", "--lead", "區教育局"),
        ("log", "19", "-u", "區教育局", "-m", "bases=37", "--date", "2011-05-01"),
        ("log", "19", "-u", "區團委", "-p", "20", "--date", "2011-06-01"),
        ("retract", "2", "-r", "重複"),
    ):
        assert pufa(*args, "-q").code == 0, args
    target = resolve_db(db)
    dbmod.migrate(target, "0008", down=True)
    before = _raw_rows(target)  # read without pufa's connect, which would upgrade it
    # 0008's columns: 0010 (offices) adds office_id to some, 0011 tasks.item and parent_id
    columns = _raw_columns(target)
    assert "unit_events" not in before and len(before["entries"]) == 2
    assert len(before["retractions"]) == 1 and len(before["assignments"]) == 4
    r = pufa("tasks", "-q")  # the automatic upgrade on opening
    assert r.code == 0, r
    assert dbmod.current_revision(target) == SCHEMA_HEAD
    after = _raw_rows(target)
    kept = _raw_rows(target, columns)
    assert {t: kept[t] for t in before if t != "alembic_version"} == {
        t: rows for t, rows in before.items() if t != "alembic_version"
    }
    assert after["unit_events"] == [] and after["unit_event_entries"] == []
    assert after["alembic_version"] == [(SCHEMA_HEAD,)]
    # … and the new tables work on the upgraded database.
    assert pufa("unit", "rename", "區團委", "共青團區委", "-q").code == 0
    assert [r[1] for r in dump_db(db)["unit_events"]] == ["rename"]


def _raw_rows(
    target: Any, columns: dict[str, list[str]] | None = None
) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows; with ``columns``, those tables' rows in those columns only (a later
    revision may add columns, e.g. 0010's office_id)."""
    from sqlalchemy import inspect, text

    engine = dbmod.sa_engine(target)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names() if columns is None else list(columns)
            return {
                t: sorted(
                    tuple(r)
                    for r in conn.execute(
                        text(f"SELECT {', '.join((columns or {}).get(t) or ['*'])} FROM {t}")
                    )
                )
                for t in tables
            }
    finally:
        engine.dispose()


def _raw_columns(target: Any) -> dict[str, list[str]]:
    from sqlalchemy import inspect

    engine = dbmod.sa_engine(target)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            return {t: [c["name"] for c in found.get_columns(t)] for t in found.get_table_names()}
    finally:
        engine.dispose()

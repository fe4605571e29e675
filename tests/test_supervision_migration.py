"""Migration 0007 (issue 16): a database at 0006 with plans, entries and retractions upgrades
with every row kept; the new columns take their defaults."""

from __future__ import annotations

from pufa_cli import store as dbmod
from pufa_cli.config import resolve_db
from pufa_cli.schema import SCHEMA_HEAD

JY = "區教育局"
OLD_TABLES = ("plans", "units", "assignments", "entries", "entry_metrics", "retractions")


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    conn = dbmod.connect(resolve_db(url))
    try:
        return sorted(conn.rows(sql), key=repr)
    finally:
        conn.close()


def test_a_0006_database_with_entries_upgrades_keeping_every_row(db, pufa, monkeypatch):
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    assert pufa("init", "-q").code == 0
    assert pufa("unit", "add", JY, "-q").code == 0
    assert pufa("assign", "19", JY, "-q").code == 0
    for args in (["-m", "bases=20", "--date", "2011-03-01"], ["-p", "50", "--date", "2011-06-01"]):
        assert pufa("log", "19", "-u", JY, *args).code == 0
    assert pufa("retract", "2", "--reason", "重複").code == 0
    target = resolve_db(db)
    dbmod.migrate(target, "0006", down=True)
    assert dbmod.current_revision(target) == "0006"
    old_cols = "id, task_id, unit_id, entry_date, percent, note, recorded_by, key"
    unit_cols = "id, name, match_key, kind, created_at"  # 0010 (offices) adds office_id after them
    before = {
        "entries": _raw(target, f"SELECT {old_cols} FROM entries"),
        "units": _raw(target, f"SELECT {unit_cols} FROM units"),
        **{
            t: _raw(target, f"SELECT * FROM {t}")
            for t in OLD_TABLES
            if t not in ("plans", "entries", "units")
        },
        "plans": _raw(target, "SELECT id, year, title, script FROM plans"),
    }
    assert len(before["entries"]) == 2 and len(before["retractions"]) == 1

    r = pufa("db", "upgrade")
    assert r.code == 0, r
    assert dbmod.current_revision(target) == SCHEMA_HEAD  # 0007, then later heads
    after = {
        "entries": _rows(db, f"SELECT {old_cols} FROM entries"),
        "units": _rows(db, f"SELECT {unit_cols} FROM units"),
        **{
            t: _rows(db, f"SELECT * FROM {t}")
            for t in OLD_TABLES
            if t not in ("plans", "entries", "units")
        },
        "plans": _rows(db, "SELECT id, year, title, script FROM plans"),
    }
    assert after == before
    assert _rows(db, "SELECT problems, next_steps FROM entries") == [("", ""), ("", "")]
    assert _rows(db, "SELECT review FROM plans") == [("",)]
    for table in ("evidence_blobs", "entry_evidence", "reviews", "extensions", "reminders"):
        assert _rows(db, f"SELECT * FROM {table}") == []


def _raw(target: object, sql: str) -> list[tuple[object, ...]]:
    """Rows read without migrating (connect() would upgrade the database first)."""
    from pufa_cli.maintenance import open_unchanged

    conn, _rev = open_unchanged(target)  # type: ignore[arg-type]
    try:
        return sorted(conn.rows(sql), key=repr)
    finally:
        conn.close()

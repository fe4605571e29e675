"""SQLite: each (task, unit)'s latest counting entry, kept as entries are written (as 0013)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 07:00:00

Revision 0013 gave PostgreSQL ``latest_entries``: per (task, unit) with a counting entry, the
latest one (by date, then id) with its date and percent, kept by triggers in the transaction
of every write. A district's SQLite file looked the entry up each time instead: per
assignment, a walk of ``ix_entries_latest`` and a retraction probe, most of the report's main
statement (1.29 ms of the report's 1.65 ms on the benchmark ledger; 0.57 ms reading the kept
rows). Both engines now keep the table and run the same statements (``store.sql.latest_join``:
the kept row when dated on or before the report's date, else the lookup, so every as-of
report stays exact).

SQLite has no statement-level triggers and no functions: row-level triggers do what 0013's
functions do, one (task, unit) pair at a time.

* a new entry becomes its pair's row when it is later (date, then id) than the row;
* an entry changed (a unit merge moves entries to another unit) or deleted, a retraction made,
  changed or removed: the pairs concerned are recomputed from their entries.

Every writer keeps the table, pufa's commands and any other program that writes the file
(``sqlite3`` included). The table is filled from the entries on upgrade; on PostgreSQL this
revision changes nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_COUNTING = "NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = l.id)"


def _refresh(task: str, unit: str) -> str:
    """Statements recomputing pair (``task``, ``unit``), two SQL expressions of the trigger."""
    return (
        f"DELETE FROM latest_entries WHERE task_id = {task} AND unit_id = {unit}; "
        "INSERT INTO latest_entries (task_id, unit_id, entry_id, entry_date, percent) "
        "SELECT l.task_id, l.unit_id, l.id, l.entry_date, l.percent FROM entries l "
        f"WHERE l.task_id = {task} AND l.unit_id = {unit} AND {_COUNTING} "
        "ORDER BY l.entry_date DESC, l.id DESC LIMIT 1;"
    )


def _of_entry(entry: str, column: str) -> str:
    return f"(SELECT {column} FROM entries WHERE id = {entry})"


# (name, event, condition, body). Each condition seeks the primary keys (an entry's, then its
# pair's row): latest_entries has no index on entry_id.
_TRIGGERS = (
    (
        "pufa_latest_ei",
        "AFTER INSERT ON entries",
        "NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = NEW.id)",
        "INSERT INTO latest_entries (task_id, unit_id, entry_id, entry_date, percent) "
        "VALUES (NEW.task_id, NEW.unit_id, NEW.id, NEW.entry_date, NEW.percent) "
        "ON CONFLICT (task_id, unit_id) DO UPDATE SET entry_id = excluded.entry_id, "
        "entry_date = excluded.entry_date, percent = excluded.percent "
        "WHERE (excluded.entry_date, excluded.entry_id) "
        "> (latest_entries.entry_date, latest_entries.entry_id);",
    ),
    (
        "pufa_latest_eu",
        "AFTER UPDATE OF task_id, unit_id, entry_date, percent ON entries",
        None,
        _refresh("OLD.task_id", "OLD.unit_id") + " " + _refresh("NEW.task_id", "NEW.unit_id"),
    ),
    (
        "pufa_latest_ed",
        "AFTER DELETE ON entries",
        "EXISTS (SELECT 1 FROM latest_entries m WHERE m.task_id = OLD.task_id "
        "AND m.unit_id = OLD.unit_id AND m.entry_id = OLD.id)",
        _refresh("OLD.task_id", "OLD.unit_id"),
    ),
    (
        "pufa_latest_ri",
        "AFTER INSERT ON retractions",
        "EXISTS (SELECT 1 FROM entries e JOIN latest_entries m ON m.task_id = e.task_id "
        "AND m.unit_id = e.unit_id WHERE e.id = NEW.entry_id AND m.entry_id = e.id)",
        _refresh(_of_entry("NEW.entry_id", "task_id"), _of_entry("NEW.entry_id", "unit_id")),
    ),
    (
        "pufa_latest_ru",
        "AFTER UPDATE OF entry_id ON retractions",
        None,
        _refresh(_of_entry("OLD.entry_id", "task_id"), _of_entry("OLD.entry_id", "unit_id"))
        + " "
        + _refresh(_of_entry("NEW.entry_id", "task_id"), _of_entry("NEW.entry_id", "unit_id")),
    ),
    (
        "pufa_latest_rd",
        "AFTER DELETE ON retractions",
        None,
        _refresh(_of_entry("OLD.entry_id", "task_id"), _of_entry("OLD.entry_id", "unit_id")),
    ),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # WITHOUT ROWID: the table is its primary key's B-tree, one seek a (task, unit).
    op.execute(
        "CREATE TABLE latest_entries (task_id INTEGER NOT NULL, unit_id INTEGER NOT NULL, "
        "entry_id INTEGER NOT NULL, entry_date DATE NOT NULL, percent INTEGER NOT NULL, "
        "CONSTRAINT pk_latest_entries PRIMARY KEY (task_id, unit_id)) WITHOUT ROWID"
    )
    # One lookup a pair, its pairs read from ix_entries_latest (as store.sql.REFILL_LATEST).
    op.execute(
        "INSERT INTO latest_entries (task_id, unit_id, entry_id, entry_date, percent) "
        "SELECT x.task_id, x.unit_id, x.id, x.entry_date, x.percent "
        "FROM (SELECT DISTINCT task_id, unit_id FROM entries) p "
        "JOIN entries x ON x.id = (SELECT l.id FROM entries l WHERE l.task_id = p.task_id "
        f"AND l.unit_id = p.unit_id AND {_COUNTING} ORDER BY l.entry_date DESC, l.id DESC LIMIT 1)"
    )
    for name, event, condition, body in _TRIGGERS:
        when = f" WHEN {condition}" if condition else ""
        op.execute(f"CREATE TRIGGER {name} {event} FOR EACH ROW{when} BEGIN {body} END")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, *_rest in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS latest_entries")

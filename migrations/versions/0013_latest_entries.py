"""PostgreSQL: each (task, unit)'s latest counting entry, kept as entries are written

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 17:00:00

A city's ``report --by office`` finds the latest counting entry of every district
assignment (120,000 in the benchmark city): one walk of ``ix_entries_latest`` and one
retraction probe each, 2.4 s and more. ``latest_entries`` holds, per (task, unit) with a
counting entry, the latest one (by date, then id) with its date and percent. Statement-level
triggers on ``entries`` and ``retractions`` keep it in the same transaction as every write
(pufa's log, import, bundle import, retract, unit merge, and any other writer, psql
included); the functions run as the owner (SECURITY DEFINER), so a district role's writes
keep it too, though the role may only read it. A report as of D uses the row when its date
is on or before D, and otherwise looks the entry up as before (progress.latest_join), so
every as-of report stays exact.

PostgreSQL only (SQLite, a district's own file, answers its report quickly without it): on
SQLite this revision changes nothing. Where the row-level security policies have been made
(``pufa db grant``), the table gets a read policy like ``entries``' and every granted role
may read it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# As pufa_cli.offices.grants writes it at this revision (a migration keeps its own copy).
_READ = "task_id = ANY (CAST((SELECT pufa_task_ids(current_user, false)) AS integer[]))"
_COUNTING = "NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = e.id)"

_FUNCTIONS = {
    # Recompute the rows of the (task, unit) pairs given as two arrays.
    "pufa_latest_refresh(tids integer[], uids integer[]) RETURNS void LANGUAGE sql": f"""
        INSERT INTO latest_entries (task_id, unit_id, entry_id, entry_date, percent)
        SELECT p.t, p.u, x.id, x.entry_date, x.percent
        FROM (SELECT DISTINCT t, u FROM unnest(tids, uids) AS q(t, u)) p
        CROSS JOIN LATERAL (SELECT e.id, e.entry_date, e.percent FROM entries e
            WHERE e.task_id = p.t AND e.unit_id = p.u AND {_COUNTING}
            ORDER BY e.entry_date DESC, e.id DESC LIMIT 1) x
        ON CONFLICT (task_id, unit_id) DO UPDATE SET entry_id = EXCLUDED.entry_id,
            entry_date = EXCLUDED.entry_date, percent = EXCLUDED.percent;
        DELETE FROM latest_entries m
        USING (SELECT DISTINCT t, u FROM unnest(tids, uids) AS q(t, u)) p
        WHERE m.task_id = p.t AND m.unit_id = p.u AND NOT EXISTS (SELECT 1 FROM entries e
            WHERE e.task_id = p.t AND e.unit_id = p.u AND {_COUNTING});
    """,
    # New entries: each pair's latest new one, if later than the pair's row.
    "pufa_latest_entries_insert() RETURNS trigger LANGUAGE plpgsql": """
        BEGIN
        INSERT INTO latest_entries (task_id, unit_id, entry_id, entry_date, percent)
        SELECT DISTINCT ON (n.task_id, n.unit_id) n.task_id, n.unit_id, n.id, n.entry_date,
            n.percent
        FROM pufa_new n
        WHERE NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = n.id)
        ORDER BY n.task_id, n.unit_id, n.entry_date DESC, n.id DESC
        ON CONFLICT (task_id, unit_id) DO UPDATE SET entry_id = EXCLUDED.entry_id,
            entry_date = EXCLUDED.entry_date, percent = EXCLUDED.percent
        WHERE (EXCLUDED.entry_date, EXCLUDED.entry_id)
            > (latest_entries.entry_date, latest_entries.entry_id);
        RETURN NULL;
        END
    """,
    # Entries moved (a unit merge) or changed: their pairs, before and after.
    "pufa_latest_entries_update() RETURNS trigger LANGUAGE plpgsql": """
        BEGIN
        PERFORM pufa_latest_refresh(array_agg(t), array_agg(u)) FROM (
            SELECT task_id AS t, unit_id AS u FROM pufa_old
            UNION SELECT task_id, unit_id FROM pufa_new) s;
        RETURN NULL;
        END
    """,
    # Entries deleted: the pairs whose latest entry went.
    "pufa_latest_entries_delete() RETURNS trigger LANGUAGE plpgsql": """
        BEGIN
        PERFORM pufa_latest_refresh(array_agg(m.task_id), array_agg(m.unit_id))
        FROM latest_entries m JOIN pufa_old o ON o.id = m.entry_id;
        RETURN NULL;
        END
    """,
    # Retractions made: the pairs whose latest entry was retracted.
    "pufa_latest_retractions_insert() RETURNS trigger LANGUAGE plpgsql": """
        BEGIN
        PERFORM pufa_latest_refresh(array_agg(m.task_id), array_agg(m.unit_id))
        FROM latest_entries m JOIN pufa_new n ON n.entry_id = m.entry_id;
        RETURN NULL;
        END
    """,
    # Retractions removed or changed: the pairs of the entries they named.
    "pufa_latest_retractions_change() RETURNS trigger LANGUAGE plpgsql": """
        BEGIN
        PERFORM pufa_latest_refresh(array_agg(e.task_id), array_agg(e.unit_id))
        FROM entries e WHERE e.id IN (SELECT entry_id FROM pufa_old);
        IF TG_OP = 'UPDATE' THEN
            PERFORM pufa_latest_refresh(array_agg(m.task_id), array_agg(m.unit_id))
            FROM latest_entries m JOIN pufa_new n ON n.entry_id = m.entry_id;
        END IF;
        RETURN NULL;
        END
    """,
}

# (trigger, table, event, transition tables, function)
_TRIGGERS = (
    ("pufa_latest_ei", "entries", "INSERT", "NEW TABLE AS pufa_new", "pufa_latest_entries_insert"),
    (
        "pufa_latest_eu",
        "entries",
        "UPDATE",
        "OLD TABLE AS pufa_old NEW TABLE AS pufa_new",
        "pufa_latest_entries_update",
    ),
    ("pufa_latest_ed", "entries", "DELETE", "OLD TABLE AS pufa_old", "pufa_latest_entries_delete"),
    (
        "pufa_latest_ri",
        "retractions",
        "INSERT",
        "NEW TABLE AS pufa_new",
        "pufa_latest_retractions_insert",
    ),
    (
        "pufa_latest_ru",
        "retractions",
        "UPDATE",
        "OLD TABLE AS pufa_old NEW TABLE AS pufa_new",
        "pufa_latest_retractions_change",
    ),
    (
        "pufa_latest_rd",
        "retractions",
        "DELETE",
        "OLD TABLE AS pufa_old",
        "pufa_latest_retractions_change",
    ),
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE latest_entries (task_id integer NOT NULL, unit_id integer NOT NULL, "
        "entry_id integer NOT NULL, entry_date date NOT NULL, percent integer NOT NULL, "
        "CONSTRAINT pk_latest_entries PRIMARY KEY (task_id, unit_id))"
    )
    for signature, body in _FUNCTIONS.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION {signature} SECURITY DEFINER "
            f"SET search_path FROM CURRENT AS $pufa$ {body} $pufa$"
        )
    op.execute(
        "INSERT INTO latest_entries (task_id, unit_id, entry_id, entry_date, percent) "
        "SELECT DISTINCT ON (e.task_id, e.unit_id) e.task_id, e.unit_id, e.id, e.entry_date, "
        f"e.percent FROM entries e WHERE {_COUNTING} "
        "ORDER BY e.task_id, e.unit_id, e.entry_date DESC, e.id DESC"
    )
    op.execute("ANALYZE latest_entries")  # the planner's statistics from the start
    for name, table, event, transition, function in _TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    made = bind.execute(
        sa.text("SELECT count(*) FROM pg_policies WHERE tablename = 'entries'")
    ).scalar()
    if made:
        op.execute("ALTER TABLE latest_entries ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY pufa_select ON latest_entries FOR SELECT USING ({_READ})")
        roles = bind.execute(sa.text("SELECT role_name FROM office_grants")).scalars().all()
        for role in roles:
            op.execute(f'GRANT SELECT ON latest_entries TO "{role}"')


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name, table, *_rest in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    op.execute("DROP TABLE IF EXISTS latest_entries")
    for signature in _FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature.split(')')[0]})")

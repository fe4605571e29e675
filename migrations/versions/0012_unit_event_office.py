"""each unit event belongs to an office: a removed unit's story stays its office's

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 14:00:00

A ``unit_events`` row named its office only through its unit (and a lead change through its
task); once ``unit remove`` deletes the unit, its events point at no unit, and on PostgreSQL the
row-level security policies let every role read them (issue 18). ``office_id`` records the
office of the event's unit: filled from the unit, else the task's plan, else the database's
default office (an event with neither was recorded before offices existed, or is a removal,
whose unit was the default office's unless the database already held several offices). Where
the policies have been made (``pufa db grant``), unit_events' are made again to read it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# As pufa_cli.offices.grants writes them at this revision (a migration keeps its own copy).
_READ = "office_id = ANY (CAST((SELECT pufa_office_ids(current_user, false)) AS integer[]))"
_WRITE = (
    "office_id = ANY (CAST((SELECT pufa_office_ids(current_user, true)) AS integer[])) "
    "AND (unit_id IS NULL OR unit_id = ANY (CAST((SELECT pufa_unit_ids(current_user, true)) "
    "AS integer[]))) AND (task_id IS NULL OR task_id = ANY (CAST((SELECT "
    "pufa_task_ids(current_user, true)) AS integer[])))"
)


def upgrade() -> None:
    with op.batch_alter_table("unit_events") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE unit_events SET office_id = COALESCE("
        "(SELECT u.office_id FROM units u WHERE u.id = unit_events.unit_id), "
        "(SELECT p.office_id FROM tasks t JOIN plans p ON p.id = t.plan_id "
        "WHERE t.id = unit_events.task_id), "
        "(SELECT min(o.id) FROM offices o WHERE o.is_default = 1), "
        "(SELECT min(o.id) FROM offices o))"
    )
    with op.batch_alter_table("unit_events") as batch:
        batch.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            batch.f("fk_unit_events_office_id_offices"), "offices", ["office_id"], ["id"]
        )
        batch.create_index(batch.f("ix_unit_events_office_id"), ["office_id"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        made = bind.execute(
            sa.text("SELECT count(*) FROM pg_policies WHERE tablename = 'unit_events'")
        ).scalar()
        if made:
            for action, clause in (
                ("select", f"FOR SELECT USING ({_READ})"),
                ("insert", f"FOR INSERT WITH CHECK ({_WRITE})"),
                ("update", f"FOR UPDATE USING ({_WRITE}) WITH CHECK ({_WRITE})"),
                ("delete", f"FOR DELETE USING ({_WRITE})"),
            ):
                op.execute(f"DROP POLICY IF EXISTS pufa_{action} ON unit_events")
                op.execute(f"CREATE POLICY pufa_{action} ON unit_events {clause}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        made = bind.execute(
            sa.text("SELECT count(*) FROM pg_policies WHERE tablename = 'unit_events'")
        ).scalar()
        if made:
            ids = "CAST((SELECT pufa_{k}_ids(current_user, {own})) AS integer[])"
            read = (
                f"(unit_id IS NULL OR unit_id = ANY ({ids.format(k='unit', own='false')})) "
                f"AND (task_id IS NULL OR task_id = ANY ({ids.format(k='task', own='false')}))"
            )
            write = (
                f"(unit_id IS NULL OR unit_id = ANY ({ids.format(k='unit', own='true')})) "
                f"AND (task_id IS NULL OR task_id = ANY ({ids.format(k='task', own='true')}))"
            )
            for action, clause in (
                ("select", f"FOR SELECT USING ({read})"),
                ("insert", f"FOR INSERT WITH CHECK ({write})"),
                ("update", f"FOR UPDATE USING ({write}) WITH CHECK ({write})"),
                ("delete", f"FOR DELETE USING ({write})"),
            ):
                op.execute(f"DROP POLICY IF EXISTS pufa_{action} ON unit_events")
                op.execute(f"CREATE POLICY pufa_{action} ON unit_events {clause}")
    with op.batch_alter_table("unit_events") as batch:
        batch.drop_index(batch.f("ix_unit_events_office_id"))
        batch.drop_constraint("fk_unit_events_office_id_offices", type_="foreignkey")
        batch.drop_column("office_id")

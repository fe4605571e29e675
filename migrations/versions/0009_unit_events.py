"""record what happens to units: renames, merges, kinds, lead changes, removals

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:30:00

The ledger is append-only, and so is the registry's story: ``unit rename``, ``unit merge``,
``unit set --kind``, ``unit remove`` and a lead changed in place (``assign N U --lead U``) each
add a ``unit_events`` row (who, when, the old and new value), and a merge adds one
``unit_event_entries`` row per entry it moved, so every entry's original unit can be told. An
old name then answers "did you mean NEW". Additive: existing rows are untouched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("old_value", sa.String(length=200), nullable=True),
        sa.Column("new_value", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_events_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_unit_events_task_id_tasks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_events")),
    )
    op.create_index(op.f("ix_unit_events_unit_id"), "unit_events", ["unit_id"], unique=False)
    op.create_table(
        "unit_event_entries",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["unit_events.id"], name=op.f("fk_unit_event_entries_event_id_unit_events")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_unit_event_entries_entry_id_entries")
        ),
        sa.PrimaryKeyConstraint("event_id", "entry_id", name=op.f("pk_unit_event_entries")),
    )


def downgrade() -> None:
    op.drop_table("unit_event_entries")
    op.drop_index(op.f("ix_unit_events_unit_id"), table_name="unit_events")
    op.drop_table("unit_events")

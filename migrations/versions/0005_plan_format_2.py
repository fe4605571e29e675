"""plan format 2: repeating checkpoints (cadence), target aggregates, a task's leader

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:30:00

A task's checkpoints come from its one-off ``checks`` and, in format version 2, a ``cadence``
(每月, 每月5日前, 每季度末, 每半年, 每年); existing tasks have none. A target says how the units'
values make the task's figure (``aggregate``: sum, each, mean, latest); existing targets keep
today's rule, ``latest`` (the newest value any unit reported), so every report of an upgraded
database gives the numbers it gave before. A task may name its leader (責任領導), an assignment
the person answerable for it (責任人, ``pufa assign --person``). Sections and tasks may keep the
source's own numbering for display (``label``: 二、, (三)); ``number`` stays the reference.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("cadence", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("leader", sa.Text(), nullable=True))
        batch.add_column(sa.Column("label", sa.String(length=20), nullable=True))
    with op.batch_alter_table("sections") as batch:
        batch.add_column(sa.Column("label", sa.String(length=20), nullable=True))
    with op.batch_alter_table("targets") as batch:
        batch.add_column(
            sa.Column("aggregate", sa.String(length=10), nullable=False, server_default="latest")
        )
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("person", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("person")
    with op.batch_alter_table("targets") as batch:
        batch.drop_column("aggregate")
    with op.batch_alter_table("sections") as batch:
        batch.drop_column("label")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("label")
        batch.drop_column("leader")
        batch.drop_column("cadence")

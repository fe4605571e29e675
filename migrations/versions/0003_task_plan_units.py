"""remember which units the plan file names for each task

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 02:30:00

``pufa init`` assigns the lead and supporting units a plan names. Loading the same plan again
must not undo what the office changed since (a lead it unassigned), so each task remembers the
units the plan named when it was last loaded, and only units the plan newly names are assigned.
An empty value (tasks loaded before this revision) means "as the plan names them now".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("plan_units", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("plan_units")

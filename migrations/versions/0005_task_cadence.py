"""repeating checkpoints of a task (cadence)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:30:00

A task's checkpoints come from its one-off ``checks`` and, in format version 2, a ``cadence``
(每月, 每月5日前, 每季度末, 每半年, 每年). Checkpoints count: a past one without an entry is missed.
Existing tasks have no cadence.
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


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("cadence")

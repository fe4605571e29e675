"""scoring rules, manual scores, bonus points and frozen notices (通報)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 11:00:00

A plan that scores keeps its ``scoring:`` block (JSON) beside its title. Manual indicator
scores (self and reviewer) and bonus points are rows of their own, never updated: the latest
manual row of a unit and item wins, bonus rows add up. A notice is an immutable snapshot
(JSON) numbered per plan: its numbers never change when entries are back-dated afterwards.
Only new tables and a nullable column: every existing row is kept as it is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("scoring", sa.Text(), nullable=True))
    op.create_table(
        "manual_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("self_score", sa.Float(), nullable=False),
        sa.Column("review_score", sa.Float(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name="fk_manual_scores_plan_id_plans", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_manual_scores_unit_id_units"),
        sa.PrimaryKeyConstraint("id", name="pk_manual_scores"),
    )
    op.create_index(
        "ix_manual_scores_latest", "manual_scores", ["plan_id", "unit_id", "item_key", "id"]
    )
    op.create_table(
        "bonuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name="fk_bonuses_plan_id_plans", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_bonuses_unit_id_units"),
        sa.PrimaryKeyConstraint("id", name="pk_bonuses"),
    )
    op.create_index("ix_bonuses_plan_unit", "bonuses", ["plan_id", "unit_id"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name="fk_notices_plan_id_plans", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notices"),
        sa.UniqueConstraint("plan_id", "seq", name="uq_notices_plan_id"),
    )


def downgrade() -> None:
    op.drop_table("notices")
    op.drop_index("ix_bonuses_plan_unit", table_name="bonuses")
    op.drop_table("bonuses")
    op.drop_index("ix_manual_scores_latest", table_name="manual_scores")
    op.drop_table("manual_scores")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("scoring")

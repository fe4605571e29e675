"""the supervision cycle (督辦): evidence files, reviews, structured progress

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:30:00

Evidence files are stored in the database (so a backup and PostgreSQL carry them): their bytes
once per content in ``evidence_blobs`` (keyed by SHA-256), linked to entries by
``entry_evidence``. ``reviews`` holds each approval or return of an entry, ``plans.review``
whether the plan requires review, ``plans.reporting`` its reporting rounds, ``entries.problems`` and ``entries.next_steps`` the
structured progress (存在問題, 下一步措施), ``extensions`` each unit's moved due date (延期), ``reminders`` the notices sent (催辦). Every existing row is kept; new columns get defaults.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("problems", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("next_steps", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("plans") as batch:
        batch.add_column(
            sa.Column("review", sa.String(length=20), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("reporting", sa.String(length=40), nullable=False, server_default="")
        )
    op.create_table(
        "evidence_blobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_blobs")),
        sa.UniqueConstraint("sha256", name=op.f("uq_evidence_blobs_sha256")),
    )
    op.create_table(
        "entry_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_entry_evidence_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["blob_id"],
            ["evidence_blobs.id"],
            name=op.f("fk_entry_evidence_blob_id_evidence_blobs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_evidence")),
    )
    op.create_index("ix_entry_evidence_entry_id", "entry_evidence", ["entry_id"])
    op.create_index("ix_entry_evidence_blob_id", "entry_evidence", ["blob_id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_reviews_entry_id_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    op.create_index("ix_reviews_entry_id", "reviews", ["entry_id"])
    op.create_table(
        "extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("due_word", sa.String(length=40), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_extensions_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_extensions_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extensions")),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("colour", sa.String(length=10), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_reminders_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_reminders_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    op.create_index("ix_reminders_task_id", "reminders", ["task_id", "unit_id"])
    op.create_index(
        "ix_extensions_task_id", "extensions", ["task_id", "unit_id", "granted_on", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_reminders_task_id", table_name="reminders")
    op.drop_table("reminders")
    op.drop_index("ix_extensions_task_id", table_name="extensions")
    op.drop_table("extensions")
    op.drop_index("ix_reviews_entry_id", table_name="reviews")
    op.drop_table("reviews")
    op.drop_index("ix_entry_evidence_blob_id", table_name="entry_evidence")
    op.drop_index("ix_entry_evidence_entry_id", table_name="entry_evidence")
    op.drop_table("entry_evidence")
    op.drop_table("evidence_blobs")
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy would drop and recreate
    # tables that other tables' foreign keys point at, which fails once they hold rows.
    op.drop_column("plans", "reporting")
    op.drop_column("plans", "review")
    op.drop_column("entries", "next_steps")
    op.drop_column("entries", "problems")

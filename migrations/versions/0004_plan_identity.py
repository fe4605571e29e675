"""plan identity and metadata: several plans a year

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:40:00

An office keeps its 普法要點 and its 法治政府建設要點 of one year in one database, so a plan is
known by its ``code`` (the plan file's ``id``), not by its year. Existing plans take their year
as text, which is what a plan file without ``id`` gets: every task, assignment and entry stays
where it was. The plan's 文號 (``doc_number``), issuing body, issue date (the on-schedule clock
starts then), addressees (JSON list) and groups of units (JSON: 各街道辦事處 → its units, so
``pufa assign`` can assign a whole group) are kept beside its title.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("code", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("doc_number", sa.Text(), nullable=True))
        batch.add_column(sa.Column("issuer", sa.Text(), nullable=True))
        batch.add_column(sa.Column("issued", sa.Date(), nullable=True))
        batch.add_column(sa.Column("addressees", sa.Text(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("groups", sa.Text(), nullable=False, server_default="{}"))
    op.execute("UPDATE plans SET code = CAST(year AS VARCHAR(40))")
    with op.batch_alter_table("plans") as batch:
        batch.alter_column("code", existing_type=sa.String(length=40), nullable=False)
        batch.drop_constraint("uq_plans_year", type_="unique")
        batch.create_unique_constraint("uq_plans_code", ["code"])


def downgrade() -> None:
    # Only one plan a year can go back: refuse rather than drop a plan's tasks and entries.
    bind = op.get_bind()
    doubled = bind.execute(
        sa.text("SELECT year FROM plans GROUP BY year HAVING count(*) > 1")
    ).first()
    if doubled is not None:
        raise RuntimeError(
            f"cannot downgrade: year {doubled[0]} has several plans (one plan a year before 0004)"
        )
    with op.batch_alter_table("plans") as batch:
        batch.drop_constraint("uq_plans_code", type_="unique")
        batch.create_unique_constraint("uq_plans_year", ["year"])
        batch.drop_column("groups")
        batch.drop_column("addressees")
        batch.drop_column("issued")
        batch.drop_column("issuer")
        batch.drop_column("doc_number")
        batch.drop_column("code")

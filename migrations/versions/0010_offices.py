"""offices: a city and its districts in one database

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 11:00:00

A city's 依法治市辦 supervises districts, which supervise their street offices: ``offices`` is
that tree (``parent_id``). Every plan and unit belongs to one office (assignments and entries
through their task and unit). An existing database gets one office, its default (``is_default``,
named 本辦), and every plan and unit goes to it, so every command and every number is unchanged.
A plan id, a unit name and a unit's match key are unique within their office, not across
the city (0006 made the match key unique in the database: now in each office). A task may name
the city task it carries (``carries``: ``PLAN_ID#N``). On PostgreSQL, ``office_grants`` maps a
database role to its office (``pufa db grant``; the row-level security policies read it).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("match_key", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("is_default", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["offices.id"], name=op.f("fk_offices_parent_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offices")),
        sa.UniqueConstraint("name", name=op.f("uq_offices_name")),
    )
    with op.batch_alter_table("offices") as batch:
        batch.create_index(batch.f("ix_offices_parent_id"), ["parent_id"], unique=False)
    offices = sa.table(
        "offices",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("match_key", sa.String),
        sa.column("is_default", sa.Integer),
        sa.column("created_at", sa.DateTime),
    )
    op.bulk_insert(
        offices,
        [
            {
                "id": 1,
                "name": "本辦",
                "match_key": "本办",
                "is_default": 1,
                "created_at": datetime(2000, 1, 1),
            }
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('offices', 'id'), 1)")
    for table in ("plans", "units"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET office_id = 1")
    with op.batch_alter_table("plans") as batch:
        batch.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            batch.f("fk_plans_office_id_offices"), "offices", ["office_id"], ["id"]
        )
        batch.drop_constraint("uq_plans_code", type_="unique")
        batch.create_unique_constraint(batch.f("uq_plans_office_id"), ["office_id", "code"])
    with op.batch_alter_table("units") as batch:
        batch.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            batch.f("fk_units_office_id_offices"), "offices", ["office_id"], ["id"]
        )
        batch.drop_constraint("uq_units_name", type_="unique")
        batch.create_unique_constraint(batch.f("uq_units_office_id"), ["office_id", "name"])
        batch.drop_index("ix_units_match_key")
        batch.create_index("ix_units_match_key", ["match_key"], unique=False)
        batch.create_unique_constraint("uq_units_office_match_key", ["office_id", "match_key"])
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("carries", sa.String(length=60), nullable=True))
    op.create_table(
        "office_grants",
        sa.Column("role_name", sa.String(length=63), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_office_grants_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("role_name", name=op.f("pk_office_grants")),
    )


def downgrade() -> None:
    # One office only can go back: refuse rather than merge offices' plans and units.
    bind = op.get_bind()
    count = bind.execute(sa.text("SELECT count(*) FROM offices")).scalar()
    if count and count > 1:
        raise RuntimeError("cannot downgrade: the database holds several offices (one before 0010)")
    op.drop_table("office_grants")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("carries")
    with op.batch_alter_table("units") as batch:
        batch.drop_constraint("uq_units_office_match_key", type_="unique")
        batch.drop_index("ix_units_match_key")
        batch.create_index("ix_units_match_key", ["match_key"], unique=True)
        batch.drop_constraint("uq_units_office_id", type_="unique")
        batch.create_unique_constraint("uq_units_name", ["name"])
        batch.drop_constraint("fk_units_office_id_offices", type_="foreignkey")
        batch.drop_column("office_id")
    with op.batch_alter_table("plans") as batch:
        batch.drop_constraint("uq_plans_office_id", type_="unique")
        batch.create_unique_constraint("uq_plans_code", ["code"])
        batch.drop_constraint("fk_plans_office_id_offices", type_="foreignkey")
        batch.drop_column("office_id")
    with op.batch_alter_table("offices") as batch:
        batch.drop_index(batch.f("ix_offices_parent_id"))
    op.drop_table("offices")

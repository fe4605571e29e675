"""sub-items of a task (format version 2 ``items:``), addressed as TASK.N

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 12:00:00

A task may have sub-items ((1)(2)(3) of the plan document): each is a row of ``tasks`` with the
number of its task, its own ``item`` number (1, 2 …) and ``parent_id`` naming its task; a task
itself has ``item`` 0. So the plan-wide key of a task becomes (plan, number, item): ``9`` is
(9, 0), ``9.2`` is (9, 2). Existing tasks get ``item`` 0 and no parent: every row, every
reference and every report number stays as it was.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("item", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_tasks_parent_id_tasks", "tasks", ["parent_id"], ["id"], ondelete="CASCADE"
        )
        batch.drop_constraint("uq_tasks_plan_id", type_="unique")
        batch.create_unique_constraint("uq_tasks_plan_id", ["plan_id", "number", "item"])
    op.create_index("ix_tasks_parent_id", "tasks", ["parent_id"])


def downgrade() -> None:
    # Sub-items cannot be kept by a schema without them: going down removes them (their
    # entries and assignments first), as going down removes every later addition.
    op.execute(
        "DELETE FROM entry_metrics WHERE entry_id IN (SELECT e.id FROM entries e "
        "JOIN tasks t ON t.id = e.task_id WHERE t.item > 0)"
    )
    op.execute(
        "DELETE FROM retractions WHERE entry_id IN (SELECT e.id FROM entries e "
        "JOIN tasks t ON t.id = e.task_id WHERE t.item > 0)"
    )
    op.execute("DELETE FROM entries WHERE task_id IN (SELECT id FROM tasks WHERE item > 0)")
    op.execute("DELETE FROM assignments WHERE task_id IN (SELECT id FROM tasks WHERE item > 0)")
    op.execute(
        "DELETE FROM entry_metrics WHERE target_id IN (SELECT g.id FROM targets g "
        "JOIN tasks t ON t.id = g.task_id WHERE t.item > 0)"
    )
    op.execute("DELETE FROM targets WHERE task_id IN (SELECT id FROM tasks WHERE item > 0)")
    op.execute("DELETE FROM tasks WHERE item > 0")
    op.drop_index("ix_tasks_parent_id", table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_constraint("uq_tasks_plan_id", type_="unique")
        batch.create_unique_constraint("uq_tasks_plan_id", ["plan_id", "number"])
        batch.drop_constraint("fk_tasks_parent_id_tasks", type_="foreignkey")
        batch.drop_column("parent_id")
        batch.drop_column("item")

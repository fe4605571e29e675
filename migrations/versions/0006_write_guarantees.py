"""let the schema enforce the ledger's rules on every engine

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 11:30:00

pufa checks these rules in Python before it writes; the schema now enforces them too, so no
interleaving of two writers can break them (issue 11.1):

* an entry's percent is from 0 to 100 (``CHECK``);
* a task has at most one lead (a unique index on ``assignments.task_id`` over the lead rows);
* a unit's match key (its name folded across Traditional/Simplified, width and case) is unique.

A database that already breaks one of them (two leads or one unit registered twice by writers
racing on PostgreSQL before pufa serialised them) is not changed: the migration stops, names the
rows, and the database stays at revision 0005 until they are put right.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LEAD = sa.text("role = 'lead'")


def upgrade() -> None:
    # A database that already breaks a rule is refused, unchanged (the message is pufa's, so
    # that it is translated with the rest).
    from pufa_cli.schema import refuse_rule_breaks

    refuse_rule_breaks(op.get_bind())
    with op.batch_alter_table("entries") as batch:
        batch.create_check_constraint("percent_range", "percent BETWEEN 0 AND 100")
    op.create_index(
        "uq_assignments_one_lead",
        "assignments",
        ["task_id"],
        unique=True,
        sqlite_where=LEAD,
        postgresql_where=LEAD,
    )
    op.drop_index("ix_units_match_key", table_name="units")
    op.create_index("ix_units_match_key", "units", ["match_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_units_match_key", table_name="units")
    op.create_index("ix_units_match_key", "units", ["match_key"], unique=False)
    op.drop_index("uq_assignments_one_lead", table_name="assignments")
    with op.batch_alter_table("entries") as batch:
        batch.drop_constraint("percent_range", type_="check")

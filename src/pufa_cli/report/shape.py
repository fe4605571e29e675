"""What a plan uses of what the report's statements can leave out, asked in one statement.

The report counted in SQL (``aggregate.py``) writes its statements for the plan in hand: no
extension recorded, no extension lookup; no aggregating target, no target query; no task with
checkpoints, no checkpoint query; no sub-items, no family grouping; no task without a unit, no
any-unit lookup (preparing those branches cost ~10 % of the main statement even where nothing
ran them). Each of these was a probe of its own; they are one statement here (~0.06 ms on the
large benchmark ledger, where five were ~0.13 ms).

The answer holds for the whole command: a read runs in one snapshot on both engines (SQLite's
deferred transaction; PostgreSQL's repeatable-read transaction, ``store.postgres``), so a
write committed meanwhile cannot make the statements disagree with it.
"""

from __future__ import annotations

from typing import NamedTuple

from pufa_cli.progress import PlanRef
from pufa_cli.store import Connection
from pufa_cli.store.sql import AGGREGATES, HAS_CHECKPOINTS


class PlanShape(NamedTuple):
    extensions: bool  # an extension was ever recorded (any plan: the lookup is per assignment)
    targets: bool  # a target of the plan aggregates (targets.target_percents)
    checks: bool  # a current task of the plan has checkpoints (checkpoints.checkpoint_states)
    items: bool  # a task has sub-items (any plan: the index holds no plan)
    unitless: bool  # a current task of the plan has no unit assigned


_SHAPE_SQL = (
    "SELECT EXISTS (SELECT 1 FROM extensions), "
    "EXISTS (SELECT 1 FROM targets g JOIN tasks t ON t.id = g.task_id "
    f"WHERE t.plan_id = :plan AND {AGGREGATES}), "
    f"EXISTS (SELECT 1 FROM tasks t WHERE t.plan_id = :plan AND {HAS_CHECKPOINTS}), "
    "EXISTS (SELECT 1 FROM tasks WHERE parent_id IS NOT NULL), "
    "EXISTS (SELECT 1 FROM tasks t WHERE t.plan_id = :plan AND t.in_plan = 1 "
    "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id))"
)


def plan_shape(conn: Connection, plan: PlanRef) -> PlanShape:
    row = conn.one(_SHAPE_SQL, {"plan": plan.id})
    assert row is not None
    return PlanShape(*(bool(v) for v in row))

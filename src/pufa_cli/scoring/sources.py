"""Counts behind the deductions that other parts of pufa know about, one function each.

Each returns what exists in this pufa: checkpoints, evidence and reporting rounds are kept by
their own modules, whose rules are used as they are; where a part is not there yet, its count is
zero (docs/scoring.md says which).
"""

from __future__ import annotations

from datetime import date

from pufa_cli.progress import PlanRef, latest_sql
from pufa_cli.store import Connection

Key = tuple[int, int]  # (task id, unit id)


def missed_checkpoints(conn: Connection, plan: PlanRef, as_of: date) -> dict[Key, int]:
    """Checkpoints each assigned unit missed on a task as of ``as_of`` (checks and cadence,
    the rule of ``checkpoints``: docs/rules.md)."""
    from pufa_cli.checkpoints import checkpoint_states

    return {
        (task_id, unit_id): missed
        for task_id, state in checkpoint_states(conn, plan, as_of).items()
        for unit_id, missed in state.missed_by_unit.items()
        if missed
    }


# Each assigned unit's latest counting entry as of D when it claims 100 % and carries no evidence.
_UNPROVED_SQL = (
    "SELECT a.task_id, a.unit_id FROM tasks t JOIN assignments a ON a.task_id = t.id "
    f"JOIN entries e ON e.id = ({latest_sql('id', alias='l')}) "
    "WHERE t.plan_id = :plan AND t.in_plan = 1 AND e.percent >= 100 "
    "AND NOT EXISTS (SELECT 1 FROM entry_evidence v WHERE v.entry_id = e.id)"
)


def missing_evidence(conn: Connection, plan: PlanRef, as_of: date) -> dict[Key, int]:
    """Done claims without evidence: 1 for each unit's share of a task whose latest counting
    entry as of ``as_of`` is at 100 % with no evidence file (``log --evidence``)."""
    rows = conn.rows(_UNPROVED_SQL, {"plan": plan.id, "as_of": as_of})
    return {(int(task_id), int(unit_id)): 1 for task_id, unit_id in rows}


def round_counts(conn: Connection, plan: PlanRef, as_of: date) -> dict[int, dict[str, int]]:
    """Per unit: its ``late_report`` and ``missing_report`` reporting rounds as of ``as_of``
    (the plan's ``reporting:``, the rule of ``supervision.rounds``)."""
    if not plan.reporting:
        return {}
    from pufa_cli.supervision.rounds import late_missing, unit_rounds

    counts = late_missing(unit_rounds(conn, plan, plan.reporting, as_of))
    return {
        unit_id: {"late_report": late, "missing_report": missing}
        for unit_id, (late, missing) in counts.items()
    }

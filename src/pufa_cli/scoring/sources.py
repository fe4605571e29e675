"""Counts behind the deductions that other parts of pufa know about, one function each.

Each returns what exists in this pufa: checkpoints, evidence and reporting rounds are kept by
their own modules, whose rules are used as they are; where a part is not there yet, its count is
zero (docs/scoring.md says which).
"""

from __future__ import annotations

from datetime import date

from pufa_cli.progress import PlanRef
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


def missing_evidence(conn: Connection, plan: PlanRef, as_of: date) -> dict[Key, int]:
    """Done claims without evidence, per unit's share of a task.

    Not yet wired to the evidence of ``supervision.evidence``: always empty (docs/scoring.md)."""
    return {}


def round_counts(conn: Connection, plan: PlanRef, as_of: date) -> dict[int, dict[str, int]]:
    """Per unit: ``late_report`` and ``missing_report`` reporting rounds as of ``as_of``.

    Not yet wired to ``supervision.rounds``: always empty (docs/scoring.md)."""
    return {}

"""Counts behind the deductions that other parts of pufa know about, one function each.

Each returns what exists in this pufa: checkpoints, evidence and reporting rounds are kept by
their own modules; where a module is not there, its count is zero (docs/scoring.md says which).
"""

from __future__ import annotations

from datetime import date

from pufa_cli.store import Connection
from pufa_cli.progress import PlanRef

Key = tuple[int, int]  # (task id, unit id)


def missed_checkpoints(conn: Connection, plan: PlanRef, as_of: date) -> dict[Key, int]:
    """Missed checkpoints of each unit's share of a task as of ``as_of``.

    Checkpoints do not count in this pufa yet (no checkpoint rule): always empty."""
    return {}


def missing_evidence(conn: Connection, plan: PlanRef, as_of: date) -> dict[Key, int]:
    """Done claims without evidence, per unit's share of a task.

    This pufa stores no evidence yet: always empty."""
    return {}


def round_counts(conn: Connection, plan: PlanRef, as_of: date) -> dict[int, dict[str, int]]:
    """Per unit: ``late_report`` and ``missing_report`` reporting rounds as of ``as_of``.

    This pufa has no reporting rounds yet: always empty."""
    return {}

"""Recording what people score: manual indicators (self and reviewer) and bonus points.

Both are rows of their own, never updated: for a unit and item the latest self-score stands
and the latest reviewer score stands (a new self-score keeps the reviewer's); bonus rows add
up (a negative row corrects an earlier one), counted within 0 .. the plan's ``bonus_cap``.
Everything is checked before the one INSERT.
"""

from __future__ import annotations

import math
from datetime import datetime

from pufa_cli.errors import BadInput, NotFound
from pufa_cli.i18n import _
from pufa_cli.ledger import json_number
from pufa_cli.progress import PlanRef
from pufa_cli.scoring.compute import require_scoring
from pufa_cli.scoring.rules import MAX_POINTS
from pufa_cli.store import Connection


def _check_points(value: float, name: str, high: float) -> None:
    if not math.isfinite(value) or not 0 <= value <= high:
        raise BadInput(
            _("{name} must be from 0 to {high} (the item's points), not {value}").format(
                name=name, high=json_number(high), value=value
            )
        )


def set_manual(
    conn: Connection,
    plan: PlanRef,
    unit: str,
    key: str,
    self_score: float,
    review: float | None,
    *,
    by: str,
    now: datetime,
) -> None:
    from pufa_cli.units import resolve_unit

    scoring = require_scoring(conn, plan)
    item = scoring.item(key)
    if item is None:
        raise NotFound(
            _("no item '{key}' in the scoring of plan {id} (items: {keys})").format(
                key=key, id=plan.code, keys=", ".join(i.key for i in scoring.items) or "-"
            )
        )
    _check_points(self_score, "--self", item.points)
    if review is not None:
        _check_points(review, "--review", item.points)
    unit_id = resolve_unit(conn, unit).id
    conn.run(
        "INSERT INTO manual_scores (plan_id, unit_id, item_key, self_score, review_score, "
        "recorded_by, created_at) VALUES (:p, :u, :k, :s, :r, :by, :at)",
        {
            "p": plan.id,
            "u": unit_id,
            "k": key,
            "s": self_score,
            "r": review,
            "by": by,
            "at": now,
        },
    )


def add_bonus(
    conn: Connection,
    plan: PlanRef,
    unit: str,
    points: float,
    reason: str,
    *,
    by: str,
    now: datetime,
) -> None:
    from pufa_cli.units import resolve_unit

    require_scoring(conn, plan)
    if not reason.strip():
        raise BadInput(_("a bonus needs --reason (why the unit earns it)"))
    if not math.isfinite(points) or points == 0 or abs(points) > MAX_POINTS:
        raise BadInput(
            _(
                "--points must be a number other than 0, at most {high} either way, not {value}"
            ).format(high=int(MAX_POINTS), value=points)
        )
    unit_id = resolve_unit(conn, unit).id
    conn.run(
        "INSERT INTO bonuses (plan_id, unit_id, points, reason, recorded_by, created_at) "
        "VALUES (:p, :u, :pts, :r, :by, :at)",
        {"p": plan.id, "u": unit_id, "pts": points, "r": reason.strip(), "by": by, "at": now},
    )

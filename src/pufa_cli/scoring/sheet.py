"""The Score sheet of the workbook (``export --what all -f xlsx``): the assessment table offices
build by hand — for each unit its tasks with points, percent, each deduction and the points
earned, its manual items with the self and the reviewer's score, then its total and score."""

from __future__ import annotations

from datetime import date
from typing import Any

from pufa_cli.i18n import _
from pufa_cli.progress import PlanRef
from pufa_cli.scoring.compute import compute_scores, number, plan_scoring
from pufa_cli.scoring.rules import TASK_KINDS
from pufa_cli.scoring.wording import TextFn
from pufa_cli.store import Connection


def score_labels() -> list[str]:
    return [
        _("Unit"),
        _("Task or item"),
        _("Title"),
        _("Points"),
        "%",
        _("Overdue"),
        _("Late"),
        _("Missed checkpoints"),
        _("Missing evidence"),
        _("Earned"),
        _("Self"),
        _("Reviewer"),
        _("Bonus"),
        _("Score"),
    ]


def score_sheet(
    conn: Connection, plan: PlanRef, as_of: date, text_fn: TextFn
) -> tuple[list[str], list[list[Any]]] | None:
    """(labels, rows) of the Score sheet, None when the plan does not score."""
    scoring = plan_scoring(conn, plan)
    if scoring is None:
        return None
    result = compute_scores(conn, plan, as_of, scoring=scoring, previous=("", {}))
    shares: dict[int, list[Any]] = {}
    for s in result.shares:
        shares.setdefault(s.unit_id, []).append(s)
    manual: dict[int, list[Any]] = {}
    for m in result.manual:
        manual.setdefault(m.unit_id, []).append(m)
    rows: list[list[Any]] = []
    for u in sorted(result.units, key=lambda u: (u.rank, u.unit)):
        name = text_fn(u.unit)
        for s in shares.get(u.unit_id, []):
            rows.append(
                [
                    name,
                    s.task_json,
                    text_fn(s.title),
                    number(s.points),
                    s.percent,
                    *(number(s.deductions.get(k, 0.0)) for k in TASK_KINDS),
                    number(s.earned),
                    None,
                    None,
                    None,
                    None,
                ]
            )
        for m in manual.get(u.unit_id, []):
            rows.append(
                [
                    name,
                    m.key,
                    text_fn(m.label),
                    number(m.points),
                    None,
                    None,
                    None,
                    None,
                    None,
                    number(m.review or 0.0),
                    None if m.self_score is None else number(m.self_score),
                    None if m.review is None else number(m.review),
                    None,
                    None,
                ]
            )
        rows.append(
            [
                name,
                None,
                _("Total (rank {rank})").format(rank=u.rank),
                number(u.possible),
                None,
                None,
                None,
                None,
                None,
                number(u.earned),
                None,
                None,
                number(u.bonus),
                u.score,
            ]
        )
    return score_labels(), rows

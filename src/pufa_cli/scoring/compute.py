"""Scores as of a date: each unit against the plan's ``scoring:`` block (docs/scoring.md).

* A unit earns on each task assigned to it ``max(0, points × min(percent, 100) / 100 − that
  task's deductions for the unit)``: deductions stop at zero per task.
* Per task and unit: ``overdue`` once when its share is not done and its due date (the
  assignment's, else the task's) is on or before D (``progress.is_overdue``); ``late`` once
  when it is done and was done after its due date (done on: its first counting 100 % entry
  after its last counting entry below 100); ``missed_checkpoint`` and ``missing_evidence``
  for each one (``sources``).
* Round deductions (``late_report``, ``missing_report``, each round) come off the unit's task
  total, which stops at zero.
* ``score = 100 × (earned + reviewer points) / (points of its tasks + manual points)`` plus
  bonus (a unit's rows summed, kept within 0 .. ``bonus_cap``), rounded to one decimal half up.
* Units are ranked by score (ties share a rank: 1, 2, 2, 4); ``rank_change`` is the places
  gained since the plan's last issued notice.

The unit's percent, due date and done-on date come from one SQL query, one row an assignment
(the same latest-entry rule as the report, ``progress.ASSIGNMENT_CTE``); the arithmetic over
those rows runs here. Manual scores and bonuses are not dated: they belong to the assessment,
whatever D is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _
from pufa_cli.progress import ASSIGNMENT_CTE, PlanRef, is_overdue
from pufa_cli.refs import json_ref, task_ref
from pufa_cli.scoring import sources
from pufa_cli.scoring.rules import ROUND_KINDS, TASK_KINDS, Scoring
from pufa_cli.store import Connection, as_date

# Float noise (6.8 − 1.9 = 4.8999999999999995) must not move a half-up rounding: values are
# first rounded to this many decimals.
_NOISE_DIGITS = 9

_COUNTING = "NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = {a}.id)"

# The day a done share was done: its first counting 100 % entry dated <= D after which no
# counting entry below 100 follows (a unit that went back below 100 and up again is done on
# the second day).
_DONE_ON = (
    "(SELECT MIN(d.entry_date) FROM entries d WHERE d.task_id = au.task_id "
    "AND d.unit_id = au.unit_id AND d.percent >= 100 AND d.entry_date <= :as_of AND "
    + _COUNTING.format(a="d")
    + " AND NOT EXISTS (SELECT 1 FROM entries b WHERE b.task_id = d.task_id "
    "AND b.unit_id = d.unit_id AND b.percent < 100 AND b.entry_date <= :as_of AND "
    + _COUNTING.format(a="b")
    + " AND (b.entry_date > d.entry_date OR (b.entry_date = d.entry_date AND b.id > d.id))))"
)

_SHARES_SQL = (
    f"WITH {ASSIGNMENT_CTE} "
    "SELECT au.task_id, t.number, t.title, s.number, au.unit_id, u.name, au.due, au.pct, "
    f"CASE WHEN au.pct >= 100 THEN {_DONE_ON} END, t.item, "
    # A sub-item (9.2) takes an even share of its task's points: the task's item count.
    "CASE WHEN t.item > 0 THEN (SELECT COUNT(*) FROM tasks i WHERE i.parent_id = t.parent_id) "
    "ELSE 1 END "
    "FROM au JOIN tasks t ON t.id = au.task_id JOIN sections s ON s.id = t.section_id "
    "JOIN units u ON u.id = au.unit_id"
)

# The latest manual row of each unit and item: its self-score, and the latest reviewer score
# recorded for that unit and item (a new self-score keeps the reviewer's).
_MANUAL_SQL = (
    "SELECT m.unit_id, u.name, m.item_key, m.self_score, "
    "(SELECT r.review_score FROM manual_scores r WHERE r.plan_id = m.plan_id "
    "AND r.unit_id = m.unit_id AND r.item_key = m.item_key AND r.review_score IS NOT NULL "
    "ORDER BY r.id DESC LIMIT 1) "
    "FROM manual_scores m JOIN units u ON u.id = m.unit_id WHERE m.plan_id = :plan "
    "AND m.id = (SELECT MAX(x.id) FROM manual_scores x WHERE x.plan_id = m.plan_id "
    "AND x.unit_id = m.unit_id AND x.item_key = m.item_key)"
)

_BONUS_SQL = (
    "SELECT b.unit_id, u.name, SUM(b.points) FROM bonuses b JOIN units u ON u.id = b.unit_id "
    "WHERE b.plan_id = :plan GROUP BY b.unit_id, u.name"
)


def half_up(value: float, places: str = "0.1") -> float:
    """One decimal, half up (四捨五入: 12.25 → 12.3), after removing float noise."""
    exact = Decimal(repr(round(float(value), _NOISE_DIGITS)))
    return float(exact.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def clean(value: float) -> float:
    """A sum of points as shown: float noise removed (4.8999999999999995 → 4.9)."""
    return round(float(value), _NOISE_DIGITS) + 0.0


@dataclass(frozen=True)
class Share:
    """One unit's share of one task, scored."""

    task_id: int
    number: int
    title: str
    section: int
    unit_id: int
    unit: str
    points: float
    percent: int
    due: date
    done_on: date | None
    deductions: dict[str, float]  # kind → points taken off (before the floor at zero)
    earned: float
    item: int = 0  # N of a sub-item (9.2), 0 for a task

    @property
    def ref(self) -> str:
        """``9``, or ``9.2`` for a sub-item: how commands and tables name it."""
        return task_ref(self.number, self.item)

    @property
    def task_json(self) -> int | str:
        """JSON ``task``: a plain integer (9) for a task, a string ("9.2") for a sub-item."""
        return json_ref(self.number, self.item)

    @property
    def lost(self) -> float:
        """Points not earned: (100 − percent) % of the points plus the deductions applied."""
        return clean(self.points - self.earned)


@dataclass(frozen=True)
class Manual:
    unit_id: int
    unit: str
    key: str
    label: str
    points: float
    self_score: float | None
    review: float | None


@dataclass
class UnitScore:
    unit_id: int
    unit: str
    score: float
    earned: float  # task points earned (after deductions) plus reviewer points
    possible: float  # points of its tasks plus the manual points
    deductions: float  # points the deductions took off, as applied (after the floors)
    bonus: float  # counted bonus (within 0 .. bonus_cap)
    round_deductions: dict[str, float] = field(default_factory=dict)
    rank: int = 0
    rank_change: int | None = None


@dataclass
class ScoreResult:
    plan: PlanRef
    as_of: date
    scoring: Scoring
    units: list[UnitScore]
    shares: list[Share]
    manual: list[Manual]
    previous: str | None = None  # number of the notice rank_change compares with


def plan_scoring(conn: Connection, plan: PlanRef) -> Scoring | None:
    """The plan's scoring rules, None when its file has no ``scoring:`` block."""
    raw = conn.scalar("SELECT scoring FROM plans WHERE id = :p", {"p": plan.id})
    if raw is None:
        return None
    return Scoring.from_json(str(raw))


def require_scoring(conn: Connection, plan: PlanRef) -> Scoring:
    scoring = plan_scoring(conn, plan)
    if scoring is None:
        raise BadInput(
            _(
                "plan {id} does not score: add a 'scoring:' block to its plan file and load it "
                "again (docs/scoring.md)"
            ).format(id=plan.code)
        )
    return scoring


def score_share(points: float, percent: float, deductions: dict[str, float]) -> float:
    """``max(0, points × min(percent, 100) / 100 − deductions)``."""
    raw = points * min(percent, 100.0) / 100.0 - sum(deductions.values())
    return clean(max(0.0, raw))


def unit_score(
    shares: list[Share],
    reviewer_points: float,
    manual_points: float,
    round_deductions: float,
    bonus_total: float,
    bonus_cap: float,
) -> tuple[float, float, float, float, float]:
    """(score, earned, possible, deductions applied, bonus counted) of one unit."""
    task_earned = sum(s.earned for s in shares)
    after_rounds = max(0.0, task_earned - round_deductions)
    earned = after_rounds + reviewer_points
    possible = sum(s.points for s in shares) + manual_points
    raw = sum(s.points * min(s.percent, 100) / 100.0 for s in shares)
    applied = raw - after_rounds
    bonus = min(max(bonus_total, 0.0), bonus_cap)
    base = 100.0 * earned / possible if possible > 0 else 0.0
    return half_up(base + bonus), clean(earned), clean(possible), clean(applied), clean(bonus)


def rank_units(units: list[UnitScore]) -> list[UnitScore]:
    """By score (then name); competition ranking: equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted(units, key=lambda u: (-u.score, u.unit))
    for pos, u in enumerate(ordered, start=1):
        prev = ordered[pos - 2] if pos > 1 else None
        u.rank = prev.rank if prev is not None and prev.score == u.score else pos
    return ordered


def compute_scores(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    *,
    scoring: Scoring | None = None,
    previous: tuple[str, dict[str, int]] | None = None,
) -> ScoreResult:
    """Every unit of the plan scored as of ``as_of``; ``previous`` = (notice number, unit →
    rank) for ``rank_change``, else the plan's last issued notice."""
    scoring = scoring or require_scoring(conn, plan)
    params = {"plan": plan.id, "as_of": as_of}
    missed = sources.missed_checkpoints(conn, plan, as_of)
    unproved = sources.missing_evidence(conn, plan, as_of)
    shares: list[Share] = []
    for found in conn.rows(_SHARES_SQL, params):
        tid, num, title, snum, uid, uname, due, pct, done_on, item, siblings = found
        due_d = as_date(due)
        assert due_d is not None
        done_d = as_date(done_on)
        percent = int(pct or 0)
        key = (int(tid), int(uid))
        counts = {
            "overdue": int(percent < 100 and is_overdue(due_d, as_of)),
            "late": int(done_d is not None and done_d > due_d),
            "missed_checkpoint": missed.get(key, 0),
            "missing_evidence": unproved.get(key, 0),
        }
        deductions = {
            k: counts[k] * scoring.deduction(k)
            for k in TASK_KINDS
            if counts[k] and scoring.deduction(k)
        }
        # A task with items splits its points evenly among them (docs/scoring.md).
        points = scoring.task_points(int(num)) / int(siblings)
        shares.append(
            Share(
                int(tid),
                int(num),
                str(title),
                int(snum),
                int(uid),
                str(uname),
                points,
                percent,
                due_d,
                done_d,
                deductions,
                score_share(points, percent, deductions),
                int(item),
            )
        )
    shares.sort(key=lambda s: (s.unit, s.number, s.item))

    names: dict[int, str] = {s.unit_id: s.unit for s in shares}
    manual: list[Manual] = []
    latest = {(int(r[0]), str(r[2])): r for r in conn.rows(_MANUAL_SQL, {"plan": plan.id})}
    for uid, uname, _key, _self, _review in latest.values():
        names.setdefault(int(uid), str(uname))
    bonus_total: dict[int, float] = {}
    for uid, uname, total in conn.rows(_BONUS_SQL, {"plan": plan.id}):
        names.setdefault(int(uid), str(uname))
        bonus_total[int(uid)] = float(total or 0)
    for uid in sorted(names, key=lambda u: names[u]):
        for item in scoring.items:
            row = latest.get((uid, item.key))
            manual.append(
                Manual(
                    uid,
                    names[uid],
                    item.key,
                    item.label,
                    item.points,
                    None if row is None else float(row[3]),
                    None if row is None or row[4] is None else float(row[4]),
                )
            )

    rounds = sources.round_counts(conn, plan, as_of)
    by_unit: dict[int, list[Share]] = defaultdict(list)
    for s in shares:
        by_unit[s.unit_id].append(s)
    reviewer: dict[int, float] = defaultdict(float)
    for m in manual:
        reviewer[m.unit_id] += m.review or 0.0
    units: list[UnitScore] = []
    for uid, name in names.items():
        counts = rounds.get(uid, {})
        round_ded = {
            k: counts.get(k, 0) * scoring.deduction(k)
            for k in ROUND_KINDS
            if counts.get(k, 0) and scoring.deduction(k)
        }
        score, earned, possible, applied, bonus = unit_score(
            by_unit[uid],
            reviewer[uid],
            scoring.manual_points,
            sum(round_ded.values()),
            bonus_total.get(uid, 0.0),
            scoring.bonus_cap,
        )
        units.append(UnitScore(uid, name, score, earned, possible, applied, bonus, round_ded))
    ranked = rank_units(units)

    if previous is None:
        from pufa_cli.scoring.notices import last_ranking

        previous = last_ranking(conn, plan)
    if previous is not None:
        before = previous[1]
        for u in ranked:
            old = before.get(u.unit)
            u.rank_change = None if old is None else old - u.rank
    return ScoreResult(
        plan, as_of, scoring, ranked, shares, manual, None if previous is None else previous[0]
    )


# --- machine output ----------------------------------------------------------------------


def number(value: float) -> float | int:
    """A number for JSON: 37, not 37.0; at most two decimals of a sum of points."""
    v = round(float(value), 2) + 0.0
    return int(v) if v.is_integer() else v


def unit_json(u: UnitScore) -> dict[str, Any]:
    return {
        "rank": u.rank,
        "unit": u.unit,
        "score": u.score,
        "earned": number(u.earned),
        "possible": number(u.possible),
        "deductions": number(u.deductions),
        "bonus": number(u.bonus),
        "rank_change": u.rank_change,
    }


def share_json(s: Share, text_fn: Any) -> dict[str, Any]:
    return {
        "unit": s.unit,
        "task": s.task_json,  # 9, or "9.2" for a sub-item
        "section": s.section,
        "title": text_fn(s.title),
        "points": number(s.points),
        "percent": s.percent,
        "due": s.due.isoformat(),
        "done_on": None if s.done_on is None else s.done_on.isoformat(),
        "deductions": {k: number(s.deductions.get(k, 0.0)) for k in TASK_KINDS},
        "earned": number(s.earned),
        "lost": number(s.lost),
    }


def manual_json(m: Manual, text_fn: Any) -> dict[str, Any]:
    return {
        "unit": m.unit,
        "item": m.key,
        "label": text_fn(m.label),
        "points": number(m.points),
        "self": None if m.self_score is None else number(m.self_score),
        "review": None if m.review is None else number(m.review),
    }


def score_json(result: ScoreResult, text_fn: Any, *, by_task: bool = False) -> dict[str, Any]:
    """The stable JSON document of ``pufa score`` (docs/scoring.md)."""
    doc: dict[str, Any] = {
        "year": result.plan.year,
        "plan": result.plan.code,
        "as_of": result.as_of.isoformat(),
        "compared_with": result.previous,
    }
    if by_task:
        doc["rows"] = [share_json(s, text_fn) for s in result.shares]
        doc["items"] = [manual_json(m, text_fn) for m in result.manual]
    else:
        doc["rows"] = [unit_json(u) for u in result.units]
    return doc

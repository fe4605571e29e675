"""Targets as of D: each target's figure from the units' values, by its ``aggregate`` (14.8).

* ``latest`` (every target of a version 1 plan): the newest value any unit reported, as of D.
* ``sum`` (version 2's default for counts: 個, 場次, 人次 …): the sum of each unit's latest value
  — two units reporting 70 and 12 bases make 82 of 100.
* ``mean`` (version 2's default for ``%``): the mean of each unit's latest value.
* ``each``: every unit must reach the target; its share of the target is the mean over units of
  min(value ÷ target, 1), and the value shown is the lowest unit's.

"Each unit" is each unit assigned to the task now (a unit with no value counts 0), or, for a
task with no assigned unit, each unit that has reported on it. A unit's latest value is that of
its latest counting entry dated on or before D that gives one.

A task whose targets all aggregate (none ``latest``) takes its percent from them: the mean over
its targets of min(figure ÷ target, 1) × 100 (for ``each``, the share above), so the task's
percent and its targets' text agree (82/100 個 = 82 %). Everything is computed in SQL: one row
per target comes back.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from pufa_cli.store import Connection
from pufa_cli.store.sql import AGGREGATES, COUNTING

if TYPE_CHECKING:
    from pufa_cli.progress import PlanRef, Scope

LATEST = "latest"


def fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class TargetProgress(NamedTuple):
    key: str
    label: str
    target: float
    unit: str
    value: float | None
    aggregate: str = LATEST
    share: float | None = None  # percent of the target reached (0-100), aggregated targets

    def as_text(self) -> str:
        return f"{fmt_number(self.value or 0)}/{fmt_number(self.target)} {self.unit}"


_COUNTING = COUNTING  # store/sql.py

# The newest value any unit reported for target g (aggregate 'latest').
_LATEST_VALUE = (
    "(SELECT m.value FROM entry_metrics m JOIN entries e ON e.id = m.entry_id "
    f"WHERE m.target_id = g.id AND e.entry_date <= :as_of AND {_COUNTING} "
    "ORDER BY e.entry_date DESC, e.id DESC LIMIT 1)"
)

# Per aggregated target of the plan's current tasks: one row per unit counted (see the module
# doc) with that unit's latest value, walking the unit's entries of the task backwards in
# ix_entries_latest; then one row per target.
_AGGREGATED_SQL = (
    "WITH uv AS (SELECT g.id AS target_id, g.task_id, g.target, "
    "(SELECT m.value FROM entries e JOIN entry_metrics m ON m.entry_id = e.id "
    "AND m.target_id = g.id WHERE e.task_id = g.task_id AND e.unit_id = u.unit_id "
    f"AND e.entry_date <= :as_of AND {_COUNTING} "
    "ORDER BY e.entry_date DESC, e.id DESC LIMIT 1) AS v "
    "FROM targets g JOIN tasks t ON t.id = g.task_id "
    "JOIN (SELECT a.task_id, a.unit_id FROM assignments a "
    "UNION SELECT d.task_id, d.unit_id FROM entries d "
    "WHERE d.task_id IN (SELECT x.task_id FROM targets x WHERE x.aggregate <> 'latest') "
    "AND NOT EXISTS (SELECT 1 FROM assignments n WHERE n.task_id = d.task_id)) u "
    "ON u.task_id = g.task_id "
    f"WHERE t.plan_id = :plan AND t.in_plan = 1 AND {AGGREGATES}{{where}}) "
    "SELECT target_id, SUM(COALESCE(v, 0)), AVG(COALESCE(v, 0)), MIN(COALESCE(v, 0)), "
    "AVG(CASE WHEN COALESCE(v, 0) >= target THEN 1.0 ELSE COALESCE(v, 0) / target END) "
    "FROM uv GROUP BY target_id"
)


def _where(
    plan: PlanRef, as_of: date, task_id: int | None, scope: Scope | None
) -> tuple[str, dict[str, Any]]:
    """The conditions on ``tasks t`` and the parameters: one task, a scope's tasks, or all."""
    where = "" if task_id is None else " AND t.id = :task"
    params: dict[str, Any] = {"plan": plan.id, "as_of": as_of}
    if task_id is not None:
        params["task"] = task_id
    if scope is not None:
        where += scope.where
        params = scope.bind(params)
    return where, params


def task_targets(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    task_id: int | None = None,
    *,
    scope: Scope | None = None,
) -> dict[int, list[TargetProgress]]:
    """Targets per task (of the plan, of ``scope`` or the one ``task_id``), in the plan's
    order, with their figure as of ``as_of``."""
    where, params = _where(plan, as_of, task_id, scope)
    rows = conn.rows(
        "SELECT g.id, g.task_id, g.key, g.label, g.target, g.unit, g.aggregate, "
        f"CASE WHEN g.aggregate = 'latest' THEN {_LATEST_VALUE} END "
        "FROM targets g JOIN tasks t ON t.id = g.task_id "
        f"WHERE t.plan_id = :plan{where} ORDER BY g.task_id, g.position",
        params,
    )
    aggregated = any(aggregate != LATEST for *_, aggregate, _value in rows)
    figures = _aggregated(conn, params, where) if aggregated else {}
    out: dict[int, list[TargetProgress]] = defaultdict(list)
    for gid, tid, key, label, target, unit, aggregate, value in rows:
        if aggregate == LATEST:
            figure, share = (None if value is None else float(value)), None
        else:
            figure, share = figures.get(int(gid), (0.0, 0.0))
        out[int(tid)].append(
            TargetProgress(
                str(key), str(label), float(target), str(unit), figure, str(aggregate), share
            )
        )
    return out


def _aggregated(
    conn: Connection, params: dict[str, Any], where: str
) -> dict[int, tuple[float, float]]:
    """target id → (figure, share of the target in percent) for the aggregated targets."""
    out: dict[int, tuple[float, float]] = {}
    aggregates = {
        int(gid): (str(aggregate), float(target))
        for gid, aggregate, target in conn.rows(
            "SELECT g.id, g.aggregate, g.target FROM targets g JOIN tasks t ON t.id = g.task_id "
            f"WHERE t.plan_id = :plan AND {AGGREGATES}{where}",
            params,
        )
    }
    for gid, total, mean, lowest, each in conn.rows(_AGGREGATED_SQL.format(where=where), params):
        aggregate, target = aggregates[int(gid)]
        if aggregate == "each":
            out[int(gid)] = (float(lowest), 100.0 * float(each))
            continue
        figure = float(total) if aggregate == "sum" else float(mean)
        out[int(gid)] = (figure, 100.0 * min(figure / target, 1.0))
    return out


def target_percents(
    conn: Connection,
    plan: PlanRef,
    as_of: date,
    task_id: int | None = None,
    *,
    scope: Scope | None = None,
    aggregating: bool | None = None,
) -> dict[int, float]:
    """Task id → percent, for the tasks whose targets all aggregate (see the module doc).
    ``aggregating``: whether any target in scope aggregates, when the caller has asked."""
    where, params = _where(plan, as_of, task_id, scope)
    if aggregating is None:
        aggregating = bool(
            conn.rows(
                "SELECT 1 FROM targets g JOIN tasks t ON t.id = g.task_id "
                f"WHERE t.plan_id = :plan AND {AGGREGATES}{where} LIMIT 1",
                params,
            )
        )
    if not aggregating:
        return {}
    shares: dict[int, list[float | None]] = defaultdict(list)
    for tid, targets in task_targets(conn, plan, as_of, task_id, scope=scope).items():
        shares[tid] = [g.share if g.aggregate != LATEST else None for g in targets]
    return {
        tid: sum(s for s in values if s is not None) / len(values)
        for tid, values in shares.items()
        if values and all(s is not None for s in values)
    }

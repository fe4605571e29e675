"""SQL written once: the fragments more than one domain module runs.

Plain, portable SQL with ``:name`` parameters (the same text on SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pufa_cli.store.connection import Connection


def id_list(ids: Iterable[int]) -> str:
    """Row ids written into an ``IN (…)`` list: ``3, 7, 12`` (sorted, each checked to be an
    integer, so nothing but digits reaches the SQL), ``NULL`` when there is none (``IN ()``
    is not SQL; ``IN (NULL)`` matches nothing)."""
    return ", ".join(str(int(i)) for i in sorted(ids)) or "NULL"


# A new assignment; :w and :d (the unit's own due word and date) and :person (責任人) may be
# NULL.
INSERT_ASSIGNMENT = (
    "INSERT INTO assignments (task_id, unit_id, role, due_word, due_date, created_at, person) "
    "VALUES (:t, :u, :r, :w, :d, :at, :person)"
)

# A new unit, its id returned: :n the normalised name, :k its match key (names.match_key).
INSERT_UNIT = (
    "INSERT INTO units (office_id, name, match_key, kind, created_at) "
    "VALUES (:o, :n, :k, :kind, :at) RETURNING id"
)


# An entry (aliased e) that counts: not retracted.
COUNTING = "NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = e.id)"

# A current task (aliased t) with checkpoints: one-off checks or a cadence (checkpoints.py).
HAS_CHECKPOINTS = "t.in_plan = 1 AND (t.checks <> '[]' OR t.cadence IS NOT NULL)"

# A target (aliased g) that aggregates its units' figures, not the latest one (targets.py).
AGGREGATES = "g.aggregate <> 'latest'"


def latest_counting(value: str, source: str, where: str, *, alias: str = "e") -> str:
    """A scalar subquery: ``value`` of the latest counting (not retracted) entry among
    ``source`` (which names the entries ``alias``) matching ``where``; latest by entry date,
    then by id (the later of one day's entries)."""
    return (
        f"SELECT {value} FROM {source} WHERE {where} "
        f"AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = {alias}.id) "
        f"ORDER BY {alias}.entry_date DESC, {alias}.id DESC LIMIT 1"
    )


# What latest_entries holds, computed from the entries: each (task, unit)'s latest counting
# entry, one lookup a pair, the pairs read from ix_entries_latest.
LATEST_COLUMNS = "task_id, unit_id, entry_id, entry_date, percent"
LATEST_FROM_ENTRIES = (
    "SELECT x.task_id, x.unit_id, x.id, x.entry_date, x.percent "
    "FROM (SELECT DISTINCT task_id, unit_id FROM entries) p JOIN entries x ON x.id = ("
    + latest_counting(
        "l.id", "entries l", "l.task_id = p.task_id AND l.unit_id = p.unit_id", alias="l"
    )
    + ")"
)
# Fill latest_entries (emptied first); migration 0015 fills it so, SQLite's bulk load refills it.
REFILL_LATEST = f"INSERT INTO latest_entries ({LATEST_COLUMNS}) {LATEST_FROM_ENTRIES}"


def latest_sql(
    col: str = "percent", task: str = "a.task_id", unit: str = "a.unit_id", *, alias: str = "e"
) -> str:
    """A scalar subquery: column ``col`` of the latest counting entry of (``task``, ``unit``)
    dated <= :as_of (entries aliased ``alias``)."""
    return latest_counting(
        f"{alias}.{col}",
        f"entries {alias}",
        f"{alias}.task_id = {task} AND {alias}.unit_id = {unit} AND {alias}.entry_date <= :as_of",
        alias=alias,
    )


def maintained(conn: Connection) -> bool:
    """Whether the database keeps each (task, unit)'s latest counting entry in
    ``latest_entries``: every pufa database at head does (triggers on entries and retractions,
    migration 0013 on PostgreSQL, 0015 on SQLite). A function, not a constant, so that a test
    can compare the reports read through the kept rows with those looked up without them."""
    return True


def latest_join(kept: bool = True) -> tuple[str, str]:
    """(``LEFT JOIN`` clause, percent expression) for assignment ``a``'s latest counting entry
    as of :as_of. ``kept`` (:func:`maintained`): the kept row when dated on or before :as_of
    (no row: no counting entry at all), else the lookup, so an earlier as-of stays exact."""
    if not kept:
        return f"LEFT JOIN entries e ON e.id = ({latest_sql('id', alias='l')})", "e.percent"
    return (
        "LEFT JOIN latest_entries m ON m.task_id = a.task_id AND m.unit_id = a.unit_id",
        "(CASE WHEN m.entry_date <= :as_of THEN m.percent WHEN m.task_id IS NULL THEN NULL "
        f"ELSE ({latest_sql('percent', alias='l')}) END)",
    )

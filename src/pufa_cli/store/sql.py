"""SQL written once: the fragments more than one domain module runs.

Plain, portable SQL with ``:name`` parameters (the same text on SQLite and PostgreSQL).
"""

from __future__ import annotations

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


def latest_counting(value: str, source: str, where: str, *, alias: str = "e") -> str:
    """A scalar subquery: ``value`` of the latest counting (not retracted) entry among
    ``source`` (which names the entries ``alias``) matching ``where``; latest by entry date,
    then by id (the later of one day's entries)."""
    return (
        f"SELECT {value} FROM {source} WHERE {where} "
        f"AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = {alias}.id) "
        f"ORDER BY {alias}.entry_date DESC, {alias}.id DESC LIMIT 1"
    )

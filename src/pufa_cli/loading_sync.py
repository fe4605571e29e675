"""A loaded task's targets and assignments brought to the plan's (for :mod:`pufa_cli.loading`):
changed rows updated in place, new ones collected and written in bulk at the end of the load."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pufa_cli.i18n import _
from pufa_cli.plan import Target, Task
from pufa_cli.roles import ROLE_COLEAD, ROLE_LEAD, ROLE_SUPPORT
from pufa_cli.store import Connection

if TYPE_CHECKING:
    from pufa_cli.loading import LoadResult


def sync_targets(
    conn: Connection,
    task_id: int,
    task: Task,
    old: dict[str, Any],
    writes: Writes,
    res: LoadResult,
) -> bool:
    """Bring a task's targets to the plan's (``old``: key → its row, as stored)."""
    changed = False
    for pos, tg in enumerate(task.targets):
        want = (tg.label, float(tg.target), tg.unit, tg.phrase, pos, tg.aggregate)
        if tg.key in old:
            have = old[tg.key]
            if (have[2], float(have[3]), have[4], have[5], have[6], have[7]) != want:
                conn.run(
                    "UPDATE targets SET label=:l, target=:g, unit=:u, phrase=:ph, position=:pos, "
                    "aggregate=:agg WHERE id=:id",
                    {
                        "l": tg.label,
                        "g": tg.target,
                        "u": tg.unit,
                        "ph": tg.phrase,
                        "pos": pos,
                        "agg": tg.aggregate,
                        "id": have[0],
                    },
                )
                changed = True
        else:
            writes.target(task_id, tg, pos)
            changed = True
    keys = {tg.key for tg in task.targets}
    for key, have in old.items():
        if key in keys:
            continue
        used = conn.scalar(
            "SELECT count(*) FROM entry_metrics WHERE target_id = :id", {"id": have[0]}
        )
        if used:
            res.notes.append(
                _(
                    "task {n}: target '{key}' is no longer in the plan but has recorded values; "
                    "kept"
                ).format(n=task.number, key=key)
            )
        else:
            conn.run("DELETE FROM targets WHERE id = :id", {"id": have[0]})
            changed = True
    return changed


class Writes:
    """Targets and assignments to insert, written in bulk at the end of the load."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.targets: list[tuple[Any, ...]] = []
        self.assignments: list[tuple[Any, ...]] = []

    def target(self, task_id: int, tg: Target, pos: int) -> None:
        self.targets.append(
            (task_id, tg.key, tg.label, tg.target, tg.unit, tg.phrase, pos, tg.aggregate)
        )

    def assignment(self, task_id: int, unit_id: int, role: str) -> None:
        self.assignments.append((task_id, unit_id, role, None, None, self.now, None))

    def flush(self, conn: Connection) -> None:
        conn.insert_many(
            "targets",
            ("task_id", "key", "label", "target", "unit", "phrase", "position", "aggregate"),
            self.targets,
        )
        conn.insert_many(
            "assignments",
            ("task_id", "unit_id", "role", "due_word", "due_date", "created_at", "person"),
            self.assignments,
        )
        self.targets, self.assignments = [], []


def sync_assignments(
    task_id: int,
    task: Task,
    named_before: set[str],
    roles: dict[int, str],
    unit_ids: dict[str, int],
    writes: Writes,
    res: LoadResult,
) -> None:
    """Assign the units the plan newly names (``named_before``: what it named when last loaded;
    ``roles``: the task's assignments now, unit id → role).

    A unit the plan named before and the office has since unassigned stays unassigned."""
    wanted = (
        ([(task.lead, ROLE_LEAD)] if task.lead else [])
        + [(name, ROLE_COLEAD) for name in task.coleads]
        + [(name, ROLE_SUPPORT) for name in task.support]
    )
    roles = dict(roles)
    for name, role in wanted:
        uid = unit_ids[name]
        if uid in roles or name in named_before:
            continue
        if role == ROLE_COLEAD and ROLE_LEAD not in roles.values():
            role = ROLE_LEAD  # a co-lead exists only beside a lead
        if role == ROLE_LEAD and ROLE_LEAD in roles.values():
            res.notes.append(
                _(
                    "task {n}: keeps its assigned lead; the plan names {unit}, added as supporting"
                ).format(n=task.number, unit=name)
            )
            role = ROLE_SUPPORT
        writes.assignment(task_id, uid, role)
        roles[uid] = role

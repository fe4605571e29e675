"""The bulk write of an import, batch by batch: entries, then their ids, metrics, evidence and
retractions; assignments and the retractions of entries already there.

The ids of the new entries come back from the INSERT itself (``Connection.insert_many`` with
``returning_ids``), in the order of the rows, under the write lock; whatever makes a large load
fast on the engine (SQLite: a larger page cache, indexes rebuilt after the insert) is the
store's ``bulk_load``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pufa_cli.store import Connection
from pufa_cli.tracker import ENTRY_COLUMNS, NewEntry, Retraction, entry_values, insert_metrics

BATCH = 10_000
# An import of at least this many new entries, and at least as many as the ledger holds,
# rebuilds the entries' indexes after inserting (SQLite).
REBUILD_MIN = 10_000

Progress = Callable[[str, int, int | None], None] | None


def write_assignments(conn: Connection, pairs: list[tuple[int, int]], now: datetime) -> None:
    if pairs:
        conn.insert_many(
            "assignments",
            ("task_id", "unit_id", "role", "due_word", "due_date", "created_at"),
            ((t, u, "support", None, None, now) for t, u in pairs),
        )


def write_rows(conn: Connection, new: list[NewEntry], now: datetime) -> None:
    """One batch of new entries (in their order), then their metrics, evidence, retractions."""
    # Ids are needed only when a row carries metrics, a retraction or evidence (issue 16).
    wanted = any(r.metrics or r.retraction is not None or r.evidence for r in new)
    ids: list[int] = []
    for start in range(0, len(new), BATCH):
        ids += conn.insert_many(
            "entries",
            ENTRY_COLUMNS,
            entry_values(new[start : start + BATCH], now),
            returning_ids=wanted,
        )
    if not wanted:
        return
    insert_metrics(conn, ids, new)
    if any(r.evidence for r in new):  # evidence files named in the sheet (issue 16)
        from pufa_cli.supervision.evidence import attach

        for i, r in enumerate(new):
            if r.evidence:
                attach(conn, ids[i], r.evidence)
    write_retractions(
        conn,
        [(ids[i], r.retraction) for i, r in enumerate(new) if r.retraction is not None],
        now,
    )


def write_retractions(
    conn: Connection, retractions: list[tuple[int, Retraction]], now: datetime
) -> None:
    if retractions:
        conn.insert_many(
            "retractions",
            ("entry_id", "reason", "retracted_by", "retracted_at"),
            ((eid, reason, by, at or now) for eid, (at, by, reason) in retractions),
        )

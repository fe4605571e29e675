"""The bulk write of an import: entries, then their ids, metrics, retractions, assignments."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from pufa_cli.exchange.checks import Checked
from pufa_cli.store import Connection, SqliteConnection

BATCH = 10_000
# An import of at least this many new entries, and at least as many as the ledger holds,
# rebuilds the entries' indexes after inserting (SQLite).
REBUILD_MIN = 10_000

Progress = Callable[[str, int, int | None], None] | None


def write(
    conn: Connection,
    new: list[Checked],
    retract_old: list[tuple[int, tuple[Any, ...]]],
    to_assign: list[tuple[int, int]],
    now: datetime,
    progress: Progress,
) -> None:
    sqlite = isinstance(conn, SqliteConnection)
    if sqlite:
        # 100,000 random keys going into ix_entries_key thrash SQLite's default 2 MB page cache;
        # 64 MB for this one connection takes a third off the write.
        conn.run("PRAGMA cache_size = -65536")
    if to_assign:
        conn.run_many(
            "INSERT INTO assignments (task_id, unit_id, role, due_word, due_date, created_at) "
            "VALUES (:t, :u, 'support', NULL, NULL, :at)",
            [{"t": t, "u": u, "at": now} for t, u in to_assign],
        )
    before = int(conn.scalar("SELECT COALESCE(MAX(id), 0) FROM entries") or 0)
    # An import at least as large as the ledger (the first import into a new database, say)
    # builds the entries' indexes once after the insert instead of keeping them up to date row
    # by row: sorting 100,000 keys at the end is cheaper than 100,000 inserts at random places
    # of ix_entries_key. Same transaction, so a failure rolls the DROP back with the rest.
    indexes: list[tuple[str, str]] = []
    if sqlite and len(new) >= max(REBUILD_MIN, before):
        indexes = [
            (str(name), str(sql))
            for name, sql in conn.rows(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'entries' AND sql IS NOT NULL ORDER BY name"
            )
        ]
        for name, _sql in indexes:
            conn.run(f'DROP INDEX "{name}"')
    for start in range(0, len(new), BATCH):
        _insert(
            conn, "entries", ENTRY_VALUES, entry_values(new[start : start + BATCH], now, sqlite)
        )
        if progress is not None:
            progress("write", min(start + BATCH, len(new)), len(new))
    for _name, sql in indexes:
        conn.run(sql)
    ids = _new_ids(conn, new, before, sqlite)
    _insert(
        conn,
        "entry_metrics",
        ("entry_id", "target_id", "value"),
        ((ids[i], g, v) for i, r in enumerate(new) if r[8] for g, v in r[8].items()),
    )
    retractions = [(ids[i], r[9]) for i, r in enumerate(new) if r[9] is not None] + retract_old
    _insert(
        conn,
        "retractions",
        ("entry_id", "reason", "retracted_by", "retracted_at"),
        ((eid, reason, by, _at(at or now, sqlite)) for eid, (at, by, reason) in retractions),
    )


ENTRY_VALUES = (
    "task_id",
    "unit_id",
    "entry_date",
    "percent",
    "note",
    "recorded_by",
    "created_at",
    "key",
)


def entry_values(rows: list[Checked], now: datetime, sqlite: bool) -> Iterator[tuple[Any, ...]]:
    """The values of ``ENTRY_VALUES``; on SQLite with dates as db.SqliteConnection stores
    them (ISO text, a space before the time)."""
    if not sqlite:
        return ((r[1], r[2], r[3], r[4], r[5], r[6], r[7] or now, r[0]) for r in rows)
    at = now.isoformat(sep=" ")
    return (
        (
            r[1],
            r[2],
            r[3].isoformat(),
            r[4],
            r[5],
            r[6],
            r[7].isoformat(sep=" ") if r[7] else at,
            r[0],
        )
        for r in rows
    )


def _at(moment: datetime, sqlite: bool) -> Any:
    return moment.isoformat(sep=" ") if sqlite else moment


def _insert(
    conn: Connection, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
) -> None:
    """INSERT ``rows`` (tuples in the order of ``columns``) in bulk.

    On SQLite the tuples go straight to sqlite3's ``executemany`` (values already as SQLite
    stores them): the connection API's mapping per row, each value checked for a date, took
    0.4 s of a 100,000-entry import. Elsewhere through ``run_many``.
    """
    names = ", ".join(columns)
    if isinstance(conn, SqliteConnection):
        marks = ", ".join("?" for _ in columns)
        conn.raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        return
    params = ", ".join(f":{c}" for c in columns)
    conn.run_many(
        f"INSERT INTO {table} ({names}) VALUES ({params})",
        (dict(zip(columns, row, strict=True)) for row in rows),
    )


def _new_ids(conn: Connection, new: list[Checked], before: int, sqlite: bool) -> dict[int, int]:
    """index in ``new`` → id, for the new entries that carry metrics or a retraction."""
    wanted = [i for i, r in enumerate(new) if r[8] or r[9] is not None]
    if not wanted:
        return {}
    if sqlite:
        # Inside the write lock SQLite gives each new row the next id in insertion order, so
        # the new ids are before + 1 … before + n when the count and the last one say so.
        count, last = conn.one(
            "SELECT COUNT(*), MAX(id) FROM entries WHERE id > :before", {"before": before}
        ) or (0, None)
        if int(count) == len(new) and last is not None and int(last) == before + len(new):
            return {i: before + 1 + i for i in wanted}
    # Else by key: the entries of one key were inserted in the order of ``new``, so their ids,
    # ascending, go to its rows of that key in turn (two rows may share a key).
    keys = {new[i][0] for i in wanted}
    by_key: dict[str, list[int]] = {}
    # rows, not stream: on PostgreSQL a stream leaves the connection on server-side cursors,
    # which cannot run the INSERTs that follow.
    for eid, key in conn.rows(
        "SELECT id, key FROM entries WHERE id > :before ORDER BY id DESC", {"before": before}
    ):
        if key in keys:
            by_key.setdefault(str(key), []).append(int(eid))
    ids: dict[int, int] = {}
    for i, r in enumerate(new):
        if r[8] or r[9] is not None:
            ids[i] = by_key[r[0]].pop()
        elif r[0] in by_key:
            by_key[r[0]].pop()  # this row's entry: the next id of its key is another row's
    return ids

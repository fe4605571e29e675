"""What is there already: rows matched against the entries of the same key (counted per key)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pufa_cli.store import Connection
from pufa_cli.tracker import NewEntry, Retraction

KEY_LOOKUP_CHUNK = 500


Existing = tuple[int, int, tuple[int, ...]]


def existing_entries(conn: Connection, keys: list[str]) -> dict[str, Existing]:
    """key → the entries with that key (``Existing``), for the keys that have any, looked up
    in chunks through ``ix_entries_key`` (never the whole table)."""
    found: dict[str, Existing] = {}
    for start in range(0, len(keys), KEY_LOOKUP_CHUNK):
        chunk = keys[start : start + KEY_LOOKUP_CHUNK]
        names = ", ".join(f":k{i}" for i in range(len(chunk)))
        _gather(
            found,
            conn.rows(
                _LOOKUP_SQL.format(where=f" WHERE e.key IN ({names})"),
                {f"k{i}": k for i, k in enumerate(chunk)},
            ),
        )
    return found


def all_entries(conn: Connection) -> dict[str, Existing]:
    """key → the entries with that key (``Existing``), for every entry in the database: for an
    import at least as large as the ledger, whose indexes are dropped while it writes."""
    found: dict[str, Existing] = {}
    _gather(found, conn.stream(_LOOKUP_SQL.format(where=""), {}, size=5000))
    return found


_LOOKUP_SQL = (
    "SELECT e.key, e.id, CASE WHEN r.entry_id IS NULL THEN 0 ELSE 1 END "
    "FROM entries e LEFT JOIN retractions r ON r.entry_id = e.id{where} ORDER BY e.id"
)


def _gather(found: dict[str, Existing], rows: Iterable[Any]) -> None:
    for key, eid, retracted in rows:
        old = found.get(key)
        if old is None:
            found[str(key)] = (1, 1, ()) if retracted else (1, 0, (int(eid),))
        else:
            count, gone, free = old
            found[key] = (
                (count + 1, gone + 1, free) if retracted else (count + 1, gone, (*free, int(eid)))
            )


def match(
    rows: list[NewEntry], existing: dict[str, Existing]
) -> tuple[set[int], list[tuple[int, Retraction]]]:
    """(indexes of the rows already present, retractions for entries already there).

    Per key: N rows in the file, M entries in the database → the last N − M rows are added
    (the entries there stand for the file's first rows of the key, as an earlier export of a
    growing ledger would have it). R retracted rows, Q retracted entries → of the rows added,
    up to R − Q are the file's retracted ones (each brings its own retraction); the retractions
    still missing go to entries there and not retracted, lowest id first.
    """
    first: dict[str, int] = {}
    more: dict[str, list[int]] = {}  # the keys with several rows: all their rows
    for i, r in enumerate(rows):
        key = r.key
        if key in existing:
            j = first.setdefault(key, i)
            if j != i:
                more.setdefault(key, [j]).append(i)
    present: set[int] = set()
    retract_old: list[tuple[int, Retraction]] = []
    for key, i in first.items():
        if key in more:
            continue
        # One row (the common case): present; its retraction reaches the entry there, unless
        # one of the entries with its key is retracted already.
        present.add(i)
        mark = rows[i].retraction
        if mark is not None:
            _count, gone, free = existing[key]
            if not gone:
                retract_old.append((free[0], mark))
    for key, indexes in more.items():
        count, gone, free = existing[key]
        marked = [(i, m) for i in indexes if (m := rows[i].retraction) is not None]
        plain = [i for i in indexes if rows[i].retraction is None]
        add = max(0, len(indexes) - count)
        add_marked = min(add, max(0, len(marked) - gone))
        add_plain = add - add_marked  # never more than len(plain), as N - R >= M - Q
        present.update(i for i, _m in marked[: len(marked) - add_marked])
        present.update(plain[: len(plain) - add_plain])
        missing = max(0, len(marked) - gone - add_marked)  # never more than len(free)
        retract_old += [(eid, m) for eid, (_i, m) in zip(free, marked[:missing], strict=False)]
    return present, retract_old

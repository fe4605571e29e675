"""The connection API every domain module uses (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from typing import Any

from pufa_cli.errors import RuntimeFailure
from pufa_cli.i18n import _

Params = Mapping[str, Any] | None
Row = tuple[Any, ...]


def as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``rows`` in lists of ``size`` (the last may be shorter): a bulk statement a chunk at a
    time, whatever the engine."""
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_returning(
    execute: Callable[[str, list[Any]], Iterable[Sequence[Any]]],
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    mark: str,
    per: int,
) -> list[int]:
    """Insert ``rows``, their ids returned in the rows' order: one ``INSERT … VALUES (…), (…)
    RETURNING id`` per ``per`` rows, with the engine's parameter ``mark`` (``?``, ``%s``).
    A statement's rows take ascending ids in their order (SQLite's rowid under the write lock;
    PostgreSQL's sequence, whose values one session draws only ascend, even while another
    office's writer draws between them), so the ids sorted are the rows' (RETURNING itself
    promises no order)."""
    names = ", ".join(columns)
    marks = "(" + ", ".join(mark for _ in columns) + ")"
    ids: list[int] = []
    for batch in batches(rows, per):
        sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([marks] * len(batch))} RETURNING id"
        ids += sorted(int(r[0]) for r in execute(sql, [v for row in batch for v in row]))
    return ids


def as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


class Connection:
    """The connection API every domain module uses (see the module docstring)."""

    dialect: str = ""
    # The office whose write lock the transaction holds on a city's server (store.postgres:
    # a role bound by row-level security); None on SQLite and for the owner.
    write_office: int | None = None

    def rows(self, sql: str, params: Params = None) -> list[Row]:
        raise NotImplementedError

    def stream(self, sql: str, params: Params = None, size: int = 2000) -> Iterator[Row]:
        raise NotImplementedError

    def run(self, sql: str, params: Params = None) -> int:
        """Execute a statement; return the number of rows it changed."""
        raise NotImplementedError

    def run_many(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> None:
        raise NotImplementedError

    def transaction(self, write: bool = False) -> Any:
        raise NotImplementedError

    def has_table(self, name: str) -> bool:
        raise NotImplementedError

    def object_count(self) -> int:
        """Tables, views, indexes and triggers of the database's own (0: an empty database)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def one(self, sql: str, params: Params = None) -> Row | None:
        for row in self.stream(sql, params, size=1):
            return row
        return None

    def scalar(self, sql: str, params: Params = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def store_blob(self, sha256: str, size: int, data: bytes) -> int:
        """The id of the evidence file holding ``data``, stored now unless the same content
        is stored already (files are content-addressed, issue 16)."""
        if self.write_office is not None:
            # A district's role can neither see another district's copy of the file nor read
            # a new one back before an entry names it (row-level security): the server
            # function ``pufa db grant`` makes finds or adds it as the owner (offices/grants).
            return int(self.scalar("SELECT pufa_evidence_blob(:d)", {"d": data}))
        blob = self.scalar("SELECT id FROM evidence_blobs WHERE sha256 = :h", {"h": sha256})
        if blob is None:
            blob = self.insert(
                "INSERT INTO evidence_blobs (sha256, size, data) VALUES (:h, :s, :d) RETURNING id",
                {"h": sha256, "s": size, "d": data},
            )
        return int(blob)

    def insert(self, sql: str, params: Params = None) -> int:
        """Run an INSERT … RETURNING id and return the new id."""
        row = self.one(sql, params)
        assert row is not None
        return int(row[0])

    def insert_many(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        returning_ids: bool = False,
    ) -> list[int]:
        """INSERT ``rows`` (values in the order of ``columns``) in bulk.

        With ``returning_ids`` the new ids come back from the INSERT itself (``RETURNING id``),
        in the order of ``rows``; otherwise an empty list. Call it inside a write transaction
        (on SQLite the write lock is what makes the ids of one statement ascend in the order of
        its rows; on PostgreSQL the sequence does).
        """
        raise NotImplementedError

    def bulk_load(self, table: str, rows: int, *, rebuild_from: int) -> AbstractContextManager[Any]:
        """Around inserting ``rows`` rows into ``table``: whatever makes that fast on the engine.

        On SQLite a load at least ``rebuild_from`` rows and at least as large as the table drops
        the table's indexes and builds them again at the end (same transaction); elsewhere nothing.
        """
        return nullcontext()


def lock_timeout_failure(timeout_ms: int) -> RuntimeFailure:
    """The write lock stayed taken for the whole busy timeout (another command is writing)."""
    return RuntimeFailure(
        _(
            "another pufa command kept the database locked for {seconds} s, the longest this "
            "one waits (PUFA_BUSY_TIMEOUT_MS={ms}); try again, or set PUFA_BUSY_TIMEOUT_MS higher"
        ).format(seconds=f"{timeout_ms / 1000:g}", ms=timeout_ms)
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

"""PostgreSQL (and any other server) through SQLAlchemy Core, imported only when used."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pufa_cli.config import DbTarget
from pufa_cli.errors import RuntimeFailure
from pufa_cli.i18n import _
from pufa_cli.store.connection import Connection, Params, Row, _first_line


class SAConnection(Connection):
    """SQLAlchemy Core, for PostgreSQL and other servers."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, text

        self._text = text
        try:
            self.engine = create_engine(url, future=True)
            self._conn = self.engine.connect()
        except ModuleNotFoundError as exc:
            raise RuntimeFailure(
                _(
                    "the driver for {url} is not installed ({name}); for PostgreSQL: "
                    "pip install 'pufa-cli[postgres]'"
                ).format(url=_short(url), name=exc.name)
            ) from None
        except Exception as exc:
            raise RuntimeFailure(
                _("cannot connect to {url}: {reason}").format(
                    url=_short(url), reason=_first_line(exc)
                )
            ) from None
        self.dialect = self.engine.dialect.name

    def rows(self, sql: str, params: Params = None) -> list[Row]:
        return [tuple(r) for r in self._conn.execute(self._text(sql), dict(params or {}))]

    def stream(self, sql: str, params: Params = None, size: int = 2000) -> Iterator[Row]:
        # yield_per on the statement, not the connection: Connection.execution_options()
        # changes the connection in place, and every later INSERT would then get a
        # server-side cursor too.
        result = self._conn.execute(
            self._text(sql).execution_options(yield_per=size), dict(params or {})
        )
        try:
            for r in result:
                yield tuple(r)
        finally:
            # A reader that stops early must not leave a server-side cursor behind.
            result.close()

    def one(self, sql: str, params: Params = None) -> Row | None:
        # Not through stream(): a server-side cursor cannot run INSERT … RETURNING.
        row = self._conn.execute(self._text(sql), dict(params or {})).first()
        return None if row is None else tuple(row)

    def run(self, sql: str, params: Params = None) -> int:
        return int(self._conn.execute(self._text(sql), dict(params or {})).rowcount)

    def run_many(self, sql: str, seq: Iterable[Mapping[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        for p in seq:
            batch.append(dict(p))
            if len(batch) >= 5000:
                self._conn.execute(self._text(sql), batch)
                batch = []
        if batch:
            self._conn.execute(self._text(sql), batch)

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[SAConnection]:
        if self._conn.in_transaction():
            self._conn.rollback()
        with self._conn.begin():
            yield self

    def has_table(self, name: str) -> bool:
        from sqlalchemy import inspect

        return bool(inspect(self._conn).has_table(name))

    def table_count(self) -> int:
        from sqlalchemy import inspect

        return len(inspect(self._conn).get_table_names())

    def close(self) -> None:
        self._conn.close()
        self.engine.dispose()


def _short(url: str) -> str:
    return DbTarget(None, url).display()

"""The connection API every domain module uses (see the package docstring)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

Params = Mapping[str, Any] | None
Row = tuple[Any, ...]


def as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


class Connection:
    """The connection API every domain module uses (see the module docstring)."""

    dialect: str = ""

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

    def close(self) -> None:
        raise NotImplementedError

    def one(self, sql: str, params: Params = None) -> Row | None:
        for row in self.stream(sql, params, size=1):
            return row
        return None

    def scalar(self, sql: str, params: Params = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def insert(self, sql: str, params: Params = None) -> int:
        """Run an INSERT … RETURNING id and return the new id."""
        row = self.one(sql, params)
        assert row is not None
        return int(row[0])


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

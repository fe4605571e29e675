"""Options shared by several commands (one definition each) and the steps every command
takes: resolve the database, open it, pick the plan year, parse dates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from pufa_cli.config import DbTarget
from pufa_cli.i18n import _

if TYPE_CHECKING:
    from pufa_cli.db import Connection

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=_(
            "Database: a SQLite file path or a SQLAlchemy URL (else PUFA_DB, else the user "
            "data folder)."
        ),
        show_default=False,
    ),
]
YearOption = Annotated[
    int | None,
    typer.Option(
        "--year", help=_("Plan year (else PUFA_YEAR, else the latest loaded)."), show_default=False
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help=_("Date YYYY-MM-DD or period word (上半年, Q3); default today."),
        show_default=False,
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help=_("Print nothing but data and errors."))
]


class Format(str, Enum):
    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help=_("Output: table or json."))]


def target(db: str | None) -> DbTarget:
    from pufa_cli.config import resolve_db

    return resolve_db(db)


def year_value(year: int | None) -> int | None:
    if year is not None:
        return year
    from pufa_cli.config import year_from_env
    from pufa_cli.errors import BadInput

    raw = year_from_env()
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadInput(_("PUFA_YEAR must be a year, not '{value}'").format(value=raw)) from None


def as_of_date(text: str | None, year: int) -> date:
    from pufa_cli import clock
    from pufa_cli.timing import parse_as_of

    if text is None:
        return clock.today()
    return parse_as_of(text, year)


def quiet(value: bool) -> None:
    from pufa_cli.render import set_quiet

    set_quiet(value)


@contextmanager
def session(db: str | None, *, write: bool = False) -> Iterator[Connection]:
    """Open the database for one command: one transaction, closed whatever happens.

    A write session takes the write lock up front (BEGIN IMMEDIATE on SQLite)."""
    from pufa_cli import db as dbmod

    conn = dbmod.connect(target(db), readonly=not write)
    try:
        with conn.transaction(write=write):
            yield conn
    finally:
        conn.close()

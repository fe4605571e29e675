"""Options shared by several commands (one definition each) and the steps every command
takes: resolve the database, open it, pick the plan year, parse dates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pufa_cli.config import DbTarget
from pufa_cli.i18n import _

if TYPE_CHECKING:
    from pufa_cli.progress import PlanRef
    from pufa_cli.store import Connection

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
PlanIdOption = Annotated[
    str | None,
    typer.Option(
        "--plan-id",
        help=_("Plan id, when a year has several plans (else PUFA_PLAN, else by --year)."),
        show_default=False,
    ),
]
# Read in main.run before the command (like --lang), so it is one option for every command.
OfficeOption = Annotated[
    str | None,
    typer.Option(
        "--office",
        help=_(
            "The office every command acts in, e.g. 某區依法治區辦 (else PUFA_OFFICE, else the "
            "database's default office)."
        ),
        show_default=False,
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


def quiet(value: bool) -> bool:
    """``--quiet`` takes effect as it is parsed, before the command runs (its callback)."""
    from pufa_cli.render import set_quiet

    set_quiet(value)
    return value


# A command declares it (for its help and the root's default) and need not read it.
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help=_("Print nothing but data and errors."), callback=quiet),
]
TaskArg = Annotated[str, typer.Argument(help=_("Task number."), show_default=False)]
EntryArg = Annotated[
    int, typer.Argument(help=_("Entry id (see pufa show)."), show_default=False, min=1)
]
OldNameArg = Annotated[str, typer.Argument(help=_("Current name."), show_default=False)]
NewNameArg = Annotated[str, typer.Argument(help=_("New name."), show_default=False)]
OnlyUnitOption = Annotated[
    str | None, typer.Option("--unit", "-u", help=_("Only this unit."), show_default=False)
]

QuarterOption = Annotated[
    int | None,
    typer.Option(
        "--quarter",
        help=_("Report as of the last day of quarter N (1-4) of the plan year."),
        show_default=False,
    ),
]
SectionOption = Annotated[
    int | None,
    typer.Option("--section", "-s", help=_("Only this section number."), show_default=False, min=1),
]
UnitFilterOption = Annotated[
    str | None,
    typer.Option("--unit", "-u", help=_("Only tasks assigned to this unit."), show_default=False),
]
YellowOption = Annotated[
    float | None,
    typer.Option(
        "--yellow",
        help=_("Yellow when more than N points behind schedule (else PUFA_YELLOW, else 10)."),
        show_default=False,
    ),
]
RedOption = Annotated[
    float | None,
    typer.Option(
        "--red",
        help=_("Red when more than N points behind schedule (else PUFA_RED, else 30)."),
        show_default=False,
    ),
]


class By(str, Enum):
    section = "section"
    unit = "unit"
    task = "task"


class Format(str, Enum):
    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help=_("Output: table or json."))]


class RowsFormat(str, Enum):
    """The outputs of a command whose rows also go to spreadsheets and documents."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


RowsFormatOption = Annotated[
    RowsFormat,
    typer.Option(
        "--format", "-f", help=_("Output: table, json, csv or markdown."), case_sensitive=False
    ),
]


def by_option(help: str) -> Any:
    """``--by NAME``, who does what the command records; ``help`` says who. The default, the
    OS user, is ``who(by)``."""
    return typer.Option("--by", help=help, show_default=False)


RecordedByOption = Annotated[str | None, by_option(_("Who records it (default: the OS user)."))]


def who(by: str | None) -> str:
    """``--by``, else who runs the command (``PUFA_BY``, else the OS user)."""
    from pufa_cli import clock

    return by if by is not None else clock.user()


def target(db: str | None) -> DbTarget:
    from pufa_cli.config import resolve_db

    return resolve_db(db)


def year_value(year: int | None) -> int | None:
    if year is not None:
        return year
    from pufa_cli.config import year_from_env

    return year_from_env()


def plan_value(plan_id: str | None) -> str | None:
    """``--plan-id``, else ``PUFA_PLAN``; a value that cannot be a plan id is refused."""
    import re

    from pufa_cli.config import plan_from_env
    from pufa_cli.errors import BadInput

    if plan_id is not None:
        raw, name = plan_id, "--plan-id"
    else:
        env = plan_from_env()
        if env is None:
            return None
        raw, name = env, "PUFA_PLAN"
    if not re.match(r"^[a-z0-9][a-z0-9-]{0,39}$", raw):
        raise BadInput(
            _("{name} must be a plan id (lower-case letters, digits and -), not '{value}'").format(
                name=name, value=raw
            )
        )
    return raw


def as_of_date(text: str | None, year: int) -> date:
    from pufa_cli import clock
    from pufa_cli.timing import parse_as_of

    if text is None:
        return clock.today()
    return parse_as_of(text, year)


def check_when(quarter: int | None, as_of: str | None) -> None:
    """--quarter and --as-of: at most one, and a quarter from 1 to 4 (before any database)."""
    from pufa_cli.errors import BadInput

    if quarter is not None and as_of is not None:
        raise BadInput(_("use either --quarter or --as-of, not both"))
    if quarter is not None and not 1 <= quarter <= 4:
        raise BadInput(_("quarter must be 1 to 4, not {value}").format(value=quarter))


def report_day(quarter: int | None, as_of: str | None, year: int) -> date:
    """The date a report is as of: the end of --quarter N of the plan year, or --as-of."""
    from pufa_cli.timing import quarter_end

    if quarter is not None:
        return quarter_end(year, quarter)
    return as_of_date(as_of, year)


@contextmanager
def plan_session(
    db: str | None, year: int | None, plan_id: str | None, *, write: bool = False
) -> Iterator[tuple[Connection, PlanRef]]:
    """``session`` and the plan the command acts on: ``--plan-id`` (else ``PUFA_PLAN``), else
    ``--year`` (else ``PUFA_YEAR``), else the latest year's (progress.find_plan)."""
    from pufa_cli.progress import find_plan

    with session(db, write=write) as conn:
        yield conn, find_plan(conn, year_value(year), plan_value(plan_id))


def unit_filter(conn: Connection, unit: str | None) -> int | None:
    """The id of the unit a ``--unit`` filter names (NotFound when none has that name)."""
    from pufa_cli.units import resolve_unit

    return None if unit is None else resolve_unit(conn, unit).id


@contextmanager
def session(db: str | None, *, write: bool = False) -> Iterator[Connection]:
    """Open the database for one command: one transaction, closed whatever happens.

    A write session takes the write lock up front (BEGIN IMMEDIATE on SQLite)."""
    from pufa_cli import store as dbmod

    conn = dbmod.connect(target(db), readonly=not write)
    try:
        with conn.transaction(write=write):
            yield conn
    finally:
        conn.close()

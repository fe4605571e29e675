"""The wall clock, read in one place. Domain code takes dates as arguments.

``PUFA_TODAY=YYYY-MM-DD`` pins "today" for every default (``--as-of``, ``--date``): useful for
re-running a month-end cron job late, and for tests and benchmarks.
"""

from __future__ import annotations

import os
from datetime import date, datetime


def today() -> date:
    pinned = os.environ.get("PUFA_TODAY")
    if pinned:
        from pufa_cli.errors import BadInput
        from pufa_cli.timing import parse_date

        try:
            return parse_date(pinned)
        except BadInput as exc:
            raise BadInput(f"PUFA_TODAY: {exc.message}") from None
    return date.today()


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def user() -> str:
    """Who is recording: the OS user (``--by`` overrides)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"

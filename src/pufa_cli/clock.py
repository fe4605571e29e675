"""The wall clock, read in one place. Domain code takes dates as arguments.

``PUFA_TODAY=YYYY-MM-DD`` pins "today" for every default (``--as-of``, ``--date``): useful for
re-running a month-end cron job late, and for tests and benchmarks.
"""

from __future__ import annotations

import os
from datetime import date, datetime


def today() -> date:
    from pufa_cli.config import today_from_env

    return today_from_env() or date.today()


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def user() -> str:
    """Who is recording: the OS user (``--by`` overrides)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"

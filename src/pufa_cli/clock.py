"""The wall clock, read in one place. Domain code takes dates as arguments.

``PUFA_TODAY=YYYY-MM-DD`` pins "today" for every default (``--as-of``, ``--date``) and the date
of every time pufa records (an entry's ``recorded_at``, a retraction's time): useful for
re-running a month-end cron job late, and for tests and benchmarks. ``PUFA_BY`` names who
records (else the OS user); ``--by`` wins over both.
"""

from __future__ import annotations

import os
from datetime import date, datetime


def today() -> date:
    from pufa_cli.config import today_from_env

    return today_from_env() or date.today()


def now() -> datetime:
    """The time to record: the wall clock's, on PUFA_TODAY's date when that is set."""
    current = datetime.now().replace(microsecond=0)
    if os.environ.get("PUFA_TODAY"):
        return datetime.combine(today(), current.time())
    return current


def user() -> str:
    """Who is recording: ``PUFA_BY``, else the OS user (``--by`` overrides both)."""
    import getpass

    pinned = os.environ.get("PUFA_BY", "").strip()
    if pinned:
        return pinned
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"

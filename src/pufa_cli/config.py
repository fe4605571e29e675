"""Configuration: the ``PUFA_*`` environment variables, each read and validated here.

Where the database is: ``--db``, else ``PUFA_DB``, else ``pufa.db`` in the user data folder.
A plain path means SQLite. A SQLAlchemy URL (``postgresql+psycopg://user@host/db``) selects
another engine; ``sqlite:///path`` is the same as the path. An in-memory database
(``:memory:``, ``sqlite://``) is refused: a ledger that vanishes when the command ends is
never what was meant.

A bad value is the same error as a bad option: one line naming the variable, exit 2.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import NamedTuple

_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# The longest wait for the write lock pufa accepts: one day, in milliseconds.
MAX_BUSY_TIMEOUT_MS = 86_400_000
DEFAULT_BUSY_TIMEOUT_MS = 60_000


class DbTarget(NamedTuple):
    """A resolved database location: a SQLite file path or a SQLAlchemy URL."""

    path: Path | None
    url: str | None
    # True for the user-data-folder default, whose folder pufa may create.
    default: bool = False

    def display(self) -> str:
        if self.path is not None:
            return str(self.path)
        return _hide_password(self.url or "")


def _hide_password(url: str) -> str:
    """``url`` with every password hidden: after ``user:`` (even one holding an unescaped
    ``@``, ``/`` or ``?``) and in the query string (``?password=…``, ``sslpassword``…).

    The userinfo is taken to end at the last ``@``: when a query value holds an ``@`` too, more
    is hidden than needed, never less."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    userinfo, at, rest = rest.rpartition("@")
    shown = ""
    if at:
        user, colon, _password = userinfo.partition(":")
        shown = f"{user}:***@" if colon else f"{user}@"
    rest, qmark, query = rest.partition("?")
    if qmark:
        parts = []
        for item in query.split("&"):
            key, eq, _value = item.partition("=")
            parts.append(f"{key}=***" if eq and "password" in key.lower() else item)
        query = "&".join(parts)
    return f"{scheme}{sep}{shown}{rest}{qmark}{query}"


def user_data_dir() -> Path:
    """The user data folder's ``pufa`` (platformdirs: ``$XDG_DATA_HOME/pufa``, else
    ``~/.local/share/pufa`` on Linux; ``~/Library/Application Support/pufa`` on macOS;
    ``%LOCALAPPDATA%\\pufa`` on Windows)."""
    from platformdirs import user_data_dir as platform_data_dir

    return Path(platform_data_dir("pufa", appauthor=False))


def resolve_db(option: str | None, env: Mapping[str, str] | None = None) -> DbTarget:
    env = os.environ if env is None else env
    if option is not None and not option.strip():
        # An empty --db (a script's unset variable: --db "$LEDGER") must not quietly mean
        # PUFA_DB or the default ledger. An empty PUFA_DB is unset, as environment variables are.
        from pufa_cli.errors import BadInput
        from pufa_cli.i18n import _

        raise BadInput(_("--db is empty: give a file path or a server URL"))
    value = option or env.get("PUFA_DB") or ""
    if not value:
        return DbTarget(user_data_dir() / "pufa.db", None, default=True)
    path: str | None = None
    if value.startswith("sqlite:///"):
        path = value[len("sqlite:///") :]
    elif value.lower().startswith("sqlite:"):
        path = ""  # sqlite:// and sqlite:///: SQLAlchemy's in-memory database
    elif not _URL_RE.match(value):
        path = value
    if path is None:
        return DbTarget(None, value)
    if path in ("", ":memory:") or path.startswith("file::memory:"):
        from pufa_cli.errors import BadInput
        from pufa_cli.i18n import _

        raise BadInput(
            _("{value}: an in-memory database keeps nothing; give a file path").format(value=value)
        )
    return DbTarget(Path(path).expanduser(), None)


def busy_timeout_ms(env: Mapping[str, str] | None = None) -> int:
    """``PUFA_BUSY_TIMEOUT_MS``: how long a command waits for the write lock (default 60 s)."""
    env = os.environ if env is None else env
    raw = env.get("PUFA_BUSY_TIMEOUT_MS", "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT_MS
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_BUSY_TIMEOUT_MS:
        from pufa_cli.errors import BadInput
        from pufa_cli.i18n import _

        raise BadInput(
            _(
                "PUFA_BUSY_TIMEOUT_MS must be a whole number of milliseconds from 0 to "
                "{most}, not '{value}'"
            ).format(most=MAX_BUSY_TIMEOUT_MS, value=raw)
        )
    return value


def year_from_env(env: Mapping[str, str] | None = None) -> int | None:
    """``PUFA_YEAR``: the plan year when ``--year`` is not given."""
    env = os.environ if env is None else env
    raw = env.get("PUFA_YEAR") or None
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        from pufa_cli.errors import BadInput
        from pufa_cli.i18n import _

        raise BadInput(_("PUFA_YEAR must be a year, not '{value}'").format(value=raw)) from None


def today_from_env(env: Mapping[str, str] | None = None) -> date | None:
    """``PUFA_TODAY=YYYY-MM-DD``: "today" pinned (a late month-end run, tests)."""
    env = os.environ if env is None else env
    pinned = env.get("PUFA_TODAY")
    if not pinned:
        return None
    from pufa_cli.errors import BadInput
    from pufa_cli.timing import parse_date

    try:
        return parse_date(pinned)
    except BadInput as exc:
        raise BadInput(f"PUFA_TODAY: {exc.message}") from None


def number_from_env(var: str, env: Mapping[str, str] | None = None) -> float | None:
    """A number variable (``PUFA_YELLOW``, ``PUFA_RED``); None when unset."""
    env = os.environ if env is None else env
    raw = env.get(var, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        from pufa_cli.errors import BadInput
        from pufa_cli.i18n import _

        raise BadInput(
            _("{var} must be a number, not '{value}'").format(var=var, value=raw)
        ) from None


def debug(env: Mapping[str, str] | None = None) -> bool:
    """``PUFA_DEBUG``: set (to anything) shows tracebacks of internal errors."""
    env = os.environ if env is None else env
    return bool(env.get("PUFA_DEBUG"))


def plan_from_env(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return env.get("PUFA_PLAN", "").strip() or None

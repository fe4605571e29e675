"""Where the database is: ``--db``, else ``PUFA_DB``, else ``pufa.db`` in the user data folder.

A plain path means SQLite. A SQLAlchemy URL (``postgresql+psycopg://user@host/db``) selects
another engine; ``sqlite:///path`` is the same as the path.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class DbTarget:
    """A resolved database location: a SQLite file path or a SQLAlchemy URL."""

    path: Path | None
    url: str | None
    # True for the user-data-folder default, whose folder pufa may create.
    default: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    def display(self) -> str:
        if self.path is not None:
            return str(self.path)
        return _hide_password(self.url or "")


def _hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def user_data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if sys.platform == "win32":
        base = env.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "pufa"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "pufa"
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pufa"


def resolve_db(option: str | None, env: Mapping[str, str] | None = None) -> DbTarget:
    env = os.environ if env is None else env
    value = option or env.get("PUFA_DB") or ""
    if not value:
        return DbTarget(user_data_dir(env) / "pufa.db", None, default=True)
    if value.startswith("sqlite:///"):
        return DbTarget(Path(value[len("sqlite:///") :]).expanduser(), None)
    if _URL_RE.match(value):
        return DbTarget(None, value)
    return DbTarget(Path(value).expanduser(), None)


def year_from_env(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return env.get("PUFA_YEAR") or None


def plan_from_env(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return env.get("PUFA_PLAN", "").strip() or None

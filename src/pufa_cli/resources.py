"""Where the bundled plans and migrations are.

In a wheel they ship as ``pufa_cli/_data/{plans,migrations}``; in a source checkout (editable
install, tests) they are the repository's top-level ``plans/`` and ``migrations/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data(name: str) -> Path:
    bundled = _PACKAGE / "_data" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parents[1] / name


def plans_dir() -> Path:
    return _data("plans")


def migrations_dir() -> Path:
    return _data("migrations")


def default_plan() -> Path:
    """The bundled plan of the latest year (plans/2011.yaml today)."""
    plans = sorted(plans_dir().glob("[0-9][0-9][0-9][0-9].yaml"))
    if not plans:
        return plans_dir() / "2011.yaml"
    return plans[-1]

"""The one place pufa reaches into Typer's internals.

Typer 0.28 carries its own copy of Click as ``typer._click``, a private module: pufa needs its
exception classes (to print Click's errors as one line in ``main``, to raise a usage error in
``cli``) and the names of its modules (to translate Click's fixed English in ``i18n``). A
private module can change in any release, so pyproject.toml pins Typer to the range tested here
(tests/test_typer_internals.py fails when the installed Typer is outside it or lacks a name).

Importing this module imports nothing heavy: the classes are fetched on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# The vendored Click's package, and the range of Typer it is known in (pyproject.toml).
CLICK = "typer._click"
SUPPORTED_TYPER = ((0, 28), (0, 29))  # from 0.28 inclusive, to 0.29 exclusive

CLICK_EXCEPTIONS = f"{CLICK}.exceptions"
CLICK_CORE = f"{CLICK}.core"
CLICK_FORMATTING = f"{CLICK}.formatting"
CLICK_UTILS = f"{CLICK}.utils"


def click_exceptions() -> Any:
    """``typer._click.exceptions`` (ClickException, NoArgsIsHelpError, UsageError …)."""
    return import_module(CLICK_EXCEPTIONS)


def pacify_flush_wrapper() -> type:
    """Click's stdout wrapper after a closed pipe (``pufa report | head``)."""
    wrapper: type = import_module(CLICK_UTILS).PacifyFlushWrapper
    return wrapper

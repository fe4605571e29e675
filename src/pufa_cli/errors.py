"""Errors a user can cause or meet, each with its exit status.

Domain code raises these; the one handler in ``main.py`` prints ``Error: <message>`` on one
line to stderr and exits with ``exit_code``. Exit statuses (for cron scripts):
0 success, 1 failure at run time (database unreachable, disk full, unwritable path),
2 bad usage or bad input.
"""

from __future__ import annotations

import re

EXIT_RUNTIME = 1
EXIT_USAGE = 2

# C0 and C1 controls and DEL, and the bidirectional marks, overrides and isolates: what a
# terminal would act on (move the cursor, clear the screen, set the window title, reorder the
# line). The one escaping rule: render.visible applies it to multi-line text line by line.
# U+2028 and U+2029 end a line on some terminals and in many viewers.
_CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def escape_controls(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\u202e``), for
    any value from a file or a user that pufa quotes in a message or prints."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )


class PufaError(Exception):
    """Base class: a message for the user (already translated) and an exit status."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadInput(PufaError):
    """The user gave something pufa cannot accept (option value, plan file, import row)."""


class PlanError(BadInput):
    """A plan file is not valid; the message names file, place and problem."""


class NotFound(BadInput):
    """A task, unit, entry or plan year that does not exist."""


class Conflict(BadInput):
    """The request contradicts what is stored (a second lead, an entry already retracted)."""


class RuntimeFailure(PufaError):
    """The environment failed: database unreachable, disk full, path not writable."""

    exit_code = EXIT_RUNTIME


class SchemaError(RuntimeFailure):
    """The database is from a newer pufa, is not a pufa database, or cannot be opened."""

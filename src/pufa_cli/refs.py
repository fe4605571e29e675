"""How a task or a sub-item is named: one rule for every command, table and document.

A task is ``9``; sub-item 2 of task 9 is ``9.2``. Commands, tables and messages show the text
(:func:`task_ref`); JSON documents keep a task's number a plain integer and give a sub-item's as
a string (:func:`json_ref`), so existing readers of ``"number": 9`` see no change.
"""

from __future__ import annotations


def task_ref(number: int, item: int = 0) -> str:
    """``9``, or ``9.2`` for sub-item 2 of task 9."""
    return f"{number}.{item}" if item else str(number)


def json_ref(number: int, item: int = 0) -> int | str:
    """JSON's form: 9 (an integer) for a task, "9.2" for a sub-item."""
    return f"{number}.{item}" if item else int(number)

"""A task's JSON object written straight to text: ``pretty_json(ledger.task_json(view, …))``,
the same bytes, ~3 × faster (issue 19: ``pufa tasks -f json`` over 100,000 tasks built a dict
a task and walked it key by key). The keys are written here in ``task_json``'s order; the
tests compare the two over every task of several ledgers, so a key added to one and not the
other fails them. A value of an unusual type (or a float JSON cannot write) falls back to
``task_json`` and ``pretty_json``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from json.encoder import encode_basestring
from math import isfinite
from typing import Any

from pufa_cli.render import _float, _Unusual, pretty_json


def task_json_text(view: Any, plan: Any, text_fn: Callable[[str], str], newline: str = "\n") -> str:
    """``pretty_json(task_json(view, plan, text_fn), newline)``."""
    try:
        return _task_text(view, plan, text_fn, newline)
    except (TypeError, _Unusual):
        from pufa_cli.ledger import task_json

        return pretty_json(task_json(view, plan, text_fn), newline)


def _str(value: Any) -> str:
    if type(value) is not str:
        raise _Unusual
    return encode_basestring(value)


def _null_str(value: Any) -> str:
    return "null" if value is None else _str(value)


def _int(value: Any) -> str:
    if type(value) is not int:
        raise _Unusual
    return int.__repr__(value)


def _number(value: Any) -> str:
    """A figure as ``json_number`` and JSON write it: 37, not 37.0; 12.5 stays 12.5."""
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is not float or not isfinite(value):
        raise _Unusual
    return int.__repr__(int(value)) if value.is_integer() else float.__repr__(value)


def _bool(value: Any) -> str:
    if type(value) is not bool:
        raise _Unusual
    return "true" if value else "false"


def _met(value: Any) -> str:
    return "null" if value is None else _bool(value)


@lru_cache(maxsize=4096)
def _percent(value: float) -> str:
    """A task's percent as ``task_json`` has it (``round1``: Decimal arithmetic, ~2 µs; the
    percents of a plan's tasks repeat)."""
    from pufa_cli.progress import round1

    rounded = round1(value)
    return "null" if rounded is None else _float(rounded)


def _task_text(view: Any, plan: Any, text_fn: Callable[[str], str], nl: str) -> str:
    """The task's JSON, key by key as ``ledger.task_json`` builds it."""
    i1 = nl + "  "
    i2 = i1 + "  "
    i3 = i2 + "  "
    ts = view.status
    number = ts.json_number
    checkpoints = (
        "["
        + i2
        + ("," + i2).join(
            [
                f'{{{i3}"date": "{c.date.isoformat()}",{i3}"met": {_met(c.met)}{i2}}}'
                for c in view.checkpoints
            ]
        )
        + i1
        + "]"
        if view.checkpoints
        else "[]"
    )
    units = (
        "["
        + i2
        + ("," + i2).join(
            [
                f'{{{i3}"unit": {_str(u.unit)},{i3}"role": {_str(u.role)},'
                f'{i3}"due": "{u.due.isoformat()}",{i3}"percent": {_int(u.percent)},'
                f'{i3}"person": {_null_str(u.person)}{i2}}}'
                for u in view.units
            ]
        )
        + i1
        + "]"
        if view.units
        else "[]"
    )
    targets = (
        "["
        + i2
        + ("," + i2).join(
            [
                f'{{{i3}"key": {_str(g.key)},{i3}"label": {_str(text_fn(g.label))},'
                f'{i3}"target": {_number(g.target)},{i3}"unit": {_str(g.unit)},'
                f'{i3}"value": {"null" if g.value is None else _number(g.value)}{i2}}}'
                for g in view.targets
            ]
        )
        + i1
        + "]"
        if view.targets
        else "[]"
    )
    return (
        f'{{{i1}"year": {_int(plan.year)},{i1}"plan": {_str(plan.code)},'
        f'{i1}"number": {_str(number) if type(number) is str else _int(number)},'
        f'{i1}"label": {_null_str(ts.label)},{i1}"section": {_int(ts.section)},'
        f'{i1}"title": {_str(text_fn(ts.title))},{i1}"due": "{ts.due.isoformat()}",'
        f'{i1}"planned_due": "{(view.planned_due or ts.due).isoformat()}",'
        f'{i1}"due_word": {_str(view.due_word)},{i1}"ongoing": {_bool(ts.ongoing)},'
        f'{i1}"checkpoints": {checkpoints},'
        f'{i1}"percent": {_percent(ts.percent)},'
        f'{i1}"status": {_str(ts.status)},{i1}"overdue": {_bool(ts.overdue)},'
        f'{i1}"units": {units},{i1}"targets": {targets}{nl}}}'
    )

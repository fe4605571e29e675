"""One-line errors naming file, line and place, and the typed readers that raise them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from pufa_cli.errors import BadInput, PlanError
from pufa_cli.i18n import _


class Checker:
    def __init__(self, file: str, lines: Mapping[str, int]) -> None:
        self.file = file
        self.lines = lines

    def fail(self, path: str, message: str) -> PlanError:
        line = self._line(path)
        where = f"{self.file}:{line}" if line else self.file
        return PlanError(f"{where}: {path}: {message}" if path else f"{where}: {message}")

    def _line(self, path: str) -> int | None:
        p = path
        while p:
            if p in self.lines:
                return self.lines[p]
            p = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", p)
        return self.lines.get("")

    def mapping(
        self, value: Any, path: str, allowed: set[str], required: set[str]
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(
                path, _("expected a mapping (key: value), found {kind}").format(kind=kind_of(value))
            )
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                raise self.fail(
                    f"{path}.{key}" if path else str(key),
                    _("unknown field (allowed: {fields})").format(
                        fields=", ".join(sorted(allowed))
                    ),
                )
        for key in sorted(required):
            if key not in value or value[key] is None:
                raise self.fail(path, _("missing field '{field}'").format(field=key))
        return value

    def text(self, value: Any, path: str, *, optional: bool = False, limit: int = 100_000) -> Any:
        if value is None and optional:
            return None
        if isinstance(value, date):
            # YAML reads an unquoted 2013-06-30 as a date; in a plan it is the text written.
            value = value.isoformat()
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(path, _("expected text, found {kind}").format(kind=kind_of(value)))
        text = str(value)
        if "\x00" in text:
            raise self.fail(path, _("contains a NUL character (\\0); not allowed in a plan"))
        if not text.strip():
            raise self.fail(path, _("must not be empty"))
        if len(text) > limit:
            raise self.fail(path, _("longer than {n} characters").format(n=limit))
        return text

    def integer(self, value: Any, path: str, *, low: int = 1, high: int = 10_000) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(
                path, _("expected a whole number, found {kind}").format(kind=kind_of(value))
            )
        if not low <= value <= high:
            raise self.fail(
                path,
                _("must be from {low} to {high}, not {value}").format(
                    low=low, high=high, value=value if abs(value) < 10**12 else "…"
                ),
            )
        return value

    def number(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(path, _("expected a number, found {kind}").format(kind=kind_of(value)))
        try:
            number = float(value)
        except OverflowError:
            number = float("inf")
        if number == float("inf"):
            raise self.fail(
                path,
                _("number too large ({digits} digits)").format(
                    digits=len(str(value).lstrip("-").split(".")[0])
                ),
            )
        if not number > 0 or number != number:
            raise self.fail(path, _("must be a positive number, not {value}").format(value=value))
        return number

    def listing(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, _("expected a list, found {kind}").format(kind=kind_of(value)))
        return value

    def guarded(self, path: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except BadInput as exc:
            raise self.fail(path, exc.message) from None


def kind_of(value: Any) -> str:
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return type(value).__name__

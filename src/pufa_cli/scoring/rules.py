"""The ``scoring:`` block of a plan file (考核細則) as data: validated, frozen, stored as JSON.

    scoring:
      points: {default: 5, 8: 10}          # per task; unlisted tasks take default (10)
      deductions: {overdue: 10, late: 5}   # points off a unit's share of a task (see KINDS)
      items:                               # indicators scored by people (組織領導, 宣傳報道 …)
        - {key: org, label: 組織領導, points: 10}
      bonus_cap: 20                        # 加分 counts up to this many points

Pure: no database. The plan package calls ``read_scoring`` for the top-level field; loading
stores ``Scoring.to_json()`` beside the plan, and ``compute`` reads it back with ``from_json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pufa_cli.i18n import _

DEFAULT_POINTS = 10.0
DEFAULT_BONUS_CAP = 20.0
MAX_POINTS = 10_000.0

# Deductions taken off a unit's share of one task (each, as often as it happens) …
TASK_KINDS = ("overdue", "late", "missed_checkpoint", "missing_evidence")
# … and those taken off the unit's total, once per reporting round.
ROUND_KINDS = ("late_report", "missing_report")
KINDS = TASK_KINDS + ROUND_KINDS

ITEM_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Item:
    """A manual indicator: scored by a reviewer, out of ``points``."""

    key: str
    label: str
    points: float


@dataclass(frozen=True)
class Scoring:
    default: float = DEFAULT_POINTS
    points: dict[int, float] = field(default_factory=dict)  # task number → points
    deductions: dict[str, float] = field(default_factory=dict)  # kind → points each time
    items: tuple[Item, ...] = ()
    bonus_cap: float = DEFAULT_BONUS_CAP

    def task_points(self, number: int) -> float:
        return self.points.get(number, self.default)

    def deduction(self, kind: str) -> float:
        return self.deductions.get(kind, 0.0)

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)

    @property
    def manual_points(self) -> float:
        return sum(i.points for i in self.items)

    def to_json(self) -> str:
        return json.dumps(
            {
                "default": self.default,
                "points": {str(k): v for k, v in sorted(self.points.items())},
                "deductions": dict(self.deductions),
                "items": [{"key": i.key, "label": i.label, "points": i.points} for i in self.items],
                "bonus_cap": self.bonus_cap,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Scoring:
        data = json.loads(text)
        return cls(
            default=float(data["default"]),
            points={int(k): float(v) for k, v in data["points"].items()},
            deductions={str(k): float(v) for k, v in data["deductions"].items()},
            items=tuple(Item(i["key"], i["label"], float(i["points"])) for i in data["items"]),
            bonus_cap=float(data["bonus_cap"]),
        )


def _points(c: Any, value: Any, path: str) -> float:
    """A number of points: 0 or more, at most MAX_POINTS."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise c.fail(
            path, _("expected a number of points (0 or more), found {value}").format(value=value)
        )
    if not 0 <= value <= MAX_POINTS:
        raise c.fail(
            path,
            _("points must be from 0 to {high}, not {value}").format(
                high=int(MAX_POINTS), value=value
            ),
        )
    return float(value)


def read_scoring(c: Any, value: Any, path: str, year: int) -> Scoring:
    """The ``scoring:`` field of a plan file (checker ``c`` gives the one-line errors).

    Task numbers in ``points`` are checked against the plan's tasks by ``check_tasks`` once
    the sections are read."""
    doc = c.mapping(value, path, {"points", "deductions", "items", "bonus_cap"}, set())
    default = DEFAULT_POINTS
    points: dict[int, float] = {}
    if doc.get("points") is not None:
        raw = doc["points"]
        if not isinstance(raw, dict):
            raise c.fail(
                f"{path}.points",
                _("expected a mapping such as {{default: 10, 8: 20}}"),
            )
        for key, pts in raw.items():
            kp = f"{path}.points.{key}"
            if key == "default":
                default = _points(c, pts, kp)
            elif isinstance(key, int) and not isinstance(key, bool) and key >= 1:
                points[key] = _points(c, pts, kp)
            else:
                raise c.fail(kp, _("a key of points is 'default' or a task number"))
    deductions: dict[str, float] = {}
    if doc.get("deductions") is not None:
        raw = doc["deductions"]
        if not isinstance(raw, dict):
            raise c.fail(
                f"{path}.deductions", _("expected a mapping such as {{overdue: 10, late: 5}}")
            )
        for key, pts in raw.items():
            kp = f"{path}.deductions.{key}"
            if key not in KINDS:
                raise c.fail(
                    kp,
                    _("unknown deduction (known: {kinds})").format(kinds=", ".join(KINDS)),
                )
            deductions[str(key)] = _points(c, pts, kp)
    items: list[Item] = []
    for i, raw_item in enumerate(c.listing(doc.get("items"), f"{path}.items")):
        ip = f"{path}.items[{i}]"
        item = c.mapping(raw_item, ip, {"key", "label", "points"}, {"key", "label", "points"})
        key = str(c.text(item["key"], f"{ip}.key", limit=40))
        if not ITEM_KEY_RE.match(key):
            raise c.fail(
                f"{ip}.key",
                _("item key '{key}' must be lower-case letters, digits and _ (e.g. org)").format(
                    key=key
                ),
            )
        if any(x.key == key for x in items):
            raise c.fail(f"{ip}.key", _("item key '{key}' is used twice").format(key=key))
        label = str(c.text(item["label"], f"{ip}.label", limit=200))
        items.append(Item(key, label, _points(c, item["points"], f"{ip}.points")))
    cap = DEFAULT_BONUS_CAP
    if doc.get("bonus_cap") is not None:
        cap = _points(c, doc["bonus_cap"], f"{path}.bonus_cap")
    return Scoring(default, points, deductions, tuple(items), cap)


def check_tasks(c: Any, scoring: Scoring, numbers: set[int], path: str = "scoring") -> None:
    """Every task number in ``points`` is a task of the plan."""
    for number in scoring.points:
        if number not in numbers:
            raise c.fail(
                f"{path}.points.{number}",
                _("task {n} is not in the plan").format(n=number),
            )

"""The plan as pufa holds it: frozen objects built from a validated plan file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from pufa_cli.refs import task_ref
from pufa_cli.roles import LEAD_ROLES as LEAD_ROLES  # the plan's roles, defined in roles.py
from pufa_cli.roles import ROLE_COLEAD as ROLE_COLEAD
from pufa_cli.roles import ROLE_LEAD as ROLE_LEAD
from pufa_cli.roles import ROLE_SUPPORT as ROLE_SUPPORT

if TYPE_CHECKING:
    from pufa_cli.scoring.rules import Scoring


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    target: float
    unit: str
    phrase: str | None = None
    aggregate: str = "latest"  # sum | each | mean | latest (targets.py)


@dataclass(frozen=True)
class Check:
    word: str
    date: date


@dataclass(frozen=True)
class Task:
    number: int
    title: str
    text: str
    due_word: str
    due: date
    checks: tuple[Check, ...]
    timing: str | None
    responsible: str | None
    lead: str | None
    support: tuple[str, ...]
    targets: tuple[Target, ...]
    cadence: str | None = None  # 每月, 每季度末 …: repeating checkpoints (format version 2)
    leader: str | None = None  # 責任領導 (format version 2)
    label: str | None = None  # the source's own numbering, for display: (三), 二(三)
    carries: str | None = None  # PLAN_ID#N of an office above (format version 2, offices)
    coleads: tuple[str, ...] = ()  # further lead units (共同牽頭), stored with role 'colead'
    item: int = 0  # N for sub-item N of task ``number`` (written 9.2); 0 for a task
    items: tuple[Task, ...] = ()  # sub-items (format version 2): the task takes their mean

    @property
    def ref(self) -> str:
        """How commands address it: ``9``, or ``9.2`` for a sub-item."""
        return task_ref(self.number, self.item)

    @property
    def leads(self) -> tuple[str, ...]:
        """Every lead unit: the lead, then its co-leads."""
        return ((self.lead,) if self.lead else ()) + self.coleads


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    tasks: tuple[Task, ...]
    label: str | None = None  # the source's own numbering, for display: 二、


@dataclass(frozen=True)
class Plan:
    year: int
    title: str
    units: tuple[str, ...]
    sections: tuple[Section, ...]
    version: int = 1
    id: str = ""  # the file's ``id``, else the year as text (validate fills it in)
    preamble: str = ""
    source: str = ""
    doc_number: str | None = None  # 文號
    issuer: str | None = None  # 印發單位
    issued: date | None = None  # the on-schedule clock starts this day, not on 1 January
    addressees: tuple[str, ...] = ()  # 主送
    office: str | None = None  # the office the plan belongs to (else the command's office)
    # 各街道辦事處 → its units: naming the group in ``support`` or ``pufa assign`` assigns each
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    review: str = ""  # 'required': a 100 % entry awaits review (issue 16)
    reporting: str = ""  # reporting rounds, e.g. 每月5日前 (issue 16)
    scoring: Scoring | None = None  # ``scoring:`` (考核細則); None: the plan does not score

    @property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(t for s in self.sections for t in s.tasks)

    @property
    def rows(self) -> tuple[Task, ...]:
        """Every task, each followed by its sub-items: the rows of the ``tasks`` table."""
        return tuple(row for t in self.tasks for row in (t, *t.items))

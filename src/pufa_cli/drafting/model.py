"""The draft: what the drafting steps find, before it is written out as YAML."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Note:
    """A place the drafter was unsure of: where in the source, and what it guessed."""

    place: str
    message: str


@dataclass
class DraftTarget:
    key: str
    label: str
    target: float
    unit: str
    phrase: str


@dataclass
class DraftItem:
    """A sub-item (1)(2)… written as an item of format version 2 (drafting/items.py)."""

    number: int
    label: str | None
    title: str
    text: str
    due: str | None = None  # None: due with its task
    checks: list[str] = field(default_factory=list)
    targets: list[DraftTarget] = field(default_factory=list)


@dataclass
class DraftTask:
    number: int
    label: str | None  # the source's own numbering where it is not the plan-wide sequence
    title: str
    text: str
    place: str
    items: list[str] = field(default_factory=list)  # sub-items (1)(2)…, verbatim
    due: str = "年底"
    due_found: bool = False
    checks: list[str] = field(default_factory=list)
    timing: str | None = None
    responsible: str | None = None
    lead: str | None = None
    coleads: list[str] = field(default_factory=list)  # 共同牽頭: lead: [lead, *coleads] (v2)
    support: list[str] = field(default_factory=list)
    targets: list[DraftTarget] = field(default_factory=list)
    # Format version 2 (issue 14) reads these; version 1 files carry them as comments.
    cadence: str | None = None  # 每月, 每季度末 … as written
    ongoing: str | None = None  # the word (常態化, 長期 …) that marks all-year work
    sub: list[DraftItem] = field(default_factory=list)  # sub-items as ``items:`` (format 2)
    # Comments for the YAML, by field name ("" for the task itself): what was guessed and why.
    comments: dict[str, str] = field(default_factory=dict)


@dataclass
class DraftSection:
    number: int
    label: str | None
    title: str
    place: str
    tasks: list[DraftTask] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)  # text between the heading and its first task
    part: list[str] = field(default_factory=list)  # a heading above this section, and its text


@dataclass
class Draft:
    year: int
    title: str
    source: str
    preamble: str
    units: list[str]
    sections: list[DraftSection]
    notes: list[Note]
    left_out: list[str] = field(default_factory=list)  # '(why) text': metadata, signature
    comments: dict[str, str] = field(default_factory=dict)  # plan-level field → what was guessed
    plan_id: str | None = None  # ``--id``: the plan's id (docs/plan-format.md, "Several plans")

    @property
    def tasks(self) -> list[DraftTask]:
        return [t for s in self.sections for t in s.tasks]

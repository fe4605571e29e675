"""The draft as a plan file: YAML written line by line, a comment on every guessed line.

Format version 1 (docs/plan-format.md), or version 2 when a task has co-leads (共同牽頭: ``lead``
as a list). The other fields of version 2 that a draft already knows (a task's ``label``, its
sub-items) are kept as comments by ``_version2_lines``; sub-items are also in the task's
``text``, so nothing of the document is lost either way.

Every text is a double-quoted YAML scalar with only ``"``, ``\\``, control characters and
the characters YAML would read as line breaks escaped: Chinese text, curly quotes and
half-width commas are written as they are.
"""

from __future__ import annotations

import re

from pufa_cli.drafting.model import Draft, DraftItem, DraftSection, DraftTarget, DraftTask
from pufa_cli.i18n import _, ngettext

FORMAT_VERSION = 1
# Everything YAML may not hold raw in a double-quoted scalar, or would fold as a line break.
_ESCAPE = re.compile(
    '[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|["\\\\]'
)
_NAMED = {"\n": "\\n", "\t": "\\t", '"': '\\"', "\\": "\\\\", "\r": "\\r"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else (f"\\U{code:08x}")
    )


def quote(text: str) -> str:
    """``text`` as a double-quoted YAML scalar that reads back exactly."""
    return '"' + _ESCAPE.sub(_escape, text) + '"'


def _comment(text: str | None) -> str:
    if not text:
        return ""
    return "  # " + " ".join(text.split())


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(quote(i) for i in items) + "]"


def format_version(draft: Draft) -> int:
    """1, or 2 when the draft needs it: a task with co-leads (``lead`` as a list) or with
    sub-items written as ``items:``."""
    return 2 if any(t.coleads or t.sub for t in draft.tasks) else FORMAT_VERSION


def write_plan(draft: Draft) -> str:
    out: list[str] = [
        "# "
        + _("{title}: drafted by `pufa plan draft` from {source}").format(
            title=" ".join(draft.title.split()), source=" ".join(draft.source.split())
        ),
        "# "
        + _(
            "Lines with a comment were guessed: check them against the document, "
            "then run `pufa plan check` on this file."
        ),
        "",
        f"version: {format_version(draft)}",
        *([f"id: {draft.plan_id}"] if draft.plan_id else []),
        f"year: {draft.year}" + _comment(draft.comments.get("year")),
        f"title: {quote(draft.title)}" + _comment(draft.comments.get("title")),
        f"source: {quote(draft.source)}",
    ]
    if draft.preamble:
        out.append(f"preamble: {quote(draft.preamble)}" + _comment(draft.comments.get("preamble")))
    for line in draft.left_out:
        out.append("# " + _("left out: {text}").format(text=" ".join(line.split())))
    out.append(f"units: {_flow(draft.units)}")
    out.append("")
    out.append("sections:")
    for section in draft.sections:
        out.extend(_section_lines(section))
    return "\n".join(out) + "\n"


def _section_lines(section: DraftSection) -> list[str]:
    out = [
        "  # " + _("under the heading: {text}").format(text=" ".join(t.split()))
        for t in section.part
    ]
    out.append(f"  - number: {section.number}")
    if section.label:
        out.append("    # " + _("source numbering: {label}").format(label=section.label))
    out.append(f"    title: {quote(section.title)}")
    for line in section.intro:
        out.append(
            "    # " + _("text under the heading: {text}").format(text=" ".join(line.split()))
        )
    out.append("    tasks:" if section.tasks else "    tasks: []")
    for task in section.tasks:
        out.extend(_task_lines(task))
    return out


def _version2_lines(task: DraftTask, pad: str) -> list[str]:
    """``label``, ``items``, ``cadence`` and ongoing work (format version 2, issue 14), written
    as comments in version 1: the one place to write them as fields."""
    out = []
    if task.cadence:
        out.append(
            pad + "# " + _("cadence '{word}' (a field of plan format 2)").format(word=task.cadence)
        )
    if task.ongoing:
        out.append(
            pad
            + "# "
            + _("'{word}': ongoing work (due: 持續 in plan format 2)").format(word=task.ongoing)
        )
    if task.label:
        out.append(pad + "# " + _("source numbering: {label}").format(label=task.label))
    if task.items and not task.sub:
        count = ngettext(
            "{n} sub-item, kept in the text", "{n} sub-items, kept in the text", len(task.items)
        )
        out.append(pad + "# " + count.format(n=len(task.items)))
    return out


def _task_lines(task: DraftTask) -> list[str]:
    pad = "        "
    c = task.comments
    out = [f"      - number: {task.number}"]
    out.extend(_version2_lines(task, pad))
    out.append(f"{pad}title: {quote(task.title)}" + _comment(c.get("title")))
    out.append(f"{pad}text: {quote(task.text)}")
    out.append(f"{pad}due: {quote(task.due)}" + _comment(c.get("due")))
    if task.timing:
        out.append(f"{pad}timing: {quote(task.timing)}")
    if task.checks:
        out.append(f"{pad}checks: {_flow(task.checks)}")
    if task.responsible:
        out.append(f"{pad}responsible: {quote(task.responsible)}" + _comment(c.get("responsible")))
    if task.lead and task.coleads:
        out.append(f"{pad}lead: {_flow([task.lead, *task.coleads])}" + _comment(c.get("lead")))
    elif task.lead:
        out.append(f"{pad}lead: {quote(task.lead)}" + _comment(c.get("lead")))
    if task.support:
        out.append(f"{pad}support: {_flow(task.support)}")
    if task.targets:
        out.append(f"{pad}targets:")
        for target in task.targets:
            out.append(f"{pad}  - {_target(target)}" + _comment(c.get("targets")))
    if task.sub:
        out.append(f"{pad}items:")
        for item in task.sub:
            out.extend(_item_lines(item, pad + "    "))
    return out


def _item_lines(item: DraftItem, pad: str) -> list[str]:
    """One sub-item of ``items:`` (format version 2); ``pad`` indents its fields."""
    out = [f"{pad[:-2]}- number: {item.number}"]
    if item.label:
        out.append(f"{pad}label: {quote(item.label)}")
    out.append(f"{pad}title: {quote(item.title)}" + _comment(_("the sub-item's first sentence")))
    out.append(f"{pad}text: {quote(item.text)}")
    if item.due:
        out.append(f"{pad}due: {quote(item.due)}")
    if item.checks:
        out.append(f"{pad}checks: {_flow(item.checks)}")
    if item.targets:
        out.append(f"{pad}targets:")
        for target in item.targets:
            out.append(f"{pad}  - {_target(target)}" + _comment(_("key and label guessed")))
    return out


def _target(t: DraftTarget) -> str:
    return (
        f"{{key: {t.key}, label: {quote(t.label)}, target: {_number(t.target)}, "
        f"unit: {quote(t.unit)}, phrase: {quote(t.phrase)}}}"
    )

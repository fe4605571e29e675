"""Run the drafting steps on one document and check the result with the plan loader."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pufa_cli.drafting.deadlines import find_deadline
from pufa_cli.drafting.items import draft_items
from pufa_cli.drafting.model import Draft, DraftSection, DraftTask, Note
from pufa_cli.drafting.outline import MAX_TITLE, Outline, OutlineTask, build_outline
from pufa_cli.drafting.sources import read_blocks
from pufa_cli.drafting.targets import find_targets
from pufa_cli.drafting.units import (
    Responsibility,
    find_responsibility,
    from_fields,
    is_named_unit,
)
from pufa_cli.drafting.writer import write_plan
from pufa_cli.errors import BadInput, RuntimeFailure
from pufa_cli.i18n import _
from pufa_cli.names import normalize_name

_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})\s*年")
_TITLE_END = re.compile(r"[。\n]")


@dataclass(frozen=True)
class Drafted:
    draft: Draft
    yaml: str

    @property
    def counts(self) -> dict[str, int]:
        tasks = self.draft.tasks
        return {
            "sections": len(self.draft.sections),
            "tasks": len(tasks),
            "items": sum(len(t.items) for t in tasks),
            "targets": sum(len(t.targets) + sum(len(i.targets) for i in t.sub) for t in tasks),
            "deadlines": sum(1 for t in tasks if t.due_found),
        }


def draft_file(
    path: Path, *, year: int | None = None, title: str | None = None, plan_id: str | None = None
) -> Drafted:
    """Draft a plan file from the document at ``path``; BadInput (exit 2) if it cannot."""
    blocks = read_blocks(path)
    outline = build_outline(blocks, title=title, file=str(path))
    draft = _compose(outline, year, path)
    draft.plan_id = plan_id
    text = write_plan(draft)
    _verify(text, path)
    return Drafted(draft, text)


def _guess_year(outline: Outline) -> tuple[int, str]:
    titles = [outline.title] + ([outline.doc_title] if outline.doc_title else [])
    for where, text in [(_("the title"), t) for t in titles] + [
        (_("the preamble"), p) for p in outline.preamble
    ]:
        m = _YEAR.search(text)
        if m:
            return int(m.group(1)), _("year read from {where}: check it").format(where=where)
    raise BadInput(_("no plan year found in the title or the preamble: give --year"))


def _compose(outline: Outline, year: int | None, path: Path) -> Draft:
    notes = list(outline.notes)
    comments: dict[str, str] = {}
    if year is None:
        year, why = _guess_year(outline)
        comments["year"] = why
        notes.append(Note(str(path), why))
    if not outline.title_given:
        comments["title"] = (
            _("the document's title line") if outline.doc_title else _("the file's name")
        )
    if outline.preamble_dropped:
        comments["preamble"] = _(
            "lines before the first section left out of the preamble (see below)"
        )
    units: dict[str, str] = {}  # normalised → as written
    sections: list[DraftSection] = []
    number = 0
    for s_index, osec in enumerate(outline.sections, start=1):
        section = DraftSection(
            number=s_index,
            label=osec.label if osec.label_value != s_index else None,
            title=osec.title,
            place=osec.place,
            intro=list(osec.intro),
            part=list(osec.part),
        )
        for otask in osec.tasks:
            number += 1
            task = _task(otask, number, year, notes)
            _keep_valid_units(task, notes)
            for name in ([task.lead] if task.lead else []) + task.coleads + task.support:
                units.setdefault(normalize_name(name), name)
            section.tasks.append(task)
        sections.append(section)
    return Draft(
        year=year,
        title=outline.title,
        source=path.name,
        preamble="\n".join(outline.preamble),
        units=list(units.values()),
        sections=sections,
        notes=notes,
        left_out=outline.left_out,
        comments=comments,
    )


def _keep_valid_units(task: DraftTask, notes: list[Note]) -> None:
    """A name the unit registry would refuse (too long, control characters) is no unit: it
    stays in ``responsible`` only, with a note."""

    def valid(name: str) -> bool:
        try:
            normalize_name(name)
        except BadInput as exc:
            notes.append(
                Note(
                    task.place,
                    _("task {n}: '{name}' is not used as a unit: {reason}").format(
                        n=task.number, name=name[:40], reason=exc.message
                    ),
                )
            )
            return False
        return True

    if task.lead and not valid(task.lead):
        task.lead = None
    # Each unit once: a lead, then co-leads, then supporting units (as the loader requires).
    seen = {normalize_name(task.lead)} if task.lead else set()
    coleads = []
    for name in task.coleads:
        if task.lead and valid(name) and normalize_name(name) not in seen:
            seen.add(normalize_name(name))
            coleads.append(name)
    task.coleads = coleads
    task.support = [n for n in task.support if valid(n) and normalize_name(n) not in seen]


def _texts(otask: OutlineTask) -> tuple[str, str]:
    """(title, text) of a task: its first sentence without 。, and every part verbatim."""
    if otask.row:
        cell_title, cell_text = otask.row.get("title", ""), otask.row.get("text", "")
        if cell_title and cell_text and not cell_text.startswith(cell_title):
            glue = "" if cell_title.endswith(("。", "！", "？", "；")) else "\n"
            text = cell_title + glue + cell_text
        else:
            text = cell_text or cell_title
        if cell_title and cell_text:
            return cell_title.rstrip("。"), text
    else:
        text = "\n".join(p.text for p in otask.parts)
    m = _TITLE_END.search(text)
    return (text[: m.start()] if m else text), text


def _task(otask: OutlineTask, number: int, year: int, notes: list[Note]) -> DraftTask:
    title, text = _texts(otask)
    place = otask.place
    task = DraftTask(
        number=number,
        label=otask.label if otask.label_value != number else None,
        title=title,
        text=text,
        place=place,
        items=[p.text for p in otask.parts if p.item],
    )
    if len(title) > MAX_TITLE or not title.strip():
        task.title = text[:60].strip() or str(number)
        task.comments["title"] = _("no sentence end early in the paragraph: title shortened")
        notes.append(Note(place, _("task {n}: title shortened").format(n=number)))
    due_cell = otask.row.get("due")
    deadline = find_deadline(due_cell if due_cell else text, year)
    if due_cell:
        deadline.timing = due_cell
        if not deadline.found:
            deadline.comment = _("the deadline cell has no deadline word pufa reads: year end")
    task.due, task.due_found, task.checks = deadline.due, deadline.found, deadline.checks
    task.timing, task.cadence, task.ongoing = deadline.timing, deadline.cadence, deadline.ongoing
    if deadline.comment:
        task.comments["due"] = deadline.comment
    if not deadline.found and due_cell:
        notes.append(
            Note(
                place,
                _("task {n}: no deadline word pufa reads in '{cell}'; due {due}").format(
                    n=number, cell=due_cell, due=task.due
                ),
            )
        )
    elif not deadline.found:
        notes.append(
            Note(place, _("task {n}: no deadline word; due {due}").format(n=number, due=task.due))
        )
    elif deadline.comment:
        notes.append(Note(place, _("task {n}: {why}").format(n=number, why=deadline.comment)))
    _responsibility(task, otask, notes)
    task.targets = find_targets(text)
    draft_items(task, otask, year)
    if task.targets:
        task.comments["targets"] = _("key and label guessed")
        for t in task.targets:
            notes.append(
                Note(
                    place,
                    _("task {n}: target {value} {unit} from '{phrase}'").format(
                        n=number, value=f"{t.target:g}", unit=t.unit, phrase=t.phrase
                    ),
                )
            )
    return task


def _responsibility(task: DraftTask, otask: OutlineTask, notes: list[Note]) -> None:
    row = otask.row
    r: Responsibility = (
        from_fields(row)
        if any(row.get(k) for k in ("responsible", "lead", "support"))
        else find_responsibility(task.text)
    )
    task.responsible, task.lead, task.support = r.responsible, r.lead, r.support
    task.coleads = list(r.coleads)
    if r.guessed and r.responsible:
        why = (
            _("guessed from the sentence's subject")
            if r.lead
            else _("guessed from the sentence's subject; not a single unit, so no lead")
        )
        task.comments["responsible"] = why
        notes.append(
            Note(
                otask.place,
                _("task {n}: responsible '{who}' {why}").format(
                    n=task.number, who=r.responsible, why=why
                ),
            )
        )
    if task.lead and not row and not is_named_unit(task.lead) and not r.guessed:
        task.comments["lead"] = _("check the unit's name")


def _verify(text: str, path: Path) -> None:
    """The plan loader must accept the draft: a failure here is a bug in the drafter."""
    import yaml

    from pufa_cli.plan import build_plan

    # libyaml when present: the pure-Python parser takes ~0.5 s on a 200-task draft.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        build_plan(yaml.load(text, Loader=loader), {}, str(path))
    except (BadInput, yaml.YAMLError) as exc:
        raise RuntimeFailure(
            _("the draft of {file} does not load ({reason}); please report this").format(
                file=path, reason=exc
            )
        ) from None

"""A drafted task's sub-items (1)(2)… as format version 2 ``items:``.

Each sub-item becomes an item of its own: ``label`` its written number ((1), ①), ``title`` its
first sentence, ``text`` the paragraph verbatim, its own deadline (or, without one, its task's)
and its own targets. The task keeps its full text (sub-items included, nothing of the document
is lost), is due at the latest of its deadlines and holds no targets or checkpoints of its own:
a task with items takes them on its items (docs/plan-format.md). When the task's own paragraph
states a target, the sub-items stay in the text, with a comment, as in format version 1.
"""

from __future__ import annotations

import re

from pufa_cli.drafting.deadlines import find_deadline
from pufa_cli.drafting.model import DraftItem, DraftTask
from pufa_cli.drafting.outline import MAX_TITLE, OutlineTask
from pufa_cli.drafting.targets import find_targets

_LABEL = re.compile(
    r"^\s*([(（]\s*[0-9０-９一二三四五六七八九十]{1,3}\s*[)）]|[①-⑳]|[0-9０-９]{1,3}\s*[.．、])\s*"
)
_TITLE_END = re.compile(r"[。；;\n]")


def draft_items(task: DraftTask, otask: OutlineTask, year: int) -> None:
    """Fill ``task.sub`` from the outline's sub-items (a task-table row has none)."""
    parts = [p for p in otask.parts if p.item]
    if not parts or otask.row:
        return
    own = "\n".join(p.text for p in otask.parts if not p.item)
    if find_targets(own):
        return  # the task's own target cannot sit beside items: keep the version 1 form
    sub: list[DraftItem] = []
    for n, part in enumerate(parts, start=1):
        m = _LABEL.match(part.text)
        body = part.text[m.end() :] if m else part.text.strip()
        end = _TITLE_END.search(body)
        title = (body[: end.start()] if end else body).strip()
        if not title or len(title) > MAX_TITLE:
            title = body[:60].strip() or part.text.strip()[:60]
        deadline = find_deadline(body, year)
        sub.append(
            DraftItem(
                number=n,
                label=m.group(1) if m else None,
                title=title,
                text=part.text.strip(),
                due=deadline.due if deadline.found else None,
                checks=list(deadline.checks) if deadline.found else [],
                targets=find_targets(body),
            )
        )
    task.sub = sub
    task.targets = []
    task.checks = []

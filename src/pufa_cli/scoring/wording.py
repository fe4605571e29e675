"""A notice's content as a person reads it, shared by markdown, docx and html: the paragraph of
counts, and the tables (headers and cells) in the reader's language and script."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pufa_cli.i18n import _, ngettext, pgettext

TextFn = Callable[[str], str]


def heading(body: dict[str, Any], text: TextFn) -> str:
    return text(body["title"])


def subheading(body: dict[str, Any]) -> str:
    return _("No. {number} · as of {day} · issued {issued}").format(
        number=body["number"], day=body["as_of"], issued=body["issued_at"][:10]
    )


def _pct(value: Any) -> str:
    return "-" if value is None else f"{float(value):.1f}%"


def counts_paragraph(body: dict[str, Any], text: TextFn) -> str:
    """``As of 2011-06-30, 12 of the plan's 40 tasks are done …`` in the reader's language."""
    t = body["total"]
    parts = [
        ngettext(
            "As of {day}, {done} of the {tasks} task of {plan} is done (overall {percent}).",
            "As of {day}, {done} of the {tasks} tasks of {plan} are done (overall {percent}).",
            t["tasks"],
        ).format(
            day=body["as_of"],
            done=t["done"],
            tasks=t["tasks"],
            plan=text(body["plan_title"]),
            percent=_pct(t["percent"]),
        ),
        " "
        + _(
            "In progress: {in_progress}; not started: {not_started}; overdue: {overdue}; "
            "red: {red}; yellow: {yellow}."
        ).format(**t),
    ]
    ranking = body["ranking"]
    if ranking:
        first = [text(r["unit"]) for r in ranking if r["rank"] == 1]
        worst = max(r["rank"] for r in ranking)
        last = [text(r["unit"]) for r in ranking if r["rank"] == worst and worst > 1]
        parts.append(" " + _("Leading: {units}.").format(units="、".join(first)))
        if last:
            parts.append(" " + _("Lagging: {units}.").format(units="、".join(last)))
    # Sentences are joined with a space, which Chinese does not put after 。 or ;.
    return re.sub(r"(?<=[\u3002\uff1b\uff01\uff1f])\s+", "", "".join(parts))


def section_table(body: dict[str, Any], text: TextFn) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("Sec."),
        pgettext("section title", "Section"),
        _("Tasks"),
        _("Done"),
        _("Overdue"),
        _("Red"),
        "%",
    ]
    rows = [
        [
            s["section"],
            text(s["title"]),
            s["tasks"],
            s["done"],
            s["overdue"],
            s["red"],
            _pct(s["percent"]),
        ]
        for s in body["sections"]
    ]
    t = body["total"]
    rows.append(["", _("Total"), t["tasks"], t["done"], t["overdue"], t["red"], _pct(t["percent"])])
    return headers, rows


def change_text(change: int | None) -> str:
    if change is None:
        return "-"
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "="


def ranking_table(body: dict[str, Any], text: TextFn) -> tuple[list[str], list[list[Any]]]:
    scored = body["scored"]
    headers = [_("Rank"), _("Unit")]
    if scored:
        headers.append(_("Score"))
    headers += [_("Tasks"), _("Done"), _("Overdue"), "%", _("Change")]
    rows = []
    for r in body["ranking"]:
        row: list[Any] = [r["rank"], text(r["unit"])]
        if scored:
            row.append(f"{float(r['score']):.1f}")
        row += [
            r["tasks"],
            r["done"],
            r["overdue"],
            _pct(r["percent"]),
            change_text(r["rank_change"]),
        ]
        rows.append(row)
    return headers, rows


def lagging_lines(body: dict[str, Any], text: TextFn) -> list[str]:
    """One line a lagging item: ``9 普法讲师团 — due 2011-06-30, 40.0%, overdue: 區司法局、…``."""
    out = []
    for t in body["lagging"]:
        state = _("overdue") if t["overdue"] else _("red")
        out.append(
            _("{number} {title} — due {due}, {percent}, {state}: {units}").format(
                number=t["number"],
                title=text(t["title"]),
                due=t["due"],
                percent=_pct(t["percent"]),
                state=state,
                units="、".join(text(u) for u in t["units"]) or _("no unit assigned"),
            )
        )
    return out


def due_next_lines(body: dict[str, Any], text: TextFn) -> list[str]:
    return [
        _("{number} {title} — due {due}: {units}").format(
            number=t["number"],
            title=text(t["title"]),
            due=t["due"],
            units="、".join(text(u) for u in t["units"]) or _("no unit assigned"),
        )
        for t in body["due_next"]
    ]


def titles() -> dict[str, str]:
    return {
        "sections": _("Completion by section"),
        "ranking": _("Unit ranking"),
        "lagging": _("Overdue and red items"),
        "due_next": _("Due next quarter"),
        "trend": _("Completion in the notices issued"),
        "none": _("None."),
    }


def markdown(body: dict[str, Any], text: TextFn) -> str:
    from pufa_cli.render import markdown_table

    words = titles()
    out = [f"# {heading(body, text)}", "", subheading(body), "", counts_paragraph(body, text), ""]
    out += [f"## {words['sections']}", "", markdown_table(*section_table(body, text))]
    out += [f"## {words['ranking']}", ""]
    out += [markdown_table(*ranking_table(body, text)) if body["ranking"] else words["none"] + "\n"]
    for key, lines in (
        ("lagging", lagging_lines(body, text)),
        ("due_next", due_next_lines(body, text)),
    ):
        out += [f"## {words[key]}", ""]
        out += [f"- {line}" for line in lines] if lines else [words["none"]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"

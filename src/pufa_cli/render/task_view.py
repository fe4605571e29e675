"""The reading views: pufa tasks (one row a task), pufa show (one task in full) and
pufa unit list. Unit names, numbers, dates and metrics are fixed columns (never cut); titles
and notes wrap."""

from __future__ import annotations

from typing import Any

from pufa_cli.i18n import _, ngettext, npgettext

# A note wraps, but never narrower than this: "retracted 2011-06-30:" reads on one line.
NOTE_CELLS = 12


def tasks_cols() -> list[Any]:
    """pufa tasks' columns."""
    from pufa_cli.render import Col, status_col

    return [
        Col(_("No."), "right"),
        Col(_("Sec."), "right"),
        Col(_("Title"), flexible=True),
        Col(_("Due"), "left"),
        Col(_("Targets")),  # one target a line: a metric is never cut
        Col(_("Percent"), "right"),
        status_col(_("Status")),
    ]


def tasks_row(view: Any, text: Any, colour: str) -> list[Any]:
    """A task's row of pufa tasks: its status (a ``stream.Styled``) coloured as its light."""
    return TasksRows(text)(view, colour)


class TasksRows:
    """pufa tasks' rows (:func:`tasks_row`), with what repeats from row to row made once: the
    status word in its colour, the percent's text (issue 19: 100,000 rows)."""

    def __init__(self, text: Any) -> None:
        self.text = text
        self.statuses: dict[tuple[str, bool, str], Any] = {}
        self.percents: dict[float, str] = {}

    def __call__(self, view: Any, colour: str) -> list[Any]:
        ts = view.status
        key = (ts.status, ts.overdue, colour)
        status = self.statuses.get(key)
        if status is None:
            from pufa_cli.render import status_label, status_style
            from pufa_cli.render.stream import Styled

            status = self.statuses[key] = Styled(
                status_label(ts.status, ts.overdue), status_style(colour)
            )
        percent = self.percents.get(ts.percent)
        if percent is None:
            from pufa_cli.render import percent_text

            percent = self.percents[ts.percent] = percent_text(ts.percent)
        text = self.text
        return [
            ts.ref,
            ts.section,
            text(ts.title),
            ts.due.isoformat(),
            "\n".join(text(g.as_text()) for g in view.targets) if view.targets else "",
            percent,
            status,
        ]


def tasks_title(plan: Any, day: Any, text: Any) -> str:
    return _("{title} ({year}) — tasks as of {day}").format(
        title=text(plan.title), year=plan.year, day=day.isoformat()
    )


def tasks_caption(n: int) -> str:
    return npgettext("table caption", "{n} task", "{n} tasks", n).format(n=n)


def tasks_table(views: list[Any], plan: Any, day: Any, text: Any, colours: dict[int, str]) -> Any:
    """pufa tasks: one row a task; the status coloured as its light."""
    from rich.text import Text

    from pufa_cli.render import table

    rows = []
    for v in views:
        row = tasks_row(v, text, colours[v.status.task_id])
        status = row[-1]
        rows.append([*row[:-1], Text(status.text, style=status.style)])
    title = tasks_title(plan, day, text)
    return table(title, tasks_cols(), rows, caption=tasks_caption(len(rows)))


def _checkpoint_text(check: dict[str, str], text: Any) -> str:
    """``上半年 2011-06-30``; a checkpoint written as a date is that date, shown once."""
    word = text(check["word"])
    return word if word.strip() == check["date"] else f"{word} {check['date']}"


def _plan_line(data: dict[str, Any], field: Any) -> str:
    """The plan the task belongs to, with its 文號, issuer and issue date when given."""
    parts = [data["plan_title"]]
    if data["doc_number"]:
        parts.append(data["doc_number"])
    if data["issuer"]:
        parts.append(data["issuer"])
    if data["issued"]:
        parts.append(_("issued {date}").format(date=data["issued"]))
    line: str = field(_("Plan"), " · ".join(parts))
    if data["addressees"]:
        line += "\n" + field(_("To"), "、".join(data["addressees"]))
    return line


def task_page(data: dict[str, Any], view: Any, text: Any, colour: str) -> list[Any]:
    """pufa show: the task's text, timing, targets, units and history, the parts of a page
    for ``stream.show_page``."""
    from rich.text import Text

    from pufa_cli.ledger import fmt_number
    from pufa_cli.render import (
        Col,
        console,
        fit,
        percent_text,
        status_label,
        status_style,
        table,
        visible,
    )
    from pufa_cli.render.stream import Spans, Styled, page_table

    ts = view.status
    head = Text()

    def add(value: str, style: str | None = None) -> None:
        # Plan text reaches the terminal escaped (a title holding ESC cannot clear the screen).
        head.append(visible(value), style=style)

    def field(label: str, value: str) -> str:
        return _("{label}: {value}").format(label=label, value=value)  # "：" in Chinese

    # The source's own numbering (二(三)) when the plan keeps it, with pufa's number beside it.
    number = f"{ts.ref}. " + (f"{data['label']} " if data["label"] else "")
    add(f"{number}{data['title']}\n", style="bold")
    section = f"{data['section_label']} " if data["section_label"] else ""
    add(
        _("Section {n}: {title}").format(n=ts.section, title=section + data["section_title"]) + "\n"
    )
    add(field(_("Due"), f"{data['due']} ({text(data['due_word'])})"))
    if data["checks"]:
        checks = ", ".join(_checkpoint_text(c, text) for c in data["checks"])
        add("  " + field(_("Checkpoints"), checks))
    add("\n")
    add(_plan_line(data, field) + "\n")
    if data["timing"]:
        add(field(_("Timing"), data["timing"]) + "\n")
    if data["responsible"]:
        add(field(_("Responsible"), data["responsible"]) + "\n")
    if data["leader"]:
        # 責任領導: the official answerable for the task
        add(field(_("Leader"), data["leader"]) + "\n")
    add(field(_("Percent"), percent_text(ts.percent)) + "  " + field(_("Status"), ""))
    add(status_label(ts.status, ts.overdue), style=status_style(colour))
    add(f"  ({_('as of')} {data['as_of']})\n\n")
    add(data["text"] + "\n")
    parts: list[Any] = [head]
    if view.targets:
        parts.append(
            table(
                _("Targets"),
                [Col(_("Key")), Col(_("Target"), flexible=True), Col(_("Progress"), "right")],
                [[g.key, text(g.label), text(g.as_text())] for g in view.targets],
            )
        )
    units = data["units"]
    if units:
        role_word = {"lead": _("lead"), "support": _("supporting")}
        rows = []
        for u in units:
            metrics = "; ".join(
                f"{fmt_number(v or 0)}/{fmt_number(g.target)} {g.unit}"
                for g in view.targets
                for k, v in u.get("metrics", {}).items()
                if k == g.key
            )
            rows.append(
                [
                    text(u["unit"]) + (f" ({u['person']})" if u.get("person") else ""),
                    role_word.get(u["role"], u["role"]),
                    u["due"],
                    f"{u['percent']}%",
                    text(metrics),
                ]
            )
        parts.append(
            table(
                _("Units"),
                [
                    Col(_("Unit")),  # a unit name is never cut
                    Col(_("Role")),
                    Col(_("Due")),
                    Col(_("Percent"), "right"),
                    Col(_("Targets")),
                ],
                rows,
            )
        )
    hist = data["history"]
    if hist:
        rows = []
        for e in hist:
            metrics = "\n".join(f"{k}={fmt_number(v)}" for k, v in e["metrics"].items())
            # The note as written (never read as markup), then the structured progress.
            said = "".join(
                f"  {label}: {visible(value)}"
                for label, value in (
                    (_("Problems"), e.get("problems")),
                    (_("Next steps"), e.get("next")),
                )
                if value  # structured progress (issue 16) after the note
            )
            note: Any = Styled(e["note"] + said, "")
            if e["retracted"]:
                # The retraction leads the note, in red, with its date (the JSON has it apart).
                reason = _("retracted {at}: {reason}").format(
                    at=e["retracted_at"][:10], reason=e["retraction_reason"]
                )
                note = Spans(((reason, "red"), ("  " if e["note"] else "", ""), (note.text, "")))
            rows.append(
                [
                    e["id"],
                    e["date"],
                    text(e["unit"]),
                    f"{e['percent']}%",
                    metrics,
                    note,
                    e["by"],
                ]
            )
        cols = [
            Col(_("ID"), "right"),
            Col(_("Date")),
            Col(_("Unit")),
            Col(_("Percent"), "right"),
            Col(_("Metrics")),  # one metric a line, never cut
            Col(_("Note"), flexible=True, least=NOTE_CELLS),
            Col(_("By")),
        ]
        if not any(e["metrics"] for e in hist):
            cols, rows = cols[:4] + cols[5:], [r[:4] + r[5:] for r in rows]
        # Never cut: a long unit name in a narrow terminal makes "By", then the metrics (the
        # Units table has the latest values; the JSON has them all) give way.
        optional = [len(cols) - 1] + [i for i, c in enumerate(cols) if c.header == _("Metrics")]
        cols, rows, _footer = fit(cols, rows, None, console().width, optional, NOTE_CELLS)
        # A busy task's hundreds of entries are streamed (render/stream.py): the same output.
        parts.append(page_table(_("History"), cols, rows))
    elif not data["later_entries"]:
        parts.append(Text(_("No progress entries yet.")))
    if data["later_entries"]:
        later = data["later_entries"]
        parts.append(
            Text(
                ngettext(
                    "{n} later entry (after {day}) not shown",
                    "{n} later entries (after {day}) not shown",
                    later,
                ).format(n=later, day=data["as_of"])
            )
        )
    parts.extend(_supervision_parts(data, hist, text))
    return parts


def _supervision_parts(data: dict[str, Any], hist: list[Any], text: Any) -> list[Any]:
    """pufa show's supervision tables (issue 16): extensions, reviews and evidence files."""
    from pufa_cli.render import Col, table

    parts: list[Any] = []
    if data.get("extensions"):
        parts.append(
            table(
                _("Extensions"),
                [
                    Col(_("Unit")),  # a unit name is never cut
                    Col(_("Due")),
                    Col(_("Reason"), flexible=True),
                    Col(_("Approved by")),
                    Col(_("Date")),
                ],
                [
                    [text(x["unit"]), x["to"], x["reason"], x["approved_by"] or "", x["date"]]
                    for x in data["extensions"]
                ],
            )
        )
    decisions = [(e["id"], v) for e in hist for v in e.get("reviews", [])]
    if decisions:
        word = {"approve": _("approved"), "return": _("returned")}
        parts.append(
            table(
                _("Reviews"),
                [
                    Col(_("Entry"), "right"),
                    Col(_("Date")),
                    Col(_("Decision")),
                    Col(_("Note"), flexible=True),
                    Col(_("By")),
                ],
                [[eid, v["date"], word[v["decision"]], v["note"], v["by"]] for eid, v in decisions],
            )
        )
    files = [(e["id"], f) for e in hist for f in e.get("evidence", [])]
    if files:
        parts.append(
            table(
                _("Evidence"),
                [
                    Col(_("ID"), "right"),
                    Col(_("Entry"), "right"),
                    Col(_("Name"), flexible=True),
                    Col(_("Size"), "right"),
                ],
                [[f["id"], eid, f["name"], f["size"]] for eid, f in files],
            )
        )
    return parts


def units_table(units: list[Any], plan: Any, day: Any) -> Any:
    """pufa unit list: each unit with its tasks as lead / supporting, done and overdue."""
    from pufa_cli.i18n import plan_text
    from pufa_cli.render import Col, table

    script = plan.script if plan else "Hant"
    title = _("Units — plan {year}, as of {day}").format(
        year=plan.year if plan else "-", day=day.isoformat()
    )
    return table(
        title,
        [
            Col(_("Unit")),  # a unit name is never cut
            Col(_("Kind")),
            Col(_("Lead"), "right"),
            Col(_("Supporting"), "right"),
            Col(_("Done"), "right"),
            Col(_("Overdue"), "right"),
        ],
        [
            [
                plan_text(u.name, script),
                plan_text(u.kind, script),
                u.lead,
                u.support,
                u.done,
                u.overdue,
            ]
            for u in units
        ],
        caption=npgettext("table caption", "{n} unit", "{n} units", len(units)).format(
            n=len(units)
        ),
    )

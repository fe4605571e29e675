"""Reading commands: tasks (the list) and show (one task in full)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

from pufa_cli.cli.common import (
    AsOfOption,
    DbOption,
    Format,
    FormatOption,
    PlanIdOption,
    QuietOption,
    SectionOption,
    UnitFilterOption,
    YearOption,
    as_of_date,
    plan_value,
    session,
    year_value,
)
from pufa_cli.i18n import _, npgettext


class QuarterFilter(str, Enum):
    Q1 = "Q1"
    Q2 = "Q2"
    Q3 = "Q3"
    Q4 = "Q4"


def tasks(
    section: SectionOption = None,
    unit: UnitFilterOption = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help=_(
                "Only tasks with this status: done, in-progress, not-started or overdue "
                "(or the word in your language: 逾期), or behind (a checkpoint missed)."
            ),
            show_default=False,
        ),
    ] = None,
    due: Annotated[
        QuarterFilter | None,
        typer.Option(
            "--due",
            help=_("Only tasks due in this quarter."),
            show_default=False,
            case_sensitive=False,
        ),
    ] = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.table,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """List the plan's tasks with due dates, targets, percent and status."""
    from pufa_cli.i18n import plan_text
    from pufa_cli.inputs import parse_status
    from pufa_cli.ledger import list_tasks, task_json
    from pufa_cli.progress import find_plan
    from pufa_cli.units import resolve_unit

    with session(db) as conn:
        plan = find_plan(conn, year_value(year), plan_value(plan_id))
        day = as_of_date(as_of, plan.year)
        unit_id = resolve_unit(conn, unit).id if unit is not None else None
        views = list_tasks(
            conn,
            plan,
            day,
            section=section,
            unit_id=unit_id,
            status=parse_status(status) if status is not None else None,
            due_quarter=int(due.value[1]) if due else None,
        )

    def text(value: str) -> str:
        return plan_text(value, plan.script)

    if fmt is Format.json:
        from pufa_cli.render import print_json

        print_json([task_json(v, plan, text) for v in views])
        return
    _tasks_table(views, plan, day, text)


def _tasks_table(views: list[Any], plan: Any, day: Any, text: Any) -> None:
    from rich.text import Text

    from pufa_cli.render import Col, percent_text, show, status_label, status_style, table

    cols = [
        Col(_("No."), "right"),
        Col(_("Sec."), "right"),
        Col(_("Title"), flexible=True),
        Col(_("Due"), "left"),
        Col(_("Targets"), flexible=True),
        Col(_("Percent"), "right"),
        Col(_("Status")),
    ]
    rows = []
    for v in views:
        ts = v.status
        rows.append(
            [
                ts.ref,
                ts.section,
                text(ts.title),
                ts.due.isoformat(),
                text("; ".join(g.as_text() for g in v.targets)),
                percent_text(ts.percent),
                Text(
                    status_label(ts.status, ts.overdue), style=status_style(ts.status, ts.overdue)
                ),
            ]
        )
    title = _("{title} ({year}) — tasks as of {day}").format(
        title=text(plan.title), year=plan.year, day=day.isoformat()
    )
    caption = npgettext("table caption", "{n} task", "{n} tasks", len(rows)).format(n=len(rows))
    show(table(title, cols, rows, caption=caption))


def show_task(
    number: Annotated[str, typer.Argument(help=_("Task number."), show_default=False)],
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.table,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Show one task in full: text, timing, targets, units and the whole history."""
    from pufa_cli.i18n import plan_text
    from pufa_cli.ledger import (
        checks_of,
        history,
        json_number,
        list_tasks,
        parse_task_number,
        task_id_for,
        task_json,
        unit_metric_values,
    )
    from pufa_cli.progress import find_plan, plan_summary

    task_number = parse_task_number(number)
    with session(db) as conn:
        plan = find_plan(conn, year_value(year), plan_value(plan_id))
        details = plan_summary(conn, plan)
        day = as_of_date(as_of, plan.year)
        task_id = task_id_for(conn, plan, task_number)
        row = conn.one(
            "SELECT t.text, t.timing, t.responsible, t.checks, t.in_plan, s.title, t.leader, "
            "s.label FROM tasks t JOIN sections s ON s.id = t.section_id WHERE t.id = :t",
            {"t": task_id},
        )
        assert row is not None
        views = [v for v in list_tasks(conn, plan, day) if v.status.task_id == task_id]
        entries = history(conn, task_id)
        from pufa_cli.supervision import evidence, reviews

        attached = evidence.by_entry(conn, task_id)
        reviewed = reviews.by_entry(conn, task_id)
        from pufa_cli.supervision.extensions import by_task

        extended = by_task(conn, task_id)
        metric_values = unit_metric_values(conn, task_id, day)
    if not views:
        from pufa_cli.errors import NotFound

        raise NotFound(
            _("task {n} is no longer in plan {year}").format(n=task_number, year=plan.year)
        )
    view = views[0]
    text_body, timing, responsible, checks_raw, _in_plan, section_title, leader, section_label = row

    def text(value: str | None) -> str:
        return plan_text(value, plan.script)

    data = task_json(view, plan, text)
    data.update(
        {
            "as_of": day.isoformat(),
            "section_title": text(section_title),
            "section_label": section_label,
            "text": text(text_body),
            "timing": text(timing) if timing else None,
            "responsible": text(responsible) if responsible else None,
            "leader": text(leader) if leader else None,
            "checks": [{"word": w, "date": d} for w, d in checks_of(checks_raw)],
            "plan_title": text(details.title),
            "doc_number": details.doc_number,
            "issuer": text(details.issuer) if details.issuer else None,
            "issued": details.issued.isoformat() if details.issued else None,
            "addressees": [text(a) for a in details.addressees],
            "extensions": extended,
            "history": [
                dict(e, evidence=attached.get(e["id"], []), reviews=reviewed.get(e["id"], []))
                for e in entries
            ],
        }
    )
    by_unit = {u["unit"]: u for u in data["units"]}
    for u in view.units:
        by_unit[u.unit]["metrics"] = {
            g.key: None if (v := metric_values.get((u.unit_id, g.key))) is None else json_number(v)
            for g in view.targets
        }
    if fmt is Format.json:
        from pufa_cli.render import print_json

        print_json(data)
        return
    _show_table(data, view, text)


def _checkpoint_text(check: dict[str, str], text: Any) -> str:
    """``上半年 2011-06-30``; a checkpoint written as a date is that date, shown once."""
    word = text(check["word"])
    return word if word.strip() == check["date"] else f"{word} {check['date']}"


def _plan_line(data: dict[str, Any]) -> str:
    """The plan the task belongs to, with its 文號, issuer and issue date when given."""
    parts = [data["plan_title"]]
    if data["doc_number"]:
        parts.append(data["doc_number"])
    if data["issuer"]:
        parts.append(data["issuer"])
    if data["issued"]:
        parts.append(_("issued {date}").format(date=data["issued"]))
    line = f"{_('Plan')}: " + " · ".join(parts)
    if data["addressees"]:
        line += "\n" + f"{_('To')}: " + "、".join(data["addressees"])
    return line


def _show_table(data: dict[str, Any], view: Any, text: Any) -> None:
    from rich.console import Group
    from rich.text import Text

    from pufa_cli.ledger import fmt_number
    from pufa_cli.render import Col, percent_text, show, status_label, status_style, table

    ts = view.status
    head = Text()
    # The source's own numbering (二(三)) when the plan keeps it, with pufa's number beside it.
    number = f"{ts.ref}. " + (f"{data['label']} " if data["label"] else "")
    head.append(f"{number}{data['title']}\n", style="bold")
    section = f"{data['section_label']} " if data["section_label"] else ""
    head.append(
        _("Section {n}: {title}").format(n=ts.section, title=section + data["section_title"]) + "\n"
    )
    head.append(f"{_('Due')}: {data['due']} ({text(data['due_word'])})")
    if data["checks"]:
        head.append(
            "  "
            + _("Checkpoints")
            + ": "
            + ", ".join(_checkpoint_text(c, text) for c in data["checks"])
        )
    head.append("\n")
    head.append(_plan_line(data) + "\n")
    if data["timing"]:
        head.append(f"{_('Timing')}: {data['timing']}\n")
    if data["responsible"]:
        head.append(f"{_('Responsible')}: {data['responsible']}\n")
    if data["leader"]:
        # 責任領導: the official answerable for the task
        head.append(f"{_('Leader')}: {data['leader']}\n")
    head.append(f"{_('Percent')}: {percent_text(ts.percent)}  {_('Status')}: ")
    head.append(status_label(ts.status, ts.overdue), style=status_style(ts.status, ts.overdue))
    head.append(f"  ({_('as of')} {data['as_of']})\n\n")
    head.append(data["text"] + "\n")
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
                    Col(_("Unit"), flexible=True),
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
            metrics = ", ".join(f"{k}={fmt_number(v)}" for k, v in e["metrics"].items())
            note = Text(e["note"])
            if e["retracted"]:
                # The date stays in its own column, never cut; the reason leads the note.
                reason = _("retracted {at}: {reason}").format(
                    at=e["retracted_at"][:10], reason=e["retraction_reason"]
                )
                note = Text.assemble((reason, "red"), "  " if e["note"] else "", e["note"])
            for label, said in (
                (_("Problems"), e.get("problems")),
                (_("Next steps"), e.get("next")),
            ):
                if said:  # structured progress (issue 16) after the note
                    note.append(f"  {label}: {said}")
            rows.append(
                [
                    e["id"],
                    e["date"],
                    text(e["unit"]),
                    f"{e['percent']}%",
                    metrics,
                    note,
                    e["by"],
                    Text(e["retracted_at"][:10], style="red") if e["retracted"] else "",
                ]
            )
        parts.append(
            table(
                _("History"),
                [
                    Col(_("ID"), "right"),
                    Col(_("Date")),
                    Col(_("Unit"), flexible=True),
                    Col(_("Percent"), "right"),
                    Col(_("Metrics"), flexible=True),
                    Col(_("Note"), flexible=True),
                    Col(_("By")),
                    Col(_("Retracted")),
                ],
                rows,
            )
        )
    else:
        parts.append(Text(_("No progress entries yet.")))
    if data["extensions"]:
        parts.append(
            table(
                _("Extensions"),
                [
                    Col(_("Unit"), flexible=True),
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
    show(Group(*parts))


def register(app: typer.Typer) -> None:
    app.command(
        "tasks",
        help=_(
            "List the plan's tasks with due dates, targets, percent and "
            "status. Example: pufa tasks --status overdue --as-of Q2"
        ),
    )(tasks)
    app.command(
        "show",
        help=_(
            "Show one task in full: text, timing, targets, units and history. Example: pufa show 19"
        ),
    )(show_task)

"""The supervision cycle (督辦): evidence list|get, review, extend, remind, rounds."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Any

import typer

from pufa_cli.cli.common import (
    AsOfOption,
    DbOption,
    EntryArg,
    Format,
    FormatOption,
    OnlyUnitOption,
    PlanIdOption,
    QuietOption,
    RecordedByOption,
    TaskArg,
    YearOption,
    by_option,
    plan_session,
    session,
    unit_filter,
    who,
)
from pufa_cli.i18n import _, ngettext, npgettext


def evidence_list(
    task: Annotated[
        str | None, typer.Argument(help=_("Only this task number."), show_default=False)
    ] = None,
    unit: OnlyUnitOption = None,
    fmt: FormatOption = Format.table,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
) -> None:
    """List the evidence files of the plan, of a task or of a unit."""
    from pufa_cli.i18n import plan_text
    from pufa_cli.ledger import parse_task_number, task_id_for
    from pufa_cli.supervision.evidence import list_evidence

    number = parse_task_number(task) if task is not None else None
    with plan_session(db, year, plan_id) as (conn, plan):
        task_id = task_id_for(conn, plan, number) if number is not None else None
        unit_id = unit_filter(conn, unit)
        rows = list_evidence(conn, plan.id, task_id=task_id, unit_id=unit_id)
    public = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    if fmt is Format.json:
        from pufa_cli.render import print_json

        print_json(public)
        return
    from pufa_cli.render import Col, show, table

    show(
        table(
            _("Evidence"),
            [
                Col(_("ID"), "right"),
                Col(_("Task"), "right"),
                Col(_("Unit"), flexible=True),
                Col(_("Entry"), "right"),
                Col(_("Date")),
                Col(_("Name"), flexible=True),
                Col(_("Size"), "right"),
                Col(_("SHA-256")),
            ],
            [
                [
                    r["id"],
                    r["task"],
                    plan_text(r["unit"], plan.script),
                    r["entry"] if not r["retracted"] else f"{r['entry']} ({_('retracted')})",
                    r["date"],
                    r["name"],
                    r["size"],
                    r["sha256"][:12],
                ]
                for r in public
            ],
            caption=npgettext("table caption", "{n} file", "{n} files", len(public)).format(
                n=len(public)
            ),
        )
    )


def evidence_get(
    evidence_id: Annotated[
        int, typer.Argument(help=_("Evidence id (see pufa evidence list)."), show_default=False)
    ],
    out: Annotated[
        str,
        typer.Option("--out", "-o", help=_("File to write, or - for stdout."), show_default=False),
    ],
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Write one evidence file's bytes to a file (or to stdout with --out -)."""
    from pathlib import Path

    from pufa_cli.render import notice
    from pufa_cli.supervision.evidence import get_evidence

    with session(db) as conn:
        name, data = get_evidence(conn, evidence_id)
    if out == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from pufa_cli.files import atomic_file

    with atomic_file(Path(out), binary=True) as fh:
        fh.write(data)
    notice(
        _("evidence {id} ({name}, {size} bytes) written to {path}").format(
            id=evidence_id, name=name, size=len(data), path=out
        )
    )


def review_cmd(
    entry: EntryArg,
    approve: Annotated[
        bool, typer.Option("--approve", help=_("Approve the claim and close the item (銷號)."))
    ] = False,
    return_: Annotated[
        bool, typer.Option("--return", help=_("Send the entry back; it stops counting."))
    ] = False,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason", "-r", help=_("Why it is sent back (with --return)."), show_default=False
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", "-n", help=_("A note on the approval."), show_default=False),
    ] = None,
    date_: Annotated[
        str | None,
        typer.Option(
            "--date", help=_("Date of the review, YYYY-MM-DD (default today)."), show_default=False
        ),
    ] = None,
    by: Annotated[str | None, by_option(_("Who reviews (default: the OS user)."))] = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Approve (銷號) or return an entry of a plan that requires review."""
    from pufa_cli import clock
    from pufa_cli.errors import BadInput
    from pufa_cli.render import notice
    from pufa_cli.supervision.reviews import review
    from pufa_cli.timing import parse_date

    if approve == return_:
        raise BadInput(_("give either --approve or --return"))
    if approve and reason is not None:
        raise BadInput(_("--reason goes with --return; use --note with --approve"))
    if return_ and note is not None:
        raise BadInput(_("--note goes with --approve; use --reason with --return"))
    today = clock.today()
    day = parse_date(date_) if date_ is not None else None
    with session(db, write=True) as conn:
        _decision, day = review(
            conn,
            entry,
            approve=approve,
            text=(note if approve else reason) or "",
            day=day,
            today=today,
            by=who(by),
            now=clock.now(),
        )
    if date_ is None and day != today:
        notice(_past_year(day))
    if approve:
        notice(_("entry {id} approved").format(id=entry))
    else:
        notice(_("entry {id} returned").format(id=entry))


def extend_cmd(
    task: TaskArg,
    unit: Annotated[
        str,
        typer.Option("--unit", "-u", help=_("The unit whose due date moves."), show_default=False),
    ],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help=_("The new due date: a period word (三季度) or a date."),
            show_default=False,
        ),
    ],
    reason: Annotated[
        str, typer.Option("--reason", "-r", help=_("Why the extension."), show_default=False)
    ],
    approved_by: Annotated[
        str | None,
        typer.Option("--approved-by", help=_("Who approved it."), show_default=False),
    ] = None,
    date_: Annotated[
        str | None,
        typer.Option(
            "--date", help=_("Day it was granted, YYYY-MM-DD (default today)."), show_default=False
        ),
    ] = None,
    by: RecordedByOption = None,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Move a unit's due date on a task (延期), recorded as a row of its own."""
    from pufa_cli import clock
    from pufa_cli.ledger import parse_task_number
    from pufa_cli.render import notice
    from pufa_cli.supervision.extensions import extend
    from pufa_cli.timing import parse_date

    number = parse_task_number(task)
    today = clock.today()
    with plan_session(db, year, plan_id, write=True) as (conn, plan):
        if date_ is not None:
            day = parse_date(date_)
        else:  # today, or the plan year's last day once today is past it (as pufa log)
            from pufa_cli.inputs import default_day
            from pufa_cli.tracker import entry_window

            day = default_day(today, entry_window(conn, plan, number))
        name, before, after = extend(
            conn,
            plan,
            number,
            unit,
            to=to,
            reason=reason,
            approved_by=approved_by,
            day=day,
            today=today,
            by=who(by),
            now=clock.now(),
        )
    if date_ is None and day != today:
        notice(_past_year(day))
    notice(
        _("task {task}: {unit} due {before} → {after}").format(
            task=number, unit=name, before=before.isoformat(), after=after.isoformat()
        )
    )


class RemindFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


REMIND_COLUMNS = ("unit", "task", "due", "working_days_left", "colour", "reminders")


def remind_cmd(
    as_of: AsOfOption = None,
    within: Annotated[
        int,
        typer.Option("--within", help=_("Blue when due within N working days.")),
    ] = 5,
    unit: OnlyUnitOption = None,
    record: Annotated[
        bool, typer.Option("--record", help=_("Record that these notices went out (催辦)."))
    ] = False,
    by: Annotated[str | None, by_option(_("Who sends them (default: the OS user)."))] = None,
    fmt: Annotated[
        RemindFormat,
        typer.Option(
            "--format", "-f", help=_("Output: table, json, markdown or csv."), case_sensitive=False
        ),
    ] = RemindFormat.table,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """List each unit's open items: blue (due soon), yellow (behind), red (overdue)."""
    from pufa_cli import clock
    from pufa_cli.cli.common import as_of_date
    from pufa_cli.errors import BadInput
    from pufa_cli.supervision.reminders import check_within, open_items
    from pufa_cli.supervision.reminders import record as record_items

    check_within(within)
    with plan_session(db, year, plan_id, write=record) as (conn, plan):
        day = as_of_date(as_of, plan.year)
        if record and day > clock.today():
            raise BadInput(
                _("notices cannot be recorded as sent on {day}, after today").format(
                    day=day.isoformat()
                )
            )
        items = open_items(conn, plan, day, within=within, unit_id=unit_filter(conn, unit))
        if record:
            items = record_items(conn, items, day, who(by), clock.now())
    _print_items(items, plan, day, fmt, within)
    if record:
        from pufa_cli.render import notice

        notice(
            ngettext("{n} notice recorded", "{n} notices recorded", len(items)).format(n=len(items))
        )


def _print_items(items: list[Any], plan: Any, day: Any, fmt: RemindFormat, within: int) -> None:
    from pufa_cli.i18n import plan_text

    if fmt is RemindFormat.json:
        from pufa_cli.render import print_json

        print_json([i.as_json() for i in items])
        return
    if fmt is RemindFormat.csv:
        from pufa_cli.render import csv_text

        sys.stdout.write(
            csv_text(REMIND_COLUMNS, [[i.as_json()[k] for k in REMIND_COLUMNS] for i in items])
        )
        return
    words = {"blue": _("blue"), "yellow": _("yellow"), "red": _("red")}
    if fmt is RemindFormat.markdown:
        from pufa_cli.render import visible

        # Control characters escaped, as in the table (README, "Output").
        sys.stdout.write(visible(_markdown_notices(items, plan, day, words, within)))
        return
    from rich.text import Text

    from pufa_cli.render import Col, show, table

    show(
        table(
            _("Reminders as of {day}").format(day=day.isoformat()),
            [
                Col(_("Unit"), flexible=True),
                Col(_("Task"), "right"),
                Col(_("Title"), flexible=True),
                Col(_("Due")),
                Col(_("Working days left"), "right"),
                Col(_("Colour")),
                Col(_("Sent"), "right"),
            ],
            [
                [
                    plan_text(i.unit, plan.script),
                    i.ref,
                    plan_text(i.title, plan.script),
                    i.due.isoformat(),
                    i.working_days_left,
                    Text(words[i.colour], style=i.colour),
                    i.reminders,
                ]
                for i in items
            ],
            caption=npgettext("table caption", "{n} item", "{n} items", len(items)).format(
                n=len(items)
            ),
        )
    )


def _markdown_notices(
    items: list[Any], plan: Any, day: Any, words: dict[str, str], within: int
) -> str:
    """One notice per unit, ready to send (督辦通知單)."""
    from pufa_cli.i18n import plan_text
    from pufa_cli.render import markdown_table

    by_unit: dict[str, list[Any]] = {}
    for i in items:
        by_unit.setdefault(i.unit, []).append(i)
    out: list[str] = []
    for name, mine in by_unit.items():
        out += [
            "## " + _("Supervision notice: {unit}").format(unit=plan_text(name, plan.script)),
            "",
            _(
                "As of {day}, these items of {title} need your attention "
                "(red: overdue; yellow: behind schedule; blue: due within {n} working days):"
            ).format(day=day.isoformat(), title=plan_text(plan.title, plan.script), n=within),
            "",
            markdown_table(
                [_("Task"), _("Title"), _("Due"), _("Working days left"), _("Colour"), _("Sent")],
                [
                    [
                        i.ref,
                        plan_text(i.title, plan.script),
                        i.due.isoformat(),
                        i.working_days_left,
                        words[i.colour],
                        i.reminders,
                    ]
                    for i in mine
                ],
            ),
        ]
    if not out:
        return _("No open items to remind of as of {day}.").format(day=day.isoformat()) + "\n"
    return "\n".join(out)


def rounds_cmd(
    as_of: AsOfOption = None,
    unit: OnlyUnitOption = None,
    fmt: FormatOption = Format.table,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
) -> None:
    """Each unit's reporting rounds: on-time, late, missing or open."""
    from pufa_cli.cli.common import as_of_date
    from pufa_cli.errors import BadInput
    from pufa_cli.i18n import plan_text
    from pufa_cli.supervision.rounds import unit_rounds

    with plan_session(db, year, plan_id) as (conn, plan):
        if not plan.reporting:
            raise BadInput(
                _(
                    "plan {year} has no reporting rounds (add e.g. 'reporting: 每月5日前' to "
                    "its plan file)"
                ).format(year=plan.year)
            )
        day = as_of_date(as_of, plan.year)
        rows = unit_rounds(conn, plan, plan.reporting, day, unit_filter(conn, unit))
    if fmt is Format.json:
        from pufa_cli.render import print_json

        print_json([r.as_json() for r in rows])
        return
    from rich.text import Text

    from pufa_cli.render import Col, show, table

    words = {"on-time": _("on time"), "late": _("late"), "missing": _("missing"), "open": _("open")}
    styles = {"on-time": "green", "late": "yellow", "missing": "red", "open": ""}
    show(
        table(
            _("Reporting rounds ({word}) as of {day}").format(
                word=plan.reporting, day=day.isoformat()
            ),
            [
                Col(_("Unit"), flexible=True),
                Col(_("Period")),
                Col(_("Due")),
                Col(_("Status")),
                Col(_("Date")),
            ],
            [
                [
                    plan_text(r.unit, plan.script),
                    r.period,
                    r.due.isoformat(),
                    Text(words[r.status], style=styles[r.status]),
                    r.date.isoformat() if r.date else "",
                ]
                for r in rows
            ],
        )
    )


def _past_year(day: Any) -> str:
    return _("no --date: dated {day}, the last day its plan year allows (today is past it)").format(
        day=day.isoformat()
    )


def register(app: typer.Typer) -> None:
    app.command(
        "review",
        help=_(
            "Approve (銷號) or return an entry of a plan that requires review. "
            "Example: pufa review 12 --return --reason 缺少佐證"
        ),
    )(review_cmd)
    app.command(
        "extend",
        help=_(
            "Move a unit's due date on a task (延期), with a reason. "
            "Example: pufa extend 7 --unit 區司法局 --to 三季度 --reason 上級文件延後"
        ),
    )(extend_cmd)
    app.command(
        "remind",
        help=_(
            "Each unit's open items to chase (三色督辦): blue, yellow, red. "
            "--record records the notices. Example: pufa remind --within 5 -f markdown"
        ),
    )(remind_cmd)
    app.command(
        "rounds",
        help=_(
            "Each unit's reporting rounds (定期報送): on time, late or missing. "
            "Example: pufa rounds --as-of 2011-06-30"
        ),
    )(rounds_cmd)
    evidence_app = typer.Typer(
        help=_("Evidence files (佐證材料) stored with entries."), no_args_is_help=True
    )
    evidence_app.command(
        "list",
        help=_("List evidence files of the plan, a task or a unit. Example: pufa evidence list 19"),
    )(evidence_list)
    evidence_app.command(
        "get",
        help=_("Write an evidence file's bytes. Example: pufa evidence get 3 --out 照片.jpg"),
    )(evidence_get)
    app.add_typer(evidence_app, name="evidence")

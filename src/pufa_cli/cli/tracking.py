"""The daily writes: assign, unassign, log, retract."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from pufa_cli.cli.common import (
    DbOption,
    EntryArg,
    PlanIdOption,
    QuietOption,
    RecordedByOption,
    TaskArg,
    YearOption,
    by_option,
    plan_session,
    session,
    who,
)
from pufa_cli.i18n import _, unit_text


def assign_cmd(
    task: TaskArg,
    units: Annotated[
        list[str] | None, typer.Argument(help=_("Units to assign."), show_default=False)
    ] = None,
    lead: Annotated[
        list[str] | None,
        typer.Option(
            "--lead",
            help=_(
                "The lead unit (牽頭單位); repeat for co-leads (共同牽頭). Name the task's lead "
                "too to add co-leads; else the first named becomes the lead and the old lead a "
                "supporting unit."
            ),
            show_default=False,
        ),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            help=_("Due date for these units: a period word (上半年, Q2) or a date."),
            show_default=False,
        ),
    ] = None,
    person: Annotated[
        str | None,
        typer.Option(
            "--person",
            help=_("The person answerable for these units' work (責任人)."),
            show_default=False,
        ),
    ] = None,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli import clock
    from pufa_cli.ledger import parse_task_number
    from pufa_cli.render import notice
    from pufa_cli.tracker import assign

    number = parse_task_number(task)
    with plan_session(db, year, plan_id, write=True) as (conn, plan):
        result = assign(
            conn,
            plan,
            number,
            units or [],
            lead=lead or (),
            due_word=due,
            now=clock.now(),
            person=person,
            by=clock.user(),
        )
    if result.lead_change is not None:
        old, new = result.lead_change
        notice(
            _("task {task}: the lead is now {new}; {old} stays as a supporting unit").format(
                task=number, new=unit_text(new), old=unit_text(old)
            )
        )
    if result.added:
        notice(
            _("task {task}: assigned {units}").format(
                task=number, units=", ".join(map(unit_text, result.added))
            )
        )
    if result.changed:
        notice(
            _("task {task}: updated {units}").format(
                task=number, units=", ".join(map(unit_text, result.changed))
            )
        )
    if result.unchanged:
        notice(
            _("task {task}: already assigned {units}").format(
                task=number, units=", ".join(map(unit_text, result.unchanged))
            )
        )


def unassign_cmd(
    task: TaskArg,
    unit: Annotated[str, typer.Argument(help=_("Unit to remove."), show_default=False)],
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli.ledger import parse_task_number
    from pufa_cli.render import notice
    from pufa_cli.tracker import unassign

    number = parse_task_number(task)
    with plan_session(db, year, plan_id, write=True) as (conn, plan):
        name = unassign(conn, plan, number, unit)
    notice(_("task {task}: unassigned {unit}").format(task=number, unit=unit_text(name)))


def log_cmd(
    task: TaskArg,
    unit: Annotated[
        str, typer.Option("--unit", "-u", help=_("The reporting unit."), show_default=False)
    ],
    percent: Annotated[
        str | None,
        typer.Option(
            "--percent",
            "-p",
            help=_("How far the unit has got, 0 to 100 (37 or 37%)."),
            show_default=False,
        ),
    ] = None,
    done: Annotated[bool, typer.Option("--done", help=_("Finished (100%)."))] = False,
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            "-m",
            help=_(
                "A value against one of the task's targets, KEY=VALUE: the target's key or "
                "label, the value with or without its unit (bases=37, 基地=37個); repeatable."
            ),
            show_default=False,
        ),
    ] = None,
    note: Annotated[str, typer.Option("--note", "-n", help=_("What was done."))] = "",
    problems: Annotated[
        str, typer.Option("--problems", help=_("Problems met (存在問題), if behind."))
    ] = "",
    next_steps: Annotated[str, typer.Option("--next", help=_("Next steps (下一步措施)."))] = "",
    date_: Annotated[
        str | None,
        typer.Option(
            "--date",
            help=_(
                "Date of the progress: 2011-06-30, 2011/6/30, 2011年6月30日 or 6月30日 "
                "(default today; the plan year's last day once it is past)."
            ),
            show_default=False,
        ),
    ] = None,
    by: RecordedByOption = None,
    assign_unit: Annotated[
        bool, typer.Option("--assign", help=_("Assign the unit to the task first if it is not."))
    ] = False,
    evidence: Annotated[
        list[str] | None,
        typer.Option(
            "--evidence",
            "-e",
            help=_("A file proving the progress (佐證材料), stored in the database; repeatable."),
            show_default=False,
        ),
    ] = None,
    again: Annotated[
        bool,
        typer.Option("--again", help=_("Record it even if the same entry is already recorded.")),
    ] = False,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli import clock
    from pufa_cli.inputs import default_day, parse_day, parse_percent
    from pufa_cli.ledger import parse_task_number
    from pufa_cli.render import notice
    from pufa_cli.tracker import entry_summary, entry_window, log_progress

    number = parse_task_number(task)
    pct = parse_percent(percent) if percent is not None else None
    today = clock.today()
    # Evidence: read and checked before the database is opened, stored with the entry.
    files: list[Any] = []
    if evidence:
        from pufa_cli.supervision.evidence import read_files

        files = read_files(evidence)
    with plan_session(db, year, plan_id, write=True) as (conn, plan):
        if date_ is not None:
            day = parse_day(date_, plan.year)
        else:
            day = default_day(today, entry_window(conn, plan, number))
            if day != today:
                notice(
                    _(
                        "no --date: the entry is dated {day}, the last day of plan year {year} "
                        "(today is past it)"
                    ).format(day=day.isoformat(), year=plan.year)
                )
        entry_id = log_progress(
            conn,
            plan,
            number,
            unit,
            percent=pct,
            done=done,
            metrics=metric or [],
            note=note,
            day=day,
            by=who(by),
            now=clock.now(),
            today=today,
            assign_unit=assign_unit,
            problems=problems,
            next_steps=next_steps,
            again=again,
        )
        colour = ""
        if not problems.strip():
            from pufa_cli.ledger import task_id_for
            from pufa_cli.supervision.structured import colour_on

            colour = colour_on(conn, plan, task_id_for(conn, plan, number), day)
        if files:
            from pufa_cli.supervision.evidence import attach

            attach(conn, entry_id, files)
        summary = entry_summary(conn, entry_id)
        # The id goes out before the commit: if stdout cannot take it (`> /dev/full`, a closed
        # pipe), nothing is recorded and the exit status is 1, so a script may safely retry.
        write_or_fail(f"{entry_id}\n", _("nothing was recorded"))
    notice(summary_text(summary))
    if colour in ("yellow", "red"):
        notice(
            _(
                "warning: task {task} is {colour} as of {day}: say why with --problems "
                "(存在問題) and what comes next with --next"
            ).format(
                task=number,
                colour=_("red") if colour == "red" else _("yellow"),
                day=day.isoformat(),
            )
        )


def write_or_fail(text: str, consequence: str) -> None:
    """Write ``text`` to stdout now, or fail (exit 1) saying what that means."""
    import sys

    from pufa_cli.errors import RuntimeFailure

    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        raise RuntimeFailure(
            _("cannot write to standard output ({reason}); {consequence}").format(
                reason=exc.strerror or type(exc).__name__, consequence=consequence
            )
        ) from None


def summary_text(summary: Any) -> str:
    """``entry 42 — task 19: 區教育局 37/100 個 = 37 %``: what a new entry counts as."""
    from pufa_cli.ledger import fmt_number

    targets = "; ".join(
        f"{fmt_number(value)}/{fmt_number(target)} {unit}"
        for value, target, unit in summary.targets
    )
    if targets:
        return _("entry {id} — task {task}: {unit} {targets} = {percent} %").format(
            id=summary.id,
            task=summary.task,
            unit=unit_text(summary.unit),
            targets=targets,
            percent=summary.percent,
        )
    return _("entry {id} — task {task}: {unit} {percent} %").format(
        id=summary.id, task=summary.task, unit=unit_text(summary.unit), percent=summary.percent
    )


def retract_cmd(
    entry: EntryArg,
    reason: Annotated[
        str, typer.Option("--reason", "-r", help=_("Why it no longer counts."), show_default=False)
    ],
    by: Annotated[str | None, by_option(_("Who retracts it (default: the OS user)."))] = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli import clock
    from pufa_cli.render import notice
    from pufa_cli.tracker import retract

    with session(db, write=True) as conn:
        retract(conn, entry, reason, who(by), clock.now())
    notice(_("entry {id} retracted").format(id=entry))


def register(app: typer.Typer) -> None:
    app.command(
        "assign",
        help=_(
            "Assign units to a task, one or more as lead (co-leads). Example: pufa "
            "assign 19 區教育局 區團委 --lead 區教育局"
        ),
    )(assign_cmd)
    app.command(
        "unassign",
        help=_(
            "Remove a unit from a task; its entries stay in the "
            "history. Example: pufa unassign 19 區團委"
        ),
    )(unassign_cmd)
    app.command(
        "log",
        help=_(
            "Append a progress entry and print its id. Example: pufa log 19 "
            "--unit 區教育局 --metric bases=37 --note 新建37個基地"
        ),
    )(log_cmd)
    app.command(
        "retract",
        help=_(
            "Retract an entry: it stops counting and stays in the "
            "history. Example: pufa retract 12 --reason 重複填報"
        ),
    )(retract_cmd)

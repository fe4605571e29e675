"""The unit registry: unit add, unit rename, unit list."""

from __future__ import annotations

from typing import Annotated

import typer

from pufa_cli.cli.common import (
    AsOfOption,
    DbOption,
    Format,
    FormatOption,
    NewNameArg,
    OldNameArg,
    PlanIdOption,
    QuietOption,
    YearOption,
    as_of_date,
    plan_value,
    session,
    year_value,
)
from pufa_cli.i18n import _, unit_text

NameArg = Annotated[str, typer.Argument(help=_("Unit name, e.g. 區司法局."), show_default=False)]
KIND = typer.Option("--kind", help=_("Kind of unit, e.g. 部門, 街道."), show_default=False)


def unit_add(
    name: NameArg,
    kind: Annotated[str | None, KIND] = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli import clock
    from pufa_cli.render import notice
    from pufa_cli.units import add_unit

    with session(db, write=True) as conn:
        unit = add_unit(conn, name, kind, clock.now())
    notice(_("unit added: {name}").format(name=unit_text(unit.name)))


def unit_rename(
    old: OldNameArg,
    new: NewNameArg,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli import clock
    from pufa_cli.render import notice
    from pufa_cli.units import rename_unit

    with session(db, write=True) as conn:
        before, after = rename_unit(conn, old, new, by=clock.user(), now=clock.now())
    notice(_("unit renamed: {old} → {new}").format(old=before, new=after))


def unit_merge(
    old: Annotated[str, typer.Argument(help=_("The unit that goes."), show_default=False)],
    new: Annotated[str, typer.Argument(help=_("The unit that stays."), show_default=False)],
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli import clock
    from pufa_cli.render import notice
    from pufa_cli.units import merge_units

    with session(db, write=True) as conn:
        result = merge_units(conn, old, new, by=clock.user(), now=clock.now())
    from pufa_cli.units import count_text

    notice(
        _("unit {old} merged into {new}: moved {assignments} and {entries}").format(
            old=unit_text(result.old),
            new=unit_text(result.new),
            assignments=count_text("assignment", result.assignments),
            entries=count_text("entry", result.entries),
        )
    )


def unit_set(
    name: NameArg,
    kind: Annotated[str, KIND],
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli import clock
    from pufa_cli.render import notice
    from pufa_cli.units import set_kind

    with session(db, write=True) as conn:
        unit = set_kind(conn, name, kind, by=clock.user(), now=clock.now())
    notice(_("unit {name}: kind {kind}").format(name=unit_text(unit.name), kind=kind.strip()))


def unit_remove(
    name: NameArg,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli import clock
    from pufa_cli.render import notice
    from pufa_cli.units import remove_unit

    with session(db, write=True) as conn:
        removed = remove_unit(conn, name, by=clock.user(), now=clock.now())
    notice(_("unit removed: {name}").format(name=unit_text(removed)))


def unit_list(
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.table,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli.errors import NotFound
    from pufa_cli.progress import find_plan
    from pufa_cli.units import list_units

    with session(db) as conn:
        try:
            plan = find_plan(conn, year_value(year), plan_value(plan_id))
        except NotFound:
            if year_value(year) is not None:
                raise
            plan = None
        day = as_of_date(as_of, plan.year if plan else 2000)
        # A year asked for (--year, PUFA_YEAR) lists that plan's units; else the whole registry.
        units = list_units(conn, plan, day, only_plan=year_value(year) is not None)
    if fmt is Format.json:
        from pufa_cli.render import print_json

        print_json(
            [
                {
                    "unit": u.name,
                    "kind": u.kind,
                    "lead": u.lead,
                    "supporting": u.support,
                    "done": u.done,
                    "overdue": u.overdue,
                }
                for u in units
            ]
        )
        return
    from pufa_cli.render import show
    from pufa_cli.render.task_view import units_table

    show(units_table(units, plan, day))


def register(app: typer.Typer) -> None:
    unit_app = typer.Typer(help=_("The registry of responsible units."), no_args_is_help=True)
    unit_app.command(
        "add", help=_("Register a responsible unit. Example: pufa unit add 區司法局 --kind 部門")
    )(unit_add)
    unit_app.command("rename", help=_("Rename a unit; its assignments and history follow it."))(
        unit_rename
    )
    unit_app.command(
        "merge",
        help=_(
            "Merge a unit into another: its assignments and entries move to it, and the merge "
            "is recorded. Example: pufa unit merge 區教育局教研室 區教育局"
        ),
    )(unit_merge)
    unit_app.command(
        "set", help=_("Change a unit's kind. Example: pufa unit set 區團委 --kind 群團")
    )(unit_set)
    unit_app.command(
        "remove",
        help=_("Remove a unit no task and no entry refers to. Example: pufa unit remove 區某局"),
    )(unit_remove)
    unit_app.command(
        "list", help=_("List units with their tasks as lead / supporting, done and overdue.")
    )(unit_list)
    app.add_typer(unit_app, name="unit")

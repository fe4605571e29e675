"""Commands that set up the database and the plan: init, plan check, db upgrade, db current."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pufa_cli.cli.common import (
    DbOption,
    Format,
    FormatOption,
    QuietOption,
    session,
    target,
)
from pufa_cli.i18n import _, ngettext

PlanFileOption = Annotated[
    Path | None,
    typer.Option(
        "--plan",
        "-p",
        help=_("Plan YAML file (default: the bundled 2011 plan)."),
        show_default=False,
        dir_okay=False,
    ),
]


def init(
    plan: PlanFileOption = None,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help=_(
                "Delete tasks that are no longer in the plan (never ones with progress entries "
                "or assignments the office made)."
            ),
        ),
    ] = False,
    prune_all: Annotated[
        bool,
        typer.Option(
            "--prune-all",
            help=_("With --prune: allow deleting every task the plan had."),
        ),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help=_(
                "Load the file over the stored plan with the same id even when its title, or "
                "the title of a task with history, differs."
            ),
        ),
    ] = False,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli import clock
    from pufa_cli import store as dbmod
    from pufa_cli.loading import load_plan
    from pufa_cli.plan import load_plan_file
    from pufa_cli.render import notice
    from pufa_cli.resources import default_plan

    plan_path = plan or default_plan()
    parsed = load_plan_file(plan_path)  # validated completely before anything is written
    where = target(db)
    created = dbmod.prepare(where)
    conn = dbmod.connect(where)
    try:
        with conn.transaction(write=True):
            result = load_plan(
                conn, parsed, clock.now(), prune=prune, prune_all=prune_all, replace=replace
            )
    finally:
        conn.close()
    for line in result.notes:
        notice(line)
    if result.missing:
        notice(
            ngettext(
                "kept {count} task no longer in the plan: {numbers} (use --prune to delete it)",
                "kept {count} tasks no longer in the plan: {numbers} (use --prune to delete them)",
                len(result.missing),
            ).format(count=len(result.missing), numbers=", ".join(map(str, result.missing)))
        )
    for number, count in result.kept_entries:
        notice(
            ngettext(
                "kept task {n}: no longer in the plan but it has {count} progress entry",
                "kept task {n}: no longer in the plan but it has {count} progress entries",
                count,
            ).format(n=number, count=count)
        )
    for number, count in result.kept_assigned:
        notice(
            ngettext(
                "kept task {n}: no longer in the plan but it has {count} assignment the office "
                "made",
                "kept task {n}: no longer in the plan but it has {count} assignments the office "
                "made",
                count,
            ).format(n=number, count=count)
        )
    if result.pruned:
        notice(
            ngettext(
                "deleted {count} task no longer in the plan: {numbers}",
                "deleted {count} tasks no longer in the plan: {numbers}",
                len(result.pruned),
            ).format(count=len(result.pruned), numbers=", ".join(map(str, result.pruned)))
        )
    if not quiet_:
        state = (
            _("created")
            if created
            else _("updated")
            if result.added or result.updated or result.pruned
            else _("unchanged")
        )
        typer.echo(
            _(
                "Plan {year}: {sections}, {tasks}, {targets}, {units} "
                "({state}: {added} added, {updated} updated)"
            ).format(
                year=plan_label(result.plan, result.year),
                **plan_counts(result.sections, result.tasks, result.targets),
                units=ngettext("{n} unit", "{n} units", result.units).format(n=result.units),
                state=state,
                added=len(result.added),
                updated=len(result.updated),
            )
        )
        typer.echo(_("Database: {where}").format(where=where.display()))


def plan_label(code: str, year: int) -> str:
    """``2011`` for a plan known by its year, ``2023-fzzf (2023)`` for one with its own id."""
    return code if code == str(year) else f"{code} ({year})"


def plan_counts(sections: int, tasks: int, targets: int) -> dict[str, str]:
    """``6 sections``, ``23 tasks``, ``1 target``: each count with its noun, in the language."""
    return {
        "sections": ngettext("{n} section", "{n} sections", sections).format(n=sections),
        "tasks": ngettext("{n} task", "{n} tasks", tasks).format(n=tasks),
        "targets": ngettext("{n} target", "{n} targets", targets).format(n=targets),
    }


def plan_check(
    file: Annotated[
        Path, typer.Argument(help=_("Plan YAML file to check."), dir_okay=False, show_default=False)
    ],
) -> None:
    from pufa_cli.plan import load_plan_file

    parsed = load_plan_file(file)
    typer.echo(
        _("{file}: OK, plan {year}, {sections}, {tasks}, {targets}").format(
            file=file,
            year=plan_label(parsed.id, parsed.year),
            **plan_counts(
                len(parsed.sections), len(parsed.tasks), sum(len(t.targets) for t in parsed.tasks)
            ),
        )
    )


def plan_list(
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List the loaded plans: id, year, title and number of tasks."""
    from pufa_cli.i18n import plan_text
    from pufa_cli.progress import list_plans

    with session(db) as conn:
        plans = list_plans(conn)
    if fmt is Format.json:
        from pufa_cli.render import print_json

        print_json(
            [
                {
                    "plan": p.code,
                    "year": p.year,
                    "title": plan_text(p.title, p.script),
                    "tasks": p.tasks,
                }
                for p in plans
            ]
        )
        return
    from pufa_cli.render import Col, show, table

    cols = [
        Col(_("Id")),
        Col(_("Year"), "right"),
        Col(_("Title"), flexible=True),
        Col(_("Tasks"), "right"),
    ]
    rows = [[p.code, p.year, plan_text(p.title, p.script), p.tasks] for p in plans]
    show(table(_("Plans"), cols, rows))


def db_upgrade(db: DbOption = None, quiet_: QuietOption = False) -> None:
    from pufa_cli import store as dbmod
    from pufa_cli.schema import SCHEMA_HEAD

    where = target(db)
    before = dbmod.current_revision(where) if where.path is None or where.path.exists() else None
    dbmod.prepare(where)
    if not quiet_:
        typer.echo(
            _("{where}: schema {before} → {head}").format(
                where=where.display(), before=before or "-", head=SCHEMA_HEAD
            )
        )


def db_current(db: DbOption = None, quiet_: QuietOption = False) -> None:
    from pufa_cli import store as dbmod
    from pufa_cli.errors import RuntimeFailure
    from pufa_cli.schema import SCHEMA_HEAD

    where = target(db)
    if where.path is not None and not where.path.exists():
        raise RuntimeFailure(
            _("no database at {path}: run 'pufa init' first").format(path=where.path)
        )
    revision = dbmod.current_revision(where)
    state = _("at head") if revision == SCHEMA_HEAD else _("needs upgrade")
    typer.echo(
        _("{where}: schema {rev} ({state}; head {head})").format(
            where=where.display(), rev=revision or "-", state=state, head=SCHEMA_HEAD
        )
    )


def register(app: typer.Typer) -> None:
    app.command(
        "init",
        help=_(
            "Create or upgrade the database and load the plan (safe to "
            "run again). Example: pufa init --plan plans/2022.yaml"
        ),
    )(init)
    plan_app = typer.Typer(help=_("Plan files."), no_args_is_help=True)
    plan_app.command(
        "check",
        help=_(
            "Check a plan file without touching any database. "
            "Example: pufa plan check plans/2022.yaml"
        ),
    )(plan_check)
    from pufa_cli.cli.draft import plan_draft

    plan_app.command(
        "draft",
        help=_(
            "Draft a plan file from the plan document (.docx, .txt, .md), a comment on every "
            "guessed line. Example: pufa plan draft 方案.docx --out plans/2012.yaml"
        ),
    )(plan_draft)
    plan_app.command(
        "list",
        help=_("List the loaded plans (id, year, title, tasks). Example: pufa plan list"),
    )(plan_list)
    app.add_typer(plan_app, name="plan")
    db_app = typer.Typer(help=_("Database schema and, on PostgreSQL, roles."), no_args_is_help=True)
    db_app.command(
        "upgrade", help=_("Create the database if needed and migrate it to the newest schema.")
    )(db_upgrade)
    db_app.command("current", help=_("Print the schema revision of the database."))(db_current)
    from pufa_cli.cli.offices import db_grant, db_revoke

    db_app.command(
        "grant",
        help=_(
            "PostgreSQL: a login role for an office, enforced by row-level security. "
            "Example: pufa db grant 甲區依法治區辦 --role jia_clerk"
        ),
    )(db_grant)
    db_app.command("revoke", help=_("PostgreSQL: take back what db grant gave a role."))(db_revoke)
    app.add_typer(db_app, name="db")

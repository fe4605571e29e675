"""Offices: office add, office list, office rename, office move (docs/offices.md); the
PostgreSQL grants (``db grant`` / ``db revoke``) are registered in the ``db`` group."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from pufa_cli.cli.common import (
    DbOption,
    Format,
    FormatOption,
    NewNameArg,
    OldNameArg,
    QuietOption,
    session,
)
from pufa_cli.i18n import _, npgettext

NameArg = Annotated[
    str, typer.Argument(help=_("Office name, e.g. 某區依法治區辦."), show_default=False)
]
ParentOption = Annotated[
    str | None,
    typer.Option(
        "--parent", help=_("The office above it (none: a root, e.g. the city)."), show_default=False
    ),
]


def office_add(
    name: NameArg,
    parent: ParentOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Add an office under --parent."""
    from pufa_cli import clock
    from pufa_cli.offices.tree import add_office
    from pufa_cli.render import notice

    with session(db, write=True) as conn:
        office = add_office(conn, name, parent, clock.now())
    notice(_("office added: {name}").format(name=office.name))


def office_rename(
    old: OldNameArg,
    new: NewNameArg,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Rename an office (the default office of an upgraded database is called 本辦)."""
    from pufa_cli.offices.tree import rename_office
    from pufa_cli.render import notice

    with session(db, write=True) as conn:
        before, after = rename_office(conn, old, new)
    notice(_("office renamed: {old} → {new}").format(old=before, new=after))


def office_move(
    name: NameArg,
    parent: Annotated[
        str, typer.Option("--parent", help=_("The office to put it under."), show_default=False)
    ],
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Put an office under another one (a cycle is refused)."""
    from pufa_cli.offices.tree import move_office
    from pufa_cli.render import notice

    with session(db, write=True) as conn:
        office = move_office(conn, name, parent)
    notice(_("office moved: {name} under {parent}").format(name=office.name, parent=parent))


def office_list(fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """List the offices as a tree, with their plans and units."""
    from pufa_cli.offices.tree import list_offices

    with session(db) as conn:
        rows = list_offices(conn)
    if fmt is Format.json:
        from pufa_cli.render import print_json

        print_json(
            [
                {
                    "office": r.name,
                    "parent": r.parent,
                    "depth": r.depth,
                    "plans": r.plans,
                    "units": r.units,
                    "default": r.default,
                }
                for r in rows
            ]
        )
        return
    from pufa_cli.render import Col, show, table

    show(
        table(
            _("Offices"),
            [
                Col(_("Office"), flexible=True),
                Col(_("Plans"), "right"),
                Col(_("Units"), "right"),
            ],
            [
                ["  " * r.depth + r.name + (" *" if r.default else ""), r.plans, r.units]
                for r in rows
            ],
            caption=npgettext("table caption", "{n} office", "{n} offices", len(rows)).format(
                n=len(rows)
            ),
        )
    )


def register(app: typer.Typer) -> None:
    office_app = typer.Typer(
        help=_("Offices: a city, its districts and their street offices."), no_args_is_help=True
    )
    office_app.command(
        "add",
        help=_("Add an office. Example: pufa office add 某區依法治區辦 --parent 某市依法治市辦"),
    )(office_add)
    office_app.command("list", help=_("List the offices as a tree, with their plans and units."))(
        office_list
    )
    office_app.command("rename", help=_("Rename an office."))(office_rename)
    office_app.command("move", help=_("Put an office under another one."))(office_move)
    app.add_typer(office_app, name="office")


def report_by_office(
    db: str | None,
    quarter: int | None,
    as_of: str | None,
    task: str | None,
    thresholds: Any,
    fmt: str,
    year: int | None,
    plan_id: str | None,
    against_plan: bool = False,
) -> None:
    """``pufa report --by office``: the offices below the current one (cli/report.py calls);
    ``against_plan`` judges each office's tasks against its plan's due dates (``--against
    plan``), as the office's own report does."""
    from pufa_cli.cli.common import report_day
    from pufa_cli.errors import BadInput
    from pufa_cli.i18n import plan_text
    from pufa_cli.offices.rollup import office_report, parse_task
    from pufa_cli.progress import find_plan

    number = None
    if task is not None:
        code, number = parse_task(task)
        if plan_id is not None and plan_id != code:
            raise BadInput(
                _("--task {task} is not a task of plan {id}").format(task=task, id=plan_id)
            )
        plan_id = code
    with session(db) as conn:
        plan = find_plan(conn, year, plan_id)
        day = report_day(quarter, as_of, plan.year)
        result = office_report(
            conn, plan, day, task=number, thresholds=thresholds, against_plan=against_plan
        )

    def text(value: str) -> str:
        return plan_text(value, plan.script)

    if fmt == "json":
        from pufa_cli.render import print_json

        print_json(office_json(result))
        return
    headers, rows = office_rows(result)
    if fmt == "csv":
        import sys

        from pufa_cli.render import csv_text

        sys.stdout.write(csv_text(headers, rows))
        return
    heading = _("{title} ({year}) — by office as of {day}").format(
        title=text(plan.title), year=plan.year, day=result.as_of.isoformat()
    )
    if result.task is not None:
        heading += " · " + _("task {task}").format(task=result.task)
    if fmt == "markdown":
        import sys

        from pufa_cli.render import markdown_table, visible

        sys.stdout.write(f"## {visible(heading)}\n\n" + markdown_table(headers, rows) + "\n")
        return
    from rich.text import Text

    from pufa_cli.render import Col, percent_text, show, table

    def pct(value: float | None) -> str:
        return percent_text(value) if value is not None else "-"

    def count(value: int, style: str) -> Any:
        return Text(str(value), style=style if value else "")

    cols = [
        Col(_("Office"), flexible=True),
        Col(_("Tasks"), "right"),
        Col(_("Done"), "right"),
        Col(_("Late"), "right"),
        Col(_("Red"), "right"),
        Col(_("Yel."), "right"),
        Col("%", "right"),
        Col(_("Carried"), "right"),
        Col(_("Done"), "right"),
        Col("%", "right"),
    ]
    body = [
        [
            text(r.office),
            r.counts.tasks,
            r.counts.done,
            count(r.counts.overdue, "red"),
            count(r.counts.red, "red"),
            count(r.counts.yellow, "yellow"),
            pct(r.counts.percent),
            r.carried.tasks,
            r.carried.done,
            pct(r.carried.percent),
        ]
        for r in result.rows
    ]
    t, c = result.total, result.carried_total
    footer = [
        _("Total"),
        t.tasks,
        t.done,
        t.overdue,
        t.red,
        t.yellow,
        pct(t.percent),
        c.tasks,
        c.done,
        pct(c.percent),
    ]
    show(table(heading, cols, body, footer=footer))


def _row_json(name: str, plans: Any, counts: Any, carried: Any) -> dict[str, Any]:
    from pufa_cli.report.output import counts_json

    out: dict[str, Any] = {"office": name}
    if plans is not None:
        out["plans"] = list(plans)
    return {**out, **counts_json(counts), "carried": counts_json(carried)}


def office_json(result: Any) -> dict[str, Any]:
    """The stable JSON of ``report --by office`` (docs/offices.md)."""
    return {
        "year": result.plan.year,
        "plan": result.plan.code,
        "office": result.office,
        "as_of": result.as_of.isoformat(),
        "by": "office",
        "task": result.task,
        "rows": [_row_json(r.office, r.plans, r.counts, r.carried) for r in result.rows],
        "total": _row_json(_("Total"), None, result.total, result.carried_total) | {"office": None},
    }


OFFICE_HEADERS = (
    "office",
    "plans",
    "tasks",
    "done",
    "in_progress",
    "not_started",
    "overdue",
    "red",
    "yellow",
    "percent",
    "missed",
    "carried_tasks",
    "carried_done",
    "carried_percent",
)


def office_rows(result: Any) -> tuple[list[str], list[list[Any]]]:
    """csv / markdown rows: machine column names, one row per office then ``total``."""
    from pufa_cli.progress import round1

    def cells(name: str, plans: str, c: Any, k: Any) -> list[Any]:
        return [
            name,
            plans,
            c.tasks,
            c.done,
            c.in_progress,
            c.not_started,
            c.overdue,
            c.red,
            c.yellow,
            "" if c.percent is None else round1(c.percent),
            c.missed,
            k.tasks,
            k.done,
            "" if k.percent is None else round1(k.percent),
        ]

    rows = [cells(r.office, " ".join(r.plans), r.counts, r.carried) for r in result.rows]
    rows.append(cells("total", "", result.total, result.carried_total))
    return list(OFFICE_HEADERS), rows


RoleOption = Annotated[
    str,
    typer.Option("--role", help=_("The PostgreSQL role, e.g. jia_clerk."), show_default=False),
]


def db_grant(
    office: Annotated[str, typer.Argument(help=_("Office name."), show_default=False)],
    role: RoleOption,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """PostgreSQL: a login role that reads OFFICE and the offices below it and writes only
    OFFICE, enforced by the server's row-level security."""
    from pufa_cli.offices.grants import grant
    from pufa_cli.render import notice

    with session(db, write=True) as conn:
        ref, created = grant(conn, office, role)
    message = (
        _("role {role} created for office {office}")
        if created
        else _("role {role} granted office {office}")
    )
    notice(message.format(role=role, office=ref.name))


def db_revoke(
    role: RoleOption,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """PostgreSQL: take back what db grant gave a role (the role itself stays)."""
    from pufa_cli.offices.grants import revoke
    from pufa_cli.render import notice

    with session(db, write=True) as conn:
        office = revoke(conn, role)
    notice(_("role {role} no longer has office {office}").format(role=role, office=office))


def export_bundle(db: str | None, out: Any, year: int | None, plan_id: str | None) -> None:
    """``pufa export --what bundle --out F`` (cli/exchange.py calls)."""
    import json

    from pufa_cli import clock, files
    from pufa_cli.errors import BadInput
    from pufa_cli.offices.bundle import build_bundle
    from pufa_cli.progress import find_plan
    from pufa_cli.render import notice

    if out is None:
        raise BadInput(_("--what bundle needs --out FILE"))
    with session(db) as conn:
        plan = find_plan(conn, year, plan_id)
        doc = build_bundle(conn, plan, clock.now())
    with files.atomic_file(out) as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    notice(
        _("{path} written (office {office}, plan {plan}, {n} entries)").format(
            path=out, office=doc["office"], plan=plan.code, n=len(doc["entries"])
        )
    )


class _DryRun(Exception):
    pass


def import_bundle(db: str | None, path: str, dry_run: bool) -> None:
    """``pufa import F`` of a bundle: all or nothing; what is already here is skipped."""
    from pufa_cli import clock
    from pufa_cli.errors import BadInput
    from pufa_cli.offices import bundle, bundle_import
    from pufa_cli.render import notice

    doc = bundle.read_bundle(path)
    added: dict[str, int] = {}
    try:
        with session(db, write=True) as conn:
            try:
                added = bundle_import.import_bundle(conn, doc, clock.now())
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise BadInput(
                    _("{path} is not a well-formed bundle ({reason})").format(path=path, reason=exc)
                ) from None
            if dry_run:
                raise _DryRun  # the transaction rolls back: nothing written
    except _DryRun:
        pass
    notice(
        _(
            "bundle of {office}: {plans} plan, {tasks} tasks, {units} units, {assignments} "
            "assignments and {entries} entries added"
        ).format(office=doc["office"], **added)
    )

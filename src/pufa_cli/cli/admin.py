"""Keeping the database safe: backup (a consistent copy) and check (is it sound?)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from pufa_cli.cli.common import DbOption, Format, FormatOption, QuietOption, target
from pufa_cli.errors import BadInput
from pufa_cli.i18n import _, ngettext


def _given_path(value: str, what: str) -> Path:
    """A path argument as given: an empty one (an unset variable in a script) is refused, not
    taken as the current folder."""
    if not value.strip():
        raise BadInput(_("{what} is empty: give a path").format(what=what))
    return Path(value).expanduser()


def backup_cmd(
    path: Annotated[
        str,
        typer.Argument(
            help=_("Where to write the copy: a file, or a folder (pufa-DATE-TIME.db inside)."),
            show_default=False,
        ),
    ],
    force: Annotated[bool, typer.Option("--force", help=_("Replace PATH if it exists."))] = False,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli import clock
    from pufa_cli.maintenance import backup
    from pufa_cli.render import notice

    result = backup(target(db), _given_path(path, "PATH"), force=force, now=clock.now())
    typer.echo(str(result.path))
    notice(
        _("backup written: {size} bytes, schema {rev}, {entries}").format(
            size=result.size,
            rev=result.revision or "-",
            entries=ngettext("{n} entry", "{n} entries", result.entries).format(n=result.entries),
        )
    )


def check_cmd(
    fmt: FormatOption = Format.table,
    clean: Annotated[
        bool,
        typer.Option(
            "--clean",
            help=_(
                "Remove the leftovers of interrupted exports and backups (pufa's own "
                "temporary files only)."
            ),
        ),
    ] = False,
    folders: Annotated[
        list[str] | None,
        typer.Option(
            "--folder",
            metavar="<path>",
            help=_("Also look for leftovers in this folder (repeatable): where you export."),
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    from pufa_cli.errors import RuntimeFailure
    from pufa_cli.maintenance import check
    from pufa_cli.render import notice

    look_in = [_given_path(f, "--folder") for f in folders or []]
    for folder in look_in:
        if not folder.is_dir():
            raise BadInput(_("--folder {path} is not a folder").format(path=folder))
    report = check(target(db), look_in, clean=clean)
    for path in report.removed:
        notice(_("removed {path}").format(path=path))
    if fmt is Format.json:
        from pufa_cli.render import print_json

        print_json(_report_json(report))
    elif not quiet_:
        _print_report(report)
    if not report.ok:
        raise RuntimeFailure(
            ngettext(
                "{n} of {total} check found problems in {where}",
                "{n} of {total} checks found problems in {where}",
                len(report.items),
            ).format(n=report.problems, total=len(report.items), where=report.where)
        )


def _report_json(report: Any) -> dict[str, Any]:
    return {
        "database": report.where,
        "engine": report.engine,
        "schema": report.revision,
        "ok": report.ok,
        "removed": [str(p) for p in report.removed],
        "checks": [
            {"check": i.key, "ok": i.ok, "problems": i.problems, "examples": i.examples}
            for i in report.items
        ],
    }


def _print_report(report: Any) -> None:
    typer.echo(
        _("Checking {where} ({engine}, schema {rev})").format(
            where=report.where, engine=report.engine, rev=report.revision or "-"
        )
    )
    for item in report.items:
        if item.ok:
            typer.echo(f"  {_('ok'):<6}{item.label}")
            continue
        more = item.problems - len(item.examples)
        examples = "; ".join(item.examples) + (
            _(" … and {n} more").format(n=more) if more > 0 else ""
        )
        typer.echo(
            f"  {_('FAIL'):<6}{item.label}: "
            + ngettext("{n} problem: {examples}", "{n} problems: {examples}", item.problems).format(
                n=item.problems, examples=" ".join(examples.split())
            )
        )
    if report.ok:
        typer.echo(_("All {n} checks passed.").format(n=len(report.items)))


def register(app: typer.Typer) -> None:
    app.command(
        "backup",
        help=_(
            "Copy the SQLite database consistently, even while others write (PostgreSQL: "
            "use pg_dump). Example: pufa backup /backups/ledger.db --force"
        ),
    )(backup_cmd)
    app.command(
        "check",
        help=_(
            "Check the database: integrity, foreign keys, schema and ledger rules; exit "
            "status 1 on any problem. Example: pufa check"
        ),
    )(check_cmd)

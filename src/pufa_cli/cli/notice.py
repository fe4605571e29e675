"""pufa notice: issue, list and show the frozen progress notices (通報)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from pufa_cli.cli.common import (
    AsOfOption,
    DbOption,
    PlanIdOption,
    QuarterOption,
    QuietOption,
    YearOption,
    check_when,
    plan_session,
    report_day,
    session,
)
from pufa_cli.i18n import _


class ListFormat(str, Enum):
    table = "table"
    json = "json"


class ShowFormat(str, Enum):
    json = "json"
    markdown = "markdown"
    docx = "docx"
    html = "html"


def notice_issue(
    quarter: QuarterOption = None,
    as_of: AsOfOption = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title",
            help=_("The notice's title (default: from the plan's title)."),
            show_default=False,
        ),
    ] = None,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Freeze the report as a numbered notice."""
    from pufa_cli import clock
    from pufa_cli.render import notice
    from pufa_cli.scoring.notices import issue_notice

    check_when(quarter, as_of)
    with plan_session(db, year, plan_id, write=True) as (conn, plan):
        day = report_day(quarter, as_of, plan.year)
        body = issue_notice(conn, plan, day, title=title, by=clock.user(), now=clock.now())
    typer.echo(body["number"])
    notice(_("notice {number} issued, as of {day}").format(number=body["number"], day=day))


def notice_list(
    fmt: Annotated[
        ListFormat,
        typer.Option("--format", "-f", help=_("Output: table or json."), case_sensitive=False),
    ] = ListFormat.table,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
) -> None:
    """List the plan's issued notices."""
    from pufa_cli.scoring.notices import list_notices, notice_list_json

    with plan_session(db, year, plan_id) as (conn, plan):
        notices = list_notices(conn, plan)
    if fmt is ListFormat.json:
        from pufa_cli.render import print_json

        print_json(notice_list_json(notices))
        return
    from pufa_cli.i18n import plan_text
    from pufa_cli.render import Col, show, table

    cols = [Col(_("Number")), Col(_("As of")), Col(_("Issued")), Col(_("Title"), flexible=True)]
    rows = [
        [
            n.number,
            n.as_of.isoformat(),
            n.issued_at.isoformat(sep=" "),
            plan_text(n.title, plan.script),
        ]
        for n in notices
    ]
    show(table(None, cols, rows))


def notice_show(
    number: Annotated[str, typer.Argument(help=_("The notice's number, e.g. 2011-1."))],
    fmt: Annotated[
        ShowFormat,
        typer.Option(
            "--format",
            "-f",
            help=_("Output: json, markdown, docx or html."),
            case_sensitive=False,
        ),
    ] = ShowFormat.markdown,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help=_("Write to this file (docx needs it)."), show_default=False
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=_("Replace an existing --out file."))] = (
        False
    ),
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Show an issued notice, as it was issued."""
    from pufa_cli.errors import BadInput, Conflict
    from pufa_cli.i18n import plan_text
    from pufa_cli.render import notice
    from pufa_cli.scoring.notices import read_notice

    if fmt is ShowFormat.docx and out is None:
        raise BadInput(_("docx needs --out FILE"))
    if out is not None and out.exists() and not force:
        raise Conflict(_("{path} exists: pass --force to replace it").format(path=out))
    with session(db) as conn:
        body, trend = read_notice(conn, number)

    def text(value: str) -> str:
        return plan_text(value, body["script"])

    data: bytes
    if fmt is ShowFormat.json:
        import json

        data = (json.dumps({**body, "trend": trend}, ensure_ascii=False, indent=2) + "\n").encode()
    elif fmt is ShowFormat.markdown:
        from pufa_cli.render import visible
        from pufa_cli.scoring.wording import markdown

        # Control characters escaped (\x1b), as in every table: the default format, read on
        # a terminal as often as in a file.
        data = visible(markdown(body, text)).encode()
    elif fmt is ShowFormat.docx:
        from pufa_cli.scoring.docx import notice_docx

        data = notice_docx(body, text)
    else:
        from pufa_cli.render import visible
        from pufa_cli.scoring.html import notice_html

        # HTML allows no control character but tab and line breaks: escaped as above.
        data = visible(notice_html(body, trend, text)).encode()
    if out is None:
        from pufa_cli.files import stdout_text

        with stdout_text() as fh:
            fh.write(data.decode())
        return
    write_file(out, data, replace=force)
    notice(_("{path} written").format(path=out))


def write_file(path: Path, data: bytes, *, replace: bool) -> None:
    """Complete or not at all (files.atomic_path): without ``replace`` a file that appeared
    meanwhile is not overwritten."""
    from pufa_cli.files import atomic_path

    with atomic_path(path, replace=replace) as tmp:
        tmp.write_bytes(data)


def register(app: typer.Typer) -> None:
    notice_app = typer.Typer(
        help=_("Progress notices (通報): frozen, numbered snapshots of the report."),
        no_args_is_help=True,
    )
    notice_app.command(
        "issue",
        help=_(
            "Freeze the report (sections, unit ranking, lagging items) as a numbered notice. "
            "Example: pufa notice issue --quarter 2"
        ),
    )(notice_issue)
    notice_app.command(
        "list", help=_("List the plan's issued notices. Example: pufa notice list -f json")
    )(notice_list)
    notice_app.command(
        "show",
        help=_(
            "Show an issued notice as it was issued. "
            "Example: pufa notice show 2011-2 -f docx --out 通報.docx"
        ),
    )(notice_show)
    app.add_typer(notice_app, name="notice")

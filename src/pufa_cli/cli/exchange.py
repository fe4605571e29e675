"""Exchange with spreadsheets and scripts: export (csv, json, xlsx) and import (csv, xlsx, xls)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from pufa_cli.cli.common import (
    AsOfOption,
    By,
    DbOption,
    PlanIdOption,
    QuarterOption,
    QuietOption,
    RedOption,
    YearOption,
    YellowOption,
    check_when,
    plan_session,
    plan_value,
    report_day,
    session,
    who,
    year_value,
)
from pufa_cli.i18n import _

# Row errors printed before the summary line; the rest are counted.
MAX_ROW_ERRORS = 20


class What(str, Enum):
    report = "report"
    tasks = "tasks"
    entries = "entries"
    all = "all"
    evidence = "evidence"  # a zip of the evidence files (issue 16): supervision/package.py
    bundle = "bundle"  # an office's plan, units, assignments and entries (docs/offices.md)


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


class Headers(str, Enum):
    machine = "machine"
    human = "human"


def export_cmd(
    what: Annotated[
        What | None,
        typer.Option(
            "--what",
            "-w",
            help=_(
                "What to export: report, tasks, entries, all (default: report; xlsx: all), "
                "evidence (a zip) or bundle (an office's ledger)."
            ),
            show_default=False,
            case_sensitive=False,
        ),
    ] = None,
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help=_("csv, json or xlsx (default: from the extension of --out, else csv)."),
            show_default=False,
            case_sensitive=False,
        ),
    ] = None,
    quarter: QuarterOption = None,
    as_of: AsOfOption = None,
    by: Annotated[
        By,
        typer.Option("--by", help=_("Report rows by section, unit or task."), case_sensitive=False),
    ] = By.section,
    yellow: YellowOption = None,
    red: RedOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help=_("Write to this file, atomically (default: stdout; xlsx needs --out)."),
            show_default=False,
        ),
    ] = None,
    no_bom: Annotated[
        bool, typer.Option("--no-bom", help=_("csv without the UTF-8 byte-order mark."))
    ] = False,
    headers: Annotated[
        Headers,
        typer.Option(
            "--headers",
            help=_("csv header row: machine column names, or human labels in your language."),
            case_sensitive=False,
        ),
    ] = Headers.machine,
    all_years: Annotated[
        bool,
        typer.Option("--all-years", help=_("Entries of every plan year, not only --year's.")),
    ] = False,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Export the report, the task ledger or the entries as csv, json or xlsx."""
    from pufa_cli import files
    from pufa_cli.exchange import columns as col
    from pufa_cli.exchange import export as ex
    from pufa_cli.i18n import plan_text
    from pufa_cli.render import notice
    from pufa_cli.report import thresholds_from

    if what is What.evidence:
        _export_evidence(out, fmt is not None, quarter, as_of, year, plan_id, db)
        return
    if what is What.bundle:
        from pufa_cli.cli.offices import export_bundle

        export_bundle(db, out, year_value(year), plan_value(plan_id))
        return
    target = None if out is None else str(out)
    file_format = ex.resolve_format(None if fmt is None else fmt.value, target)
    kind = (
        what.value
        if what is not None
        else (col.WHAT_ALL if file_format == col.XLSX else col.WHAT_REPORT)
    )
    ex.check_spec(kind, file_format, target)
    check_when(quarter, as_of)
    thresholds = thresholds_from(yellow, red)
    with plan_session(db, year, plan_id) as (conn, plan):
        day = report_day(quarter, as_of, plan.year)
        spec = col.Spec(
            what=kind,
            fmt=file_format,
            as_of=day,
            by=by.value,
            bom=not no_bom,
            human_headers=headers is Headers.human,
            all_years=all_years,
        )

        def text(value: str) -> str:
            return plan_text(value, plan.script)

        if out is None:
            with files.stdout_text() as fh:
                ex.export(conn, plan, spec, fh, text, thresholds)
            return
        with files.atomic_file(out, binary=file_format == col.XLSX) as fh:
            count = ex.export(conn, plan, spec, fh, text, thresholds)
    if kind in (col.WHAT_ENTRIES, col.WHAT_ALL):
        notice(_("{path} written ({n} entries)").format(path=out, n=count))
    else:
        notice(_("{path} written ({n} rows)").format(path=out, n=count))


def _export_evidence(
    out: Path | None,
    fmt_given: bool,
    quarter: int | None,
    as_of: str | None,
    year: int | None,
    plan_id: str | None,
    db: str | None,
) -> None:
    """``--what evidence``: the evidence package, a zip (supervision/package.py)."""
    from pufa_cli.errors import BadInput
    from pufa_cli.files import atomic_file
    from pufa_cli.i18n import plan_text
    from pufa_cli.render import notice
    from pufa_cli.supervision.package import write_package

    if out is None or fmt_given:
        raise BadInput(_("--what evidence writes a zip: give --out FILE.zip and no --format"))
    check_when(quarter, as_of)
    with plan_session(db, year, plan_id) as (conn, plan):
        day = report_day(quarter, as_of, plan.year)
        with atomic_file(out, binary=True) as fh:
            count = write_package(conn, plan, day, fh, lambda v: plan_text(v, plan.script))
    notice(_("{path} written ({n} evidence files)").format(path=out, n=count))


def import_cmd(
    file: Annotated[
        str,
        typer.Argument(
            help=_(
                "A .csv, .xlsx or .xls file with the columns of the entries export "
                "('-': csv on stdin)."
            ),
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Check every row; write nothing."))
    ] = False,
    assign_units: Annotated[
        bool,
        typer.Option("--assign", help=_("Assign a row's unit to its task if it is not yet.")),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help=_("Who recorded rows with no 'by' (default: the OS user)."),
            show_default=False,
        ),
    ] = None,
    year: YearOption = None,
    plan_id: PlanIdOption = None,
    db: DbOption = None,
    quiet_: QuietOption = False,
) -> None:
    """Import progress entries from csv, xlsx or xls: all rows or none; rows seen are skipped."""
    from pufa_cli import clock
    from pufa_cli.exchange import importer as im
    from pufa_cli.exchange.sources import open_source
    from pufa_cli.offices.bundle import is_bundle
    from pufa_cli.render import notice

    if is_bundle(file):
        from pufa_cli.cli.offices import import_bundle

        import_bundle(db, file, dry_run)
        return
    source = open_source(file)
    if source.encoding is not None and source.encoding != "UTF-8":
        from pufa_cli.errors import escape_controls

        shown = escape_controls(source.name)
        notice(_("{file}: read as {encoding}").format(file=shown, encoding=source.encoding))
    try:
        with _progress(quiet_) as tick, session(db, write=not dry_run) as conn:
            result = im.import_entries(
                conn,
                source,
                default_year=year_value(year),
                default_plan=plan_value(plan_id),
                default_by=who(by),
                today=clock.today(),
                now=clock.now(),
                assign=assign_units,
                dry_run=dry_run,
                progress=tick,
            )
    except im.RowErrors as exc:
        _print_row_errors(exc.errors)
        raise
    finally:
        source.close()
    notice(im.summary(result, dry_run=dry_run))


def _print_row_errors(errors: list[str]) -> None:
    from pufa_cli.errors import escape_controls

    for line in errors[:MAX_ROW_ERRORS]:
        print(escape_controls(" ".join(line.split())), file=sys.stderr)
    if len(errors) > MAX_ROW_ERRORS:
        print(_("… and {n} more").format(n=len(errors) - MAX_ROW_ERRORS), file=sys.stderr)


class _progress:
    """A progress bar on stderr when it is a terminal and --quiet is off; else nothing."""

    def __init__(self, quiet_: bool) -> None:
        self.bar: Any = None
        if not quiet_ and sys.stderr.isatty():
            from rich.progress import Progress

            from pufa_cli.render import console

            self.bar = Progress(console=console(stderr=True), transient=True)
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Any:
        if self.bar is None:
            return None
        self.bar.start()
        return self.tick

    def tick(self, phase: str, done: int, total: int | None) -> None:
        labels = {"check": _("checking rows"), "write": _("writing entries")}
        if phase not in self.tasks:
            self.tasks[phase] = self.bar.add_task(labels.get(phase, phase), total=total)
        self.bar.update(self.tasks[phase], completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def register(app: typer.Typer) -> None:
    app.command(
        "export",
        help=_(
            "Export the report, the task ledger or the entries as csv, json or xlsx. "
            "Example: pufa export --what all -f xlsx --quarter 4 --out 台賬.xlsx"
        ),
    )(export_cmd)
    app.command(
        "import",
        help=_(
            "Import progress entries from csv, xlsx or xls (the columns of the entries export): "
            "all rows or none, rows seen before are skipped. Example: pufa import 進展.xlsx"
        ),
    )(import_cmd)

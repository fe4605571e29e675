"""``pufa plan draft``: a plan file drafted from the issued document (registered in setup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pufa_cli.cli.common import QuietOption
from pufa_cli.i18n import _, ngettext


def plan_draft(
    source: Annotated[
        Path,
        typer.Argument(
            help=_("The plan document: .docx, .txt or .md (UTF-8 or GB18030)."),
            dir_okay=False,
            show_default=False,
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help=_("Plan year (else read from the title or preamble)."),
            show_default=False,
            min=1900,
            max=2999,
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title", help=_("Plan title (else the document's first line)."), show_default=False
        ),
    ] = None,
    plan_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            help=_("The plan's id in the file (lower-case letters, digits and -; else the year)."),
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help=_("Write the plan file here, atomically (default: stdout)."),
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help=_("Replace the --out file if it exists."))
    ] = False,
    quiet_: QuietOption = False,
) -> None:
    """Draft a plan file from the plan document, a comment on every guessed line."""
    import sys

    from pufa_cli.cli.setup import plan_counts
    from pufa_cli.drafting.drafter import draft_file
    from pufa_cli.files import atomic_file
    from pufa_cli.render import notice

    if out is not None and out.exists() and not force:
        # Checked before reading the document, and again when the file is renamed into place.
        from pufa_cli.errors import BadInput

        raise BadInput(_("{path} exists; use --force to replace it").format(path=out))
    if title is not None and not 0 < len(title.strip()) <= 500:
        from pufa_cli.errors import BadInput

        raise BadInput(_("--title must be 1 to 500 characters"))
    if plan_id is not None:
        from pufa_cli.plan.validate import ID_RE

        if not ID_RE.fullmatch(plan_id):
            from pufa_cli.errors import BadInput

            raise BadInput(
                _(
                    "plan id '{id}' must be lower-case letters, digits and - (e.g. 2023-pufa)"
                ).format(id=plan_id)
            )
    drafted = draft_file(source, year=year, title=title, plan_id=plan_id)
    if out is None:
        sys.stdout.write(drafted.yaml)
        sys.stdout.flush()
    else:
        with atomic_file(out, replace=force) as fh:
            fh.write(drafted.yaml)
    counts = drafted.counts
    notice(
        _("Drafted plan {year}: {sections}, {tasks}, {items}, {targets}, {deadlines}").format(
            year=drafted.draft.year,
            **plan_counts(counts["sections"], counts["tasks"], counts["targets"]),
            items=ngettext("{n} sub-item", "{n} sub-items", counts["items"]).format(
                n=counts["items"]
            ),
            deadlines=ngettext(
                "{n} deadline found", "{n} deadlines found", counts["deadlines"]
            ).format(n=counts["deadlines"]),
        )
    )
    if drafted.draft.notes:
        notice(_("Unsure ({n}); check these in the file:").format(n=len(drafted.draft.notes)))
        for note in drafted.draft.notes:
            notice("  " + _("{place}: {message}").format(place=note.place, message=note.message))
    if out is not None:
        notice(_("Written to {path}; next: pufa plan check {path}").format(path=out))

"""The Typer application: one module per command group, joined here.

Command modules import only Typer and light modules at the top; the database, YAML, Alembic
and openpyxl are imported inside the command that needs them, so ``pufa --help`` stays fast.
"""

from __future__ import annotations

import typer

from pufa_cli.i18n import _


def build_app() -> typer.Typer:
    from pufa_cli.cli import admin, exchange, report, setup, tasks, tracking, units

    app = typer.Typer(
        name="pufa",
        help=_(
            "Track the annual rule-of-law publicity work plan: load the plan, assign tasks "
            "to units, log progress, report and export the ledger."
        ),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def _root(
        lang: str = typer.Option(
            None,
            "--lang",
            help=_("Language: zh-Hant, zh-Hans or en (else PUFA_LANG, LANG)."),
            show_default=False,
        ),
    ) -> None:
        """--lang is read in main() before the app is built (help texts need it)."""

    for module in (setup, tasks, units, tracking, report, exchange, admin):
        module.register(app)
    return app

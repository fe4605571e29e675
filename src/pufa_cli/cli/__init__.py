"""The Typer application: one module per command group, joined here.

Command modules import only Typer and light modules at the top; the database, YAML, Alembic
and openpyxl are imported inside the command that needs them, so ``pufa --help`` stays fast.

The root group is lazy (``LazyGroup``): Typer turns a command's signature into Click
parameters when it builds it, which costs ~1 ms a command, and importing every command module
costs more. So ``pufa log …`` imports only cli/tracking.py and builds only ``log``; ``pufa
--help`` imports every module but builds no command, listing each by its name and help alone.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from pufa_cli.cli.common import DbOption, OfficeOption, PlanIdOption, QuietOption, YearOption
from pufa_cli.i18n import _
from pufa_cli.typer_internals import click_exceptions

UsageError = click_exceptions().UsageError

# The command modules, in the order their commands (then their groups) are listed in --help.
MODULES = (
    "setup",
    "tasks",
    "units",
    "tracking",
    "supervision",
    "report",
    "score",
    "notice",
    "exchange",
    "admin",
    "offices",
)

# The module that registers each top-level command, so that running one imports only its own
# module. A command missing here still works (every module is then searched); a test checks
# this table against what the modules register.
COMMAND_MODULES = {
    "init": "setup",
    "plan": "setup",
    "db": "setup",
    "tasks": "tasks",
    "show": "tasks",
    "unit": "units",
    "assign": "tracking",
    "unassign": "tracking",
    "log": "tracking",
    "retract": "tracking",
    "evidence": "supervision",
    "review": "supervision",
    "extend": "supervision",
    "remind": "supervision",
    "rounds": "supervision",
    "report": "report",
    "score": "score",
    "notice": "notice",
    "export": "exchange",
    "import": "exchange",
    "backup": "admin",
    "check": "admin",
    "office": "offices",
}


def _new_app(**settings: Any) -> typer.Typer:
    return typer.Typer(
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        **settings,
    )


def _registered(module_name: str) -> typer.Typer:
    """A scratch app holding what ``module_name`` registers (nothing is built yet)."""
    module = importlib.import_module(f"pufa_cli.cli.{module_name}")
    app = _new_app()
    module.register(app)
    return app


def _command_name(info: Any) -> str:
    return str(info.name or typer.main.get_command_name(info.callback.__name__))


def _group_name(info: Any) -> str:
    return str(info.name or info.typer_instance.info.name)


def registered_names(module_name: str) -> list[str]:
    """The top-level commands and groups ``module_name`` registers, in order."""
    app = _registered(module_name)
    return [_command_name(c) for c in app.registered_commands] + [
        _group_name(g) for g in app.registered_groups
    ]


def _build(name: str) -> Any:
    """The Click command ``name`` (a group for ``plan``, ``db``, ``unit``), or None."""
    home = COMMAND_MODULES.get(name)
    for module_name in dict.fromkeys([home, *MODULES] if home else MODULES):
        app = _registered(module_name)
        one = _new_app()
        one.registered_commands = [c for c in app.registered_commands if _command_name(c) == name]
        one.registered_groups = [g for g in app.registered_groups if _group_name(g) == name]
        if one.registered_commands or one.registered_groups:
            one.callback()(_nothing)  # a callback makes get_command return a group
            return typer.main.get_command(one).commands.get(name)  # type: ignore[attr-defined]
    return None


def _nothing() -> None:
    pass


class LazyGroup(TyperGroup):
    """The root group: builds a command only when it runs, lists commands without building."""

    _stand_ins: dict[str, Any] | None = None

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            command = _build(cmd_name)
            if command is None:
                return None
            self.commands[cmd_name] = command
        return self.commands[cmd_name]

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.stand_ins())

    def stand_ins(self) -> dict[str, Any]:
        """Every command by name as a stand-in: its name and help, no parameters."""
        if self._stand_ins is None:
            # Typer lists the commands first, then the groups, each in the order registered.
            apps = [_registered(module_name) for module_name in MODULES]
            out: dict[str, Any] = {}
            for c in (c for app in apps for c in app.registered_commands):
                text = c.help if c.help is not None else inspect.getdoc(c.callback)
                out[_command_name(c)] = TyperCommand(
                    name=_command_name(c),
                    help=inspect.cleandoc(text or ""),
                    short_help=c.short_help,
                    hidden=bool(c.hidden),
                    deprecated=bool(c.deprecated),
                )
            for g in (g for app in apps for g in app.registered_groups):
                info = typer.main.solve_typer_info_defaults(g)
                out[_group_name(g)] = TyperGroup(
                    name=_group_name(g),
                    help=info.help,
                    short_help=info.short_help,
                    hidden=bool(info.hidden),
                    deprecated=bool(info.deprecated),
                )
            self._stand_ins = out
        return self._stand_ins

    def _with_stand_ins(self, method: Any, *args: Any) -> Any:
        # Typer lists commands (and suggests names for a typo) from self.commands.
        saved = self.commands
        self.commands = {**self.stand_ins(), **saved}
        try:
            return method(*args)
        finally:
            self.commands = saved

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        self._with_stand_ins(super().format_commands, ctx, formatter)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError:  # unknown command: let Typer suggest a close name
            return self._with_stand_ins(super().resolve_command, ctx, args)


def build_app() -> typer.Typer:
    from pufa_cli.i18n import localize_typer

    localize_typer()
    app = _new_app(
        name="pufa",
        help=_(
            "Track the annual rule-of-law publicity work plan: load the plan, assign tasks "
            "to units, log progress, report and export the ledger."
        ),
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        cls=LazyGroup,
    )

    @app.callback()
    def _root(
        ctx: typer.Context,
        lang: str = typer.Option(
            None,
            "--lang",
            help=_("Language: zh-Hant, zh-Hans or en (else PUFA_LANG, LANG)."),
            show_default=False,
        ),
        version: bool = typer.Option(
            False, "--version", "-V", help=_("Show pufa's version and exit.")
        ),
        db: DbOption = None,
        year: YearOption = None,
        plan_id: PlanIdOption = None,
        quiet_: QuietOption = False,
        office: OfficeOption = None,
    ) -> None:
        """--lang, --office and --version are read in main() before the app is built (--office is
        taken from anywhere in argv, so it is one option for every command). --db, --year,
        --plan-id and --quiet given before the command (`pufa --year 2011 report`) become that
        command's defaults: the same option after the command still wins."""
        given = {"db": db, "year": year, "plan_id": plan_id, "quiet_": quiet_ or None}
        command = ctx.command.get_command(ctx, ctx.invoked_subcommand or "")  # type: ignore[attr-defined]
        if command is not None:
            ctx.default_map = {
                str(ctx.invoked_subcommand): _defaults_for(
                    command, {k: v for k, v in given.items() if v is not None}
                )
            }

    return app


def _defaults_for(command: Any, given: dict[str, Any]) -> dict[str, Any]:
    """Click's default_map for ``command``: the global options it takes, nested by subcommand
    for a group (``pufa --db X unit list``). A group that runs on its own as well (``pufa
    score``, beside ``pufa score set``) takes them for its own options too."""
    own: dict[str, Any] = {p.name: given[p.name] for p in command.params if p.name in given}
    subcommands = getattr(command, "commands", None)
    if subcommands is not None:
        own.update({name: _defaults_for(sub, given) for name, sub in subcommands.items()})
    return own

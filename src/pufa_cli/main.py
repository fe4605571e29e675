"""The ``pufa`` entry point: choose the language, run the command, translate errors.

This is the one place where errors become what a user sees: one line on stderr and an exit
status (0 success, 1 failure at run time, 2 bad usage or input). No traceback reaches a user
unless ``PUFA_DEBUG=1`` is set.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from pufa_cli.errors import EXIT_RUNTIME, EXIT_USAGE, PufaError, escape_controls
from pufa_cli.i18n import _, language_from_env, normalize_language, set_language


def _take_lang(argv: list[str], option: str = "--lang") -> tuple[str | None, list[str]]:
    """Remove ``--lang X`` / ``--lang=X`` from anywhere in argv (help texts need it first).

    ``--office`` is taken the same way: one option, before or after the command, for every
    command (offices/scoping.py)."""
    rest: list[str] = []
    lang: str | None = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg == option and i + 1 < len(argv):
            lang = argv[i + 1]
            i += 2
            continue
        if arg.startswith(option + "="):
            lang = arg.split("=", 1)[1]
            i += 1
            continue
        rest.append(arg)
        i += 1
    return lang, rest


def _error(message: str, code: int) -> int:
    text = " ".join(str(message).split()) if "\n" in str(message) else str(message)
    text = escape_controls(text)
    # One template, so a Chinese line reads 錯誤：… with the full-width colon.
    print(_("Error: {message}").format(message=text), file=sys.stderr)
    # The command failed and said so in one line. What it left half-done (a workbook's zip on a
    # full disk) may fail again when collected at exit: that is not a second message for the
    # user ("Exception ignored in …" tracebacks). PUFA_DEBUG=1 keeps Python's report.
    from pufa_cli.config import debug

    if not debug():
        sys.unraisablehook = _after_the_error
    return code


def _after_the_error(unraisable: Any) -> None:
    """Once an error has been reported: objects failing as they are collected stay quiet."""


def run(argv: Sequence[str] | None = None) -> int:
    """Run pufa with ``argv`` (default: the process arguments); return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    lang_arg, args = _take_lang(args)
    office_arg, args = _take_lang(args, "--office")
    from pufa_cli.offices import scoping

    scoping.select(office_arg)
    if lang_arg is not None:
        lang = normalize_language(lang_arg)
        if lang is None:
            set_language(language_from_env(os.environ))
            return _error(
                _("unknown language '{lang}' (choose zh-Hant, zh-Hans or en)").format(
                    lang=lang_arg
                ),
                EXIT_USAGE,
            )
    else:
        lang = language_from_env(os.environ)
        pinned = os.environ.get("PUFA_LANG", "")
        if pinned and normalize_language(pinned) is None:
            set_language(lang)
            return _error(
                "PUFA_LANG: "
                + _("unknown language '{lang}' (choose zh-Hant, zh-Hans or en)").format(
                    lang=pinned
                ),
                EXIT_USAGE,
            )
    set_language(lang)
    if args in (["--version"], ["-V"]):
        from pufa_cli import __version__

        sys.stdout.write(f"pufa {__version__}\n")
        return 0

    import typer

    from pufa_cli.cli import build_app
    from pufa_cli.typer_internals import click_exceptions, pacify_flush_wrapper

    click = click_exceptions()
    ClickException, NoArgsIsHelpError = click.ClickException, click.NoArgsIsHelpError
    PacifyFlushWrapper = pacify_flush_wrapper()

    command = typer.main.get_command(build_app())
    try:
        result = command.main(args=args, prog_name="pufa", standalone_mode=False)
    except PufaError as exc:
        return _error(exc.message, exc.exit_code)
    except NoArgsIsHelpError as exc:
        # `pufa` or `pufa unit` alone asks what there is to do: the help, as --help shows it.
        sys.stdout.write(exc.format_message().rstrip("\n") + "\n")
        return 0
    except ClickException as exc:
        return _error(exc.format_message(), exc.exit_code if exc.exit_code else EXIT_USAGE)
    except SystemExit:
        # Click ends a command whose reader closed the pipe (`pufa report | head`) with
        # exit(1) after pacifying stdout; the command itself did its work.
        if isinstance(sys.stdout, PacifyFlushWrapper):
            return 0
        raise
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        return _error(_("aborted"), EXIT_RUNTIME)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return _error(_("interrupted"), 130)
    except BrokenPipeError:
        # A reader such as `head` closed the pipe: not an error of ours.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except Exception as exc:
        from pufa_cli.config import debug

        if debug():
            raise
        refused = _refused_by_server(exc)
        if refused is not None:
            return _error(refused, EXIT_USAGE)
        return _error(_environment_message(exc), EXIT_RUNTIME)
    return int(result) if isinstance(result, int) else 0


def _refused_by_server(exc: BaseException) -> str | None:
    """PostgreSQL refused a write this role may not make (SQLSTATE 42501: row-level security
    or a missing privilege, docs/offices.md): bad input for this office, not a failure."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) != "42501":
        return None
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    return _("refused by the database server for this role: {reason}").format(reason=first)


def _environment_message(exc: BaseException) -> str:
    """One line for a failure of the environment (database, disk) or, failing that, a bug."""
    import sqlite3

    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith(("sqlalchemy", "psycopg")):
        return _("database failure: {reason}").format(reason=first)
    if isinstance(exc, OSError):
        return _("system failure: {reason}").format(reason=first)
    return _("internal error ({kind}: {reason}); set PUFA_DEBUG=1 for details").format(
        kind=type(exc).__name__, reason=first
    )


def main() -> None:
    sys.exit(run())

#!/usr/bin/env python3
"""Write docs/cli.md, the command reference, from the commands' own ``--help``.

    python scripts/cli_docs.py            # rewrite docs/cli.md
    python scripts/cli_docs.py --check    # write nothing; exit 1 if docs/cli.md is stale

Each command's page is exactly what ``pufa COMMAND --help`` prints in English at 80 columns,
so the reference cannot drift from the help (``tests/test_cli_docs.py`` runs ``--check``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "cli.md"
WIDTH = "80"

HEADER = """\
# Command reference

Every command and its options, as `pufa COMMAND --help` prints them (in English; `--lang`
or `PUFA_LANG` gives the same pages in Chinese). Generated from the code by
`python scripts/cli_docs.py`; a test fails when this page is stale — do not edit it by hand.
"""


def _help(args: list[str]) -> str:
    from pufa_cli.main import run

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(["--lang", "en", *args, "--help"])
    if code != 0:
        raise SystemExit(f"pufa {' '.join(args)} --help exited {code}")
    return out.getvalue().rstrip("\n")


def command_paths() -> list[list[str]]:
    """``[]`` (pufa itself), then every command and group in --help order, then each
    group's subcommands."""
    import typer

    from pufa_cli.cli import LazyGroup, build_app
    from pufa_cli.i18n import set_language

    set_language("en")
    root = typer.main.get_command(build_app())
    assert isinstance(root, LazyGroup)
    paths: list[list[str]] = [[]]
    for name in root.stand_ins():
        paths.append([name])
        command = root.get_command(None, name)
        for sub in getattr(command, "commands", {}):
            paths.append([name, sub])
    return paths


def generate() -> str:
    os.environ["COLUMNS"] = WIDTH
    os.environ.pop("PUFA_LANG", None)
    parts = [HEADER]
    for path in command_paths():
        title = " ".join(["pufa", *path])
        parts.append(f"## {title}\n\n```text\n{_help(path)}\n```\n")
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/cli.md is stale")
    args = parser.parse_args()
    text = generate()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if args.check:
        if text != current:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python scripts/cli_docs.py")
            return 1
        return 0
    if text != current:
        TARGET.write_text(text, encoding="utf-8")
        print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

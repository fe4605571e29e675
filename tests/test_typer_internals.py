"""pufa's coupling to Typer's private ``typer._click`` is kept in one module
(pufa_cli.typer_internals); this test pins it to the Typer range pyproject.toml declares."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from pufa_cli import typer_internals

REPO = Path(__file__).resolve().parents[1]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:2])


def test_the_installed_typer_is_in_the_supported_range():
    low, high = typer_internals.SUPPORTED_TYPER
    assert low <= _version(metadata.version("typer")) < high


def test_pyproject_declares_the_supported_range():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    declared = re.search(r'"typer>=([\d.]+),<([\d.]+)"', text)
    assert declared, "pyproject.toml declares typer>=X,<Y"
    low, high = typer_internals.SUPPORTED_TYPER
    assert (_version(declared.group(1)), _version(declared.group(2))) == (low, high)


def test_every_name_pufa_takes_from_typer_click_is_there():
    exceptions = typer_internals.click_exceptions()
    for name in ("ClickException", "NoArgsIsHelpError", "UsageError", "BadParameter"):
        assert isinstance(getattr(exceptions, name), type), name
    assert isinstance(typer_internals.pacify_flush_wrapper(), type)
    import importlib

    for module in (typer_internals.CLICK_CORE, typer_internals.CLICK_FORMATTING):
        importlib.import_module(module)


def test_no_other_module_names_typer_click():
    src = REPO / "src" / "pufa_cli"
    others = [
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if "typer._click" in p.read_text(encoding="utf-8") and p.name != "typer_internals.py"
    ]
    assert others == []


def test_importing_it_imports_no_typer():
    code = "import sys, pufa_cli.typer_internals; print('typer' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""Start-up: what each command imports, checked in a fresh process running the real entry point.

Heavy modules (SQLAlchemy, Alembic, PyYAML, openpyxl, psycopg, OpenCC, Rich) cost 40-350 ms
each to import; ``pufa --help`` must load none of them, and the everyday commands on SQLite
none of the database and file-format libraries. The timings themselves are measured by
benchmarks/run.py, never asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import run_installed

HEAVY_FOR_HELP = (
    "sqlalchemy",
    "sqlalchemy.orm",
    "alembic",
    "yaml",
    "openpyxl",
    "psycopg",
    "opencc_purepy",
    "rich",
    "pydantic",
)
HEAVY_FOR_EVERYDAY = ("sqlalchemy", "sqlalchemy.orm", "alembic", "yaml", "openpyxl", "psycopg")

# Runs pufa exactly as the installed console script does (pufa_cli.main:main) after ``setup``,
# then writes the JSON of ``seen`` (an expression evaluated at exit) to a file.
_WRAPPER = """
import atexit, json, os, sys
{setup}
def _dump():
    with open(os.environ["PUFA_TEST_PROBE_OUT"], "w") as f:
        json.dump({seen}, f)
atexit.register(_dump)
sys.argv = ["pufa", *sys.argv[1:]]
from pufa_cli.main import main
main()
"""


def probe(tmp_path: Path, setup: str, seen: str, *args: str) -> Any:
    """What ``seen`` held when pufa, run with ``args`` in a fresh process, exited."""
    out = tmp_path / "probe.json"
    out.unlink(missing_ok=True)
    env = dict(os.environ, PUFA_TEST_PROBE_OUT=str(out))
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER.format(setup=setup, seen=seen), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


def imported_by(tmp_path: Path, *args: str) -> set[str]:
    """The names of every module the process imported, however it imported them."""
    return set(probe(tmp_path, "", "sorted(sys.modules)", *args))


def test_help_loads_no_heavy_module(tmp_path: Path) -> None:
    modules = imported_by(tmp_path, "--help")
    assert "typer" in modules  # the probe sees what the process imported
    assert sorted(m for m in HEAVY_FOR_HELP if m in modules) == []


def test_help_builds_the_commands_lazily(tmp_path: Path) -> None:
    # --help lists every command from its name and help: the database layer stays unloaded.
    modules = imported_by(tmp_path, "--help")
    assert "pufa_cli.cli.tracking" in modules
    assert not {"pufa_cli.store", "pufa_cli.progress", "pufa_cli.report", "sqlite3"} & modules


@pytest.fixture(scope="module")
def sqlite_ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite ledger for the module (the commands below only read it or append to it)."""
    path = str(tmp_path_factory.mktemp("ledger") / "pufa.db")
    for args in (("init", "-q"), ("assign", "8", "區依法治區工作領導小組", "-q")):
        r = run_installed(*args, "--db", path)
        assert r.code == 0, r
    return path


# The commands run every day, as a clerk types them (log with --again: the tests share one
# ledger, and a second identical entry is otherwise refused).
EVERYDAY = {
    "tasks": ("tasks",),
    "show": ("show", "8"),
    "report": ("report", "--quarter", "4"),
    "log": ("log", "8", "--unit", "區依法治區辦公室", "--percent", "40", "--again", "-q"),
}


@pytest.mark.parametrize("args", list(EVERYDAY.values()), ids=list(EVERYDAY))
def test_everyday_commands_on_sqlite_load_no_heavy_module(
    tmp_path: Path, sqlite_ledger: str, args: tuple[str, ...]
) -> None:
    modules = imported_by(tmp_path, *args, "--db", sqlite_ledger)
    assert "pufa_cli.store" in modules  # it did open the database
    assert sorted(m for m in HEAVY_FOR_EVERYDAY if m in modules) == []


# What reading one task or the list needs is the ledger and the colours, not the code that
# builds a report, loads a plan file or writes entries (each import is start-up time).
NOT_FOR_READING = (
    "pufa_cli.report.build",
    "pufa_cli.report.output",
    "pufa_cli.plan.validate",
    "pufa_cli.plan.yamlfile",
    "pufa_cli.tracker",
    "hashlib",
)


@pytest.mark.parametrize("args", [("tasks",), ("show", "8")], ids=["tasks", "show"])
def test_reading_commands_load_neither_the_report_builder_nor_the_writer(
    tmp_path: Path, sqlite_ledger: str, args: tuple[str, ...]
) -> None:
    modules = imported_by(tmp_path, *args, "--db", sqlite_ledger)
    assert "pufa_cli.report.schedule" in modules  # the colours were used
    assert sorted(m for m in NOT_FOR_READING if m in modules) == []


# Records the name of every dataclass made while pufa runs.
_DATACLASSES = """
import dataclasses
made = []
_process = dataclasses._process_class
def _probe(cls, *args, **kwargs):
    made.append(f"{cls.__module__}.{cls.__qualname__}")
    return _process(cls, *args, **kwargs)
dataclasses._process_class = _probe
dataclasses.dataclass(type("ProbeWorks", (), {}))
"""


@pytest.mark.parametrize("args", list(EVERYDAY.values()), ids=list(EVERYDAY))
def test_everyday_commands_make_no_dataclass_of_their_own(
    tmp_path: Path, sqlite_ledger: str, args: tuple[str, ...]
) -> None:
    # Making a dataclass runs exec() for each of its methods: ~0.5 ms a class at every start
    # (35 of them were ~20 ms of `report`'s). The everyday path's records are NamedTuples or
    # plain classes; a dataclass there is start-up time lost.
    made = probe(tmp_path, _DATACLASSES, "made", *args, "--db", sqlite_ledger)
    assert "__main__.ProbeWorks" in made  # the probe sees a dataclass being made
    assert [name for name in made if name.startswith("pufa_cli.")] == []


def test_log_does_not_load_the_plan_loader(tmp_path: Path, sqlite_ledger: str) -> None:
    modules = imported_by(tmp_path, *EVERYDAY["log"], "--db", sqlite_ledger)
    assert "pufa_cli.tracker" in modules
    assert sorted(m for m in modules if m.startswith("pufa_cli.plan")) == []


def test_the_report_package_names_resolve_on_first_use() -> None:
    code = (
        "import sys, pufa_cli.report as r; "
        "assert 'pufa_cli.report.build' not in sys.modules; "
        "[getattr(r, n) for n in r.__all__]; "
        "from pufa_cli.report.build import build_report; "
        "assert r.build_report is build_report; print(len(r.__all__))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) >= 20


def test_a_command_imports_only_its_own_command_module(tmp_path: Path, sqlite_ledger: str) -> None:
    modules = imported_by(
        tmp_path,
        *("log", "8", "--unit", "區依法治區辦公室", "--percent", "50", "--by", "科員", "-q"),
        *("--db", sqlite_ledger),
    )
    loaded = {m.rsplit(".", 1)[1] for m in modules if m.startswith("pufa_cli.cli.")}
    assert loaded == {"common", "tracking"}


def test_the_command_table_matches_the_modules() -> None:
    from pufa_cli.cli import COMMAND_MODULES, MODULES, registered_names

    registered = {name: module for module in MODULES for name in registered_names(module)}
    missing = {n: m for n, m in registered.items() if COMMAND_MODULES.get(n) != m}
    assert missing == {}, f"add these to COMMAND_MODULES in src/pufa_cli/cli/__init__.py: {missing}"
    assert set(COMMAND_MODULES) == set(registered)


def _eager_command():  # type: ignore[no-untyped-def]
    """The app as Typer would build it all at once: the reference for the lazy group."""
    import importlib

    import typer

    from pufa_cli.cli import MODULES, build_app

    app = build_app()
    app.info.cls = None
    for module in MODULES:
        importlib.import_module(f"pufa_cli.cli.{module}").register(app)
    return typer.main.get_command(app)


def _help(command, args: list[str], capsys: pytest.CaptureFixture[str]) -> str:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    try:
        command.main(args=args, prog_name="pufa", standalone_mode=False)
    except SystemExit:
        pass
    return capsys.readouterr().out


def test_lazy_help_pages_equal_the_eagerly_built_ones(capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    from pufa_cli.cli import COMMAND_MODULES, build_app

    eager = _eager_command()
    pages = [["--help"]]
    for name in COMMAND_MODULES:
        pages.append([name, "--help"])
        sub = eager.commands[name]  # type: ignore[attr-defined]
        for child in getattr(sub, "commands", {}):
            pages.append([name, child, "--help"])
    for args in pages:
        lazy = typer.main.get_command(build_app())
        expected = _help(eager, args, capsys)
        assert expected.startswith("Usage: pufa")
        assert _help(lazy, args, capsys) == expected, args


def test_a_mistyped_command_is_still_answered_with_a_suggestion(pufa) -> None:  # type: ignore[no-untyped-def]
    r = pufa("reprot")
    assert r.code == 2
    assert "reprot" in r.err and "'report'" in r.err
    assert len(r.err.strip().splitlines()) == 1

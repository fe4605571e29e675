"""Shared fixtures. Every test gets its own database and a clean environment.

Backend: SQLite files under tmp_path by default. When ``PUFA_TEST_PG_URL`` is set (``.ci/run``
does), the ``db`` fixture gives each test a fresh PostgreSQL database on that server instead,
so the same suite runs a second time against a real server. Tests that only make sense on
SQLite (WAL, backup API, file permissions) use the ``sqlite_db`` fixture and run on SQLite
in both passes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PLAN_2011 = REPO / "plans" / "2011.yaml"
PG_URL = os.environ.get("PUFA_TEST_PG_URL")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"Result(code={self.code}, out={self.out[-2000:]!r}, err={self.err[-2000:]!r})"


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "PUFA_DB",
        "PUFA_YEAR",
        "PUFA_OFFICE",
        "PUFA_TODAY",
        "PUFA_LANG",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        "PUFA_DEBUG",
        "FORCE_COLOR",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    from pufa_cli import i18n, render

    i18n.set_language("en")
    render.set_quiet(False)


def _pg_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    assert PG_URL
    name = "pufa_t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _db = PG_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = str(tmp_path / "pufa.db")
    monkeypatch.setenv("PUFA_DB", path)
    return path


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The database under test (``PUFA_DB`` points at it): SQLite, or PostgreSQL in CI."""
    if PG_URL:
        gen = _pg_database()
        url = next(gen)
        monkeypatch.setenv("PUFA_DB", url)
        yield url
        try:
            next(gen)
        except StopIteration:
            pass
    else:
        path = str(tmp_path / "pufa.db")
        monkeypatch.setenv("PUFA_DB", path)
        yield path


@pytest.fixture
def pufa(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run pufa in-process, as ``main`` does: ``pufa("tasks", "-f", "json")``."""
    from pufa_cli.main import run

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def loaded(db: str, pufa) -> str:  # type: ignore[no-untyped-def]
    """A database with the bundled 2011 plan loaded."""
    r = pufa("init", "-q")
    assert r.code == 0, r
    return db


def pufa_executable() -> str:
    exe = Path(sys.executable).with_name("pufa")
    if exe.exists():
        return str(exe)
    found = shutil.which("pufa")
    assert found, "the pufa console script is not installed"
    return found


def run_installed(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    input: str | None = None,
) -> Result:
    """Run the installed ``pufa`` executable as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [pufa_executable(), *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
        input=input if input is not None else "",
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def dump_db(url_or_path: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every pufa table, to compare a database before and after a command."""
    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db

    tables = [
        "alembic_version",
        "offices",
        "office_grants",
        "plans",
        "sections",
        "tasks",
        "targets",
        "units",
        "assignments",
        "entries",
        "latest_entries",
        "entry_metrics",
        "retractions",
        "evidence_blobs",
        "entry_evidence",
        "reviews",
        "extensions",
        "reminders",
        "manual_scores",
        "bonuses",
        "notices",
        "unit_events",
        "unit_event_entries",
    ]
    conn = dbmod.connect(resolve_db(url_or_path))
    try:
        return {
            t: sorted(conn.rows(f"SELECT * FROM {t}"), key=repr)
            for t in tables
            if conn.has_table(t)
        }
    finally:
        conn.close()

"""Many clerks at once: concurrent ``pufa log`` on one SQLite file loses nothing and fails
nothing (WAL + busy timeout + BEGIN IMMEDIATE), and ``pufa check`` passes afterwards.

The big run (8 processes × 100 calls) runs each worker as one Python process calling
``pufa_cli.main.run`` 100 times: every call opens its own connection and transaction, exactly
as separate commands do, without paying interpreter start-up 800 times. A smaller run starts
the installed ``pufa`` executable itself (8 × 5 processes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import dump_db, pufa_executable

pytestmark = pytest.mark.slow

WORKERS = 8
CALLS = 100
UNIT = "區依法治區辦公室"

# Waits for the go file so that all workers start writing at the same moment.
WORKER = """
import sys, time
from pathlib import Path
from pufa_cli.main import run
worker, calls, go = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
failures = 0
for i in range(calls):
    task = 1 + (worker * calls + i) % 23
    code = run(["log", str(task), "-u", "UNIT", "-p", str(i % 101), "--assign",
                "--by", f"worker-{worker}", "--note", f"{worker}:{i}", "-q"])
    failures += code != 0
print("failures", failures)
""".replace("UNIT", UNIT)


def _environment(db: str) -> dict[str, str]:
    return {**os.environ, "PUFA_DB": db, "PUFA_TODAY": "2011-12-31", "PYTHONUNBUFFERED": "1"}


def _notes(db: str) -> list[str]:
    return sorted(str(row[5]) for row in dump_db(db)["entries"])


def test_8_processes_x_100_logs_at_once_lose_nothing(sqlite_db, pufa, tmp_path):
    assert pufa("init", "-q").code == 0
    go = tmp_path / "go"
    env = _environment(sqlite_db)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(w), str(CALLS), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WORKERS)
    ]
    go.touch()
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=180)
            results.append((p.returncode, out, err))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for code, out, err in results:
        assert code == 0 and out.splitlines()[-1] == "failures 0", (out[-500:], err)
        assert "locked" not in err and "Error" not in err, err
    expected = sorted(f"{w}:{i}" for w in range(WORKERS) for i in range(CALLS))
    assert _notes(sqlite_db) == expected  # 800 entries, each exactly once
    r = pufa("check")
    assert r.code == 0, r


def test_8_x_5_installed_pufa_processes_at_once(sqlite_db, pufa):
    assert pufa("init", "-q").code == 0
    env = _environment(sqlite_db)
    exe = pufa_executable()

    def worker(w: int) -> list[tuple[int, str]]:
        out = []
        for i in range(5):
            # -q: a red task's lag warning (issue 16) is chatter; errors still show.
            argv = ["log", "19", "-u", UNIT, "-p", str(10 * i), "--assign", "--by", f"p{w}", "-q"]
            proc = subprocess.run(
                [exe, *argv, "--note", f"{w}:{i}"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            out.append((proc.returncode, proc.stderr))
        return out

    with ThreadPoolExecutor(WORKERS) as pool:
        runs = [r for rs in pool.map(worker, range(WORKERS)) for r in rs]
    assert runs == [(0, "")] * (WORKERS * 5)
    assert _notes(sqlite_db) == sorted(f"{w}:{i}" for w in range(WORKERS) for i in range(5))
    r = pufa("check")
    assert r.code == 0, r


def _states(db: Path, pufa, calls: int) -> list[object]:  # type: ignore[no-untyped-def]
    """``pufa tasks`` after each of the WORKER's first ``calls`` logs (worker 0), replayed one
    by one on a database of its own: the only answers a reader may see."""

    def tasks() -> object:
        r = pufa("tasks", "-f", "json", "--as-of", "2011-12-31", "--db", db)
        assert r.code == 0, r
        return json.loads(r.out)

    assert pufa("init", "-q", "--db", db).code == 0
    states = [tasks()]
    for i in range(calls):
        task = 1 + i % 23
        r = pufa(
            *("log", str(task), "-u", UNIT, "-p", str(i % 101), "--assign"),
            *("--by", "worker-0", "--note", f"0:{i}", "-q", "--db", db),
        )
        assert r.code == 0, r
        states.append(tasks())
    return states


def test_readers_are_not_blocked_by_writers(sqlite_db, pufa, tmp_path, monkeypatch):
    """Reports run while a clerk writes: every read answers, and sees a committed state, never
    an older one than the read before it."""
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    states = _states(tmp_path / "replay.db", pufa, 60)
    assert pufa("init", "-q").code == 0
    go = tmp_path / "go"
    go.touch()
    writer = subprocess.Popen(
        [sys.executable, "-c", WORKER, "0", "60", str(go)],
        env=_environment(sqlite_db),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        seen = []
        while not seen or (writer.poll() is None and len(seen) < 200):
            r = pufa("tasks", "-f", "json", "--as-of", "2011-12-31")
            assert r.code == 0, r
            seen.append(json.loads(r.out))
    finally:
        out, _ = writer.communicate(timeout=120)
    assert out.splitlines()[-1] == "failures 0"  # (log prints each entry id first)
    assert len(dump_db(sqlite_db)["entries"]) == 60
    # Each answer is the state after some number of committed logs, and that number never
    # goes back from one read to the next.
    at = [states.index(s) if s in states else -1 for s in seen]
    assert -1 not in at, "a reader saw a state no sequence of commits produces"
    assert at == sorted(at)
    r = pufa("tasks", "-f", "json", "--as-of", "2011-12-31")
    assert json.loads(r.out) == states[-1]


def test_a_command_reads_one_snapshot_while_a_clerk_commits(loaded, pufa, monkeypatch):
    """A read command's statements all see the same commits, on both engines: a report asks
    the plan's shape first and writes its aggregate for it, and must not mix two states (on
    PostgreSQL each statement saw the latest commit before reads were made repeatable-read)."""
    from pufa_cli.cli.common import session

    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    assert pufa("unit", "add", "區司法局", "-q").code == 0
    assert pufa("assign", "19", "區司法局").code == 0
    count = "SELECT count(*) FROM entries"
    with session(loaded) as conn:
        before = conn.scalar(count)
        r = pufa("log", "19", "-u", "區司法局", "-p", "40", "-n", "新建基地")
        assert r.code == 0, r  # committed by its own connection meanwhile
        assert conn.scalar(count) == before
        if conn.dialect == "postgresql":
            assert conn.scalar("SHOW transaction_isolation") == "repeatable read"
            assert conn.scalar("SHOW transaction_read_only") == "on"
    with session(loaded) as conn:
        assert conn.scalar(count) == before + 1
    with session(loaded, write=True) as conn:
        if conn.dialect == "postgresql":  # a write's snapshot is taken after its lock
            assert conn.scalar("SHOW transaction_isolation") == "read committed"

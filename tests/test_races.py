"""Writers racing: 8 processes at once, on SQLite and (in CI) on PostgreSQL.

pufa checks its rules in Python before it writes (one lead per task, one unit per name across
Traditional/Simplified, an import's "already present"); those checks hold only if no other
writer commits between the check and the write. On SQLite ``BEGIN IMMEDIATE`` serialises write
commands; on PostgreSQL transaction-level advisory locks do (per office for a role under
row-level security, the ``writer`` fixture's clerk; the whole city for the owner), and the
schema enforces what it can on both engines. Each test starts its processes at the same
moment (they wait for a "go" file after importing pufa) and counts what was stored.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conftest import Result, dump_db

pytestmark = pytest.mark.slow

# Runs its commands one after the other (each its own connection and transaction, as separate
# commands are) once the go file appears; prints [exit status, stderr] of each as JSON.
WORKER = """
import io, json, sys, time
from pathlib import Path
from pufa_cli.main import run
commands, go = json.loads(sys.argv[1]), Path(sys.argv[2])
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.002)
results = []
real_err = sys.stderr
for args in commands:
    sys.stderr = io.StringIO()
    code = run(args)
    results.append([code, sys.stderr.getvalue()])
sys.stderr = real_err
print(json.dumps(results))
"""

LEAD_UNITS = [
    "區審計局",
    "區教育局",
    "區團委",
    "區司法局",
    "區民政局",
    "區財政局",
    "區衛生局",
    "區文化局",
]


@contextmanager
def gate(db: str, table: str, processes: int) -> Iterator[Callable[[], None]]:
    """On PostgreSQL, hold ``table`` locked until ``processes`` backends wait for a lock, then
    let them all go at once: the window between a check and its write, a few milliseconds,
    then opens for every one of them together (on 2 busy cores, starting together is not
    enough). Without a write lock all of them pass the check; with it they queue."""
    if not db.startswith("postgresql"):
        yield lambda: None
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    holder, watcher = engine.connect(), engine.connect()
    held = holder.begin()
    holder.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))

    def release() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                    "WHERE NOT l.granted AND d.datname = current_database()"
                )
            ).scalar()
            watcher.rollback()
            if waiting is not None and waiting >= processes:
                break
            time.sleep(0.05)
        held.commit()

    try:
        yield release
    finally:
        if held.is_active:
            held.rollback()
        holder.close()
        watcher.close()
        engine.dispose()


def at_once(
    db: str,
    tmp_path: Path,
    commands: list[list[list[str]]],
    *,
    table: str,
    writer: str | None = None,
) -> list[list[Result]]:
    """Run each list of commands in its own process, all starting together (their first
    commands through the gate on ``table``); the results of each process's commands.
    ``writer``: the URL the processes connect with (default ``db``, the owner)."""
    go = tmp_path / f"go-{time.monotonic_ns()}"
    env = {**os.environ, "PUFA_DB": writer or db, "PUFA_TODAY": "2011-12-31", "PUFA_LANG": "en"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(args), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    results = []
    try:
        with gate(db, table, len(procs)) as release:
            time.sleep(0.5)  # let them import pufa and wait
            go.touch()
            release()
        for p in procs:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
            results.append(
                [Result(code, "", text) for code, text in json.loads(out.splitlines()[-1])]
            )
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    return results


def ok(pufa: Any, *args: str) -> Result:
    r = pufa(*args)
    assert r.code == 0, r
    return r


ROUNDS = 4  # races per test: a race lost once in a few tries must still show


@pytest.fixture(params=["owner", "clerk"])
def writer(request: pytest.FixtureRequest, loaded: str, pufa) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Who races: the database's owner, or (PostgreSQL) a clerk of the office, a role bound by
    row-level security (``pufa db grant``), whose writes take the office's lock, not the
    whole city's: the races below must be lost the same way under it."""
    if request.param == "owner":
        yield loaded
        return
    if not loaded.startswith("postgresql"):
        pytest.skip("database roles are PostgreSQL's")
    from test_offices_rls import _as, _sql

    role = f"pufa_r_{uuid.uuid4().hex[:8]}"
    try:
        assert pufa("db", "grant", "本辦", "--role", role, "-q").code == 0
        yield _as(loaded, role)
    finally:
        if _sql(loaded, "SELECT 1 FROM pg_roles WHERE rolname = :r", {"r": role}):
            _sql(loaded, f'DROP OWNED BY "{role}"')
            _sql(loaded, f'DROP ROLE "{role}"')


def test_8_clerks_naming_8_different_leads_at_once_leave_one_lead(loaded, writer, pufa, tmp_path):
    for name in LEAD_UNITS:
        ok(pufa, "unit", "add", name, "-q")
    tasks = [str(t) for t in range(1, 1 + ROUNDS)]
    lead_before = _leads(loaded)  # unassign the leads the plan names: every clerk may try
    for task in tasks:
        if task in lead_before:
            ok(pufa, "unassign", task, lead_before[task], "-q")
    results = at_once(
        loaded,
        tmp_path,
        [[["assign", task, name, "--lead", name, "-q"] for task in tasks] for name in LEAD_UNITS],
        table="assignments",
        writer=writer,
    )
    for i, task in enumerate(tasks):
        round_ = [worker[i] for worker in results]
        # `assign N U --lead U` changes the lead in place (the old lead stays as supporting):
        # serialised, every clerk's command succeeds and the last one's unit leads.
        assert all(r.code == 0 for r in round_), (task, round_)
    assignments = dump_db(loaded)["assignments"]
    leads = [a for a in assignments if a[3] == "lead"]
    ids = _task_ids(loaded)
    for task in tasks:
        assert sum(a[1] == ids[task] for a in leads) == 1, task  # never two leads
        assert sum(a[1] == ids[task] for a in assignments) == len(LEAD_UNITS), task


def _task_ids(db: str) -> dict[str, int]:
    return {str(row[3]): int(row[0]) for row in dump_db(db)["tasks"]}


def _leads(db: str) -> dict[str, str]:
    """task number → name of its lead unit."""
    data = dump_db(db)
    numbers = {int(row[0]): str(row[3]) for row in data["tasks"]}
    names = {int(row[0]): str(row[1]) for row in data["units"]}
    return {numbers[a[1]]: names[a[2]] for a in data["assignments"] if a[3] == "lead"}


def test_one_unit_added_in_both_scripts_at_once_is_registered_once(loaded, writer, pufa, tmp_path):
    before = len(dump_db(loaded)["units"])
    pairs = [
        ("區審計局", "区审计局"),
        ("區教育局", "区教育局"),
        ("區財政局", "区财政局"),
        ("區衛生局", "区卫生局"),
    ]
    results = at_once(
        loaded,
        tmp_path,
        [[["unit", "add", pair[w % 2], "-q"] for pair in pairs] for w in range(8)],
        table="units",
        writer=writer,
    )
    for i in range(len(pairs)):
        round_ = [worker[i] for worker in results]
        assert sum(r.code == 0 for r in round_) == 1, round_
        for r in round_:
            assert r.code == 0 or (r.code == 2 and "already exists" in r.err), r
    assert len(dump_db(loaded)["units"]) == before + len(pairs)


IMPORT_HEADER = [
    "year",
    "task",
    "unit",
    "date",
    "percent",
    "metrics",
    "note",
    "by",
    "recorded_at",
    "retracted",
    "retracted_at",
    "retracted_by",
    "retraction_reason",
]
OFFICE = "區依法治區辦公室"


RECORDED = "2011-06-30T09:00:00"  # the imported rows' recorded_at: tells them from a clerk's


def _row(i: int) -> tuple[str, int, str]:
    """Date, percent and note of row ``i`` of the import file."""
    return f"2011-{1 + i % 12:02d}-{1 + i % 28:02d}", i % 101, f"匯入{i}"


def _import_file(path: Path, n: int) -> Path:
    """``n`` rows for task 8 by 區依法治區辦公室 (assigned by init), every 5th one retracted."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(IMPORT_HEADER)
        for i in range(n):
            day, percent, note = _row(i)
            row: list[Any] = [2011, 8, OFFICE, day, percent, "", note, "匯入員", RECORDED]
            row += (
                ["true", "2011-12-20T10:00:00", "李", "重複"]
                if i % 5 == 0
                else ["false"] + [""] * 3
            )
            out.writerow(row)
    return path


def test_4_imports_of_one_3000_row_file_at_once_store_3000_entries(loaded, pufa, tmp_path):
    before = len(dump_db(loaded)["entries"])
    source = _import_file(tmp_path / "進展.csv", 3000)
    results = at_once(loaded, tmp_path, [[["import", str(source), "-q"]]] * 4, table="entries")
    assert [r[0].code for r in results] == [0, 0, 0, 0], results
    data = dump_db(loaded)
    assert len(data["entries"]) == before + 3000
    assert len(data["retractions"]) == 600  # every 5th of 3,000


def test_an_import_beside_clerks_logging_retracts_only_its_own_rows(loaded, writer, pufa, tmp_path):
    """7 clerks log, meanwhile, entries just like 7 rows the file retracts (same content,
    hence the same key). Whichever goes first, the file's retraction lands on the import's own
    row, or (the clerk's entry being there first) on the entry the file recognises as its row;
    never on a clerk's entry beside an imported row left counting."""
    source = _import_file(tmp_path / "進展.csv", 1000)
    clerks = []
    for i in range(0, 35, 5):
        day, percent, note = _row(i)
        clerks.append(
            [["log", "8", "--unit", OFFICE, "-p", str(percent), "--date", day, "--note", note]]
        )
    for command in clerks:
        command[0] += ["--by", "匯入員", "-q"]
    results = at_once(
        loaded,
        tmp_path,
        [[["import", str(source), "-q"]], *clerks],
        table="entries",
        writer=writer,
    )
    assert [r[0].code for r in results] == [0] * 8, results
    data = dump_db(loaded)
    retracted = {r[0] for r in data["retractions"]}
    assert len(retracted) == 200  # every 5th of 1,000
    mine = [e for e in data["entries"] if str(e[7]).replace(" ", "T").startswith(RECORDED)]
    # Every row the import itself wrote and its file retracts is retracted, no other.
    assert sorted(int(e[5][2:]) for e in mine if e[0] in retracted) == sorted(
        int(e[5][2:]) for e in mine if int(e[5][2:]) % 5 == 0
    )
    assert len(data["entries"]) - len(mine) == 7  # the clerks' entries

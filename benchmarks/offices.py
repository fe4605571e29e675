"""A city on PostgreSQL (issue 18.5): build the benchmark database and time the commands.

    python benchmarks/offices.py --url postgresql+psycopg://pufa@127.0.0.1:55432/postgres \\
        --offices 100 --tasks 60 --units 20 --months 12 --runs 5 --clerks 50 --logs 20

builds ``pufa_bench_offices`` on that server (dropped and made again): a city office with
``--offices`` districts below it; each district has a plan of ``--tasks`` tasks (the first ten
carry the city plan's ten tasks), ``--units`` units each assigned to every task (one lead), and
one entry a month per assignment for ``--months`` months of 2023 (100 × 60 × 20 × 12 = 1.44 M
entries). Rows go in with COPY; the schema comes from pufa's own migrations, the grants from
``pufa db grant`` (one role per district, so every district command runs under row-level
security).

Then, as whole processes of the installed ``pufa``, medians of ``--runs`` runs after one warm-up,
the runs of every command interleaved with the floor (``python -c "import sqlite3"``, the
interpreter's own start-up, measured in the same rounds): a district clerk's ``report --quarter
4`` (its own role), the city's ``report --by office --quarter 4`` (the owner); and ``--clerks``
processes at once, each logging ``--logs`` entries in its own district with its own role:
entries lost (expected − counted), the slowest log as a whole process, and the longest any log
waited for the write lock (``pg_locks`` is not needed: each clerk's ``pufa log`` runs in a
Python process that times the lock itself). Prints a markdown table for docs/performance.md.
``--reuse`` keeps a database and roles built before (``--keep`` leaves them for it); otherwise
roles are dropped at the end. ``--dbname`` names the database (a copy made with ``CREATE
DATABASE … TEMPLATE pufa_bench_offices`` keeps the roles' grants, so it can be measured at a
newer schema, ``db upgrade`` running its migrations, while the original stays as it was). The
load average (``os.getloadavg``) is printed before and after.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

DBNAME = "pufa_bench_offices"


def pufa_exe() -> str:
    exe = Path(sys.executable).with_name("pufa")
    return str(exe)


def _copy(cur, table: str, cols: str, rows) -> None:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    for r in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in r) + "\n")
    buf.seek(0)
    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
        while chunk := buf.read(1 << 20):
            cp.write(chunk)


def build(url: str, offices: int, tasks: int, units: int, months: int) -> str:
    import psycopg

    from pufa_cli import store as dbmod
    from pufa_cli.config import DbTarget

    admin = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{DBNAME}"')
    base = url.rsplit("/", 1)[0]
    target_url = f"{base}/{DBNAME}"
    dbmod.prepare(DbTarget(path=None, url=target_url, default=False))
    now = datetime(2023, 1, 1)
    with psycopg.connect(target_url.replace("postgresql+psycopg://", "postgresql://")) as c:
        cur = c.cursor()
        cur.execute("UPDATE offices SET name = '某市依法治市辦', match_key = '某市依法治市辦'")
        _copy(
            cur,
            "offices",
            "id, name, match_key, parent_id, is_default, created_at",
            [(1 + d, f"第{d}區", f"第{d}區", 1, 0, now) for d in range(1, offices + 1)],
        )
        # Plans: 1 the city's (10 tasks), then one a district.
        plan_rows = [(1, 1, "2023-city", 2023, "某市2023年普法工作要點", now, "", "", "Hant")]
        plan_rows += [
            (1 + d, 1 + d, f"2023-d{d}", 2023, f"第{d}區2023年普法工作要點", now, "", "", "Hant")
            for d in range(1, offices + 1)
        ]
        _copy(
            cur,
            "plans",
            "id, office_id, code, year, title, loaded_at, preamble, source, script",
            plan_rows,
        )
        _copy(
            cur,
            "sections",
            "id, plan_id, number, title",
            [(p[0], p[0], 1, "一、重點工作") for p in plan_rows],
        )
        task_rows, unit_rows, assign_rows, entry_rows = [], [], [], []
        tid = uid = aid = eid = 0
        for t in range(1, 11):
            tid += 1
            task_rows.append(
                (tid, 1, 1, t, f"市任務{t}", "", "12月31日", date(2023, 12, 31), "[]", 1, None)
            )
        for d in range(1, offices + 1):
            plan = 1 + d
            first_task = tid + 1
            for t in range(1, tasks + 1):
                tid += 1
                carries = f"2023-city#{t}" if t <= 10 else None
                task_rows.append(
                    (
                        tid,
                        plan,
                        plan,
                        t,
                        f"任務{t}",
                        "",
                        "12月31日",
                        date(2023, 12, 31),
                        "[]",
                        1,
                        carries,
                    )
                )
            first_unit = uid + 1
            for u in range(1, units + 1):
                uid += 1
                unit_rows.append((uid, 1 + d, f"單位{u}", f"單位{u}", now))
            for t in range(first_task, tid + 1):
                for u in range(first_unit, uid + 1):
                    aid += 1
                    assign_rows.append((aid, t, u, "lead" if u == first_unit else "support", now))
                    for m in range(1, months + 1):
                        eid += 1
                        pct = min(100, m * 9 + (t + u) % 7)
                        entry_rows.append(
                            (eid, t, u, date(2023, m, 15), pct, "", "bench", now, f"b{eid}")
                        )
        _copy(
            cur,
            "tasks",
            "id, plan_id, section_id, number, title, text, due_word, due_date, "
            "checks, in_plan, carries",
            task_rows,
        )
        _copy(cur, "units", "id, office_id, name, match_key, created_at", unit_rows)
        _copy(cur, "assignments", "id, task_id, unit_id, role, created_at", assign_rows)
        _copy(
            cur,
            "entries",
            "id, task_id, unit_id, entry_date, percent, note, recorded_by, created_at, key",
            entry_rows,
        )
        for table in ("offices", "plans", "sections", "tasks", "units", "assignments", "entries"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        c.commit()
        c.autocommit = True
        c.execute("VACUUM ANALYZE")
    print(
        f"built: {offices} offices, {len(task_rows)} tasks, {len(assign_rows)} assignments, "
        f"{len(entry_rows)} entries",
        file=sys.stderr,
    )
    return target_url


def run(args: list[str], env: dict[str, str], exe: list[str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run([*(exe or [pufa_exe()]), *args], env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"pufa {' '.join(args)} failed: {proc.stderr.strip()}")
    return took


FLOOR = [sys.executable, "-c", "import sqlite3"]


def interleaved_ms(
    commands: list[tuple[str, list[str], dict[str, str], list[str] | None]], runs: int
) -> list[tuple[str, float]]:
    """Median ms of each command, one warm-up each, then ``runs`` rounds of all of them."""
    for _name, args, env, exe in commands:
        run(args, env, exe)
    times: dict[str, list[float]] = {name: [] for name, *_rest in commands}
    for _ in range(runs):
        for name, args, env, exe in commands:
            times[name].append(run(args, env, exe))
    return [(name, statistics.median(ts) * 1000) for name, ts in times.items()]


# A clerk: pufa log N times in one Python process, timing each whole command and the wait for
# the write lock (PgConnection.take_write_lock), so the start-up of 50 processes sharing the
# cores is not mistaken for waiting.
CLERK = """
import json, sys, time
from pufa_cli.main import run
from pufa_cli.store import postgres
waits = []
real = postgres.PgConnection.take_write_lock
def timed(self):
    t = time.perf_counter()
    real(self)
    waits.append(time.perf_counter() - t)
postgres.PgConnection.take_write_lock = timed
args, n = json.loads(sys.argv[1]), int(sys.argv[2])
took, codes = [], []
for i in range(n):
    t = time.perf_counter()
    codes.append(run([a.replace("{i}", str(i)) for a in args]))
    took.append(time.perf_counter() - t)
print(json.dumps({"took": took, "waits": waits, "codes": codes}))
"""


def as_role(url: str, role: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{role}@{rest.partition('@')[2]}"


def _exists(url: str) -> bool:
    import psycopg

    admin = url.replace("postgresql+psycopg://", "postgresql://")
    base = admin.rsplit("/", 1)[0]
    try:
        with psycopg.connect(f"{base}/{DBNAME}") as c:
            return bool(c.execute("SELECT count(*) FROM entries").fetchone()[0])  # type: ignore[index]
    except psycopg.Error:
        return False


def clerks_at_once(
    url: str, env: dict[str, str], roles: dict[int, str], clerks: int, logs: int, tasks: int
) -> tuple[int, list[float], list[float], int]:
    """``clerks`` processes at once, each its own district role logging ``logs`` entries:
    (entries lost, every log's time, every wait for the write lock, failed logs)."""
    import json

    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as c:
        before = c.execute("SELECT count(*) FROM entries").fetchone()[0]  # type: ignore[index]
    procs = []
    run_tag = datetime.now().strftime("%Y%m%d%H%M%S")  # a --reuse run's logs are new entries
    for d in range(1, clerks + 1):
        args = [
            "log", f"{1 + d % tasks}", "--unit", "單位1", "--percent", "100",
            "--date", "2023-12-20", "--note", f"clerk {d} log {{i}} ({run_tag})", "-q",
        ]  # fmt: skip
        e = dict(env, PUFA_DB=as_role(url, roles[d]))
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", CLERK, json.dumps(args), str(logs)],
                env=e,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    took: list[float] = []
    waits: list[float] = []
    failed = 0
    for proc in procs:
        out, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise SystemExit(f"a clerk failed: {err.strip()[-500:]}")
        data = json.loads(out.strip().splitlines()[-1])
        took += data["took"]
        waits += data["waits"]
        failed += sum(1 for c in data["codes"] if c != 0)
    with psycopg.connect(plain) as c:
        after = c.execute("SELECT count(*) FROM entries").fetchone()[0]  # type: ignore[index]
    return clerks * logs - (after - before), took, waits, failed


def main() -> None:
    global DBNAME
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True, help="an admin URL on the server (any database)")
    ap.add_argument("--offices", type=int, default=100)
    ap.add_argument("--tasks", type=int, default=60)
    ap.add_argument("--units", type=int, default=20)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--clerks", type=int, default=50)
    ap.add_argument("--logs", type=int, default=20)
    ap.add_argument("--reuse", action="store_true", help="use the database built before")
    ap.add_argument("--keep", action="store_true", help="keep the roles for --reuse")
    ap.add_argument("--dbname", default=DBNAME, help="the benchmark database's name")
    ns = ap.parse_args()
    DBNAME = ns.dbname
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    started = time.perf_counter()
    base = ns.url.rsplit("/", 1)[0]
    reuse = ns.reuse and _exists(ns.url)
    url = f"{base}/{DBNAME}" if reuse else build(ns.url, ns.offices, ns.tasks, ns.units, ns.months)
    built = time.perf_counter() - started
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUFA_")}
    env["PUFA_DB"] = url
    roles = {d: f"bench_offices_d{d}" for d in range(1, ns.offices + 1)}
    try:
        if not reuse:
            for d, role in roles.items():
                run(["db", "grant", f"第{d}區", "--role", role, "-q"], env)
        else:
            run(["db", "upgrade", "-q"], env)
        district = dict(env, PUFA_DB=as_role(url, roles[1]))
        rows = interleaved_ms(
            [
                ("floor: python -c 'import sqlite3'", [], env, FLOOR),
                ("pufa --version", ["--version"], env, None),
                (
                    "district report --quarter 4 (its own role, RLS)",
                    ["report", "--quarter", "4"],
                    district,
                    None,
                ),
                (
                    "district report --quarter 4 (owner, --office)",
                    ["--office", "第1區", "report", "--quarter", "4"],
                    env,
                    None,
                ),
                (
                    "city report --by office --quarter 4 (owner)",
                    ["report", "--by", "office", "--quarter", "4"],
                    env,
                    None,
                ),
            ],
            ns.runs,
        )
        clerks = min(ns.clerks, ns.offices)
        lost, took, waits, failed = (0, [0.0], [0.0], 0)
        if clerks:
            lost, took, waits, failed = clerks_at_once(url, env, roles, clerks, ns.logs, ns.tasks)
    finally:
        if not ns.keep:
            import psycopg

            plain = url.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(plain, autocommit=True) as c:
                for role in roles.values():
                    c.execute(f'DROP OWNED BY "{role}"')
            admin = ns.url.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(admin, autocommit=True) as c:
                for role in roles.values():
                    c.execute(f'DROP ROLE IF EXISTS "{role}"')
    entries = ns.offices * ns.tasks * ns.units * ns.months
    print(
        f"Scale: {ns.offices} offices × {ns.tasks} tasks × {ns.units} units × {ns.months} "
        f"entries = {entries:,} entries ({'reused' if reuse else f'built in {built:.0f} s'}); "
        f"medians of {ns.runs} interleaved runs.\n"
    )
    print("| command | median ms |\n|---|---:|")
    for name, ms in rows:
        print(f"| {name} | {ms:.0f} |")
    if clerks:
        print(f"| {clerks} clerks × {ns.logs} logs at once: slowest log | {max(took) * 1000:.0f} |")
        print(f"| … median log | {statistics.median(took) * 1000:.0f} |")
        print(f"| … longest wait for the write lock | {max(waits) * 1000:.0f} |")
        print(f"\nEntries lost: {lost}; logs refused: {failed}.")
    print(f"\nLoad average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.")


if __name__ == "__main__":
    main()

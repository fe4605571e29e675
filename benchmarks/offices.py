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

Then, as whole processes of the installed ``pufa``, medians of ``--runs`` runs after one warm-up:
a district clerk's ``report --quarter 4`` (its own role), the city's ``report --by office
--quarter 4`` (the owner); and ``--clerks`` processes at once, each logging ``--logs`` entries
in its own district with its own role: entries lost (expected − counted) and the slowest log.
Prints a markdown table for docs/performance.md. Roles are dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
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


def run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([pufa_exe(), *args], env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"pufa {' '.join(args)} failed: {proc.stderr.strip()}")
    return took


def median_ms(args: list[str], env: dict[str, str], runs: int) -> float:
    run(args, env)
    return statistics.median(run(args, env) for _ in range(runs)) * 1000


def as_role(url: str, role: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{role}@{rest.partition('@')[2]}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True, help="an admin URL on the server (any database)")
    ap.add_argument("--offices", type=int, default=100)
    ap.add_argument("--tasks", type=int, default=60)
    ap.add_argument("--units", type=int, default=20)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--clerks", type=int, default=50)
    ap.add_argument("--logs", type=int, default=20)
    ns = ap.parse_args()
    started = time.perf_counter()
    url = build(ns.url, ns.offices, ns.tasks, ns.units, ns.months)
    built = time.perf_counter() - started
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUFA_")}
    env["PUFA_DB"] = url
    tag = f"bench{os.getpid()}"
    roles = {d: f"{tag}_d{d}" for d in range(1, ns.offices + 1)}
    try:
        for d, role in roles.items():
            run(["db", "grant", f"第{d}區", "--role", role, "-q"], env)
        district = dict(env, PUFA_DB=as_role(url, roles[1]))
        rows = [
            (
                "floor: db current (start-up, SQLAlchemy, connect)",
                median_ms(["db", "current"], env, ns.runs),
            ),
            (
                "district report --quarter 4 (its own role, RLS)",
                median_ms(["report", "--quarter", "4"], district, ns.runs),
            ),
            (
                "district report --quarter 4 (owner, --office)",
                median_ms(["--office", "第1區", "report", "--quarter", "4"], env, ns.runs),
            ),
            (
                "city report --by office --quarter 4 (owner)",
                median_ms(["report", "--by", "office", "--quarter", "4"], env, ns.runs),
            ),
        ]
        clerks = min(ns.clerks, ns.offices)

        def clerk(d: int) -> list[float]:
            e = dict(env, PUFA_DB=as_role(url, roles[d]))
            return [
                run(
                    [
                        "log",
                        str(1 + i % ns.tasks),
                        "--unit",
                        "單位1",
                        "--percent",
                        "100",
                        "--date",
                        "2023-12-20",
                        "--note",
                        f"clerk {d} log {i}",
                        "-q",
                    ],
                    e,
                )
                for i in range(ns.logs)
            ]

        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain) as c:
            before = c.execute("SELECT count(*) FROM entries").fetchone()[0]  # type: ignore[index]
        with ThreadPoolExecutor(max_workers=clerks) as pool:
            times = [t for ts in pool.map(clerk, range(1, clerks + 1)) for t in ts]
        with psycopg.connect(plain) as c:
            after = c.execute("SELECT count(*) FROM entries").fetchone()[0]  # type: ignore[index]
        lost = clerks * ns.logs - (after - before)
    finally:
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
        f"entries = {entries:,} entries (built in {built:.0f} s); medians of {ns.runs} runs.\n"
    )
    print("| command | median ms |\n|---|---:|")
    for name, ms in rows:
        print(f"| {name} | {ms:.0f} |")
    print(f"| {clerks} clerks × {ns.logs} logs at once: slowest log | {max(times) * 1000:.0f} |")
    print(f"| … median log | {statistics.median(times) * 1000:.0f} |")
    print(f"\nEntries lost: {lost}.")


if __name__ == "__main__":
    main()

"""`pufa tasks` before and after a change, and `task list`, interleaved in the same rounds.

    git archive <commit> src | tar -x -C /tmp/before      # the code before, as files
    python benchmarks/before_after.py 10k --rounds 5 --before /tmp/before/src

Each round runs every command once as a whole process (the worktree's code, the code under
``--before`` through PYTHONPATH, Taskwarrior on the data folder ``run.py`` left in
out/run/<size>-taskwarrior); after one warm-up round it prints each command's median wall and
CPU time (user + system, from ``os.wait4``) and its peak resident set. Drift in the machine's
load affects every command alike, so the before/after ratio holds better than two separate
``run.py`` runs; the load average is printed with the results. The database is out/<size>.db
(``generate.py``), read only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    started = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        p = subprocess.Popen(argv, env=env, stdout=devnull, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        raise SystemExit(f"failed: {' '.join(argv)}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("size", help="1k, 10k or 100k")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", metavar="SRC", help="the src/ folder of the code before")
    args = parser.parse_args()
    db = str(OUT / f"{args.size}.db")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "PYTHONDONTWRITEBYTECODE")}
    listing = [sys.executable, "-m", "pufa_cli", "tasks", "--year", "2011", "--as-of"]
    listing += ["2011-12-31", "--db", db]
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "floor": ([sys.executable, "-c", "import sqlite3"], env)
    }
    sides = [("after", env)]
    if args.before:
        sides.insert(0, ("before", {**env, "PYTHONPATH": args.before}))
    for columns in (None, "80"):  # piped: as wide as the data; COLUMNS=80
        for side, side_env in sides:
            cmd_env = {**side_env, "COLUMNS": columns} if columns else side_env
            commands[f"{side}: tasks, {columns or 'piped'}"] = (listing, cmd_env)
    for side, side_env in sides:
        commands[f"{side}: tasks -f json"] = ([*listing, "-f", "json"], side_env)
    folder = OUT / "run" / f"{args.size}-taskwarrior"
    task = shutil.which("task")
    if task and folder.exists():
        tw_env = {**env, "TASKRC": str(folder / "taskrc"), "TASKDATA": str(folder / "data")}
        commands["task list"] = ([task, "list"], tw_env)
    samples: dict[str, list[tuple[float, float, int]]] = {k: [] for k in commands}
    for argv, cmd_env in commands.values():
        run(argv, cmd_env)  # warm the page cache (and, before, write its bytecode)
    for n in range(args.rounds):
        for name, (argv, cmd_env) in commands.items():
            samples[name].append(run(argv, cmd_env))
        print(f"round {n + 1}: load {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
    print(f"{args.size}, {args.rounds} rounds; load average at the end {os.getloadavg()}")
    print("| command | wall | CPU | peak |\n|---|---:|---:|---:|")
    for name, got in samples.items():
        wall = statistics.median(s[0] for s in got) * 1000
        cpu = statistics.median(s[1] for s in got) * 1000
        peak = max(s[2] for s in got) / 1024
        print(f"| {name} | {wall:.0f} ms | {cpu:.0f} ms | {peak:.0f} MiB |")


if __name__ == "__main__":
    main()

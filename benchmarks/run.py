"""Time pufa's commands as whole processes on generated databases, against floors measured in
the same run, and print a markdown table for docs/performance.md.

    python benchmarks/run.py                          # every size, 7 runs each
    python benchmarks/run.py --sizes small,medium --runs 5   # a quick run
    python benchmarks/run.py --sizes 1k,10k,100k --runs 3 --slow-runs 1   # a city's scale

Sizes: ``small``, ``medium``, ``large`` (see generate.py) and ``import`` (a 100,000-entry csv,
exported from the ``import`` database, imported into a fresh copy of ``import-base``; then the
report on the result); the city sizes ``1k``, ``10k``, ``100k`` (issue 19: one plan of that
many tasks; loading it from its plan file and csv, lists, one task, the report, a log) side by
side with Taskwarrior where ``task`` is installed (``bench_city``). Databases are generated on
first use and cached in benchmarks/out/.

Every command runs as its own process (the installed ``pufa`` script of this interpreter),
once to warm the page cache and then ``--runs`` times; the table shows medians. Floors:

* start-up: ``python -c "import sqlite3"`` with the same interpreter, interleaved with the
  commands so drift in the machine affects both alike;
* the report's query: the same aggregate ("latest percent per task and unit as of a date,
  averaged by section", retracted entries excluded) written directly against ``sqlite3``,
  timed in this process, against every SQL statement ``pufa report`` runs after opening the
  database (recorded with a trace callback, replayed with their parameters inlined); both on a
  fresh connection that has read the schema, all rows fetched.

Peak memory is the maximum resident set of the warm-up run, measured by ``/usr/bin/time``
(``%M``); CPU is the user + system time of each timed run (``os.wait4``). Every command works
on a copy of the cached database, so ``log`` and ``import`` never change the cache.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

YEAR = generate.LAST_YEAR
AS_OF = f"{YEAR}-12-31"
RUN_DIR = generate.OUT / "run"
TIME = "/usr/bin/time"
# A command whose warm-up run takes longer than this runs --slow-runs times, not --runs.
SLOW_SECONDS = 10.0

RAW_REPORT_SQL = """
WITH latest AS (
  SELECT t.section_id, a.task_id,
    COALESCE((SELECT e.percent FROM entries e
              WHERE e.task_id = a.task_id AND e.unit_id = a.unit_id AND e.entry_date <= :as_of
                AND NOT EXISTS (SELECT 1 FROM retractions r WHERE r.entry_id = e.id)
              ORDER BY e.entry_date DESC, e.id DESC LIMIT 1), 0) AS pct
  FROM assignments a JOIN tasks t ON t.id = a.task_id
  WHERE t.plan_id = :plan AND t.in_plan = 1),
per_task AS (SELECT section_id, task_id, AVG(pct) AS pct FROM latest GROUP BY section_id, task_id)
SELECT s.number, s.title, COUNT(*), AVG(p.pct)
FROM per_task p JOIN sections s ON s.id = p.section_id
GROUP BY s.id, s.number, s.title ORDER BY s.number
"""


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)
    parts: list[list[float]] = field(default_factory=list)  # each run's steps, seconds

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu) * 1000

    @property
    def peak_mib(self) -> float:
        return max(self.peak_kib) / 1024 if self.peak_kib else 0.0


@dataclass
class Command:
    """What one timed run is: one process, or several run one after another (``pufa init`` then
    ``pufa import``: their times and CPU added, the highest peak memory kept)."""

    steps: list[list[str]]
    before: Callable[[], None] | None = None  # run before each run, untimed (a fresh copy …)
    env: dict[str, str] | None = None  # else pufa's environment
    stdout: Path | None = None  # the output goes to this file (else /dev/null)
    refusal_ok: bool = False  # a failing step is a result (a refusal, timed): later steps skip

    @classmethod
    def of(cls, argv: Sequence[str], **kwargs: Any) -> Command:
        return cls([list(argv)], **kwargs)


@dataclass
class Row:
    what: str
    size: str
    target: str
    median_ms: float | None = None
    floor_ms: float | None = None
    peak_mib: float | None = None
    cpu_ms: float | None = None
    note: str = ""
    # Met when median / floor <= ratio_limit and every (measured, limit) pair is within limit.
    ratio_limit: float | None = None
    checks: list[tuple[float, float]] = field(default_factory=list)
    # The comparison (issue 19) the row belongs to, and whose side it is: "pufa" or "task".
    pair: str = ""
    side: str = ""

    @property
    def ratio(self) -> float | None:
        if self.median_ms is None or not self.floor_ms:
            return None
        return self.median_ms / self.floor_ms

    def measured(
        self, sample: Sample | None, floor: Sample | None = None, ratio_limit: float | None = None
    ) -> Row:
        """The row with ``sample``'s figures (none when it was not measured), its ratio to
        ``floor`` judged against ``ratio_limit``."""
        if sample is not None:
            self.median_ms, self.cpu_ms, self.peak_mib = (
                sample.median_ms,
                sample.cpu_ms,
                sample.peak_mib,
            )
            if floor is not None:
                self.floor_ms = floor.median_ms
            self.ratio_limit = ratio_limit
        return self

    @property
    def verdict(self) -> str:
        if self.median_ms is None:
            return "—"
        checks = list(self.checks)
        if self.ratio_limit is not None and self.ratio is not None:
            checks.append((self.ratio, self.ratio_limit))
        if not checks:
            return ""
        return "yes" if all(v <= limit for v, limit in checks) else "**no**"


class Bench:
    def __init__(self, runs: int, verbose: bool, slow_runs: int | None = None) -> None:
        self.runs = runs
        self.slow_runs = runs if slow_runs is None else slow_runs
        self.verbose = verbose
        self.python = sys.executable
        self.pufa = _pufa_script()
        self.floor = Sample()
        self.env = dict(os.environ)
        for var in (
            "PUFA_DB",
            "PUFA_YEAR",
            "PUFA_LANG",
            "LC_ALL",
            "LC_MESSAGES",
            "FORCE_COLOR",
            "PYTHONDONTWRITEBYTECODE",
        ):
            self.env.pop(var, None)
        self.env.update({"PUFA_TODAY": AS_OF, "NO_COLOR": "1", "COLUMNS": "120", "LANG": "C.UTF-8"})
        # pufa's own environment (--pythonpath changes it; the floor keeps self.env).
        self.pufa_env = dict(self.env)

    def say(self, text: str) -> None:
        if self.verbose:
            print(text, file=sys.stderr, flush=True)

    def once(
        self,
        argv: Sequence[str],
        *,
        stdout: int | None = subprocess.DEVNULL,
        env: dict[str, str] | None = None,
    ) -> tuple[float, int, int, str, float]:
        """(seconds, exit status, peak KiB, stderr, CPU seconds) of one whole process."""
        with tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=stdout, stderr=err, env=env or self.pufa_env)
            _pid, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            message = err.read().decode("utf-8", "replace").strip()
        cpu = usage.ru_utime + usage.ru_stime
        return elapsed, proc.returncode, int(usage.ru_maxrss), message, cpu

    def floor_once(self) -> None:
        elapsed, code, peak, _, cpu = self.once([self.python, "-c", "import sqlite3"], env=self.env)
        assert code == 0
        self.floor.seconds.append(elapsed)
        self.floor.cpu.append(cpu)
        self.floor.peak_kib.append(peak)

    def measure(
        self, argv: Sequence[str], *, before: Callable[[], None] | None = None
    ) -> tuple[Sample | None, str]:
        """``measure_all`` of one command of one process."""
        return self.measure_all([Command.of(argv, before=before)])[0]

    def measure_all(self, commands: Sequence[Command]) -> list[tuple[Sample | None, str]]:
        """Time ``commands`` interleaved: a warm-up run of each that also measures peak memory,
        then ``runs`` rounds in which each runs once, each run followed by a run of the start-up
        floor. A command whose warm-up took over SLOW_SECONDS runs ``slow_runs`` times only.
        (sample or None, note) per command; None when it failed (other than a refusal)."""
        samples = [Sample() for _ in commands]
        notes = ["" for _ in commands]
        runs = [self.runs for _ in commands]
        live = [True for _ in commands]
        for k, cmd in enumerate(commands):
            elapsed, _cpu, peak, failure, _parts = self.run_command(cmd, peak=True)
            samples[k].peak_kib.append(peak)
            if failure:
                notes[k] = failure if not cmd.refusal_ok else f"refused: {failure}"
                live[k] = cmd.refusal_ok
            if elapsed > SLOW_SECONDS:
                runs[k] = min(self.runs, self.slow_runs)
        for i in range(max(runs, default=0)):
            for k, cmd in enumerate(commands):
                if not live[k] or i >= runs[k]:
                    continue
                elapsed, cpu, _peak, failure, parts = self.run_command(cmd)
                if failure and not cmd.refusal_ok:
                    live[k], notes[k] = False, failure
                    samples[k].seconds.clear()
                    continue
                self.floor_once()
                samples[k].seconds.append(elapsed)
                samples[k].cpu.append(cpu)
                samples[k].parts.append(parts)
        results: list[tuple[Sample | None, str]] = []
        for cmd, sample, note, n in zip(commands, samples, notes, runs, strict=True):
            if not sample.seconds:
                results.append((None, note))
                continue
            if len(cmd.steps) > 1:  # the median of each step that ran
                split = " + ".join(
                    f"{step[1]} {_ms(statistics.median(p[j] for p in sample.parts) * 1000)}"
                    for j, step in enumerate(cmd.steps)
                    if all(len(p) > j for p in sample.parts)
                )
                note = f"{split}; {note}" if note else split
            if n < self.runs:
                runs_note = f"{n} run{'s' if n > 1 else ''}"
                note = f"{runs_note}; {note}" if note else runs_note
            what = " + ".join(
                " ".join(Path(a).name if j == 0 else a for j, a in enumerate(step))
                for step in cmd.steps
            )
            self.say(
                f"  {what}: {sample.median_ms:.1f} ms (CPU {sample.cpu_ms:.1f} ms), "
                f"{sample.peak_mib:.0f} MiB{'; ' + note if note else ''}"
            )
            results.append((sample, note))
        return results

    def run_command(
        self, cmd: Command, *, peak: bool = False
    ) -> tuple[float, float, int, str, list[float]]:
        """(seconds, CPU seconds, peak KiB, failure or "", seconds of each step run) of one run
        of ``cmd``'s steps; peak memory only when ``peak`` (under /usr/bin/time, which adds its
        own start-up)."""
        if cmd.before is not None:
            cmd.before()
        total = cpu = 0.0
        top = 0
        parts: list[float] = []
        for n, argv in enumerate(cmd.steps):
            with contextlib.ExitStack() as stack:
                out = (
                    stack.enter_context(cmd.stdout.open("wb")).fileno()
                    if cmd.stdout is not None
                    else subprocess.DEVNULL
                )
                if peak:
                    elapsed, code, kib, message, used = self.peak_memory(argv, out, cmd.env)
                else:
                    elapsed, code, kib, message, used = self.once(argv, stdout=out, env=cmd.env)
            total, cpu, top = total + elapsed, cpu + used, max(top, kib)
            parts.append(elapsed)
            if code != 0:
                last = message.splitlines()[-1] if message else ""
                where = f"{Path(argv[0]).name} {argv[1]}: " if len(cmd.steps) > 1 else ""
                skipped = (
                    f"; {len(cmd.steps) - n - 1} later step(s) not run"
                    if n + 1 < len(cmd.steps)
                    else ""
                )
                return total, cpu, top, f"{where}exit {code}: {last}{skipped}", parts
        return total, cpu, top, "", parts

    def peak_memory(
        self,
        argv: Sequence[str],
        stdout: int | None = subprocess.DEVNULL,
        env: dict[str, str] | None = None,
    ) -> tuple[float, int, int, str, float]:
        """``once`` under /usr/bin/time, the peak from its ``%M``.

        Not this process's own wait4 figure: Linux starts a child's high-water mark at its
        parent's size (the memory it had until exec), so a child of a benchmark that holds a
        database in memory would seem as big as the benchmark. /usr/bin/time is a small parent.
        """
        if not Path(TIME).exists():
            return self.once(argv, stdout=stdout, env=env)
        with tempfile.NamedTemporaryFile(suffix=".txt") as out:
            elapsed, code, _, message, cpu = self.once(
                [TIME, "-f", "%M", "-o", out.name, *argv], stdout=stdout, env=env
            )
            text = Path(out.name).read_text().strip().splitlines()
        peak = int(text[-1]) if text and text[-1].isdigit() else 0
        return elapsed, code, peak, message, cpu

    def available(self, command: str) -> bool:
        _, code, _, _, _ = self.once([self.pufa, command, "--help"])
        return code == 0


def _pufa_script() -> str:
    exe = Path(sys.executable).with_name("pufa")
    if exe.exists():
        return str(exe)
    found = shutil.which("pufa")
    if not found:
        sys.exit("the pufa console script is not installed (pip install -e .)")
    return found


def fresh_copy(source: Path, name: str) -> Path:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    dest = RUN_DIR / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, dest)
    return dest


def plan_id(path: Path, year: int) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT id FROM plans WHERE year = ?", (year,)).fetchone()[0])
    finally:
        db.close()


def lead_of(path: Path, number: int) -> str:
    db = sqlite3.connect(path)
    try:
        row = db.execute(
            "SELECT u.name FROM assignments a JOIN units u ON u.id = a.unit_id "
            "JOIN tasks t ON t.id = a.task_id JOIN plans p ON p.id = t.plan_id "
            "WHERE p.year = ? AND t.number = ? ORDER BY a.role = 'lead' DESC, u.name LIMIT 1",
            (YEAR, number),
        ).fetchone()
        return str(row[0])
    finally:
        db.close()


# Points, deductions and a manual item: every part of the score is computed.
SCORING = (
    '{"bonus_cap": 20.0, "default": 10.0, "deductions": {"late": 2.0, "overdue": 5.0}, '
    '"items": [{"key": "org", "label": "組織領導", "points": 10.0}], "points": {"19": 20.0}}'
)


def give_scoring(path: Path) -> None:
    """The benchmark year's plan scores (its file would have a ``scoring:`` block)."""
    db = sqlite3.connect(path)
    try:
        with db:
            db.execute("UPDATE plans SET scoring = ? WHERE year = ?", (SCORING, YEAR))
    finally:
        db.close()


# --- the report's query, in process ---------------------------------------------------------


def report_statements(path: Path) -> list[str]:
    """Every SQL statement ``pufa report --quarter 4`` runs, with its parameters inlined."""
    from pufa_cli import store as dbmod
    from pufa_cli.main import run

    seen: list[str] = []
    original = dbmod.SqliteConnection.__init__

    def traced(self: dbmod.SqliteConnection, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        self.raw.set_trace_callback(seen.append)

    dbmod.SqliteConnection.__init__ = traced  # type: ignore[method-assign]
    saved = sys.stdout
    try:
        sys.stdout = open(os.devnull, "w")
        code = run(["report", "--quarter", "4", "--year", str(YEAR), "--db", str(path)])
    finally:
        sys.stdout.close()
        sys.stdout = saved
        dbmod.SqliteConnection.__init__ = original  # type: ignore[method-assign]
    if code != 0:
        raise RuntimeError(f"pufa report failed with status {code}")
    # The report's own queries: not the schema-version check every command makes on opening.
    return [
        s
        for s in seen
        if s.lstrip().upper().startswith(("SELECT", "WITH"))
        and "sqlite_master" not in s
        and "alembic_version" not in s
    ]


def time_statements(
    path: Path, sets: Sequence[tuple[Sequence[str], dict[str, object] | None]], runs: int
) -> list[float]:
    """Median ms of running each set of statements (all rows fetched) on a fresh read-only
    connection, the sets taking turns in every round (their order alternating).

    In turns, not each set ``runs`` times in a row: a set run alone again and again keeps its
    code and data in the CPU's caches, which a command, run once after ~100 ms of imports,
    never has. Timed in a row, the one-statement raw query gained most (the report's 6
    statements 1.84 × it in a row, 1.5 × in turns, on the same file in the same minutes)."""
    times: list[list[float]] = [[] for _ in sets]
    for i in range(runs + 1):
        order = list(enumerate(sets))
        if i % 2:
            order.reverse()
        for k, (statements, params) in order:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            db.execute("SELECT count(*) FROM sqlite_master").fetchall()  # read the schema first
            started = time.perf_counter()
            for sql in statements:
                db.execute(sql, params or {}).fetchall()
            elapsed = time.perf_counter() - started
            db.close()
            if i:
                times[k].append(elapsed)
    return [statistics.median(t) * 1000 for t in times]


# --- the benchmark ------------------------------------------------------------------------


def bench_size(b: Bench, size: str, rows: list[Row], have: dict[str, bool]) -> None:
    source = generate.ensure(size, quiet=not b.verbose)
    path = fresh_copy(source, f"{size}.db")
    b.say(f"{size}: {generate.counts(path)}")
    db = ["--db", str(path)]
    year = ["--year", str(YEAR)]

    def startup_row(
        what: str,
        argv: list[str],
        target: str,
        limit: float | None,
        before: Callable[[], None] | None = None,
    ) -> Row:
        sample, note = b.measure(argv, before=before)
        row = Row(what, size, target, note=note).measured(sample, b.floor, limit)
        rows.append(row)
        return row

    def report_like_row(what: str, argv: list[str]) -> Row:
        """A row with the report's targets (the score answers like the report, issue 17)."""
        target = {"small": "<= 8 × floor", "large": "<= 300 ms"}.get(size, "—")
        row = startup_row(what, argv, target, 8 if size == "small" else None)
        if size == "large" and row.median_ms is not None:
            row.checks.append((row.median_ms, 300))
        return row

    startup_row("`pufa tasks`", [b.pufa, "tasks", *year, "--as-of", AS_OF, *db], "—", None)
    startup_row("`pufa show 19`", [b.pufa, "show", "19", *year, "--as-of", AS_OF, *db], "—", None)
    unit = lead_of(path, 19)
    log = [b.pufa, "log", "19", "--unit", unit, "--percent", "50", "--date", f"{YEAR}-06-30"]
    log += ["--by", "bench"]
    startup_row(
        "`pufa log` (one entry)",
        [*log, "--again", "-q", *year, *db],
        "<= 10 × floor" if size == "large" else "—",
        10 if size == "large" else None,
    )
    # The supervision cycle (issue 16): a 10 MiB evidence file, new content each run so every
    # run stores it (the same content would be deduplicated), and the three-colour reminders.
    evidence = RUN_DIR / "evidence-10mib.bin"

    def new_evidence() -> None:
        evidence.write_bytes(os.urandom(10 * 1024 * 1024))

    startup_row(
        "`pufa log --evidence` (10 MiB file)",
        [*log, "--evidence", str(evidence), "--again", "-q", *year, *db],
        "—",
        None,
        before=new_evidence,
    )
    startup_row(
        "`pufa remind -f json`",
        [b.pufa, "remind", "-f", "json", *year, "--as-of", AS_OF, *db],
        "—",
        None,
    )
    if have["report"]:
        row = report_like_row(
            "`pufa report --quarter 4`", [b.pufa, "report", "--quarter", "4", *year, *db]
        )
        if size == "large" and row.median_ms is not None:
            rows.append(
                Row(
                    "peak memory of `report`",
                    size,
                    "<= 100 MiB",
                    row.median_ms,
                    peak_mib=row.peak_mib,
                    checks=[(row.peak_mib or 0, 100)],
                )
            )
        query_rows(b, path, size, rows)
    else:
        rows.append(Row("`pufa report --quarter 4`", size, "", note="not yet available"))
    if have["score"]:
        # The score answers like the report (issue 17): the same targets.
        give_scoring(path)
        # The ranking of every unit as data (csv) answers to the report's targets; the table
        # of 373 units on the large database is Rich's rendering, like `report --by unit`.
        report_like_row(
            "`pufa score --quarter 4 -f csv`",
            [b.pufa, "score", "--quarter", "4", "-f", "csv", *year, *db],
        )
        startup_row(
            "`pufa score --quarter 4` (table)",
            [b.pufa, "score", "--quarter", "4", *year, *db],
            "—",
            None,
        )
    if have["export"]:
        out = RUN_DIR / f"{size}-entries.csv"
        sample, note = b.measure(
            [
                b.pufa,
                "export",
                "--what",
                "entries",
                "--format",
                "csv",
                "--all-years",
                "--out",
                str(out),
                *db,
            ]
        )
        row = Row(
            "`pufa export --what entries --format csv`",
            size,
            "<= 8 s, <= 150 MiB" if size == "large" else "—",
            note=note,
        ).measured(sample)
        if sample is not None and row.median_ms is not None and row.peak_mib is not None:
            lines = _count_lines(out)
            row.note = f"{lines - 1:,} rows"
            if size == "large":
                row.checks += [(row.median_ms, 8000), (row.peak_mib, 150)]
        rows.append(row)


def query_rows(b: Bench, path: Path, size: str, rows: list[Row]) -> None:
    statements = report_statements(path)
    pid = plan_id(path, YEAR)
    runs = max(b.runs, 25)  # milliseconds each: more runs for a steady median
    raw_ms, ours_ms = time_statements(
        path, [([RAW_REPORT_SQL], {"plan": pid, "as_of": AS_OF}), (statements, None)], runs
    )
    b.say(f"  report query: {ours_ms:.1f} ms ({len(statements)} statements), raw {raw_ms:.1f} ms")
    rows.append(
        Row(
            "the report's SQL, in process",
            size,
            "<= 1.5 × raw query" if size == "large" else "—",
            ours_ms,
            raw_ms,
            note=f"{len(statements)} statements; ratio to the raw sqlite3 query ({raw_ms:.1f} ms)",
            ratio_limit=1.5 if size == "large" else None,
        )
    )


def bench_import(b: Bench, rows: list[Row], have: dict[str, bool]) -> None:
    if not (have["export"] and have["import"]):
        rows.append(
            Row(
                "`pufa import` of 100,000 entries (csv)",
                "import",
                "<= 3 s",
                note="export or import not yet available",
            )
        )
        return
    source = generate.ensure("import", quiet=not b.verbose)
    base = generate.ensure("import-base", quiet=not b.verbose)
    csv = RUN_DIR / "import-100k.csv"
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    _, code, _, message, _ = b.once(
        [
            b.pufa,
            "export",
            "--what",
            "entries",
            "--format",
            "csv",
            "--out",
            str(csv),
            "--db",
            str(source),
        ]
    )
    if code != 0:
        rows.append(
            Row(
                "`pufa import` of 100,000 entries (csv)",
                "import",
                "<= 3 s",
                note=f"export failed: {message}",
            )
        )
        return
    target = RUN_DIR / "imported.db"
    sample, note = b.measure(
        [b.pufa, "import", str(csv), "-q", "--db", str(target)],
        before=lambda: fresh_copy(base, target.name) and None,
    )
    row = Row("`pufa import` of 100,000 entries (csv)", "import", "<= 3 s", note=note)
    row.measured(sample)
    if row.median_ms is not None:
        row.checks.append((row.median_ms, 3000))
        row.note = f"{generate.counts(target)['entries']:,} entries imported"
    rows.append(row)
    if sample is None or not have["report"]:
        return
    rsample, note = b.measure(
        [b.pufa, "report", "--quarter", "4", "--year", str(YEAR), "--db", str(target)]
    )
    rows.append(
        Row(
            "`pufa report --quarter 4` after the import", "import", "<= 8 × floor", note=note
        ).measured(rsample, b.floor, 8)
    )
    query_rows(b, target, "import", rows)


# --- a city's scale (issue 19): 1k / 10k / 100k tasks, side by side with Taskwarrior -------


def row_of(
    what: str,
    size: str,
    result: tuple[Sample | None, str],
    floor: Sample,
    *,
    pair: str = "",
    side: str = "pufa",
) -> Row:
    """The table row of a ``measure_all`` result: median, CPU, peak memory, ratio to the floor."""
    sample, note = result
    return Row(what, size, "—", note=note, pair=pair, side=side).measured(sample, floor)


class Taskwarrior:
    """Taskwarrior (``task``) holding the same tasks, in its own data folder under RUN_DIR.

    Its rc file: ``confirmation=no`` (no prompts), ``verbose=nothing`` (no headers, footnotes,
    project summaries after a change), ``hooks=off``; everything else as installed, including
    ``gc=on`` (the default: a command that changes data may renumber and rewrite files)."""

    def __init__(self, b: Bench, size: str) -> None:
        self.folder = RUN_DIR / f"{size}-taskwarrior"
        self.data = self.folder / "data"
        self.env = dict(b.env)
        self.env.update({"TASKRC": str(self.folder / "taskrc"), "TASKDATA": str(self.data)})
        self.exe = str(shutil.which("task"))

    @staticmethod
    def installed() -> bool:
        return shutil.which("task") is not None

    def empty(self) -> None:
        """An empty data folder (before each ``task import``)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.data.mkdir(parents=True)
        (self.folder / "taskrc").write_text(
            f"data.location={self.data}\nconfirmation=no\nverbose=nothing\nhooks=off\n"
        )

    def command(self, *args: str, stdout: Path | None = None) -> Command:
        return Command.of([self.exe, *args], env=self.env, stdout=stdout)

    def description(self, task_id: int) -> str:
        out = subprocess.run(
            [self.exe, "_get", f"{task_id}.description"],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        return out.stdout.strip()


def bench_city(b: Bench, size: str, rows: list[Row]) -> None:
    """The rows of issue 19 at a city size, each pufa command interleaved with its Taskwarrior
    counterpart where it has one."""
    source = generate.ensure(size, quiet=not b.verbose)
    path = fresh_copy(source, f"{size}.db")
    b.say(f"{size}: {generate.counts(path)}")
    city = generate.SIZES[size]
    assert isinstance(city, generate.CitySize)
    middle = city.tasks // 2
    db = ["--db", str(path)]
    year = ["--year", str(YEAR)]
    as_of = ["--as-of", AS_OF]
    tw = Taskwarrior(b, size) if Taskwarrior.installed() else None

    def out(name: str) -> Path:
        return RUN_DIR / f"{size}-{name}"

    def pufa(*args: str, **kwargs: Any) -> Command:
        return Command.of([b.pufa, *args], **kwargs)

    def compare(
        pair: str, ours: list[tuple[str, Command]], theirs: list[tuple[str, Command]]
    ) -> None:
        """Time pufa's commands and (if installed) Taskwarrior's, interleaved."""
        commands = ours + (theirs if tw is not None else [])
        results = b.measure_all([c for _, c in commands])
        for k, ((what, _), result) in enumerate(zip(commands, results, strict=True)):
            side = "pufa" if k < len(ours) else "task"
            rows.append(row_of(what, size, result, b.floor, pair=pair if theirs else "", side=side))

    # Loading first: the last `task import` leaves the data folder the other rows read.
    fresh = RUN_DIR / f"{size}-init.db"

    def fresh_file() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{fresh}{suffix}").unlink(missing_ok=True)

    load = Command(
        [
            [b.pufa, "init", "--plan", str(generate.plan_path(size)), "-q", "--db", str(fresh)],
            [b.pufa, "import", str(generate.csv_path(size)), "-q", "--db", str(fresh)],
        ],
        before=fresh_file,
        refusal_ok=True,
    )
    theirs = []
    if tw is not None:
        tw_import = tw.command("import", str(generate.taskwarrior_path(size)))
        tw_import.before = tw.empty
        theirs = [("`task import`", tw_import)]
    compare("load", [("`pufa init --plan` + `pufa import`", load)], theirs)
    if tw is not None and f"(第{middle}項)" not in tw.description(middle):
        print(
            f"{size}: Taskwarrior's task {middle} is not the plan's task {middle}", file=sys.stderr
        )

    compare(
        "report",
        [("`pufa report --quarter 4`", pufa("report", "--quarter", "4", *year, *db))],
        [("`task summary`", tw.command("summary"))] if tw else [],
    )
    query_rows(b, path, size, rows)
    listing = [
        (
            "`pufa tasks` (piped, 120 columns)",
            pufa("tasks", *year, *as_of, *db, stdout=out("tasks.txt")),
        ),
        (
            "`pufa tasks` (piped, COLUMNS=80)",
            pufa(
                "tasks",
                *year,
                *as_of,
                *db,
                stdout=out("tasks-80.txt"),
                env={**b.pufa_env, "COLUMNS": "80"},
            ),
        ),
    ]
    compare(
        "list", listing, [("`task list`", tw.command("list", stdout=out("list.txt")))] if tw else []
    )
    compare(
        "",
        [
            (
                "`pufa tasks -f json`",
                pufa("tasks", "-f", "json", *year, *as_of, *db, stdout=out("tasks.json")),
            )
        ],
        [],
    )
    compare(
        "section",
        [
            (
                "`pufa tasks --section 3`",
                pufa("tasks", "--section", "3", *year, *as_of, *db, stdout=out("section.txt")),
            )
        ],
        [("`task project:s3 list`", tw.command("project:s3", "list", stdout=out("s3.txt")))]
        if tw
        else [],
    )
    compare(
        "show",
        [(f"`pufa show {middle}`", pufa("show", str(middle), *year, *as_of, *db))],
        [(f"`task {middle} info`", tw.command(str(middle), "info"))] if tw else [],
    )
    unit = lead_of(path, middle)
    log = pufa(
        "log",
        str(middle),
        "--unit",
        unit,
        "--percent",
        "50",
        "--date",
        f"{YEAR}-06-30",
        "--by",
        "bench",
        "--again",
        "-q",
        *year,
        *db,
    )
    compare(
        "log",
        [("`pufa log` (one entry)", log)],
        [(f"`task {middle} annotate x`", tw.command(str(middle), "annotate", "x"))] if tw else [],
    )
    compare(
        "",
        [
            (
                "`pufa export --what tasks -f json`",
                pufa(
                    "export",
                    "--what",
                    "tasks",
                    "-f",
                    "json",
                    *year,
                    "--out",
                    str(out("export.json")),
                    *db,
                ),
            )
        ],
        [],
    )


PAIRS = {
    "report": "`pufa report --quarter 4` vs `task summary`",
    "list": "`pufa tasks` vs `task list`",
    "section": "`pufa tasks --section 3` vs `task project:s3 list`",
    "show": "`pufa show N` vs `task N info`",
    "load": "`pufa init --plan` + `pufa import` vs `task import`",
    "log": "`pufa log` vs `task N annotate`",
}


def comparison(rows: list[Row], floor: Sample) -> str:
    """Issue 19's table: a line a comparison, a column a size; "pufa / task (ratio)"."""
    sizes = [s for s in generate.CITY_SIZES if any(r.size == s and r.pair for r in rows)]
    if not sizes:
        return ""

    def cell(r: Row) -> str:
        if r.median_ms is None:
            return "—"
        refused = " (refused)" if "refused" in r.note else ""
        return f"{_ms(r.median_ms)}, {r.peak_mib:.0f} MiB{refused}"

    out = [
        "",
        "| comparison | " + " | ".join(f"{s} tasks: pufa / Taskwarrior" for s in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for pair, title in PAIRS.items():
        cells = []
        for s in sizes:
            ours = [r for r in rows if r.size == s and r.pair == pair and r.side == "pufa"]
            theirs = [r for r in rows if r.size == s and r.pair == pair and r.side == "task"]
            if not ours:
                cells.append("")
                continue
            text = " · ".join(cell(r) for r in ours)
            if theirs and theirs[0].median_ms is not None:
                text += f" / {cell(theirs[0])}"
                ratios = [
                    f"{r.median_ms / theirs[0].median_ms:.2g} ×"
                    for r in ours
                    if r.median_ms is not None and "refused" not in r.note
                ]
                if ratios:
                    text += f" ({', '.join(ratios)})"
            cells.append(text)
        if any(cells):
            out.append(f"| {title} | " + " | ".join(cells) + " |")
    out.append("")
    out.append(
        f"Start-up floor of this run: {_ms(floor.median_ms)}. Peak memory: the warm-up run's "
        "maximum resident set. `pufa tasks` shows piped at 120 columns · at COLUMNS=80; "
        "ratios are pufa's median over Taskwarrior's."
    )
    return "\n".join(out)


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def versions(env: dict[str, str]) -> str:
    """The versions pufa's processes see (PYTHONPATH may put another Typer first)."""
    code = (
        "import sqlite3, typer, rich.console; from importlib.metadata import version; "
        "print(f'SQLite {sqlite3.sqlite_version}, typer {typer.__version__}, "
        'rich {version("rich")}\')'
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    return out.stdout.strip() or "versions unknown"


def machine(env: dict[str, str]) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, {versions(env)}"
    )


def markdown(rows: list[Row], floor: Sample, runs: int, env: dict[str, str]) -> str:
    extra = f" PYTHONPATH={env['PYTHONPATH']} for pufa." if env.get("PYTHONPATH") else ""
    out = [
        f"Machine: {machine(env)}.{extra}",
        "",
        f"Medians of {runs} runs after one warm-up run, each a whole process; start-up floor "
        f'`python -c "import sqlite3"` = {floor.median_ms:.1f} ms (CPU {floor.cpu_ms:.1f} ms) '
        "in this run. CPU is the process's user + system time (less sensitive to other load "
        "on the machine than wall time).",
        "",
        "| what | database | target | median | ratio to floor | CPU | peak memory | met | notes |",
        "|---|---|---|---:|---:|---:|---:|:-:|---|",
    ]
    for r in rows:
        median = "—" if r.median_ms is None else _ms(r.median_ms)
        cpu = "—" if r.cpu_ms is None else _ms(r.cpu_ms)
        if r.what.startswith("peak memory"):
            median = cpu = "—"
        ratio = "—" if r.ratio is None else f"{r.ratio:.1f} ×"
        peak = "—" if r.peak_mib is None else f"{r.peak_mib:.0f} MiB"
        out.append(
            f"| {r.what} | {r.size} | {r.target} | {median} | {ratio} | {cpu} | {peak} "
            f"| {r.verdict} | {r.note} |"
        )
    return "\n".join(out)


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="small,medium,large,import",
        help="comma-separated: small, medium, large, import and the city sizes 1k, 10k, 100k "
        "(default: small,medium,large,import)",
    )
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (default 7)")
    parser.add_argument(
        "--slow-runs",
        type=int,
        metavar="N",
        help=f"timed runs of a command whose warm-up took over {SLOW_SECONDS:.0f} s "
        "(default: --runs)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the table")
    parser.add_argument(
        "--pythonpath",
        metavar="DIR",
        help="put DIR first on the commands' PYTHONPATH, e.g. another Typer installed with "
        "pip install --target DIR 'typer==0.29.*' (the floor is unchanged)",
    )
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        if s not in ("small", "medium", "large", "import", *generate.CITY_SIZES):
            parser.error(f"unknown size {s!r}")
    if args.runs < 1 or (args.slow_runs is not None and args.slow_runs < 1):
        parser.error("--runs and --slow-runs must be at least 1")

    # pip compiles an installed package's bytecode; do the same for an editable checkout (and a
    # shell with PYTHONDONTWRITEBYTECODE=1), or every run would compile pufa from source.
    import pufa_cli

    compileall.compile_dir(Path(pufa_cli.__file__).parent, quiet=1)
    b = Bench(args.runs, verbose=not args.quiet, slow_runs=args.slow_runs)
    if args.pythonpath:
        b.pufa_env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(Path(args.pythonpath).resolve()), os.environ.get("PYTHONPATH")) if p
        )
    rows: list[Row] = []
    have = {c: b.available(c) for c in ("report", "export", "import", "score")}
    ready = ", ".join(c for c, ok in have.items() if ok)
    b.say(f"available: {ready or 'none of report, export, import'}")
    sample, note = b.measure([b.pufa, "--help"])
    rows.append(Row("`pufa --help`", "—", "<= 5 × floor", note=note).measured(sample, b.floor, 5))
    for size in sizes:
        if size == "import":
            bench_import(b, rows, have)
        elif size in generate.CITY_SIZES:
            bench_city(b, size, rows)
        else:
            bench_size(b, size, rows, have)
    if not Taskwarrior.installed() and any(s in generate.CITY_SIZES for s in sizes):
        print("Taskwarrior (task) is not installed: its rows are skipped", file=sys.stderr)
    # Ratios use the floor of the whole run (every floor sample, interleaved with the commands).
    for r in rows:
        if r.floor_ms is not None and not r.what.startswith("the report's SQL"):
            r.floor_ms = b.floor.median_ms
    print(markdown(rows, b.floor, args.runs, b.pufa_env))
    table = comparison(rows, b.floor)
    if table:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build a pufa database of a given size, through pufa's own code, for the benchmarks.

    python benchmarks/generate.py small medium large      # build (or reuse) these sizes
    python benchmarks/generate.py large --force           # rebuild even if cached

Sizes (see ``SIZES``):

* ``small``: the 2011 plan, 20 units, 3 units a task, 500 entries;
* ``medium``: 10 plans (2002-2011), 200 units, 20 units a task, 100,000 entries;
* ``large``: 100 plans (1912-2011) × 23 tasks, 1,000 units, 20 units a task, 1,000,000 entries;
* ``import``: the 2011 plan, 200 units, 20 units a task, 100,000 entries (exported to csv for
  the import benchmark); ``import-base``: the same plan, units and assignments, no entries (the
  database that csv is imported into).

How: ``db.prepare`` creates the file and runs the Alembic migrations (the real schema);
``loading.load_plan`` loads each plan (the 2011 plan moved to another year); units go into the
units table with ``names.match_key``; entries are bulk-inserted (``executemany`` in one
transaction) with their key from ``tracker.entry_key``, as an import would, and no two with the
same key (pufa would take them for one entry). Entry dates spread over each plan's year, the
percent of a (task, unit) rises through the year, about 1 % of the entries are retracted, and a
third of the entries of tasks with targets carry metrics.

Generated databases are cached under ``benchmarks/out/<size>.db`` (gitignored); a cached file
is reused while its recipe (``benchmarks/out/<size>.json``) matches. Generation turns off
journaling and fsync, which is fine for a fixture and never done by pufa itself, then puts the
database back in WAL mode.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from pufa_cli import store as dbmod
from pufa_cli.config import DbTarget
from pufa_cli.loading import load_plan
from pufa_cli.names import match_key
from pufa_cli.offices.scoping import office_id
from pufa_cli.plan import Check, Plan, Section, Task, load_plan_file
from pufa_cli.resources import plans_dir
from pufa_cli.schema import SCHEMA_HEAD
from pufa_cli.tracker import entry_key

OUT = Path(__file__).resolve().parent / "out"
# Bump when the recipe changes: cached databases with another version are rebuilt.
RECIPE_VERSION = 3  # 3: entry keys are length-prefixed (tracker.entry_key)
LAST_YEAR = 2011
BATCH = 50_000


@dataclass(frozen=True)
class Size:
    plans: int
    units: int
    units_per_task: int
    entries: int
    seed: int = 2011


SIZES: dict[str, Size] = {
    "small": Size(plans=1, units=20, units_per_task=3, entries=500),
    "medium": Size(plans=10, units=200, units_per_task=20, entries=100_000),
    "large": Size(plans=100, units=1_000, units_per_task=20, entries=1_000_000),
    "import": Size(plans=1, units=200, units_per_task=20, entries=100_000),
    "import-base": Size(plans=1, units=200, units_per_task=20, entries=0),
}

NOTES = (
    "召開專題會議,部署落實",
    "開展法治宣傳進社區活動",
    "完成階段性工作並報送材料",
    "組織專題培訓",
    "督查督辦,跟進落實",
    "",
)
RECORDERS = ("張敏", "李華", "王芳", "陳偉", "劉洋")
UNIT_KINDS = ("局", "委", "辦", "街道辦事處", "中心")


def plan_for_year(base: Plan, year: int) -> Plan:
    """The 2011 plan moved to ``year``: same sections and tasks, dates in that year."""

    def move(day: date) -> date:
        try:
            return day.replace(year=year + (day.year - base.year))
        except ValueError:  # 29 February
            return day.replace(year=year + (day.year - base.year), day=28)

    def task(t: Task) -> Task:
        return dataclasses.replace(
            t, due=move(t.due), checks=tuple(Check(c.word, move(c.date)) for c in t.checks)
        )

    return dataclasses.replace(
        base,
        year=year,
        id=str(year),
        source=f"{base.source} — benchmark copy for {year}",
        sections=tuple(
            Section(s.number, s.title, tuple(task(t) for t in s.tasks)) for s in base.sections
        ),
    )


def unit_name(i: int) -> str:
    return f"區第{i + 1:04d}{UNIT_KINDS[i % len(UNIT_KINDS)]}"


def recipe(name: str) -> dict[str, object]:
    return {
        "size": name,
        **dataclasses.asdict(SIZES[name]),
        "recipe": RECIPE_VERSION,
        "schema": SCHEMA_HEAD,
    }


def path_for(name: str) -> Path:
    return OUT / f"{name}.db"


def ensure(name: str, *, force: bool = False, quiet: bool = False) -> Path:
    """The cached database of size ``name``, built first if missing or stale."""
    path = path_for(name)
    meta = path.with_suffix(".json")
    if not force and path.exists() and meta.exists():
        try:
            if json.loads(meta.read_text()) == recipe(name):
                return path
        except ValueError:
            pass
    build(name, path, quiet=quiet)
    meta.write_text(json.dumps(recipe(name), indent=2) + "\n")
    return path


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        print(text, file=sys.stderr, flush=True)


def build(name: str, path: Path, *, quiet: bool = False) -> None:
    size = SIZES[name]
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", ".tmp", ".tmp-wal", ".tmp-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    tmp = Path(f"{path}.tmp")
    target = DbTarget(tmp, None)
    dbmod.prepare(target)
    conn = dbmod.connect(target)
    assert isinstance(conn, dbmod.SqliteConnection)
    raw = conn.raw
    raw.execute("PRAGMA journal_mode = OFF")
    raw.execute("PRAGMA synchronous = OFF")
    raw.execute("PRAGMA cache_size = -262144")  # 256 MiB while building
    now = datetime(LAST_YEAR, 1, 1, 8, 0, 0)

    base = load_plan_file(plans_dir() / f"{LAST_YEAR}.yaml")
    years = list(range(LAST_YEAR - size.plans + 1, LAST_YEAR + 1))
    with conn.transaction(write=True):
        for year in years:
            plan = base if year == base.year else plan_for_year(base, year)
            load_plan(conn, plan, now)
    _say(quiet, f"{name}: {len(years)} plans loaded ({time.perf_counter() - started:.1f} s)")

    rng = random.Random(f"{size.seed}-units")
    with conn.transaction(write=True):
        office = office_id(conn)  # the default office: every unit belongs to one
        existing = {str(r[0]) for r in conn.rows("SELECT name FROM units")}
        names = [unit_name(i) for i in range(size.units)]
        conn.run_many(
            "INSERT INTO units (office_id, name, match_key, kind, created_at) "
            "VALUES (:o, :n, :k, :kind, :at)",
            (
                {"o": office, "n": n, "k": match_key(n), "kind": n[-2:], "at": now}
                for n in names
                if n not in existing
            ),
        )
        unit_ids = {str(n): int(i) for i, n in conn.rows("SELECT id, name FROM units")}
        pool = [unit_ids[n] for n in names]
        tasks = conn.rows(
            "SELECT t.id, t.plan_id, t.number, p.year FROM tasks t "
            "JOIN plans p ON p.id = t.plan_id ORDER BY p.year, t.number"
        )
        already = {
            (int(t), int(u)) for t, u in conn.rows("SELECT task_id, unit_id FROM assignments")
        }
        leads = {int(t) for (t,) in conn.rows("SELECT task_id FROM assignments WHERE role='lead'")}
        new_assignments = []
        for task_id, _plan_id, _number, year in tasks:
            chosen = rng.sample(pool, min(size.units_per_task, len(pool)))
            for k, unit_id in enumerate(chosen):
                if (task_id, unit_id) in already:
                    continue
                role = "lead" if k == 0 and task_id not in leads else "support"
                # One assignment in twenty has its own earlier due date (上半年).
                own_due = rng.random() < 0.05
                new_assignments.append(
                    {
                        "t": task_id,
                        "u": unit_id,
                        "r": role,
                        "w": "上半年" if own_due else None,
                        "d": date(year, 6, 30) if own_due else None,
                        "at": now,
                    }
                )
                already.add((task_id, unit_id))
        conn.run_many(
            "INSERT INTO assignments (task_id, unit_id, role, due_word, due_date, created_at) "
            "VALUES (:t, :u, :r, :w, :d, :at)",
            new_assignments,
        )
    _say(quiet, f"{name}: {len(pool)} units, {len(already)} assignments")

    if size.entries:
        _entries(conn, size, years, started, name, quiet)

    raw.execute("PRAGMA journal_mode = WAL")
    conn.close()
    tmp.rename(path)
    _say(quiet, f"{name}: done in {time.perf_counter() - started:.1f} s → {path}")


def _entries(
    conn: dbmod.SqliteConnection,
    size: Size,
    years: list[int],
    started: float,
    name: str,
    quiet: bool,
) -> None:
    raw = conn.raw
    rng = random.Random(f"{size.seed}-entries")
    unit_names = {int(i): str(n) for i, n in conn.rows("SELECT id, name FROM units")}
    by_plan: dict[int, list[tuple[int, int, int]]] = {}
    for year, task_id, number, unit_id in conn.rows(
        "SELECT p.year, a.task_id, t.number, a.unit_id FROM assignments a "
        "JOIN tasks t ON t.id = a.task_id JOIN plans p ON p.id = t.plan_id "
        "ORDER BY p.year, t.number, a.unit_id"
    ):
        by_plan.setdefault(int(year), []).append((int(task_id), int(number), int(unit_id)))
    targets: dict[int, list[tuple[int, str, float]]] = {}
    for task_id, target_id, key, target in conn.rows(
        "SELECT task_id, id, key, target FROM targets ORDER BY task_id, position"
    ):
        targets.setdefault(int(task_id), []).append((int(target_id), str(key), float(target)))

    # Bulk loading: drop the entries indexes and build them again afterwards from the very SQL
    # the migrations created them with (faster than keeping them up to date row by row).
    indexes = [
        (str(n), str(s))
        for n, s in conn.rows(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' "
            "AND sql IS NOT NULL"
        )
    ]
    raw.execute("BEGIN")
    for index_name, _sql in indexes:
        raw.execute(f"DROP INDEX {index_name}")

    per_plan = size.entries // len(years)
    extra = size.entries - per_plan * len(years)
    next_id = 1 + int(conn.scalar("SELECT COALESCE(MAX(id), 0) FROM entries"))
    written = 0
    seen_keys: set[str] = set()
    entries: list[tuple[object, ...]] = []
    metrics: list[tuple[int, int, float]] = []
    retractions: list[tuple[int, str, str, str]] = []

    def flush() -> None:
        raw.executemany(
            "INSERT INTO entries (id, task_id, unit_id, entry_date, percent, note, recorded_by, "
            "created_at, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            entries,
        )
        raw.executemany(
            "INSERT INTO entry_metrics (entry_id, target_id, value) VALUES (?, ?, ?)", metrics
        )
        raw.executemany(
            "INSERT INTO retractions (entry_id, reason, retracted_by, retracted_at) "
            "VALUES (?, ?, ?, ?)",
            retractions,
        )
        entries.clear()
        metrics.clear()
        retractions.clear()

    for n_plan, year in enumerate(years):
        pairs = by_plan.get(year, [])
        if not pairs:
            continue
        count = per_plan + (extra if n_plan == len(years) - 1 else 0)
        start = date(year, 1, 1)
        days = (date(year, 12, 31) - start).days + 1
        # Each (task, unit) moves at its own pace: some finish early, some stay behind.
        pace = {(t, u): rng.uniform(0.5, 1.4) for t, _n, u in pairs}
        drafts = []
        for _ in range(count):
            task_id, number, unit_id = pairs[rng.randrange(len(pairs))]
            offset = rng.randrange(days)
            seconds = rng.randrange(8 * 3600, 18 * 3600)
            drafts.append((offset, seconds, task_id, number, unit_id))
        drafts.sort()
        for offset, seconds, task_id, number, unit_id in drafts:
            day = start + timedelta(days=offset)
            created = datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)
            share = (offset + 1) / days
            percent = int(
                max(0, min(100, share * 100 * pace[(task_id, unit_id)] + rng.gauss(0, 6)))
            )
            note = rng.choice(NOTES)
            by_index = rng.randrange(len(RECORDERS))
            values: dict[str, float] = {}
            task_targets = targets.get(task_id)
            if task_targets and rng.random() < 0.33:
                for target_id, target_key, target in task_targets:
                    value = float(round(target * percent / 100))
                    values[target_key] = value
                    metrics.append((next_id, target_id, value))
            # Two entries with the same content are one entry to pufa (import recognises it):
            # let another person record a chance duplicate, or give it a note of its own.
            for attempt in range(len(RECORDERS) + 1):
                by = RECORDERS[(by_index + attempt) % len(RECORDERS)]
                if attempt == len(RECORDERS):
                    note = f"{note}(續{next_id})"
                key = entry_key(year, number, unit_names[unit_id], day, percent, values, note, by)
                if key not in seen_keys:
                    break
            seen_keys.add(key)
            entries.append(
                (
                    next_id,
                    task_id,
                    unit_id,
                    day.isoformat(),
                    percent,
                    note,
                    by,
                    created.isoformat(sep=" "),
                    key,
                )
            )
            if rng.random() < 0.01:
                retracted = created + timedelta(days=1)
                retractions.append((next_id, "重複填報", by, retracted.isoformat(sep=" ")))
            next_id += 1
            written += 1
            if len(entries) >= BATCH:
                flush()
        flush()
        if n_plan % 10 == 9 or n_plan == len(years) - 1:
            _say(
                quiet,
                f"{name}: {written:,} entries ({time.perf_counter() - started:.1f} s)",
            )
    for _index_name, sql in indexes:
        raw.execute(sql)
    raw.execute("COMMIT")
    _say(quiet, f"{name}: indexes rebuilt ({time.perf_counter() - started:.1f} s)")


def counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {
            t: int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in (
                "plans",
                "tasks",
                "units",
                "assignments",
                "entries",
                "entry_metrics",
                "retractions",
            )
        }
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", default=["small"], help=", ".join(SIZES))
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args(argv)
    for name in args.sizes:
        for part in name.split(","):
            if part not in SIZES:
                parser.error(f"unknown size {part!r} (choose from {', '.join(SIZES)})")
            path = ensure(part, force=args.force)
            print(f"{part}: {path} {counts(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build a pufa database of a given size, through pufa's own code, for the benchmarks.

    python benchmarks/generate.py small medium large      # build (or reuse) these sizes
    python benchmarks/generate.py large --force           # rebuild even if cached

Sizes (see ``SIZES``):

* ``small``: the 2011 plan, 20 units, 3 units a task, 500 entries;
* ``medium``: 10 plans (2002-2011), 200 units, 20 units a task, 100,000 entries;
* ``large``: 100 plans (1912-2011) × 23 tasks, 1,000 units, 20 units a task, 1,000,000 entries;
* ``import``: the 2011 plan, 200 units, 20 units a task, 100,000 entries (exported to csv for
  the import benchmark); ``import-base``: the same plan, units and assignments, no entries (the
  database that csv is imported into);
* ``1k``, ``10k``, ``100k`` (a city's scale, issue 19): one generated 2011 plan of 1,000 /
  10,000 / 100,000 tasks in 20 sections, 50 units, each task assigned to 1-3 of them (one
  lead), 1-5 entries (3 on average) per task and unit. Besides the database, each writes
  ``<size>.yaml`` (the plan file, for ``pufa init --plan``), ``<size>.csv`` (its entries in the
  import format, written by ``pufa export``) and ``<size>.task.json`` (the same tasks for
  Taskwarrior's ``task import``: project = section, one annotation per entry).

How: ``db.prepare`` creates the file and runs the Alembic migrations (the real schema);
``loading.load_plan`` loads each plan (the 2011 plan moved to another year); units go into the
units table with ``names.match_key``; entries are bulk-inserted (``executemany`` in one
transaction) with their key from ``tracker.entry_key``, as an import would, and no two with the
same key (pufa would take them for one entry). Entry dates spread over each plan's year, the
percent of a (task, unit) rises through the year, about 1 % of the entries are retracted, and a
third of the entries of tasks with targets carry metrics.

A city plan is built as pufa's own ``Plan`` object (due words resolved by
``timing.parse_period``) and loaded with ``loading.load_plan``, so the database holds it even
where ``pufa init --plan`` refuses the file (today: files over 5 MB, task numbers above 10,000).
Its YAML is written from the same object with the plan drafter's quoting
(``drafting.writer.quote``).

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
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from pufa_cli import store as dbmod
from pufa_cli.config import DbTarget
from pufa_cli.drafting.writer import quote
from pufa_cli.loading import load_plan
from pufa_cli.names import match_key
from pufa_cli.offices.scoping import office_id
from pufa_cli.plan import Check, Plan, Section, Task, load_plan_file
from pufa_cli.resources import plans_dir
from pufa_cli.schema import SCHEMA_HEAD
from pufa_cli.timing import parse_period
from pufa_cli.tracker import entry_key

OUT = Path(__file__).resolve().parent / "out"
# Bump when the recipe changes: cached databases with another version are rebuilt.
RECIPE_VERSION = 4  # 3: entry keys are length-prefixed (tracker.entry_key); 4: units' office
LAST_YEAR = 2011
BATCH = 50_000


@dataclass(frozen=True)
class Size:
    plans: int
    units: int
    units_per_task: int
    entries: int
    seed: int = 2011


@dataclass(frozen=True)
class CitySize:
    """One generated plan at a city's scale (issue 19)."""

    tasks: int
    sections: int = 20
    units: int = 50
    units_per_task: tuple[int, int] = (1, 3)  # fewest, most; the first is the lead
    entries_per_unit: tuple[int, int] = (1, 5)  # per (task, unit): 3 on average
    seed: int = 2011


SIZES: dict[str, Size | CitySize] = {
    "small": Size(plans=1, units=20, units_per_task=3, entries=500),
    "medium": Size(plans=10, units=200, units_per_task=20, entries=100_000),
    "large": Size(plans=100, units=1_000, units_per_task=20, entries=1_000_000),
    "import": Size(plans=1, units=200, units_per_task=20, entries=100_000),
    "import-base": Size(plans=1, units=200, units_per_task=20, entries=0),
    "1k": CitySize(tasks=1_000),
    "10k": CitySize(tasks=10_000),
    "100k": CitySize(tasks=100_000),
}
CITY_SIZES = tuple(name for name, size in SIZES.items() if isinstance(size, CitySize))

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
    """What a cached database was built from, as its ``.json`` file reads back (tuples as
    lists)."""
    built = {
        "size": name,
        **dataclasses.asdict(SIZES[name]),
        "recipe": RECIPE_VERSION,
        "schema": SCHEMA_HEAD,
    }
    return dict(json.loads(json.dumps(built)))


def path_for(name: str) -> Path:
    return OUT / f"{name}.db"


def plan_path(name: str) -> Path:
    """The plan file of a city size (``pufa init --plan``)."""
    return OUT / f"{name}.yaml"


def csv_path(name: str) -> Path:
    """The entries of a city size in the import format (``pufa import``)."""
    return OUT / f"{name}.csv"


def taskwarrior_path(name: str) -> Path:
    """The tasks of a city size for Taskwarrior (``task import``)."""
    return OUT / f"{name}.task.json"


def outputs(name: str) -> list[Path]:
    paths = [path_for(name)]
    if isinstance(SIZES[name], CitySize):
        paths += [plan_path(name), csv_path(name), taskwarrior_path(name)]
    return paths


def ensure(name: str, *, force: bool = False, quiet: bool = False) -> Path:
    """The cached database of size ``name``, built first if missing or stale (with, for a city
    size, its plan file, csv and Taskwarrior file)."""
    path = path_for(name)
    meta = path.with_suffix(".json")
    if not force and all(p.exists() for p in outputs(name)) and meta.exists():
        try:
            if json.loads(meta.read_text()) == recipe(name):
                return path
        except ValueError:
            pass
    meta.unlink(missing_ok=True)
    if isinstance(SIZES[name], CitySize):
        build_city(name, path, quiet=quiet)
    else:
        build(name, path, quiet=quiet)
    meta.write_text(json.dumps(recipe(name), indent=2) + "\n")
    return path


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        print(text, file=sys.stderr, flush=True)


def _new_database(path: Path) -> tuple[dbmod.SqliteConnection, Path]:
    """A fresh database beside ``path`` (renamed into place when done), migrated by pufa, with
    journaling and fsync off while it is built."""
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
    return conn, tmp


def _finish_database(conn: dbmod.SqliteConnection, tmp: Path, path: Path) -> None:
    conn.raw.execute("PRAGMA journal_mode = WAL")
    conn.close()
    tmp.rename(path)


def build(name: str, path: Path, *, quiet: bool = False) -> None:
    size = SIZES[name]
    assert isinstance(size, Size)
    started = time.perf_counter()
    conn, tmp = _new_database(path)
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

    _finish_database(conn, tmp, path)
    _say(quiet, f"{name}: done in {time.perf_counter() - started:.1f} s → {path}")


def _drop_entry_indexes(conn: dbmod.SqliteConnection) -> list[tuple[str, str]]:
    """Begin a transaction and drop the entries indexes (bulk loading is faster without them);
    ``_rebuild_entry_indexes`` makes them again from the very SQL the migrations wrote."""
    indexes = [
        (str(n), str(s))
        for n, s in conn.rows(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' "
            "AND sql IS NOT NULL"
        )
    ]
    conn.raw.execute("BEGIN")
    for index_name, _sql in indexes:
        conn.raw.execute(f"DROP INDEX {index_name}")
    return indexes


def _rebuild_entry_indexes(conn: dbmod.SqliteConnection, indexes: list[tuple[str, str]]) -> None:
    for _index_name, sql in indexes:
        conn.raw.execute(sql)
    conn.raw.execute("COMMIT")


def _insert_entries(
    raw: sqlite3.Connection,
    entries: list[tuple[object, ...]],
    metrics: list[tuple[int, int, float]],
    retractions: list[tuple[int, str, str, str]],
) -> None:
    """Insert (and clear) a batch of entries, their metrics and retractions."""
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

    indexes = _drop_entry_indexes(conn)
    per_plan = size.entries // len(years)
    extra = size.entries - per_plan * len(years)
    next_id = 1 + int(conn.scalar("SELECT COALESCE(MAX(id), 0) FROM entries"))
    written = 0
    seen_keys: set[str] = set()
    entries: list[tuple[object, ...]] = []
    metrics: list[tuple[int, int, float]] = []
    retractions: list[tuple[int, str, str, str]] = []

    def flush() -> None:
        _insert_entries(raw, entries, metrics, retractions)

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
    _rebuild_entry_indexes(conn, indexes)
    _say(quiet, f"{name}: indexes rebuilt ({time.perf_counter() - started:.1f} s)")


# --- a city's scale (issue 19): one generated plan of 1k / 10k / 100k tasks ------------------

DUE_WORDS = ("第一季度", "上半年", "第三季度", "前三季度", "年底", "年底", "年底", "10月底", "持續")
VERBS = ("開展", "深化", "推進", "健全", "落實", "組織", "加強", "完善")
TOPICS = (
    "憲法宣傳周活動",
    "法治文化陣地建設",
    "青少年法治教育",
    "行政執法人員培訓",
    "社區法律顧問服務",
    "矛盾糾紛排查化解",
    "民法典進萬家宣講",
    "依法行政考核",
    "法律援助便民服務",
    "普法責任清單",
)
DETAILS = (
    "各部門各單位要結合實際制定方案,明確責任分工,確保按時完成。",
    "定期報送工作進展,及時總結經驗做法,推動工作常態化。",
    "加強督促檢查,對進度滯後的單位予以通報。",
    "充分利用新媒體平台,擴大宣傳覆蓋面和影響力。",
)


def city_plan(name: str) -> Plan:
    """The plan of city size ``name``, as pufa's own objects: sections of equal size, due
    words resolved by ``timing.parse_period``, 1-3 units a task (the first the lead)."""
    size = SIZES[name]
    assert isinstance(size, CitySize)
    rng = random.Random(f"{size.seed}-{name}-plan")
    units = tuple(unit_name(i) for i in range(size.units))
    per, extra = divmod(size.tasks, size.sections)
    half = parse_period("上半年", LAST_YEAR)
    sections = []
    number = 0
    for s in range(1, size.sections + 1):
        tasks = []
        for _ in range(per + (1 if s <= extra else 0)):
            number += 1
            word = rng.choice(DUE_WORDS)
            due = parse_period(word, LAST_YEAR).end
            checks: tuple[Check, ...] = ()
            if due > half.end and rng.random() < 0.1:  # a checkpoint at mid-year, then due
                checks = (Check(half.word, half.end), Check(word, due))
            chosen = rng.sample(units, rng.randint(*size.units_per_task))
            title = f"{rng.choice(VERBS)}{rng.choice(TOPICS)}(第{number}項)"
            tasks.append(
                Task(
                    number=number,
                    title=title,
                    text=f"{title}。{rng.choice(DETAILS)}",
                    due_word=word,
                    due=due,
                    checks=checks,
                    timing=None,
                    responsible=None,
                    lead=chosen[0],
                    support=tuple(chosen[1:]),
                    targets=(),
                )
            )
        sections.append(Section(s, f"第{s}部分 {TOPICS[s % len(TOPICS)]}專項工作", tuple(tasks)))
    return Plan(
        year=LAST_YEAR,
        id=str(LAST_YEAR),
        title=f"全市依法治市工作方案(基準測試 {name})",
        source=f"benchmarks/generate.py {name}: a generated plan of {size.tasks:,} tasks",
        units=units,
        sections=tuple(sections),
    )


def plan_yaml(plan: Plan) -> str:
    """``plan`` as a plan file (format version 1) that ``pufa plan check`` reads back."""

    def flow(items: tuple[str, ...]) -> str:
        return "[" + ", ".join(quote(i) for i in items) + "]"

    out = [
        "# A generated plan for pufa's benchmarks (benchmarks/generate.py); not a real plan.",
        "version: 1",
        f"year: {plan.year}",
        f"title: {quote(plan.title)}",
        f"source: {quote(plan.source)}",
        f"units: {flow(plan.units)}",
        "sections:",
    ]
    for section in plan.sections:
        out += [f"  - number: {section.number}", f"    title: {quote(section.title)}"]
        out.append("    tasks:")
        for t in section.tasks:
            out += [
                f"      - number: {t.number}",
                f"        title: {quote(t.title)}",
                f"        text: {quote(t.text)}",
                f"        due: {quote(t.due_word)}",
            ]
            if t.checks:
                out.append(f"        checks: {flow(tuple(c.word for c in t.checks))}")
            if t.lead:
                out.append(f"        lead: {quote(t.lead)}")
            if t.support:
                out.append(f"        support: {flow(t.support)}")
    return "\n".join(out) + "\n"


def build_city(name: str, path: Path, *, quiet: bool = False) -> None:
    size = SIZES[name]
    assert isinstance(size, CitySize)
    started = time.perf_counter()
    plan = city_plan(name)
    plan_path(name).write_text(plan_yaml(plan), encoding="utf-8")
    conn, tmp = _new_database(path)
    now = datetime(LAST_YEAR, 1, 1, 8, 0, 0)
    with conn.transaction(write=True):
        load_plan(conn, plan, now)
    _say(
        quiet,
        f"{name}: plan of {size.tasks:,} tasks loaded ({time.perf_counter() - started:.1f} s)",
    )

    rng = random.Random(f"{size.seed}-{name}-entries")
    pairs = [
        (int(t), int(n), int(u), str(un))
        for t, n, u, un in conn.rows(
            "SELECT a.task_id, t.number, a.unit_id, u.name FROM assignments a "
            "JOIN tasks t ON t.id = a.task_id JOIN units u ON u.id = a.unit_id "
            "ORDER BY t.number, a.role = 'lead' DESC, u.name"
        )
    ]
    start = date(LAST_YEAR, 1, 1)
    days = (date(LAST_YEAR, 12, 31) - start).days + 1
    drafts = []
    for task_id, number, unit_id, unit in pairs:
        pace = rng.uniform(0.5, 1.4)  # some finish early, some stay behind
        for offset in sorted(rng.sample(range(days), rng.randint(*size.entries_per_unit))):
            seconds = rng.randrange(8 * 3600, 18 * 3600)
            share = (offset + 1) / days
            percent = int(max(0, min(100, share * 100 * pace + rng.gauss(0, 6))))
            drafts.append((offset, seconds, task_id, number, unit_id, unit, percent))
    drafts.sort()  # recorded in time order: ids grow with the date, as in use

    indexes = _drop_entry_indexes(conn)
    entries: list[tuple[object, ...]] = []
    seen_keys: set[str] = set()
    for next_id, (offset, seconds, task_id, number, unit_id, unit, percent) in enumerate(drafts, 1):
        day = start + timedelta(days=offset)
        created = datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)
        note = rng.choice(NOTES)
        by = RECORDERS[rng.randrange(len(RECORDERS))]
        key = entry_key(LAST_YEAR, number, unit, day, percent, {}, note, by)
        if key in seen_keys:  # the same content twice is one entry to pufa: make it another
            note = f"{note}(續{next_id})"
            key = entry_key(LAST_YEAR, number, unit, day, percent, {}, note, by)
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
        if len(entries) >= BATCH:
            _insert_entries(conn.raw, entries, [], [])
    _insert_entries(conn.raw, entries, [], [])
    _rebuild_entry_indexes(conn, indexes)
    _say(
        quiet,
        f"{name}: {len(pairs):,} assignments, {len(drafts):,} entries "
        f"({time.perf_counter() - started:.1f} s)",
    )
    _finish_database(conn, tmp, path)

    # The entries in the import format: pufa's own export of them.
    from pufa_cli.main import run

    code = run(
        [
            "export",
            "--what",
            "entries",
            "--format",
            "csv",
            "--year",
            str(LAST_YEAR),
            "--out",
            str(csv_path(name)),
            "--db",
            str(path),
            "-q",
        ]
    )
    if code != 0:
        raise RuntimeError(f"pufa export of {name} failed with status {code}")
    write_taskwarrior(name, path)
    _say(quiet, f"{name}: done in {time.perf_counter() - started:.1f} s → {path}")


def _tw_date(text: str) -> str:
    """A date or date-time from SQLite as Taskwarrior's ISO form (UTC)."""
    return datetime.fromisoformat(text).strftime("%Y%m%dT%H%M%SZ")


def write_taskwarrior(name: str, path: Path) -> None:
    """The plan's tasks as Taskwarrior import JSON, one task a line in task-number order (so the
    working-set id of task N is N): project ``s<section>``, the title as description, the due
    date, one annotation per entry ("unit percent% note", at its recording time)."""
    db = sqlite3.connect(path)
    try:
        notes: dict[int, list[tuple[str, str]]] = {}
        for number, unit, percent, note, created in db.execute(
            "SELECT t.number, u.name, e.percent, e.note, e.created_at FROM entries e "
            "JOIN tasks t ON t.id = e.task_id JOIN units u ON u.id = e.unit_id "
            "ORDER BY t.number, e.created_at, e.id"
        ):
            notes.setdefault(number, []).append((created, f"{unit} {percent}% {note}".strip()))
        namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"pufa-benchmark-{name}")
        with taskwarrior_path(name).open("w", encoding="utf-8") as out:
            for number, section, title, due in db.execute(
                "SELECT t.number, s.number, t.title, t.due_date FROM tasks t "
                "JOIN sections s ON s.id = t.section_id ORDER BY t.number"
            ):
                stamps: set[str] = set()
                annotations = []
                for created, text in notes.get(number, []):
                    moment = datetime.fromisoformat(created)
                    while (stamp := moment.strftime("%Y%m%dT%H%M%SZ")) in stamps:
                        moment += timedelta(seconds=1)  # one annotation a second per task
                    stamps.add(stamp)
                    annotations.append({"entry": stamp, "description": text})
                task = {
                    "uuid": str(uuid.uuid5(namespace, str(number))),
                    "status": "pending",
                    "entry": f"{LAST_YEAR}0101T000000Z",
                    "description": title,
                    "project": f"s{section}",
                    "due": _tw_date(due),
                    "annotations": annotations,
                }
                out.write(json.dumps(task, ensure_ascii=False) + "\n")
    finally:
        db.close()


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

"""Property-based tests (hypothesis): the period-word parser and the percent/status rules.

Period words: every generated valid word resolves to the last day of its period in the plan
year; Traditional, Simplified, full-width and spaced-out forms agree; junk never crashes (the
only error is BadInput).

Rules: driven through the domain functions (``tracker.log_progress``/``retract`` and
``progress.task_statuses``) on a real SQLite database per example, copied from one loaded
template so each example starts from the same ledger. (They exercise the rules, which are the
same SQL on every engine; the PostgreSQL run of the suite covers the engine.)
"""

from __future__ import annotations

import calendar
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pufa_cli import store as dbmod
from pufa_cli.config import DbTarget
from pufa_cli.errors import BadInput
from pufa_cli.i18n import to_simplified, to_traditional
from pufa_cli.progress import find_plan, task_statuses
from pufa_cli.timing import parse_as_of, parse_date, parse_period
from pufa_cli.tracker import log_progress, retract

CN = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def numeral(n: int) -> st.SearchStrategy[str]:
    """n written as an arabic or a Chinese numeral (兩 and 两 for 2 as well)."""
    forms = [str(n), CN[n - 1]] + (["兩", "两"] if n == 2 else [])
    return st.sampled_from(forms)


years = st.integers(min_value=1990, max_value=2100)


@st.composite
def period_word(draw: st.DrawFn) -> tuple[str, int, date]:
    """(word, plan year, the date it must resolve to)."""
    year = draw(years)
    kind = draw(st.sampled_from(["quarter", "half", "month", "code", "year-end", "ym", "ymd"]))
    if kind == "quarter":
        q = draw(st.integers(1, 4))
        word = (
            draw(st.sampled_from(["", "第"]))
            + draw(numeral(q))
            + "季度"
            + draw(st.sampled_from(["", "末", "底"]))
            + draw(st.sampled_from(["", "前"]))
        )
        return word, year, month_end(year, 3 * q)
    if kind == "half":
        h = draw(st.integers(1, 2))
        word = draw(st.sampled_from(["上半年", "H1", "h1"] if h == 1 else ["下半年", "H2", "h2"]))
        return word, year, month_end(year, 6 * h)
    if kind == "month":
        m = draw(st.integers(1, 12))
        word = (
            draw(numeral(m))
            + "月"
            + draw(st.sampled_from(["", "份"]))
            + draw(st.sampled_from(["", "底", "末"]))
            + draw(st.sampled_from(["", "前"]))
        )
        return word, year, month_end(year, m)
    if kind == "code":
        letter = draw(st.sampled_from("QHM"))
        n = draw(st.integers(1, {"Q": 4, "H": 2, "M": 12}[letter]))
        months = {"Q": 3 * n, "H": 6 * n, "M": n}[letter]
        text = draw(st.sampled_from([str(n), f"{n:02d}"])) if letter == "M" else str(n)
        return draw(st.sampled_from([letter, letter.lower()])) + text, year, month_end(year, months)
    if kind == "year-end":
        word = draw(st.sampled_from(["年底", "年底前", "年終", "年终", "年末", "全年", "年內"]))
        return word, year, date(year, 12, 31)
    if kind == "ym":
        m = draw(st.integers(1, 12))
        return f"{year}-{m:0{draw(st.sampled_from([1, 2]))}d}", year, month_end(year, m)
    day = draw(st.dates(date(year, 1, 1), date(year, 12, 31)))
    return day.isoformat(), year, day


FULL_WIDTH = {chr(c): chr(c - 0x21 + 0xFF01) for c in range(0x21, 0x7F)}


def full_width(word: str) -> str:
    return "".join(FULL_WIDTH.get(ch, ch) for ch in word)


@given(period_word())
def test_every_valid_word_resolves_to_the_last_day_of_its_period(case):
    word, year, expected = case
    period = parse_period(word, year)
    assert period.end == expected
    assert period.end.year == year
    if period.kind != "D":  # a period ends on the last day of a month
        assert (period.end + timedelta(days=1)).day == 1
    assert parse_as_of(word, year) == expected


@given(period_word(), st.data())
def test_written_forms_of_one_word_agree(case, data):
    word, year, expected = case
    spaced = " ".join(word) if data.draw(st.booleans()) else f"  {word}\t"
    for form in (to_simplified(word), to_traditional(word), full_width(word), spaced):
        assert parse_period(form, year).end == expected, form


junk = st.one_of(
    st.text(),
    st.text(alphabet="第一二三四五六七八九十兩两季度月份底末前上下半年終终全內内QHMqhm0123456789-"),
    st.from_regex(r"\A[QHM]\d{1,3}\Z"),
    st.from_regex(r"\A\d{1,5}-\d{1,3}(-\d{1,3})?\Z"),
)


@given(junk, years)
def test_junk_is_bad_input_never_a_crash(text, year):
    for parse in (lambda: parse_period(text, year), lambda: parse_as_of(text, year)):
        try:
            result = parse()
        except BadInput:
            continue
        end = result if isinstance(result, date) else result.end
        assert isinstance(end, date)
    try:
        parse_date(text)
    except BadInput:
        pass


# ---------------------------------------------------------------------------------------------
# the percent and status rules

OFFICE = "區依法治區辦公室"
GROUP = "區依法治區工作領導小組"
# task number → the units assigned to it in the template
ASSIGNED = {7: [GROUP], 8: [OFFICE], 10: [OFFICE, GROUP], 19: [OFFICE, GROUP]}
YEAR_START, YEAR_END = date(2011, 1, 1), date(2011, 12, 31)
NOW = datetime(2012, 1, 1)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pufa_cli.main import run

    path = tmp_path_factory.mktemp("template") / "pufa.db"
    for argv in (
        ["init", "-q"],
        ["assign", "10", OFFICE, GROUP, "-q"],
        ["assign", "19", OFFICE, GROUP, "--lead", OFFICE, "-q"],
    ):
        assert run([*argv, "--db", str(path)]) == 0, argv
    return path


@pytest.fixture
def fresh_ledger(template: Path):  # type: ignore[no-untyped-def]
    """A function that gives a new open connection on a copy of the template."""
    folders: list[tempfile.TemporaryDirectory[str]] = []
    conns: list[dbmod.Connection] = []

    def make() -> dbmod.Connection:
        folder = tempfile.TemporaryDirectory()
        folders.append(folder)
        path = Path(folder.name) / "pufa.db"
        shutil.copyfile(template, path)
        conn = dbmod.connect(DbTarget(path, None))
        conns.append(conn)
        return conn

    yield make
    for conn in conns:
        conn.close()
    for folder in folders:
        folder.cleanup()


@dataclass(frozen=True)
class Log:
    task: int
    unit: str
    day: date
    percent: int


# Few distinct dates, so that entries share a day (the later one wins) and as-of dates fall
# on entry dates (an entry dated D counts as of D).
QUARTER_ENDS = [date(2011, 3, 31), date(2011, 6, 30), date(2011, 9, 30), date(2011, 12, 31)]
days = st.one_of(st.sampled_from(QUARTER_ENDS), st.dates(YEAR_START, YEAR_END))


@st.composite
def logs(draw: st.DrawFn) -> Log:
    task = draw(st.sampled_from(sorted(ASSIGNED)))
    return Log(
        task,
        draw(st.sampled_from(ASSIGNED[task])),
        draw(days),
        draw(st.one_of(st.integers(0, 100), st.sampled_from([0, 99, 100]))),
    )


def write(conn: dbmod.Connection, log: Log) -> int:
    with conn.transaction(write=True):
        plan = find_plan(conn, 2011)
        return log_progress(
            conn,
            plan,
            log.task,
            log.unit,
            percent=log.percent,
            done=False,
            metrics=[],
            note="",
            day=log.day,
            by="hypothesis",
            now=NOW,
            today=YEAR_END,
            again=True,  # the same values twice are two entries here: the rules count both
        )


def unwrite(conn: dbmod.Connection, entry_id: int) -> None:
    with conn.transaction(write=True):
        retract(conn, entry_id, "property test", "hypothesis", NOW)


def statuses(conn: dbmod.Connection, as_of: date) -> list[object]:
    with conn.transaction():
        return task_statuses(conn, find_plan(conn, 2011), as_of)


def model(history: list[tuple[int, Log]], retracted: set[int], task: int, as_of: date):  # type: ignore[no-untyped-def]
    """The rules of docs/rules.md, written again in plain Python."""
    percents = []
    for unit in ASSIGNED[task]:
        counting = [
            (log.day, eid, log.percent)
            for eid, log in history
            if log.task == task and log.unit == unit and log.day <= as_of and eid not in retracted
        ]
        percents.append(max(counting)[2] if counting else None)
    mean = sum(p or 0 for p in percents) / len(percents)
    reported = sum(p is not None for p in percents)
    status = "done" if mean >= 100 else "in-progress" if reported else "not-started"
    return mean, reported, status


RULES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@RULES
@given(st.lists(logs(), max_size=12), st.data(), days)
def test_the_sql_rules_match_a_plain_model(fresh_ledger, entries, data, as_of):
    conn = fresh_ledger()
    history = [(write(conn, log), log) for log in entries]
    retracted = set(
        data.draw(st.lists(st.sampled_from([e for e, _ in history]), unique=True))
        if history
        else []
    )
    for eid in sorted(retracted):
        unwrite(conn, eid)
    as_of = data.draw(st.sampled_from([as_of] + [log.day for log in entries]))
    got = {s.number: s for s in statuses(conn, as_of)}  # type: ignore[attr-defined]
    for task in ASSIGNED:
        mean, reported, status = model(history, retracted, task, as_of)
        assert got[task].percent == pytest.approx(mean), task
        assert (got[task].reported, got[task].status) == (reported, status), task


@RULES
@given(st.lists(logs(), max_size=10), st.dates(YEAR_START, YEAR_END - timedelta(days=1)), st.data())
def test_an_entry_dated_after_d_never_changes_the_result_as_of_d(fresh_ledger, entries, d, data):
    conn = fresh_ledger()
    for log in entries:
        write(conn, log)
    before = statuses(conn, d)
    drawn = data.draw(logs())  # by a unit already assigned to its task
    later = Log(
        drawn.task, drawn.unit, data.draw(st.dates(d + timedelta(days=1), YEAR_END)), drawn.percent
    )
    write(conn, later)
    assert statuses(conn, d) == before


@RULES
@given(st.lists(logs(), max_size=10), logs(), st.lists(days, min_size=1, max_size=4))
def test_adding_an_entry_then_retracting_it_gives_back_the_earlier_result(
    fresh_ledger, entries, extra, as_ofs
):
    conn = fresh_ledger()
    for log in entries:
        write(conn, log)
    as_ofs = [*as_ofs, extra.day, YEAR_END]
    before = [statuses(conn, d) for d in as_ofs]
    unwrite(conn, write(conn, extra))
    assert [statuses(conn, d) for d in as_ofs] == before


def test_the_model_and_the_rules_can_disagree():
    """The model is not vacuous: a retraction that it ignored would change its answer."""
    log = Log(19, OFFICE, date(2011, 3, 1), 80)
    assert model([(1, log)], set(), 19, YEAR_END) == (40.0, 1, "in-progress")
    assert model([(1, log)], {1}, 19, YEAR_END) == (0.0, 0, "not-started")


# --- latest_entries on SQLite: the triggers against any sequence of writes ---------------------

# A write as another program could make it, straight in SQL: (kind, a, b, c).
_WRITE = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 3), st.integers(0, 4), st.integers(0, 100)),
    st.tuples(st.just("retract"), st.integers(0, 40), st.just(0), st.just(0)),
    st.tuples(st.just("unretract"), st.integers(0, 40), st.just(0), st.just(0)),
    st.tuples(st.just("move"), st.integers(0, 40), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("redate"), st.integers(0, 40), st.integers(0, 4), st.integers(0, 100)),
    st.tuples(st.just("delete"), st.integers(0, 40), st.just(0), st.just(0)),
)
_DAYS = ["2011-02-01", "2011-03-01", "2011-03-01", "2011-06-30", "2011-12-31"]


def _latest_from_rows(raw: object) -> list[tuple[object, ...]]:
    """Each (task, unit)'s latest counting entry, from the rows in Python."""
    retracted = {r[0] for r in raw.execute("SELECT entry_id FROM retractions")}  # type: ignore[attr-defined]
    best: dict[tuple[int, int], tuple[str, int, int]] = {}
    for eid, task, unit, day, pct in raw.execute(  # type: ignore[attr-defined]
        "SELECT id, task_id, unit_id, entry_date, percent FROM entries"
    ):
        if eid not in retracted and (
            (task, unit) not in best or (day, eid) > best[(task, unit)][:2]
        ):
            best[(task, unit)] = (day, eid, pct)
    return sorted((t, u, e, d, p) for (t, u), (d, e, p) in best.items())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=st.lists(_WRITE, min_size=1, max_size=30))
def test_sqlite_keeps_each_pairs_latest_entry_through_any_writes(fresh_ledger, writes):
    """Migration 0015's row triggers: after every insert, retraction, un-retraction, move to
    another pair (a unit merge), change of date or percent and deletion, latest_entries is
    each (task, unit)'s latest counting entry."""
    conn = fresh_ledger()
    raw = conn.raw
    tasks = [r[0] for r in raw.execute("SELECT id FROM tasks ORDER BY id LIMIT 2")]
    units = [r[0] for r in raw.execute("SELECT id FROM units ORDER BY id LIMIT 2")]
    pairs = [(t, u) for t in tasks for u in units]
    for n, (kind, a, b, c) in enumerate(writes):
        ids = [r[0] for r in raw.execute("SELECT id FROM entries ORDER BY id")]
        target = ids[a % len(ids)] if ids else None
        if kind == "insert":
            task, unit = pairs[a]
            raw.execute(
                "INSERT INTO entries (task_id, unit_id, entry_date, percent, note, recorded_by, "
                "created_at, key) VALUES (?, ?, ?, ?, '', 'x', '2012-01-01 00:00:00', ?)",
                (task, unit, _DAYS[b], c, f"k{n}"),
            )
        elif target is None:
            continue
        elif kind == "retract":
            raw.execute(
                "INSERT OR IGNORE INTO retractions (entry_id, reason, retracted_by, retracted_at) "
                "VALUES (?, 'r', 'x', '2012-01-01 00:00:00')",
                (target,),
            )
        elif kind == "unretract":
            raw.execute("DELETE FROM retractions WHERE entry_id = ?", (target,))
        elif kind == "move":
            task, unit = pairs[b]
            raw.execute(
                "UPDATE entries SET task_id = ?, unit_id = ? WHERE id = ?", (task, unit, target)
            )
        elif kind == "redate":
            raw.execute(
                "UPDATE entries SET entry_date = ?, percent = ? WHERE id = ?", (_DAYS[b], c, target)
            )
        else:
            raw.execute("DELETE FROM retractions WHERE entry_id = ?", (target,))
            raw.execute("DELETE FROM entries WHERE id = ?", (target,))
        kept = sorted(raw.execute("SELECT * FROM latest_entries").fetchall())
        assert kept == _latest_from_rows(raw), (n, kind)

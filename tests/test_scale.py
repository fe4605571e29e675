"""A city's scale (issue 19): ``show N`` computes one task, the filters of ``tasks`` compute
only the tasks they can return, lists stream (JSON a task at a time, long tables a row at a
time) and look exactly as before. Speed itself is measured in benchmarks/, not here.
Runs on SQLite and, with ``PUFA_TEST_PG_URL``, on PostgreSQL."""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from test_items import ITEMS, JY, SJ, TW, load, ok

UNITS = ("區司法局", "區教育局", "區依法治區工作領導小組")


@pytest.fixture
def ledger_2011(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    """The 2011 plan with entries on a few tasks, one unit's due date moved and extended."""
    monkeypatch.setenv("PUFA_TODAY", "2011-07-01")
    for args in (
        ("unit", "add", "區司法局"),
        ("unit", "add", "區教育局"),
        ("log", "19", "-u", "區教育局", "--assign", "-m", "bases=37", "--date", "2011-05-20"),
        ("log", "14", "-u", "區司法局", "--assign", "-p", "50", "--date", "2011-03-10"),
        ("log", "7", "-u", "區依法治區工作領導小組", "-m", "inspections=1", "--date", "2011-06-15"),
        ("log", "1", "-u", "區司法局", "--assign", "--done", "--date", "2011-04-01"),
        ("log", "10", "-u", "區司法局", "--assign", "-p", "45", "--date", "2011-06-30"),
        ("assign", "3", "區教育局", "--due", "2011-05-31"),
        (
            "extend",
            "3",
            "-u",
            "區教育局",
            "--to",
            "2011-08-31",
            "--reason",
            "場地",
            "--date",
            "2011-05-20",
            "--approved-by",
            "主任",
        ),
    ):
        r = pufa(*args, "-q")
        assert r.code == 0, (args, r)
    return loaded


def computed(monkeypatch: Any) -> list[tuple[float, int]]:
    """Records a call for each task whose status is computed (progress.status_of)."""
    import pufa_cli.progress as progress

    calls: list[tuple[float, int]] = []
    real = progress.status_of

    def spy(percent: float, reported: int, due: Any, as_of: Any) -> tuple[str, bool]:
        calls.append((percent, reported))
        return real(percent, reported, due, as_of)

    monkeypatch.setattr(progress, "status_of", spy)
    return calls


def test_show_computes_its_task_only(ledger_2011, pufa, monkeypatch):
    calls = computed(monkeypatch)
    data = json.loads(ok(pufa, "show", "19", "-f", "json").out)
    assert (data["number"], data["percent"]) == (19, 37.0)
    assert len(calls) == 1  # not the plan's 23 tasks
    calls.clear()
    table = ok(pufa, "show", "3").out
    assert "2011-08-31" in table and len(calls) == 1  # its extension read as before


def test_show_of_a_task_with_items_computes_it_and_its_items(db, pufa, tmp_path, monkeypatch):
    load(pufa, tmp_path)
    ok(pufa, "log", "1.1", "--unit", SJ, "--percent", "80", "--date", "2023-05-01")
    ok(pufa, "log", "1.2", "--unit", JY, "--metric", "bases=5", "--date", "2023-05-02")
    calls = computed(monkeypatch)
    task = json.loads(ok(pufa, "show", "1", "-f", "json", "--as-of", "2023-07-01").out)
    assert task["percent"] == 65.0 and len(calls) == 3  # (80 + 50) / 2: the task and its items
    calls.clear()
    item = json.loads(ok(pufa, "show", "1.2", "-f", "json", "--as-of", "2023-07-01").out)
    assert item["percent"] == 50.0 and len(calls) == 1


def test_filters_compute_only_the_tasks_they_can_return(ledger_2011, pufa, monkeypatch):
    calls = computed(monkeypatch)
    got = json.loads(ok(pufa, "tasks", "--section", "5", "-f", "json").out)
    assert [t["number"] for t in got] == [18, 19, 20] and len(calls) == 3
    calls.clear()
    got = json.loads(ok(pufa, "tasks", "--unit", "區教育局", "-f", "json").out)
    assert [t["number"] for t in got] == [3, 19] and len(calls) == 2
    calls.clear()
    got = json.loads(ok(pufa, "tasks", "--unit", "區教育局", "--due", "Q3", "-f", "json").out)
    assert [t["number"] for t in got] == [3] and len(calls) <= 2  # due 08-31, extended


def _quarter(day: str) -> str:
    return f"Q{(int(day[5:7]) - 1) // 3 + 1}"


def _every_filter(pufa: Any, year: int, units: tuple[str, ...], as_of: str) -> None:
    """Each filter returns what the full list holds that passes it, in the same order."""
    full = json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", as_of).out)
    assert full

    def listed(*args: str) -> list[Any]:
        return json.loads(ok(pufa, "tasks", "-f", "json", "--as-of", as_of, *args).out)

    for section in sorted({t["section"] for t in full}):
        assert listed("--section", str(section)) == [t for t in full if t["section"] == section]
    for unit in units:
        want = [t for t in full if any(u["unit"] == unit for u in t["units"])]
        assert listed("--unit", unit) == want, unit
    for q in ("Q1", "Q2", "Q3", "Q4"):
        want = [t for t in full if t["due"][:4] == str(year) and _quarter(t["due"]) == q]
        assert listed("--due", q) == want, q
    for status in ("done", "in-progress", "not-started"):
        assert listed("--status", status) == [t for t in full if t["status"] == status]
    assert listed("--status", "overdue") == [t for t in full if t["overdue"]]
    section = full[-1]["section"]
    want = [t for t in full if t["section"] == section and t["status"] == "not-started"]
    assert listed("--section", str(section), "--status", "not-started") == want


def test_filters_return_what_the_full_list_holds(ledger_2011, pufa):
    _every_filter(pufa, 2011, UNITS, "2011-07-01")
    _every_filter(pufa, 2011, UNITS, "2011-12-31")


def test_filters_keep_a_tasks_items_for_its_percent(db, pufa, tmp_path):
    load(pufa, tmp_path)
    ok(pufa, "log", "1.1", "--unit", SJ, "--percent", "80", "--date", "2023-05-01")
    ok(pufa, "log", "1.2", "--unit", JY, "--metric", "bases=5", "--date", "2023-05-02")
    _every_filter(pufa, 2023, (SJ, JY, TW), "2023-07-01")


FILTERS: list[dict[str, Any]] = [
    {},
    {"section": 5},
    {"status": "done"},
    {"status": "in-progress"},
    {"status": "not-started"},
    {"status": "overdue"},
    {"status": "behind"},
    {"due_quarter": 3},
    {"due_quarter": 4, "status": "overdue"},
    {"unit": "區教育局"},
    {"unit": "區司法局", "status": "overdue"},
]


def _views(db: str, as_of: str, brief: bool, chunk: int, **filters: Any) -> list[Any]:
    from datetime import date

    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db
    from pufa_cli.ledger import iter_tasks
    from pufa_cli.progress import find_plan
    from pufa_cli.units import resolve_unit

    conn = dbmod.connect(resolve_db(db))
    try:
        plan = find_plan(conn, 2011)
        unit = filters.pop("unit", None)
        unit_id = resolve_unit(conn, unit).id if unit else None
        return list(
            iter_tasks(
                conn,
                plan,
                date.fromisoformat(as_of),
                unit_id=unit_id,
                chunk=chunk,
                brief=brief,
                **filters,
            )
        )
    finally:
        conn.close()


@pytest.mark.parametrize("as_of", ["2011-03-31", "2011-07-01", "2011-12-31"])
def test_the_tables_brief_views_are_the_full_ones_status_and_targets(ledger_2011, as_of):
    """``tasks`` as a table reads each slice's statuses and targets only (``brief``): the
    same tasks pass each filter, with the same status, percent, due date and targets."""
    for filters in FILTERS:
        full = _views(ledger_2011, as_of, False, 5, **filters)
        brief = _views(ledger_2011, as_of, True, 5, **filters)
        assert [(v.status, v.targets) for v in brief] == [(v.status, v.targets) for v in full]
        assert all(not (v.units or v.checkpoints or v.due_word) for v in brief)
        if as_of == "2011-12-31":  # each filter returns some tasks: the test can fail
            assert full, filters


def test_the_lights_thresholds_are_read_at_the_first_task(ledger_2011, pufa, monkeypatch):
    """As ``light`` read them a task at a time: a bad PUFA_YELLOW fails a list that has a
    task, not an empty one."""
    monkeypatch.setenv("PUFA_YELLOW", "abc")
    assert ok(pufa, "tasks", "--status", "done", "--as-of", "2011-01-02").out.endswith("0 tasks\n")
    r = pufa("tasks", "--as-of", "2011-12-31")
    assert r.code == 2 and "PUFA_YELLOW" in r.err


@pytest.mark.parametrize("chunk", [1, 2, 5])
def test_lists_read_in_slices_are_the_same(ledger_2011, pufa, monkeypatch, chunk):
    import pufa_cli.ledger as ledger

    whole = [
        ok(pufa, *a).out
        for a in (("tasks", "-f", "json"), ("tasks",), ("export", "-w", "tasks", "-f", "json"))
    ]
    monkeypatch.setattr(ledger, "CHUNK", chunk)
    assert [
        ok(pufa, *a).out
        for a in (("tasks", "-f", "json"), ("tasks",), ("export", "-w", "tasks", "-f", "json"))
    ] == whole


def test_items_in_slices_stay_with_their_task(db, pufa, tmp_path, monkeypatch):
    import pufa_cli.ledger as ledger

    load(pufa, tmp_path, ITEMS)
    ok(pufa, "log", "1.1", "--unit", SJ, "--percent", "80", "--date", "2023-05-01")
    whole = ok(pufa, "tasks", "-f", "json", "--as-of", "2023-07-01").out
    monkeypatch.setattr(ledger, "CHUNK", 1)
    assert ok(pufa, "tasks", "-f", "json", "--as-of", "2023-07-01").out == whole
    assert json.loads(whole)[0]["percent"] == 40.0  # (80 + 0) / 2


@pytest.mark.parametrize(
    "args", [("tasks", "-f", "json"), ("export", "--what", "tasks", "-f", "json")]
)
def test_json_lists_are_written_as_tasks_are_computed(ledger_2011, pufa, monkeypatch, args):
    """Each task is written out before the next slice is read: memory does not grow with the
    plan. (Before: the whole list was built, then dumped.)"""
    import pufa_cli.ledger as ledger
    import pufa_cli.progress as progress
    import pufa_cli.render.task_json as as_text

    events: list[str] = []
    real_statuses, real_json, real_text = (
        progress.task_statuses,
        ledger.task_json,
        as_text.task_json_text,
    )

    def statuses(*a: Any, **k: Any) -> Any:
        events.append("read")
        return real_statuses(*a, **k)

    def as_json(*a: Any, **k: Any) -> Any:
        events.append("json")
        return real_json(*a, **k)

    def json_text(*a: Any, **k: Any) -> Any:
        events.append("json")
        return real_text(*a, **k)

    whole = ok(pufa, *args).out
    monkeypatch.setattr(ledger, "task_statuses", statuses)
    monkeypatch.setattr(ledger, "task_json", as_json)
    monkeypatch.setattr(as_text, "task_json_text", json_text)
    monkeypatch.setattr(ledger, "CHUNK", 5)
    assert ok(pufa, *args).out == whole
    assert events.count("json") == 23
    assert events.count("read") == 5 and events.index("json") < events.index("read", 1)


# --- the streamed table against Rich's ------------------------------------------------------

WORDS = ["法治", "宣傳", "教育", "“六五”普法", "(第12項)", "基地", "青少年", "ab", "x"]


def _row(rng: random.Random, n: int) -> list[Any]:
    from pufa_cli.render.stream import Styled

    title = "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 14)))
    if rng.random() < 0.2:  # English words wrap at blanks
        title = " ".join(
            rng.choice(["work", "plan", "rule-of-law", "a", "publicity"])
            for _ in range(rng.randint(1, 12))
        )
    if rng.random() < 0.05:
        title = rng.choice(["[b]粗[/b]體", "見 :smile: 笑", "a:b", "[1] 條", "\x1b[2J 清"])
    targets = "\n".join(
        f"{rng.randint(0, 200)}/{rng.randint(1, 200)} " + rng.choice(["個", "場次", "人次", "%"])
        for _ in range(rng.choice([0, 0, 1, 2, 3]))
    )
    status = rng.choice(["done", "in progress", "not started", "not started, overdue"])
    return [
        f"{n}" if rng.random() < 0.9 else f"{n}.{rng.randint(1, 9)}",
        rng.randint(1, 20),
        title,
        "2011-12-31",
        targets,
        f"{rng.random() * 100:.1f}%",
        Styled(status, rng.choice(["green", "yellow", "red", ""])),
    ]


def _cols() -> list[Any]:
    from pufa_cli.render.task_view import tasks_cols

    return tasks_cols()


def _rich(title: str, rows: list[list[Any]], caption: str) -> str:
    from pufa_cli.render import show
    from pufa_cli.render.layout import table
    from pufa_cli.render.stream import _Cells

    show(table(title, _cols(), _Cells(rows).rich_rows(), caption=caption))
    return ""


@pytest.mark.parametrize("width", [None, "30", "60", "80", "120"])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_streamed_table_is_byte_for_byte_richs(capsys, monkeypatch, width, seed):
    from pufa_cli.render.stream import PackedRows, write_table

    if width is None:
        monkeypatch.delenv("COLUMNS", raising=False)  # piped: as wide as the data
    else:
        monkeypatch.setenv("COLUMNS", width)
    rng = random.Random(seed)
    rows = [_row(rng, n) for n in range(1, 400)]
    title, caption = "全區依法治區工作方案 (2011) — tasks as of 2011-06-30", "399 tasks"
    _rich(title, rows, caption)
    want = capsys.readouterr().out
    packed = PackedRows()
    for row in rows:
        packed.append(row)
    write_table(title, _cols(), packed, caption)
    got = capsys.readouterr().out
    assert got == want
    assert len(want.splitlines()) > 400  # some rows took more than one line


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_a_streamed_table_on_a_terminal_reads_as_richs_with_its_colours(capsys, monkeypatch):
    from pufa_cli.render.stream import write_table

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    rng = random.Random(3)
    rows = [_row(rng, n) for n in range(1, 300)]
    _rich("方案", rows, "299 tasks")
    want = capsys.readouterr().out
    write_table("方案", _cols(), rows, "299 tasks")
    got = capsys.readouterr().out
    assert "\x1b[" in got and ANSI.sub("", got) == ANSI.sub("", want)
    # Each status reads in its light's colour, as Rich prints it.
    red = [line for line in got.splitlines() if "overdue" in line and "\x1b[31m" in line]
    assert red


@pytest.mark.parametrize("lang", ["en", "zh-Hant", "zh-Hans"])
@pytest.mark.parametrize("width", ["80", "120"])
def test_pufa_tasks_streamed_is_what_rich_prints(ledger_2011, pufa, monkeypatch, lang, width):
    import pufa_cli.render.stream as stream

    monkeypatch.setenv("COLUMNS", width)
    monkeypatch.setattr(stream, "STREAM_ROWS", 10**9)
    by_rich = ok(pufa, "--lang", lang, "tasks").out
    monkeypatch.setattr(stream, "STREAM_ROWS", 0)
    assert ok(pufa, "--lang", lang, "tasks").out == by_rich
    assert ok(pufa, "--lang", lang, "tasks", "--status", "not-started").out != by_rich


def test_write_json_list_is_json_dumps(tmp_path: Path):
    from datetime import date

    from pufa_cli.render import pretty_json, write_json_list

    odd = [
        [],
        {},
        [[[]]],
        [{}],
        (1, 2),
        {"a": {"b": [1, 2.5, None, True, False, '中\n"x\\', {"c": {}}]}},
        1e-7,
        -0.0,
        12345678901234567890,
        "\u2028\x00\x1b",
        date(2011, 1, 1),  # default=str
        {"d": date(2011, 1, 1)},
        {1: 2},  # a key json turns into a string
        float("nan"),
    ]
    for value in odd:
        assert pretty_json(value) == json.dumps(value, ensure_ascii=False, indent=2, default=str)
    for items in ([], [1], odd):
        out = io.StringIO()
        assert write_json_list(out, iter(items)) == len(items)
        want = json.dumps(items, ensure_ascii=False, indent=2, default=str) + "\n"
        assert out.getvalue() == want


# --- a task's JSON written straight to text -------------------------------------------------


def _odd_views(views: list[Any]) -> list[Any]:
    """The views with the values JSON writes with care: quotes, line breaks, controls and
    line separators in text, a sub-item's number, labels and persons absent and present,
    figures whole and fractional, checkpoints of every state, a target JSON cannot write."""
    from datetime import date

    from pufa_cli.checkpoints import Checkpoint
    from pufa_cli.targets import TargetProgress

    out = []
    for n, v in enumerate(views):
        ts = v.status._replace(
            title=v.status.title + ' "引號" \\ 換\n行 \x1b[2J \u2028 😀',
            label=None if n % 2 else "二(三)",
            item=n % 3,
            percent=[0.0, 12.25, 99.95, 100.0, 37.5][n % 5],
            ongoing=bool(n % 2),
        )
        units = [u._replace(person=None if n % 2 else '張敏 "主任"') for u in v.units]
        targets = [
            TargetProgress("bases", "基地\t(個)", 10.0, "個", None),
            TargetProgress("rate", "覆蓋率", 12.5, "%", 37.0),
            TargetProgress("big", "人次", 1e16, "人次", 0.1 + 0.2),
        ]
        if n % 7 == 1:  # json.dumps writes NaN; so does the fallback
            targets.insert(0, TargetProgress("nan", "壞", float("nan"), "個", None))
        cps = [Checkpoint(date(2011, 6, 30), None), Checkpoint(date(2011, 3, 31), n % 2 == 0)]
        out.append(
            v._replace(
                status=ts,
                units=units,
                targets=targets[: n % 4],
                checkpoints=cps[: n % 3],
                planned_due=None if n % 2 else date(2011, 3, 1),
                due_word=v.due_word + '"' if n % 5 == 0 else v.due_word,
            )
        )
    return out


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_a_tasks_json_text_is_pretty_json_of_task_json(ledger_2011, lang):
    """``tasks -f json`` writes each task with ``task_json_text``: byte for byte
    ``pretty_json(task_json(...))``, over every task of the ledger as of three dates and over
    the same tasks with unusual values."""
    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db
    from pufa_cli.i18n import plan_text, set_language
    from pufa_cli.ledger import task_json
    from pufa_cli.progress import find_plan
    from pufa_cli.render import pretty_json
    from pufa_cli.render.task_json import task_json_text

    conn = dbmod.connect(resolve_db(ledger_2011))
    plan = find_plan(conn, 2011)
    conn.close()

    def text(value: str) -> str:
        return plan_text(value, plan.script)

    set_language(lang)  # conftest sets English back
    for as_of in ("2011-03-31", "2011-07-01", "2011-12-31"):
        views = _views(ledger_2011, as_of, False, 5)
        assert any(v.units for v in views) and any(v.targets for v in views)
        for v in views + _odd_views(views):
            for newline in ("\n", "\n  "):
                want = pretty_json(task_json(v, plan, text), newline)
                assert task_json_text(v, plan, text, newline) == want


def test_json_of_tasks_with_items_and_targets_is_json_dumps(db, pufa, tmp_path):
    load(pufa, tmp_path, ITEMS)
    ok(pufa, "log", "1.1", "--unit", SJ, "--percent", "80", "--date", "2023-05-01")
    ok(pufa, "log", "1.2", "--unit", JY, "--metric", "bases=5", "--date", "2023-05-02")
    listed = ok(pufa, "tasks", "-f", "json", "--as-of", "2023-07-01").out
    items = json.loads(listed)
    assert [t["number"] for t in items] == [1, "1.1", "1.2", 2] and items[2]["targets"]
    assert listed == json.dumps(items, ensure_ascii=False, indent=2) + "\n"


@pytest.fixture
def busy_task(loaded, pufa, monkeypatch):  # type: ignore[no-untyped-def]
    """Task 19 with entries of every kind its history shows: CJK and English notes that wrap,
    text Rich would read as markup, wide forms and emoji, metrics, structured progress (存在問題,
    下一步措施) and retractions (a note in two styles), from two units."""
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    ok(pufa, "unit", "add", "區教育局", "-q")
    ok(pufa, "unit", "add", "區司法局", "-q")
    notes = [
        "新建青少年法制教育基地,開展送法進校園活動" * 3,
        "[b]粗體[/b] 見 :smile: 與 [1] 條",
        "a long English note about rule-of-law publicity in the schools of the district " * 2,
        "",
        "全角ＡＢ１ and 😀 emoji",
    ]
    for n in range(12):
        args = ["log", "19", "-u", ("區教育局", "區司法局")[n % 2], "--assign", "-q"]
        args += ["--date", f"2011-{n % 12 + 1:02d}-{n % 27 + 1:02d}", "--again"]
        args += ["-m", f"bases={n * 3}"] if n % 3 else ["-p", str(n * 8)]
        if notes[n % len(notes)]:
            args += ["-n", notes[n % len(notes)]]
        if n % 4 == 1:
            args += ["--problems", "經費不足", "--next", "申請追加預算 [下季]"]
        ok(pufa, *args)
    for entry in (2, 5, 9):
        ok(pufa, "retract", str(entry), "--reason", "重複填報 [誤]", "-q")


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
@pytest.mark.parametrize("width", [None, "40", "80", "140"])
def test_pufa_show_streams_its_history_as_rich_prints_it(busy_task, pufa, monkeypatch, lang, width):
    # A busy task's history (more than STREAM_ROWS entries) is streamed: the page must read
    # exactly as Rich printed it, the parts before and after the table included, at every width
    # (narrow: the page widens to its widest part, as show() does for a Group).
    import pufa_cli.render.stream as stream

    if width is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", width)
    monkeypatch.setattr(stream, "STREAM_ROWS", 10**9)
    by_rich = ok(pufa, "--lang", lang, "show", "19").out
    monkeypatch.setattr(stream, "STREAM_ROWS", 0)
    streamed = ok(pufa, "--lang", lang, "show", "19").out
    assert streamed == by_rich
    assert "[b]" in by_rich and ":smile:" in by_rich  # the note as written, not markup


def test_pufa_show_streamed_on_a_terminal_keeps_the_retractions_red(busy_task, pufa, monkeypatch):
    import pufa_cli.render.stream as stream

    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(stream, "STREAM_ROWS", 10**9)
    by_rich = ok(pufa, "show", "19").out
    monkeypatch.setattr(stream, "STREAM_ROWS", 0)
    streamed = ok(pufa, "show", "19").out
    assert ANSI.sub("", streamed) == ANSI.sub("", by_rich)
    red = [line for line in streamed.splitlines() if "retracted" in line and "\x1b[31m" in line]
    assert len(red) == 3, streamed


@pytest.mark.parametrize("by", ["task", "unit", "section"])
@pytest.mark.parametrize("width", [None, "50", "120"])
def test_pufa_report_streamed_is_what_rich_prints(ledger_2011, pufa, monkeypatch, by, width):
    # A report of more than STREAM_ROWS tasks or units is streamed (a city plan's 10,000 tasks
    # by task: 9.5 s through Rich); it must read exactly as Rich prints it, the lines under the
    # table included. By section (a total row) always goes through Rich.
    import pufa_cli.render.stream as stream

    if width is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", width)
    args = ("report", "--quarter", "2", "--by", by)
    monkeypatch.setattr(stream, "STREAM_ROWS", 10**9)
    by_rich = ok(pufa, *args).out
    monkeypatch.setattr(stream, "STREAM_ROWS", 0)
    assert ok(pufa, *args).out == by_rich
    assert ok(pufa, *args, "--section", "1").out != by_rich  # the comparison can fail


def test_pufa_report_by_task_streamed_on_a_terminal_keeps_its_colours(
    ledger_2011, pufa, monkeypatch
):
    import pufa_cli.render.stream as stream

    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(stream, "STREAM_ROWS", 10**9)
    by_rich = ok(pufa, "report", "--quarter", "2", "--by", "task").out
    monkeypatch.setattr(stream, "STREAM_ROWS", 0)
    streamed = ok(pufa, "report", "--quarter", "2", "--by", "task").out
    assert ANSI.sub("", streamed) == ANSI.sub("", by_rich)
    assert sorted(ANSI.findall(streamed)) == sorted(ANSI.findall(by_rich))  # the same colours
    assert "\x1b[31m" in streamed  # a red light or status

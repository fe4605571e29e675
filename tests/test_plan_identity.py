"""Plan identity (issue 14.1): several plans a year, each with its own progress; a file whose
identity matches a stored plan never moves history silently; an old database keeps every row
and reports the same numbers after the upgrade."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import dump_db

DATA = Path(__file__).parent / "data"


def plan_text(title: str, *, plan_id: str | None = None, task1: str = "開展憲法宣傳") -> str:
    head = f"id: {plan_id}\n" if plan_id else ""
    return f"""\
version: 1
{head}year: 2023
title: {title}
units: [區司法局, 區教育局]
sections:
  - number: 1
    title: 一、重點工作
    tasks:
      - number: 1
        title: {task1}
        due: 上半年
        lead: 區司法局
      - number: 2
        title: 開展民法典宣傳
        lead: 區教育局
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# Two real 2023 plans share their title word for word: only their ids tell them apart.
TITLE = "2023年全市普法依法治理工作要點"


def test_two_plans_of_one_year_keep_their_own_progress(db, pufa, tmp_path):
    a = write(tmp_path, "a.yaml", plan_text(TITLE, plan_id="wuhu-2023"))
    b = write(tmp_path, "b.yaml", plan_text(TITLE, plan_id="hefei-2023", task1="開展黨內法規宣傳"))
    assert pufa("init", "-q", "--plan", a).code == 0
    assert pufa("init", "-q", "--plan", b).code == 0
    r = pufa("log", "1", "--unit", "區司法局", "--percent", "40", "--date", "2023-03-01")
    assert r.code == 2 and "wuhu-2023" in r.err and "hefei-2023" in r.err, r
    assert len(r.err.splitlines()) == 1
    ok = ("--date", "2023-03-01", "--unit", "區司法局")
    assert pufa("log", "1", "--percent", "40", "--plan-id", "wuhu-2023", *ok).code == 0
    assert pufa("log", "1", "--percent", "10", "--plan-id", "hefei-2023", *ok).code == 0

    def task1(*args: str) -> dict[str, Any]:
        r = pufa("tasks", "-f", "json", "--as-of", "2023-03-31", *args)
        assert r.code == 0, r
        return json.loads(r.out)[0]

    wuhu = task1("--plan-id", "wuhu-2023")
    assert (wuhu["plan"], wuhu["year"], wuhu["title"], wuhu["percent"]) == (
        "wuhu-2023",
        2023,
        "開展憲法宣傳",
        40,
    )
    hefei = task1("--plan-id", "hefei-2023")
    assert (hefei["plan"], hefei["title"], hefei["percent"]) == (
        "hefei-2023",
        "開展黨內法規宣傳",
        10,
    )

    r = pufa("plan", "list", "-f", "json")
    assert json.loads(r.out) == [
        {"plan": "hefei-2023", "year": 2023, "title": TITLE, "tasks": 2},
        {"plan": "wuhu-2023", "year": 2023, "title": TITLE, "tasks": 2},
    ]
    table = pufa("plan", "list").out
    assert "hefei-2023" in table and "wuhu-2023" in table and TITLE in table


def test_pufa_plan_variable_and_report_json(db, pufa, tmp_path, monkeypatch):
    a = write(tmp_path, "a.yaml", plan_text(TITLE, plan_id="wuhu-2023"))
    b = write(tmp_path, "b.yaml", plan_text("另一個要點", plan_id="fzzf-2023"))
    assert pufa("init", "-q", "--plan", a).code == 0
    assert pufa("init", "-q", "--plan", b).code == 0
    assert pufa("report", "-f", "json", "--year", "2023").code == 2
    monkeypatch.setenv("PUFA_PLAN", "fzzf-2023")
    data = json.loads(pufa("report", "-f", "json", "--as-of", "2023-06-30").out)
    assert (data["year"], data["plan"]) == (2023, "fzzf-2023")
    monkeypatch.setenv("PUFA_PLAN", "Nope!")
    r = pufa("tasks")
    assert r.code == 2 and "PUFA_PLAN" in r.err, r
    monkeypatch.setenv("PUFA_PLAN", "nope")
    r = pufa("tasks")
    assert r.code == 2 and "no plan 'nope'" in r.err and "wuhu-2023" in r.err, r


def test_same_identity_with_another_title_is_refused(db, pufa, tmp_path):
    first = write(tmp_path, "a.yaml", plan_text(TITLE))  # no id: the id is "2023"
    assert pufa("init", "-q", "--plan", first).code == 0
    other = write(tmp_path, "b.yaml", plan_text("2023年法治政府建設工作要點"))
    before = dump_db(db)
    r = pufa("init", "--plan", other)
    assert r.code == 2, r
    assert "plan 2023" in r.err and "id:" in r.err and "--replace" in r.err
    assert dump_db(db) == before
    assert pufa("init", "-q", "--plan", other, "--replace").code == 0
    listed = json.loads(pufa("plan", "list", "-f", "json").out)
    assert [(p["plan"], p["title"]) for p in listed] == [("2023", "2023年法治政府建設工作要點")]


def test_retitled_task_with_history_is_refused(db, pufa, tmp_path):
    path = write(tmp_path, "a.yaml", plan_text(TITLE))
    assert pufa("init", "-q", "--plan", path).code == 0
    assert (
        pufa("log", "1", "--unit", "區司法局", "--percent", "5", "--date", "2023-02-01").code == 0
    )
    # Task 2 has only the unit the plan named, no entry: its title may change freely.
    write(tmp_path, "a.yaml", plan_text(TITLE).replace("開展民法典宣傳", "深入學習民法典"))
    assert pufa("init", "-q", "--plan", path).code == 0
    write(tmp_path, "a.yaml", plan_text(TITLE, task1="開展黨內法規宣傳"))
    before = dump_db(db)
    r = pufa("init", "--plan", path)
    assert r.code == 2, r
    assert "task 1" in r.err and "it has 1 progress entry;" in r.err and "--replace" in r.err
    assert dump_db(db) == before
    assert pufa("init", "-q", "--plan", path, "--replace").code == 0
    data = json.loads(pufa("tasks", "-f", "json", "--as-of", "2023-03-01").out)
    assert [(t["title"], t["percent"]) for t in data] == [
        ("開展黨內法規宣傳", 5),
        ("開展民法典宣傳", 0),
    ]


# --- an old database upgrades with every row kept and the same numbers -------------------


def _restore_0003(db: str) -> dict[str, Any]:
    """The fixture ledger (made by pufa at schema 0003, see data/make_db_0003.py) written at
    revision 0003 through SQLAlchemy, so the same test runs on SQLite and PostgreSQL."""
    from sqlalchemy import Date, DateTime, MetaData, text

    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db

    fixture = json.loads((DATA / "db-0003-2011.json").read_text(encoding="utf-8"))
    assert fixture["revision"] == "0003"
    target = resolve_db(db)
    _migrate_to(target)
    engine = dbmod.sa_engine(target)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.begin() as conn:
            for name, table in fixture["tables"].items():
                cols = meta.tables[name].columns
                rows = []
                for raw in table["rows"]:
                    row = dict(zip(table["columns"], raw, strict=True))
                    for key, value in row.items():
                        if value is not None and isinstance(cols[key].type, DateTime):
                            row[key] = datetime.fromisoformat(value)
                        elif value is not None and isinstance(cols[key].type, Date):
                            row[key] = date.fromisoformat(value)
                    rows.append(row)
                if rows:
                    conn.execute(meta.tables[name].insert(), rows)
            if engine.dialect.name == "postgresql":
                for name in (
                    "plans",
                    "sections",
                    "tasks",
                    "targets",
                    "units",
                    "assignments",
                    "entries",
                ):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT max(id) FROM {name}))"
                        )
                    )
    finally:
        engine.dispose()
    assert dbmod.current_revision(target) == "0003"
    return fixture


def _migrate_to(target: Any) -> None:
    from pufa_cli import store as dbmod

    if target.path is not None:
        target.path.touch(mode=0o600)
    dbmod.migrate(target, "0003")


def _rows(db: str) -> dict[str, list[tuple[Any, ...]]]:
    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db

    conn = dbmod.connect(resolve_db(db))
    try:
        fixture = json.loads((DATA / "db-0003-2011.json").read_text(encoding="utf-8"))
        out = {}
        for name, table in fixture["tables"].items():
            cols = ", ".join(table["columns"])
            out[name] = sorted(
                (tuple(_plain(v) for v in r) for r in conn.rows(f"SELECT {cols} FROM {name}")),
                key=repr,
            )
        return out
    finally:
        conn.close()


def _plain(value: Any) -> str | None:
    """A value as comparable text: engines give dates and times back as text or objects, and
    SQLAlchemy writes SQLite times with microseconds; the moment is what must be kept."""
    if value is None:
        return None
    text = value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)
    if len(text) >= 19 and text[4] == "-" and text[10] in " T":
        return datetime.fromisoformat(text).isoformat(sep=" ")
    return text


def test_a_2011_database_made_before_plan_ids_upgrades_unchanged(db, pufa):
    fixture = _restore_0003(db)
    r = pufa("db", "upgrade", "-q")
    assert r.code == 0, r
    for args, want in fixture["reports"].items():
        r = pufa("report", "-f", "json", *args.split())
        assert r.code == 0, (args, r)
        got = json.loads(r.out)
        assert got.pop("plan") == "2011"
        # Keys added since. No 2011 task is ongoing work. Checkpoints now count: task 7 (in
        # section 2; checks 上半年 06-30 and 第四季度 12-31) has its lead 區依法治區工作領導小組,
        # who never reported, and 區依法治區辦公室, who reported on 06-30 only. So task 7 missed
        # 06-30 (the lead did) and, by 12-31, 12-31 too (both did): 1 at Q2 and on 08-01, 2 at
        # Q4; the office itself missed only 12-31. Task 2's unit reported on 03-31 and 07-15:
        # it met both of its checkpoints. No light changes: task 7 was yellow at Q2 (29.6
        # behind) and red after.
        when = args.split(" ", 2)[2]
        missed = {"--quarter 2": 1, "--quarter 4": 2, "--as-of 2011-08-01": 1}[when]
        own = {"區依法治區工作領導小組": missed, "區依法治區辦公室": 1 if missed == 2 else 0}
        for row in got["rows"]:
            assert row.pop("ongoing", False) is False
            if "number" in row:  # issue 16: no extension, problems or next steps in 2011's data
                assert row.pop("planned_due") == row["due"]
                assert (row.pop("problems"), row.pop("next")) == ("", "")
                want_missed = missed if row["number"] == 7 else 0
            elif "unit" in row:
                want_missed = own.get(row["unit"], 0)
            else:
                want_missed = missed if row["section"] == 2 else 0
            assert row.pop("missed") == want_missed, (args, row)
        assert got["total"].pop("missed") == missed
        if when in ("--quarter 2", "--quarter 4"):
            # Overdue as of D is now `due <= D` (docs/rules.md rule 5): a task not done on its
            # due date is overdue, and so red, as of that date — task 2 (due 06-30 by its
            # override) at Q2, every task not done by 12-31 at Q4. The fixture's reports predate
            # the rule: derive the overdue tasks from its own task rows by the rule, and compare
            # the rest of each report with the figures that rule does not touch.
            task_report = fixture["reports"][f"--by task {when}"]
            by_rule = sorted(
                r["number"]
                for r in task_report["rows"]
                if r["status"] != "done" and r["due"] <= task_report["as_of"]
            )
            assert got["overdue"] == by_rule, args
            assert set(by_rule) > set(want["overdue"]), args
            got, want = _without_lights(got), _without_lights(want)
        assert got == want, args
    rows = _rows(db)
    for name, table in fixture["tables"].items():
        want_rows = sorted((tuple(_plain(v) for v in raw) for raw in table["rows"]), key=repr)
        assert rows[name] == want_rows, name
    listed = json.loads(pufa("plan", "list", "-f", "json").out)
    assert listed == [{"plan": "2011", "year": 2011, "title": listed[0]["title"], "tasks": 23}]
    # The bundled 2011 plan loads over it unchanged: its identity is its year.
    r = pufa("init")
    assert r.code == 0 and "unchanged" in r.out, r


def _without_lights(report: dict[str, Any]) -> dict[str, Any]:
    """A report without what the overdue rule decides: overdue tasks and counts, lights."""
    lights = ("overdue", "red", "yellow", "colour")
    return {
        **{k: v for k, v in report.items() if k not in ("overdue", "total", "rows")},
        "total": {k: v for k, v in report["total"].items() if k not in lights},
        "rows": [{k: v for k, v in row.items() if k not in lights} for row in report["rows"]],
    }


@pytest.mark.parametrize("bad", ["Plan", "-x", "a_b", "é"])
def test_plan_id_option_is_checked(loaded, pufa, bad):
    r = pufa("tasks", "--plan-id", bad)
    assert r.code == 2 and "--plan-id" in r.err, r


def test_import_goes_to_the_chosen_plan_of_a_year(db, pufa, tmp_path, monkeypatch):
    monkeypatch.setenv("PUFA_TODAY", "2024-01-15")
    a = write(tmp_path, "a.yaml", plan_text(TITLE, plan_id="wuhu-2023"))
    b = write(tmp_path, "b.yaml", plan_text(TITLE, plan_id="hefei-2023", task1="開展黨內法規宣傳"))
    assert pufa("init", "-q", "--plan", a).code == 0
    assert pufa("init", "-q", "--plan", b).code == 0
    rows = write(
        tmp_path, "rows.csv", "year,task,unit,date,percent\n2023,1,區司法局,2023-03-01,40\n"
    )
    r = pufa("import", rows)
    assert r.code == 2 and "wuhu-2023" in r.err and "hefei-2023" in r.err, r
    r = pufa("import", rows, "--plan-id", "hefei-2023")
    assert r.code == 0, r

    def percent(plan: str) -> float:
        out = pufa("tasks", "-f", "json", "--plan-id", plan, "--as-of", "2023-03-31").out
        return float(json.loads(out)[0]["percent"])

    assert (percent("hefei-2023"), percent("wuhu-2023")) == (40.0, 0.0)

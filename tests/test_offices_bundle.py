"""Offline districts (issue 18.4): a district on SQLite exports a bundle, the city imports it.
All or nothing, idempotent (the same or an older bundle adds nothing), refused in one line
when the digest does not match or the bundle is another office's."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conftest import dump_db
from test_offices import CITY, JIA, YI, plan_yaml


@pytest.fixture
def district(tmp_path: Path, pufa) -> str:  # type: ignore[no-untyped-def]
    """甲's own SQLite ledger: its plan, three entries on 2023-03-01 and 04-01, one retracted."""
    path = str(tmp_path / "jia.db")

    def ok(*args: str) -> None:
        r = (
            pufa(*args[:1], "--db", path, *args[1:])
            if args[0] != "office"
            else pufa(args[0], args[1], "--db", path, *args[2:])
        )
        assert r.code == 0, (args, r)

    ok("init", "-q")  # the bundled 2011 plan: another plan of the office, not in the bundle
    ok("office", "rename", "本辦", JIA, "-q")
    plan = tmp_path / "jia.yaml"
    plan.write_text(
        plan_yaml(
            "2023-jia",
            [
                (1, "區司法局", "2023-city#1"),
                (2, "區司法局", "2023-city#2"),
                (3, "甲區教育局", None),
            ],
            ["區司法局", "甲區教育局"],
            office=JIA,
        ),
        encoding="utf-8",
    )
    ok("init", "-q", "--plan", str(plan))
    for task, unit, pct, day in (
        ("1", "區司法局", "100", "2023-03-01"),
        ("2", "區司法局", "50", "2023-03-01"),
        ("3", "甲區教育局", "40", "2023-04-01"),
    ):
        ok(
            "log",
            "--plan-id",
            "2023-jia",
            task,
            "--unit",
            unit,
            "--percent",
            pct,
            "--date",
            day,
            "-q",
        )
    shown = json.loads(pufa("show", "--db", path, "--plan-id", "2023-jia", "3", "-f", "json").out)
    entry = shown["history"][0]["id"]
    ok("retract", str(entry), "--reason", "重複填報", "-q")
    return path


@pytest.fixture
def city_db(db: str, pufa) -> str:  # type: ignore[no-untyped-def]
    for args in (
        ("db", "upgrade", "-q"),
        ("office", "rename", "本辦", CITY, "-q"),
        ("office", "add", JIA, "--parent", CITY, "-q"),
        ("office", "add", YI, "--parent", CITY, "-q"),
    ):
        assert pufa(*args).code == 0, args
    return db


def _export(pufa, district: str, out: Path) -> None:  # type: ignore[no-untyped-def]
    r = pufa(
        "export", "--db", district, "--plan-id", "2023-jia", "--what", "bundle", "--out", str(out)
    )
    assert r.code == 0, r


def _report(pufa, *args: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    r = pufa("report", "-f", "json", "--by", "task", "--as-of", "2023-06-30", *args)
    assert r.code == 0, r
    return json.loads(r.out)  # type: ignore[no-any-return]


def test_the_city_imports_a_district_bundle_once(district, city_db, pufa, tmp_path):
    bundle = tmp_path / "jia.bundle.json"
    _export(pufa, district, bundle)
    r = pufa("import", str(bundle))
    assert r.code == 0, r
    # 1 plan, 3 tasks, 2 units, 3 assignments (each task's lead), 3 entries (one retracted).
    assert "1 plan, 3 tasks, 2 units, 3 assignments and 3 entries" in r.err + r.out, r
    # The city's view of 甲 is 甲's own report, number for number.
    here = _report(pufa, "--db", district, "--plan-id", "2023-jia")
    there = _report(pufa, "--office", JIA)
    assert there == here
    # Task 3's only entry is retracted: 0 %, not started; tasks 1 and 2 at 100 and 50.
    assert [t["percent"] for t in there["rows"]] == [100.0, 50.0, 0.0]
    before = dump_db(city_db)
    r = pufa("import", str(bundle))
    assert r.code == 0, r
    assert "0 plan, 0 tasks, 0 units, 0 assignments and 0 entries" in r.err + r.out, r
    assert dump_db(city_db) == before


def test_a_newer_bundle_adds_only_the_new_entries_and_an_older_one_nothing(
    district, city_db, pufa, tmp_path
):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    _export(pufa, district, old)
    r = pufa(
        "log",
        "--db",
        district,
        "--plan-id",
        "2023-jia",
        "2",
        "--unit",
        "區司法局",
        "--percent",
        "80",
        "--date",
        "2023-05-01",
        "-q",
    )
    assert r.code == 0, r
    _export(pufa, district, new)
    assert pufa("import", str(old), "-q").code == 0
    r = pufa("import", str(new))
    assert r.code == 0 and "0 assignments and 1 entries" in r.err + r.out, r
    before = dump_db(city_db)
    assert pufa("import", str(old), "-q").code == 0
    assert dump_db(city_db) == before
    assert [t["percent"] for t in _report(pufa, "--office", JIA)["rows"]] == [100.0, 80.0, 0.0]


def test_a_dry_run_writes_nothing(district, city_db, pufa, tmp_path):
    bundle = tmp_path / "b.json"
    _export(pufa, district, bundle)
    before = dump_db(city_db)
    r = pufa("import", str(bundle), "--dry-run")
    assert r.code == 0 and "3 entries" in r.err + r.out, r
    assert dump_db(city_db) == before


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("where", "change", "words"),
    [
        ("", lambda d: d["entries"][0].update(percent=99), ["digest"]),
        ("", lambda d: d.update(version=9), ["version"]),
        (YI, None, [JIA, YI]),
        ("", "office", ["丙區"]),
    ],
)
def test_bad_bundles_are_refused_in_one_line(
    district, city_db, pufa, tmp_path, where, change, words
):
    bundle = tmp_path / "b.json"
    _export(pufa, district, bundle)
    if change == "office":
        from pufa_cli.offices.bundle import digest_of

        def other(doc: dict) -> None:  # type: ignore[type-arg]
            doc["office"] = "丙區"
            doc["digest"] = digest_of(doc)

        _edit(bundle, other)
    elif change is not None:
        _edit(bundle, change)
    before = dump_db(city_db)
    r = pufa(*(("--office", where) if where else ()), "import", str(bundle))
    assert r.code == 2, r
    assert len(r.err.strip().splitlines()) == 1 and r.err.startswith("Error: "), r
    for word in words:
        assert word in r.err, (word, r)
    assert dump_db(city_db) == before


SUPERVISION = {
    # table: its columns that do not depend on the database's ids, and how to reach the plan
    "extensions": "SELECT t.number, u.name, x.due_word, x.due_date, x.reason, x.approved_by, "
    "x.granted_on FROM extensions x JOIN tasks t ON t.id = x.task_id JOIN units u "
    "ON u.id = x.unit_id JOIN plans p ON p.id = t.plan_id WHERE p.code = '2023-jia'",
    "reminders": "SELECT t.number, u.name, x.colour, x.sent_on FROM reminders x JOIN tasks t "
    "ON t.id = x.task_id JOIN units u ON u.id = x.unit_id JOIN plans p ON p.id = t.plan_id "
    "WHERE p.code = '2023-jia'",
    "evidence": "SELECT t.number, x.name, b.sha256, b.size FROM entry_evidence x JOIN "
    "evidence_blobs b ON b.id = x.blob_id JOIN entries e ON e.id = x.entry_id JOIN tasks t "
    "ON t.id = e.task_id JOIN plans p ON p.id = t.plan_id WHERE p.code = '2023-jia'",
    "bonuses": "SELECT u.name, x.points, x.reason FROM bonuses x JOIN units u ON u.id = x.unit_id "
    "JOIN plans p ON p.id = x.plan_id WHERE p.code = '2023-jia'",
    "notices": "SELECT x.seq, x.as_of, x.title, x.body FROM notices x JOIN plans p "
    "ON p.id = x.plan_id WHERE p.code = '2023-jia'",
}


def _supervision(where: str) -> dict[str, list[tuple[object, ...]]]:
    from pufa_cli import store
    from pufa_cli.config import resolve_db

    def plain(value: object) -> object:  # SQLite gives dates as text, PostgreSQL as dates
        return value.isoformat() if isinstance(value, date) else value

    conn = store.connect(resolve_db(where))
    try:
        return {
            name: sorted((tuple(map(plain, r)) for r in conn.rows(sql)), key=repr)
            for name, sql in SUPERVISION.items()
        }
    finally:
        conn.close()


def test_a_bundle_carries_the_plans_supervision_and_scoring_rows(district, city_db, pufa, tmp_path):
    """An extension, a reminder sent, an evidence file, a bonus and an issued notice in 甲's
    ledger arrive at the city with the bundle, once; the city's report against the extension
    and its notice are 甲's own."""
    proof = tmp_path / "會議紀要.txt"
    proof.write_bytes("甲區普法會議紀要".encode())
    jia = ("--db", district, "--plan-id", "2023-jia")
    scored = tmp_path / "jia-scored.yaml"  # the same plan, now with scoring rules
    scored.write_text(
        plan_yaml(
            "2023-jia",
            [
                (1, "區司法局", "2023-city#1"),
                (2, "區司法局", "2023-city#2"),
                (3, "甲區教育局", None),
            ],
            ["區司法局", "甲區教育局"],
            office=JIA,
        )
        + "scoring:\n  points:\n    default: 10\n",
        encoding="utf-8",
    )
    assert pufa("init", "--db", district, "--plan", str(scored), "-q").code == 0
    for args in (
        ("extend", "2", "--unit", "區司法局", "--to", "次年3月", "--reason", "上級文件延後",
         "--date", "2023-05-01"),
        ("log", "1", "--unit", "區司法局", "--percent", "100", "--date", "2023-05-02",
         "--evidence", str(proof)),
        ("score", "bonus", "--unit", "區司法局", "--points", "2", "--reason", "省級表彰"),
        ("remind", "--as-of", "2023-06-30", "--record"),
        ("notice", "issue", "--as-of", "2023-06-30"),
    ):  # fmt: skip
        sub = 2 if args[0] in ("score", "notice") else 1
        r = pufa(*args[:sub], *jia, *args[sub:], "-q")
        assert r.code == 0, (args, r)
    mine = _supervision(district)
    assert all(mine.values()), mine  # every kind of row is there to travel
    bundle = tmp_path / "jia.bundle.json"
    _export(pufa, district, bundle)
    r = pufa("import", str(bundle))
    assert r.code == 0, r
    assert _supervision(city_db) == mine
    for args in (("--against", "plan"), ()):
        assert _report(pufa, "--office", JIA, *args) == _report(
            pufa, "--db", district, "--plan-id", "2023-jia", *args
        )
    shown = pufa("--office", JIA, "notice", "show", "2023-jia-1", "-f", "json")
    assert shown.code == 0, shown
    assert shown.out == pufa("notice", "show", "2023-jia-1", "--db", district, "-f", "json").out
    before = dump_db(city_db)
    assert pufa("import", str(bundle), "-q").code == 0
    assert dump_db(city_db) == before  # again: nothing added

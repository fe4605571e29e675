"""Offices (issue 18.1-2): a city, its districts and their plans and units in one database.

Every command acts in one office (``--office`` / ``PUFA_OFFICE``, else the default office);
unit names are unique within an office; a plan or unit of another office named in a command
is refused in one line, exit 2, the database unchanged. ``report --by office`` shows, per
office below, its whole plan and the tasks carrying the city's (numbers derived by hand).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import dump_db

CITY = "某市依法治市辦"
JIA = "甲區依法治區辦"
YI = "乙區依法治區辦"


def plan_yaml(
    plan_id: str,
    tasks: list[tuple[int, str, str | None]],
    units: list[str],
    office: str | None = None,
) -> str:
    """A version 2 plan: ``tasks`` as (number, lead unit, carries)."""
    lines = ["version: 2", f"id: {plan_id}", "year: 2023", f"title: {plan_id} 普法工作要點"]
    if office:
        lines.append(f"office: {office}")
    lines.append("units: [" + ", ".join(units) + "]")
    lines += ["sections:", "  - number: 1", "    title: 一、重點工作", "    tasks:"]
    for number, lead, carries in tasks:
        lines += [
            f"      - number: {number}",
            f"        title: 任務{number}",
            "        due: 12月31日",
            f"        lead: {lead}",
        ]
        if carries:
            lines.append(f"        carries: {carries}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def city(db: str, pufa, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """A city office (the default office renamed) with two districts, each with its plan and
    a unit named 區司法局 of its own; progress logged as of 2023-03-01."""

    def ok(*args: str) -> None:
        r = pufa(*args)
        assert r.code == 0, (args, r)

    ok("db", "upgrade", "-q")
    ok("office", "rename", "本辦", CITY, "-q")
    ok("office", "add", JIA, "--parent", CITY, "-q")
    ok("office", "add", YI, "--parent", CITY, "-q")
    files = {
        "city": plan_yaml(
            "2023-city", [(1, "市司法局", None), (2, "市教育局", None)], ["市司法局", "市教育局"]
        ),
        "jia": plan_yaml(
            "2023-jia",
            [
                (1, "區司法局", "2023-city#1"),
                (2, "區司法局", "2023-city#2"),
                (3, "甲區教育局", None),
            ],
            ["區司法局", "甲區教育局"],
            office=JIA,
        ),
        "yi": plan_yaml(
            "2023-yi", [(1, "區司法局", "2023-city#1"), (2, "區司法局", None)], ["區司法局"]
        ),
    }
    paths = {}
    for name, text in files.items():
        paths[name] = tmp_path / f"{name}.yaml"
        paths[name].write_text(text, encoding="utf-8")
    ok("init", "-q", "--plan", str(paths["city"]))
    ok("init", "-q", "--plan", str(paths["jia"]))  # office: in the file
    ok("--office", YI, "init", "-q", "--plan", str(paths["yi"]))
    day = ("--date", "2023-03-01", "-q")
    ok("--office", JIA, "log", "1", "--unit", "區司法局", "--percent", "100", *day)
    ok("--office", JIA, "log", "2", "--unit", "區司法局", "--percent", "50", *day)
    ok("--office", YI, "log", "1", "--unit", "區司法局", "--percent", "20", *day)
    ok("--office", YI, "log", "2", "--unit", "區司法局", "--percent", "100", *day)
    return db


def test_office_list_is_a_tree_with_plans_and_units(city, pufa):
    r = pufa("office", "list", "-f", "json")
    assert r.code == 0, r
    # Depth first, each level in name order (乙 U+4E59 before 甲 U+7532).
    assert json.loads(r.out) == [
        {"office": CITY, "parent": None, "depth": 0, "plans": 1, "units": 2, "default": True},
        {"office": YI, "parent": CITY, "depth": 1, "plans": 1, "units": 1, "default": False},
        {"office": JIA, "parent": CITY, "depth": 1, "plans": 1, "units": 2, "default": False},
    ]


def test_each_office_sees_its_own_plan_and_units(city, pufa, monkeypatch):
    # Without --office: the default office, the city.
    plans = json.loads(pufa("plan", "list", "-f", "json").out)
    assert [p["plan"] for p in plans] == ["2023-city"]
    monkeypatch.setenv("PUFA_OFFICE", YI)
    plans = json.loads(pufa("plan", "list", "-f", "json").out)
    assert [p["plan"] for p in plans] == ["2023-yi"]
    units = json.loads(pufa("unit", "list", "-f", "json", "--as-of", "2023-03-01").out)
    assert [(u["unit"], u["lead"], u["done"]) for u in units] == [("區司法局", 2, 1)]
    # --office wins over PUFA_OFFICE, before or after the command.
    units = json.loads(pufa("unit", "list", "-f", "json", "--office", JIA).out)
    assert sorted(u["unit"] for u in units) == ["區司法局", "甲區教育局"]
    # Each district's 區司法局 is its own unit: 乙's report knows nothing of 甲's entries.
    r = pufa("report", "-f", "json", "--by", "unit", "--as-of", "2023-03-01")
    assert r.code == 0, r
    rows = json.loads(r.out)["rows"]
    assert [(u["unit"], u["tasks"], u["done"], u["percent"]) for u in rows] == [
        ("區司法局", 2, 1, 60.0)
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--office", YI, "tasks", "--plan-id", "2023-jia"), ["2023-jia", JIA]),
        (
            (
                "--office",
                YI,
                "log",
                "1",
                "--unit",
                "甲區教育局",
                "--percent",
                "5",
                "--date",
                "2023-05-01",
            ),
            ["甲區教育局", JIA],
        ),
        (("--office", JIA, "assign", "3", "市教育局"), ["市教育局", CITY]),
        (("--office", "丙區依法治區辦", "tasks"), ["丙區依法治區辦"]),
        (("office", "move", CITY, "--parent", JIA), [CITY, "cycle"]),
        (("office", "move", JIA, "--parent", JIA), [JIA, "cycle"]),
        (("office", "add", JIA, "--parent", CITY), [JIA]),
        (("office", "add", "丁區", "--parent", "戊市"), ["戊市"]),
        (("report", "--by", "office", "--task", "2023-city#9"), ["2023-city", "9"]),
        (("report", "--by", "office", "--task", "city-5"), ["PLAN_ID#N"]),
        (("report", "--task", "2023-city#1"), ["--by office"]),
    ],
)
def test_another_offices_plan_or_unit_is_refused_in_one_line(city, pufa, args, words):
    before = dump_db(city)
    r = pufa(*args)
    assert r.code == 2, r
    assert len(r.err.strip().splitlines()) == 1 and r.err.startswith("Error: "), r
    for word in words:
        assert word in r.err, (word, r)
    assert r.out == ""
    assert dump_db(city) == before


def test_a_plan_file_for_another_office_is_refused(city, pufa, tmp_path):
    path = tmp_path / "jia2.yaml"
    path.write_text(
        plan_yaml("2023-jia-b", [(1, "區司法局", None)], ["區司法局"], office=JIA), encoding="utf-8"
    )
    before = dump_db(city)
    r = pufa("--office", YI, "init", "--plan", str(path))
    assert r.code == 2 and JIA in r.err and YI in r.err, r
    assert len(r.err.strip().splitlines()) == 1
    assert dump_db(city) == before


def test_one_plan_id_in_two_offices_is_two_plans(city, pufa, tmp_path):
    """Plan ids are unique within an office: 乙 may call its plan what 甲 calls its own."""
    path = tmp_path / "yi-as-jia.yaml"
    path.write_text(plan_yaml("2023-jia", [(1, "區司法局", None)], ["區司法局"]), encoding="utf-8")
    r = pufa("--office", YI, "init", "-q", "--plan", str(path))
    assert r.code == 0, r
    r = pufa("--office", JIA, "tasks", "--plan-id", "2023-jia", "-f", "json")
    assert r.code == 0, r
    assert (
        len(
            json.loads(r.out)["tasks"] if isinstance(json.loads(r.out), dict) else json.loads(r.out)
        )
        == 3
    )


def test_carries_must_name_a_plan_task(tmp_path, pufa):
    path = tmp_path / "bad.yaml"
    path.write_text(plan_yaml("x", [(1, "區司法局", "city-5")], ["區司法局"]), encoding="utf-8")
    r = pufa("plan", "check", str(path))
    assert r.code == 2 and "carries" in r.err and "PLAN_ID#N" in r.err, r


def _counts(row: dict[str, object]) -> tuple[object, ...]:
    return tuple(row[k] for k in ("tasks", "done", "in_progress", "not_started", "percent"))


def test_report_by_office_at_the_city(city, pufa):
    r = pufa("report", "--by", "office", "--as-of", "2023-06-30", "-f", "json")
    assert r.code == 0, r
    doc = json.loads(r.out)
    assert (doc["plan"], doc["office"], doc["by"], doc["task"]) == (
        "2023-city",
        CITY,
        "office",
        None,
    )
    rows = {row["office"]: row for row in doc["rows"]}
    assert list(rows) == sorted([JIA, YI])
    # 甲: tasks 1 (100), 2 (50), 3 (no entry): 1 done, 1 in progress, 1 not started,
    # mean (100 + 50 + 0) / 3 = 50.0; it carries city tasks 1 and 2: (100 + 50) / 2 = 75.0.
    assert _counts(rows[JIA]) == (3, 1, 1, 1, 50.0)
    assert _counts(rows[JIA]["carried"]) == (2, 1, 1, 0, 75.0)
    assert rows[JIA]["plans"] == ["2023-jia"]
    # 乙: tasks 1 (20), 2 (100): mean 60.0; it carries city task 1 only: 20.0.
    assert _counts(rows[YI]) == (2, 1, 1, 0, 60.0)
    assert _counts(rows[YI]["carried"]) == (1, 0, 1, 0, 20.0)
    # Total over the five district tasks: (100 + 50 + 0 + 20 + 100) / 5 = 54.0; carried
    # (100 + 50 + 20) / 3 = 56.67 → 56.7.
    assert _counts(doc["total"]) == (5, 2, 2, 1, 54.0)
    assert _counts(doc["total"]["carried"]) == (3, 1, 2, 0, 56.7)


def test_report_by_office_for_one_city_task(city, pufa):
    r = pufa(
        "report", "--by", "office", "--task", "2023-city#1", "--as-of", "2023-06-30", "-f", "json"
    )
    assert r.code == 0, r
    doc = json.loads(r.out)
    assert doc["task"] == "2023-city#1"
    rows = {row["office"]: row for row in doc["rows"]}
    assert _counts(rows[JIA]["carried"]) == (1, 1, 0, 0, 100.0)
    assert _counts(rows[YI]["carried"]) == (1, 0, 1, 0, 20.0)
    assert _counts(doc["total"]["carried"]) == (2, 1, 1, 0, 60.0)
    # The whole plans are the same as without --task.
    assert _counts(rows[JIA]) == (3, 1, 1, 1, 50.0)


def test_report_by_office_table_and_csv(city, pufa):
    r = pufa("report", "--by", "office", "--as-of", "2023-06-30")
    assert r.code == 0, r
    assert JIA in r.out and YI in r.out and "75.0%" in r.out and "56.7%" in r.out
    r = pufa("report", "--by", "office", "--as-of", "2023-06-30", "-f", "csv")
    assert r.code == 0, r
    lines = r.out.splitlines()
    assert lines[0].startswith("office,plans,tasks,done")
    assert lines[-1].startswith("total,,5,2,2,1,")


def test_a_district_by_office_shows_its_street_offices(city, pufa, tmp_path):
    assert pufa("office", "add", "甲區某街道", "--parent", JIA, "-q").code == 0
    path = tmp_path / "street.yaml"
    path.write_text(
        plan_yaml("2023-street", [(1, "街道司法所", "2023-jia#3")], ["街道司法所"]),
        encoding="utf-8",
    )
    assert pufa("--office", "甲區某街道", "init", "-q", "--plan", str(path)).code == 0
    r = pufa(
        "--office",
        "甲區某街道",
        "log",
        "1",
        "--unit",
        "街道司法所",
        "--percent",
        "30",
        "--date",
        "2023-02-01",
        "-q",
    )
    assert r.code == 0, r
    r = pufa("--office", JIA, "report", "--by", "office", "--as-of", "2023-06-30", "-f", "json")
    assert r.code == 0, r
    doc = json.loads(r.out)
    assert [row["office"] for row in doc["rows"]] == ["甲區某街道"]
    assert _counts(doc["rows"][0]["carried"]) == (1, 0, 1, 0, 30.0)
    # The city's rows are unchanged: the street office is not a district.
    city_doc = json.loads(
        pufa("report", "--by", "office", "--as-of", "2023-06-30", "-f", "json").out
    )
    assert [row["office"] for row in city_doc["rows"]] == sorted([JIA, YI])


def test_a_database_from_before_offices_upgrades_into_one_default_office(db, pufa):
    """The 2011 ledger made by pufa at schema 0003 (tests/data): after the upgrade everything
    is in the default office 本辦, every report is the same with or without --office 本辦,
    and going down to 0009 (before offices) and up again keeps every row."""
    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db
    from test_plan_identity import _restore_0003

    fixture = _restore_0003(db)
    assert pufa("db", "upgrade", "-q").code == 0
    assert json.loads(pufa("office", "list", "-f", "json").out) == [
        {
            "office": "本辦",
            "parent": None,
            "depth": 0,
            "plans": 1,
            "units": len(fixture["tables"]["units"]["rows"]),
            "default": True,
        }
    ]
    for args in fixture["reports"]:
        plain = pufa("report", "-f", "json", *args.split())
        scoped = pufa("--office", "本辦", "report", "-f", "json", *args.split())
        assert plain.code == 0 and plain.out == scoped.out, args
    after = dump_db(db)
    dbmod.migrate(resolve_db(db), "0009", down=True)
    assert pufa("db", "upgrade", "-q").code == 0
    again = dump_db(db)
    assert again == after


def test_check_finds_an_entry_on_a_unit_of_another_office(city, pufa):
    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db

    assert pufa("check").code == 0
    conn = dbmod.connect(resolve_db(city))
    try:
        with conn.transaction(write=True):
            # What a hand edit could do: 甲's first entry moved to 乙's 區司法局.
            conn.run(
                "UPDATE entries SET unit_id = (SELECT u.id FROM units u JOIN offices o "
                "ON o.id = u.office_id WHERE o.name = :o) WHERE id = (SELECT min(id) FROM entries)",
                {"o": YI},
            )
    finally:
        conn.close()
    r = pufa("check", "-f", "json")
    assert r.code == 1, r
    failed = [c for c in json.loads(r.out)["checks"] if c["check"] == "entries-office"]
    assert failed and failed[0]["ok"] is False, r


def test_report_by_office_judges_against_the_plan_when_asked(city, pufa):
    """An extension moves 甲's task 2 into next year: by default (``--against due``) it is not
    overdue at year end; ``--against plan`` judges the promise, 12-31, as 甲's own report does."""
    r = pufa(
        "--office", JIA, "extend", "2", "--unit", "區司法局", "--to", "次年3月",
        "--reason", "上級文件延後", "--date", "2023-11-01",
    )  # fmt: skip
    assert r.code == 0, r

    def by_office(*args: str) -> dict[str, dict[str, object]]:
        r = pufa("report", "--by", "office", "--as-of", "2023-12-31", "-f", "json", *args)
        assert r.code == 0, r
        return {row["office"]: row for row in json.loads(r.out)["rows"]}

    def own(*args: str) -> int:
        r = pufa("--office", JIA, "report", "--as-of", "2023-12-31", "-f", "json", *args)
        assert r.code == 0, r
        return int(json.loads(r.out)["total"]["overdue"])

    due, plan = by_office(), by_office("--against", "plan")
    # 甲: task 3 (0 %) is overdue either way; task 2 (50 %) only against the plan.
    assert (due[JIA]["overdue"], plan[JIA]["overdue"]) == (1, 2)
    assert (due[JIA]["overdue"], plan[JIA]["overdue"]) == (own(), own("--against", "plan"))
    assert due[YI] == plan[YI]  # no extension in 乙

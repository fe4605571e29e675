"""Each office in its own rows (issue 18.3): ``pufa db grant OFFICE --role ROLE`` on a real
PostgreSQL server. Two district roles and a city role: a district sees nothing of its
neighbour's rows even with plain SQL; the city reads both districts and writes neither; a
write outside one's office is refused in one line, exit 2, nothing written.

The server tests need ``PUFA_TEST_PG_URL`` (``.ci/run`` starts its own cluster with trust
authentication for 127.0.0.1 and sets it); on SQLite, ``db grant`` is refused in one line.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import PG_URL, dump_db
from test_offices import CITY, JIA, YI, city  # noqa: F401  (the fixture)

pg_only = pytest.mark.skipif(not PG_URL, reason="row-level security is PostgreSQL's")


def test_grant_on_sqlite_is_refused(sqlite_db, pufa):
    assert pufa("db", "upgrade", "-q").code == 0
    before = dump_db(sqlite_db)
    r = pufa("db", "grant", "本辦", "--role", "clerk")
    assert r.code == 2 and "PostgreSQL" in r.err and len(r.err.splitlines()) == 1, r
    assert dump_db(sqlite_db) == before


def _as(url: str, role: str) -> str:
    """The same database, connecting as ``role`` (trust authentication on the test server)."""
    scheme, _, rest = url.partition("://")
    _user, _, host_db = rest.partition("@")
    return f"{scheme}://{role}@{host_db}"


def _sql(url: str, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params or {})
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture
def roles(city: str) -> Iterator[dict[str, str]]:  # noqa: F811
    """Three role names unique to this test, dropped afterwards (roles are server-wide)."""
    tag = uuid.uuid4().hex[:8]
    names = {
        office: f"pufa_t_{tag}_{key}" for office, key in ((CITY, "city"), (JIA, "jia"), (YI, "yi"))
    }
    try:
        yield names
    finally:
        for role in names.values():
            exists = _sql(city, "SELECT 1 FROM pg_roles WHERE rolname = :r", {"r": role})
            if exists:
                _sql(city, f'DROP OWNED BY "{role}"')
                _sql(city, f'DROP ROLE "{role}"')


@pg_only
def test_each_role_sees_its_office_and_those_below(city, roles, pufa):  # noqa: F811
    for office, role in roles.items():
        r = pufa("db", "grant", office, "--role", role)
        assert r.code == 0, r
    jia, yi, city_role = _as(city, roles[JIA]), _as(city, roles[YI]), _as(city, roles[CITY])
    count = (
        "SELECT (SELECT count(*) FROM plans), (SELECT count(*) FROM units), "
        "(SELECT count(*) FROM tasks), (SELECT count(*) FROM entries), "
        "(SELECT count(*) FROM assignments)"
    )
    # As the fixture made them: 甲 1 plan, 2 units, 3 tasks, 2 entries, 3 assignments;
    # 乙 1, 1, 2, 2, 2; the city's own plan 1, 2, 2, 0, 2. Plain SQL, no pufa involved.
    assert _sql(jia, count) == [(1, 2, 3, 2, 3)]
    assert _sql(yi, count) == [(1, 1, 2, 2, 2)]
    assert _sql(city_role, count) == [(3, 5, 7, 4, 7)]
    assert _sql(jia, "SELECT code FROM plans") == [("2023-jia",)]
    assert _sql(yi, "SELECT DISTINCT u.name FROM entries e JOIN units u ON u.id = e.unit_id") == [
        ("區司法局",)
    ]
    # pufa as the 乙 clerk: no --office needed, the role's office is the default.
    r = pufa("report", "--db", yi, "-f", "json", "--as-of", "2023-06-30")
    assert r.code == 0, r
    assert json.loads(r.out)["plan"] == "2023-yi"
    # The city role's by-office report agrees with the owner's.
    owner = json.loads(pufa("report", "--by", "office", "--as-of", "2023-06-30", "-f", "json").out)
    r = pufa("report", "--db", city_role, "--by", "office", "--as-of", "2023-06-30", "-f", "json")
    assert r.code == 0, r
    assert json.loads(r.out) == owner


@pg_only
def test_a_write_outside_ones_office_is_refused(city, roles, pufa):  # noqa: F811
    for office, role in roles.items():
        assert pufa("db", "grant", office, "--role", role, "-q").code == 0
    jia, city_role = _as(city, roles[JIA]), _as(city, roles[CITY])
    before = dump_db(city)
    # Plain SQL: 甲 inserting an entry on 乙's task 1 with 乙's unit (ids read by the owner).
    task, unit = _sql(
        city,
        "SELECT t.id, u.id FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN offices o "
        "ON o.id = p.office_id JOIN units u ON u.office_id = o.id WHERE o.name = :o "
        "AND t.number = 1",
        {"o": YI},
    )[0]
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError) as err:
        _sql(
            jia,
            "INSERT INTO entries (task_id, unit_id, entry_date, percent, note, recorded_by, "
            "created_at, key) VALUES (:t, :u, '2023-04-01', 90, '', 'x', now(), 'k')",
            {"t": task, "u": unit},
        )
    assert getattr(err.value.orig, "sqlstate", None) == "42501"
    # 甲's clerk naming 乙: 乙's plans are invisible to it.
    r = pufa(
        "--office",
        YI,
        "log",
        "--db",
        jia,
        "1",
        "--unit",
        "區司法局",
        "--percent",
        "90",
        "--date",
        "2023-05-01",
    )
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "no plan" in r.err, r
    # The city reads 甲 but may not write there: the server refuses, one line, exit 2.
    r = pufa(
        "--office",
        JIA,
        "log",
        "--db",
        city_role,
        "3",
        "--unit",
        "甲區教育局",
        "--percent",
        "5",
        "--date",
        "2023-05-01",
    )
    assert r.code == 2, r
    assert len(r.err.strip().splitlines()) == 1 and "row-level security" in r.err, r
    assert dump_db(city) == before
    # In its own office the clerk writes as usual.
    r = pufa("log", "--db", jia, "3", "--unit", "甲區教育局", "--percent", "5", "-q")
    assert r.code == 0, r
    assert _sql(jia, "SELECT count(*) FROM entries") == [(3,)]


@pg_only
def test_revoke_takes_it_all_back(city, roles, pufa):  # noqa: F811
    role = roles[JIA]
    assert pufa("db", "grant", JIA, "--role", role, "-q").code == 0
    r = pufa("db", "revoke", "--role", role)
    assert r.code == 0, r
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError):
        _sql(_as(city, role), "SELECT count(*) FROM entries")
    r = pufa("db", "revoke", "--role", role)
    assert r.code == 2 and role in r.err, r


@pg_only
@pytest.mark.parametrize(
    ("args", "word"),
    [
        (("db", "grant", "丙區", "--role", "x_clerk"), "丙區"),
        (("db", "grant", JIA, "--role", "Bad-Name"), "--role"),
        # The test server's own user: a superuser (and the owner), so it bypasses the policies.
        (
            ("db", "grant", JIA, "--role", (PG_URL or "x://pufa@").split("://")[1].split("@")[0]),
            "bypasses",
        ),
    ],
)
def test_bad_grants_are_refused(city, pufa, args, word):  # noqa: F811
    before = dump_db(city)
    r = pufa(*args)
    assert r.code == 2 and word in r.err and len(r.err.strip().splitlines()) == 1, r
    assert dump_db(city) == before


@pg_only
def test_the_unit_registrys_events_are_each_offices_own(city, roles, pufa):  # noqa: F811
    """unit_events and unit_event_entries (main's 0009) are under the same policies: a district
    clerk's rename is recorded, its neighbour sees none of it, the city reads it, and a row
    naming another office's unit is refused by the server."""
    for office, role in roles.items():
        assert pufa("db", "grant", office, "--role", role, "-q").code == 0
    jia, yi, city_role = _as(city, roles[JIA]), _as(city, roles[YI]), _as(city, roles[CITY])
    r = pufa("unit", "rename", "--db", jia, "甲區教育局", "甲區教育委員會", "-q")
    assert r.code == 0, r
    events = "SELECT action, old_value, new_value FROM unit_events"
    assert _sql(jia, events) == [("rename", "甲區教育局", "甲區教育委員會")]
    assert _sql(yi, events) == []
    assert (
        _sql(city_role, events)
        == _sql(city, events)
        == [("rename", "甲區教育局", "甲區教育委員會")]
    )
    jia_unit = _sql(city, "SELECT id FROM units WHERE name = '甲區教育委員會'")[0][0]
    from sqlalchemy.exc import DBAPIError

    yi_office = _sql(city, "SELECT id FROM offices WHERE name = :o", {"o": YI})[0][0]
    before = dump_db(city)
    for office in (
        yi_office,
        _sql(city, "SELECT office_id FROM units WHERE id = :u", {"u": jia_unit})[0][0],
    ):
        with pytest.raises(DBAPIError) as err:
            _sql(
                yi,
                "INSERT INTO unit_events (action, unit_id, old_value, new_value, recorded_by, "
                "created_at, office_id) VALUES ('kind', :u, NULL, 'x', 'x', now(), :o)",
                {"u": jia_unit, "o": office},
            )
        assert getattr(err.value.orig, "sqlstate", None) == "42501"
    assert getattr(err.value.orig, "sqlstate", None) == "42501"
    # 甲's event and 甲's entry (ids read by the owner): 乙 may not tie them together.
    event = _sql(city, "SELECT id FROM unit_events")[0][0]
    entry = _sql(
        city,
        "SELECT e.id FROM entries e JOIN tasks t ON t.id = e.task_id JOIN plans p "
        "ON p.id = t.plan_id JOIN offices o ON o.id = p.office_id WHERE o.name = :o",
        {"o": JIA},
    )[0][0]
    with pytest.raises(DBAPIError) as err:
        _sql(
            yi,
            "INSERT INTO unit_event_entries (event_id, entry_id) VALUES (:ev, :e)",
            {"ev": event, "e": entry},
        )
    assert getattr(err.value.orig, "sqlstate", None) == "42501"
    assert dump_db(city) == before


@pg_only
def test_a_removed_units_story_stays_its_offices(city, roles, pufa):  # noqa: F811
    """``unit remove`` leaves the unit's events without a unit (and a removal names no task):
    they stay readable by its office and the offices above it only, never by a neighbour."""
    for office, role in roles.items():
        assert pufa("db", "grant", office, "--role", role, "-q").code == 0
    jia, yi, city_role = _as(city, roles[JIA]), _as(city, roles[YI]), _as(city, roles[CITY])
    for args in (
        ("unit", "add", "甲區臨時專班"),
        ("unit", "rename", "甲區臨時專班", "甲區專班"),
        ("unit", "remove", "甲區專班"),
    ):
        r = pufa(*args[:2], "--db", jia, *args[2:], "-q")
        assert r.code == 0, (args, r)
    events = "SELECT action, old_value, unit_id FROM unit_events ORDER BY id"
    story = [("rename", "甲區臨時專班", None), ("remove", "甲區專班", None)]
    assert _sql(jia, events) == story
    assert _sql(city_role, events) == _sql(city, events) == story
    assert _sql(yi, events) == []  # the neighbour reads nothing of it, even with plain SQL
    assert _sql(yi, "SELECT count(*) FROM unit_events WHERE unit_id IS NULL") == [(0,)]
    # Nor may it write a unit-less event into 甲's office.
    jia_office = _sql(city, "SELECT id FROM offices WHERE name = :o", {"o": JIA})[0][0]
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError) as err:
        _sql(
            yi,
            "INSERT INTO unit_events (action, old_value, recorded_by, created_at, office_id) "
            "VALUES ('remove', 'x', 'x', now(), :o)",
            {"o": jia_office},
        )
    assert getattr(err.value.orig, "sqlstate", None) == "42501"


@pg_only
def test_a_district_clerk_attaches_evidence(city, roles, pufa, tmp_path):  # noqa: F811
    """A district role logs with --evidence (refused by the evidence files' read policy
    before: a new file cannot be read back until an entry names it), the same bytes in another
    district are stored once and shown to each, and neither sees the other's entry's file."""
    for office, role in roles.items():
        assert pufa("db", "grant", office, "--role", role, "-q").code == 0
    jia, yi = _as(city, roles[JIA]), _as(city, roles[YI])
    report = tmp_path / "台賬.pdf"
    report.write_bytes(b"%PDF-1.4 same bytes in two districts\n")
    day = ("--date", "2023-04-01", "--by", "科員")
    r = pufa(
        "log", "--db", jia, "2", "--unit", "區司法局", "-p", "80", "--evidence", str(report), *day
    )
    assert r.code == 0, r
    r = pufa(
        "log", "--db", yi, "2", "--unit", "區司法局", "-p", "60", "--evidence", str(report), *day
    )
    assert r.code == 0, r
    import hashlib

    digest = hashlib.sha256(report.read_bytes()).hexdigest()
    assert _sql(city, "SELECT sha256, size FROM evidence_blobs") == [
        (digest, report.stat().st_size)
    ]
    named = "SELECT v.name FROM entry_evidence v JOIN evidence_blobs b ON b.id = v.blob_id"
    assert _sql(jia, named) == _sql(yi, named) == [("台賬.pdf",)]
    assert len(_sql(city, named)) == 2
    for url in (jia, yi):
        shown = pufa("show", "--db", url, "2", "-f", "json")
        assert shown.code == 0, shown
        assert "台賬.pdf" in shown.out

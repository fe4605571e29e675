"""Each (task, unit)'s latest counting entry, kept by the database (migrations 0013 on
PostgreSQL, issue 18.5, and 0015 on SQLite, issue 11).

``latest_entries`` is kept by triggers in the transaction of every write of entries and
retractions (statement-level on PostgreSQL, row-level on SQLite), and the report reads it
(``store.sql.latest_join``) when the kept entry is dated on or before the report's date.
Proved here three ways, on both engines: after every kind of write (log, a late entry dated
before the latest, two on one day, retract, import with retractions, unit merge, and plain
SQL as psql or sqlite3 would run it) the table equals the latest counting entry computed in
Python from the rows; the report read through it equals the report computed without it, as
of many dates; and the same ledger written on SQLite and on PostgreSQL reports the same
numbers.
"""

from __future__ import annotations

import json
from itertools import chain
from pathlib import Path
from typing import Any

import pytest

from conftest import PG_URL, dump_db
from test_offices import city  # noqa: F401  (the fixture)
from test_offices_locks import roles  # noqa: F401  (the fixture)
from test_races import _import_file

pg_only = pytest.mark.skipif(not PG_URL, reason="needs the PostgreSQL server")

AS_OF = ["2011-01-31", "2011-02-28", "2011-03-01", "2011-03-15", "2011-06-30", "2011-12-31"]


def _python_latest(db: str) -> list[tuple[int, int, int, str, int]]:
    """(task, unit, entry, date, percent) of each pair's latest counting entry, from the rows."""
    data = dump_db(db)
    retracted = {int(r[0]) for r in data["retractions"]}
    best: dict[tuple[int, int], tuple[str, int, int]] = {}
    for e in data["entries"]:
        eid, task, unit, day, percent = int(e[0]), int(e[1]), int(e[2]), str(e[3]), int(e[4])
        if eid in retracted:
            continue
        key = (task, unit)
        if key not in best or (day, eid) > (best[key][0], best[key][1]):
            best[key] = (day, eid, percent)
    return sorted((t, u, eid, day, p) for (t, u), (day, eid, p) in best.items())


def _sql(db: str, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """``sql`` run and committed as another program would: psql on a server URL, Python's
    sqlite3 (foreign keys on, as pufa has them) on a file."""
    if "://" in db:
        from test_offices_rls import _sql as on_server

        return on_server(db, sql, params)
    import sqlite3

    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        with con:
            return [tuple(r) for r in con.execute(sql, params or {}).fetchall()]
    finally:
        con.close()


def _kept(db: str) -> list[tuple[int, int, int, str, int]]:
    rows = _sql(db, "SELECT task_id, unit_id, entry_id, entry_date, percent FROM latest_entries")
    return sorted((int(t), int(u), int(e), str(d), int(p)) for t, u, e, d, p in rows)


def _ok(pufa: Any, *args: str) -> Any:
    r = pufa(*args)
    assert r.code == 0, (args, r)
    return r


def _entry_ids(db: str, task_number: int, unit: str) -> list[int]:
    data = dump_db(db)
    task = next(int(t[0]) for t in data["tasks"] if int(t[3]) == task_number)
    uid = next(int(u[0]) for u in data["units"] if unit in u)
    return sorted(int(e[0]) for e in data["entries"] if int(e[1]) == task and int(e[2]) == uid)


def _reports(pufa: Any) -> dict[str, Any]:
    out = {}
    for day in AS_OF:
        for by in ("section", "unit", "task"):
            r = _ok(pufa, "report", "--as-of", day, "--by", by, "-f", "json")
            out[f"{day} {by}"] = json.loads(r.out)
    return out


def _writes(pufa: Any, db: str, tmp_path: Path) -> Any:
    """The writes, one kind at a time; yields after each so the caller can check."""
    for name in ("甲單位", "乙單位", "丙單位"):
        _ok(pufa, "unit", "add", name, "-q")
    _ok(pufa, "assign", "1", "甲單位", "乙單位", "丙單位", "-q")
    log = ("log", "1", "-q", "--unit")
    _ok(pufa, *log, "甲單位", "-p", "30", "--date", "2011-03-01")
    yield "log"
    _ok(pufa, *log, "甲單位", "-p", "20", "--date", "2011-02-01")  # late, dated before
    yield "an entry dated before the latest"
    _ok(pufa, *log, "甲單位", "-p", "40", "--date", "2011-03-01")  # same day, later id
    _ok(pufa, *log, "乙單位", "-p", "60", "--date", "2011-03-15")
    _ok(pufa, *log, "丙單位", "-p", "10", "--date", "2011-01-10")
    yield "two on one day"
    latest = _entry_ids(db, 1, "甲單位")[-1]
    _ok(pufa, "retract", str(latest), "-r", "重複", "-q")
    yield "retract the latest"
    only = _entry_ids(db, 1, "丙單位")[-1]
    _ok(pufa, "retract", str(only), "-r", "錯誤", "-q")
    yield "retract a unit's only entry"
    _ok(pufa, "import", str(_import_file(tmp_path / "進展.csv", 300)), "-q")
    yield "import with retractions"
    _ok(pufa, *log, "乙單位", "-p", "90", "--date", "2011-02-20")
    _ok(pufa, "unit", "merge", "乙單位", "甲單位", "-q")
    yield "unit merge"


def _plain_sql_writes(db: str) -> Any:
    """What psql or sqlite3 could do: un-retract, redate, delete an entry."""
    retraction = _sql(db, "SELECT min(entry_id) FROM retractions")[0][0]
    _sql(db, "DELETE FROM retractions WHERE entry_id = :e", {"e": retraction})
    yield "un-retract"
    _sql(
        db, "UPDATE entries SET entry_date = '2011-12-01' WHERE id = (SELECT min(id) FROM entries)"
    )
    yield "redate"
    bare = _sql(
        db,
        "SELECT max(e.id) FROM entries e WHERE NOT EXISTS (SELECT 1 FROM retractions r "
        "WHERE r.entry_id = e.id) AND NOT EXISTS (SELECT 1 FROM entry_metrics m "
        "WHERE m.entry_id = e.id) AND NOT EXISTS (SELECT 1 FROM unit_event_entries x "
        "WHERE x.entry_id = e.id)",
    )[0][0]
    _sql(db, "DELETE FROM entries WHERE id = :e", {"e": bare})
    yield "delete"


def test_the_kept_latest_entry_follows_every_write(loaded, pufa, tmp_path, monkeypatch):
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    assert _kept(loaded) == _python_latest(loaded) == []
    seen = []
    for step in chain(_writes(pufa, loaded, tmp_path), _plain_sql_writes(loaded)):
        assert _kept(loaded) == _python_latest(loaded), step
        seen.append(repr(_kept(loaded)))
    # Most writes changed some pair's latest entry: the table was tested, not left alone.
    assert len(seen) == 10 and len(set(seen)) >= 6  # an earlier-dated entry changes none


def test_reports_through_the_kept_entry_equal_reports_without_it(
    loaded, pufa, tmp_path, monkeypatch
):
    from pufa_cli.report import aggregate, build

    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    for _step in _writes(pufa, loaded, tmp_path):
        pass
    kept = _reports(pufa)
    monkeypatch.setattr(build, "maintained", lambda conn: False)
    monkeypatch.setattr(aggregate, "maintained", lambda conn: False)
    looked_up = _reports(pufa)
    assert kept == looked_up
    # The reports differ from date to date: the comparison is not of empty reports.
    totals = {json.dumps(kept[f"{day} section"]["total"]) for day in AS_OF}
    assert len(totals) >= 4


@pg_only
def test_sqlite_and_postgresql_report_the_same_numbers(loaded, pufa, tmp_path, monkeypatch):
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    for _step in _writes(pufa, loaded, tmp_path):
        pass
    on_pg = _reports(pufa)
    (tmp_path / "lite").mkdir()
    lite = tmp_path / "lite" / "lite.db"
    monkeypatch.setenv("PUFA_DB", str(lite))
    _ok(pufa, "init", "-q")
    for _step in _writes(pufa, str(lite), tmp_path / "lite"):
        pass
    assert _reports(pufa) == on_pg


@pg_only
def test_a_district_role_reads_only_its_own_kept_entries_and_writes_none(city, roles):  # noqa: F811
    from sqlalchemy.exc import DBAPIError

    from test_offices import JIA, YI
    from test_offices_rls import _sql

    # The city fixture logged two entries in each district: each role reads its two rows.
    everything = _kept(city)
    assert len(everything) == 4
    for office in (JIA, YI):
        mine = _sql(roles[office], "SELECT task_id, unit_id FROM latest_entries")
        assert len(mine) == 2
        tasks = {t for t, _u in mine}
        own = _sql(roles[office], "SELECT id FROM tasks")
        assert tasks <= {int(t) for (t,) in own}
    with pytest.raises(DBAPIError) as err:
        _sql(roles[JIA], "DELETE FROM latest_entries")
    assert getattr(err.value.orig, "sqlstate", None) == "42501"  # insufficient privilege
    assert _kept(city) == everything

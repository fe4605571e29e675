"""The write lock on a city's server (issue 18.5): per office for a district's clerks.

A role bound by row-level security (``pufa db grant``) can change only its own office's rows,
so its write takes the city's lock shared and its own office's lock: clerks of two districts
write at the same time, two clerks of one district still queue. The owner writes anywhere
(offices, grants, another office's bundle, migrations) and takes the city's lock exclusively:
it waits for every writer, and every writer waits for it. Proved here on a real server by
holding one writer's transaction open and running other writers beside it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from conftest import PG_URL, dump_db
from test_offices import CITY, JIA, YI, city  # noqa: F401  (the fixture)
from test_offices_rls import _as, _sql

pytestmark = pytest.mark.skipif(not PG_URL, reason="the advisory locks are PostgreSQL's")

DAY = ("--date", "2023-04-01", "-q")


@pytest.fixture
def roles(city: str, pufa) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]  # noqa: F811
    """A role for the city and for each district, granted; dropped afterwards."""
    tag = uuid.uuid4().hex[:8]
    names = {CITY: f"pufa_l_{tag}_city", JIA: f"pufa_l_{tag}_jia", YI: f"pufa_l_{tag}_yi"}
    try:
        for office, role in names.items():
            assert pufa("db", "grant", office, "--role", role, "-q").code == 0
        yield {office: _as(city, role) for office, role in names.items()}
    finally:
        for role in names.values():
            if _sql(city, "SELECT 1 FROM pg_roles WHERE rolname = :r", {"r": role}):
                _sql(city, f'DROP OWNED BY "{role}"')
                _sql(city, f'DROP ROLE "{role}"')


@contextmanager
def writing(url: str) -> Iterator[Any]:
    """A pufa write transaction held open on ``url`` (its locks taken, nothing written yet)."""
    from pufa_cli.config import DbTarget
    from pufa_cli.store import PgConnection, connect

    conn = connect(DbTarget(path=None, url=url, default=False))
    assert isinstance(conn, PgConnection)
    try:
        with conn.transaction(write=True):
            yield conn
    finally:
        conn.close()


def _office_id(db: str, name: str) -> int:
    return int(_sql(db, "SELECT id FROM offices WHERE name = :n", {"n": name})[0][0])


def _entries(db: str) -> int:
    return len(dump_db(db)["entries"])


def _log(pufa, url: str, task: str = "1", percent: str = "70"):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    r = pufa("log", "--db", url, task, "--unit", "區司法局", "--percent", percent, *DAY)
    return r, time.monotonic() - started


def _refused_for_waiting(r: Any, waited: float) -> None:
    assert r.code == 1, r
    assert "PUFA_BUSY_TIMEOUT_MS=300" in r.err and len(r.err.strip().splitlines()) == 1, r
    assert waited >= 0.25, waited


def test_two_districts_write_at_once_and_one_districts_clerks_queue(city, roles, pufa, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PUFA_BUSY_TIMEOUT_MS", "300")
    before = _entries(city)
    with writing(roles[JIA]) as jia_writer:  # a 甲 clerk mid-write
        # 乙's clerk does not wait for 甲's: logged at once.
        r, took = _log(pufa, roles[YI])
        assert r.code == 0 and took < 0.25 * 4, (r, took)
        # Nor does the city's own clerk (it writes the city's office only).
        r = pufa("log", "--db", roles[CITY], "1", "--unit", "市司法局", "--percent", "10", *DAY)
        assert r.code == 0, r
        # Another 甲 clerk queues behind the first: refused after the busy timeout.
        r, waited = _log(pufa, roles[JIA])
        _refused_for_waiting(r, waited)
        # The owner may write any office: it waits for every writer.
        started = time.monotonic()
        r = pufa("--office", YI, "log", "1", "--unit", "區司法局", "--percent", "80", *DAY)
        _refused_for_waiting(r, time.monotonic() - started)
        # Readers never wait.
        assert pufa("report", "--db", roles[JIA], "-q").code == 0
        assert jia_writer.write_office == _office_id(city, JIA)
    assert _entries(city) == before + 2  # 乙's and the city's; the refused ones wrote nothing
    r, _took = _log(pufa, roles[JIA])  # the first 甲 writer done: the second goes through
    assert r.code == 0, r
    assert _entries(city) == before + 3


def test_a_city_wide_write_holds_every_district(city, roles, pufa, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PUFA_BUSY_TIMEOUT_MS", "300")
    before = _entries(city)
    with writing(city) as owner:  # the owner mid-write: say, moving an office
        assert owner.write_office is None
        for office in (JIA, YI):
            r, waited = _log(pufa, roles[office])
            _refused_for_waiting(r, waited)
    assert _entries(city) == before
    # And a district writer holds the owner: the city's lock is shared by every district
    # writer and taken whole by the owner.
    with writing(roles[YI]):
        started = time.monotonic()
        r = pufa("office", "add", "丙區依法治區辦", "--parent", CITY)
        _refused_for_waiting(r, time.monotonic() - started)
        started = time.monotonic()
        r = pufa("db", "grant", JIA, "--role", "pufa_l_never")
        _refused_for_waiting(r, time.monotonic() - started)
    assert not _sql(city, "SELECT 1 FROM pg_roles WHERE rolname = 'pufa_l_never'")
    assert pufa("office", "add", "丙區依法治區辦", "--parent", CITY, "-q").code == 0


def test_without_waiting_a_busy_office_is_refused_at_once(city, roles, pufa, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PUFA_BUSY_TIMEOUT_MS", "0")
    before = _entries(city)
    with writing(roles[JIA]):
        r, _took = _log(pufa, roles[YI])
        assert r.code == 0, r
        r, _took = _log(pufa, roles[JIA])
        assert r.code == 1 and "PUFA_BUSY_TIMEOUT_MS=0" in r.err, r
    assert _entries(city) == before + 1

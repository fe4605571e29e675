"""The report's per-task rows on PostgreSQL walk indexes, never the entries table.

PostgreSQL plans by cost from its statistics, so the check runs on a ledger large enough for a
scan of ``entries`` to be a real choice (40,000 entries, analysed): ``EXPLAIN`` of each form of
the report's per-task query (one pass, as ``pufa report`` runs it) and the by-unit shares must
show no sequential scan of ``entries``. A join written ``LEFT JOIN entries x ON x.id = CASE …
END`` (issue 11, fifth session) passed every other test and made a district's report 6 ms →
231 ms on the benchmark city: PostgreSQL hashed the whole table (this test failed with it).
``progress.task_rows_sql``'s second half (tasks without units) is left out: in this ledger
most tasks have none, and hashing 40,000 entries for 21 such tasks is the planner's fair
choice. The SQLite side is tests/test_query_plan.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL's planner")

ENTRIES = 40_000


def _forms() -> dict[str, str]:
    from pufa_cli.progress import assignment_cte, task_rows_one_pass_sql

    forms = {}
    for kept in (False, True):
        forms[f"one pass, kept={kept}"] = task_rows_one_pass_sql(kept=kept)
        forms[f"one pass with items, kept={kept}"] = task_rows_one_pass_sql(
            {"item": "t.item", "parent_id": "t.parent_id"}, kept=kept
        )
        forms[f"by unit, kept={kept}"] = f"WITH {assignment_cte(kept=kept)} SELECT * FROM au"
    return forms


def test_the_per_task_rows_never_scan_the_entries(loaded: str, pufa: Any) -> None:
    from pufa_cli.cli.common import session

    for args in (
        ("unit", "add", "區教育局", "-q"),
        ("unit", "add", "區司法局", "-q"),
        ("assign", "19", "區教育局", "區司法局", "-q"),
        ("assign", "8", "區司法局", "-q"),
    ):
        r = pufa(*args)
        assert r.code == 0, (args, r)
    with session(loaded, write=True) as conn:
        plan = int(conn.scalar("SELECT max(id) FROM plans"))
        conn.run(
            "INSERT INTO entries (task_id, unit_id, entry_date, percent, note, recorded_by, "
            "created_at, key) SELECT t.id, u.id, DATE '2011-01-01' + (g % 300), g % 101, '', "
            "'bench', TIMESTAMP '2011-01-01', 'k' || g FROM generate_series(1, :n) g "
            "JOIN tasks t ON t.plan_id = :plan AND t.number = 1 + g % 23 AND t.item = 0 "
            "JOIN units u ON u.name = CASE WHEN g % 2 = 0 THEN '區教育局' ELSE '區司法局' END",
            {"n": ENTRIES, "plan": plan},
        )
    with session(loaded, write=True) as conn:  # ANALYZE sees the committed rows
        conn.run("ANALYZE")
        assert int(conn.scalar("SELECT count(*) FROM entries")) >= ENTRIES
        plans = {}
        for name, sql in _forms().items():
            rows = conn.rows("EXPLAIN " + sql, {"plan": plan, "as_of": "2011-12-31"})
            plans[name] = [str(r[0]) for r in rows]
    scans = {
        n: [p for p in lines if re.search(r"Seq Scan on entries\b", p)]
        for n, lines in plans.items()
    }
    assert {n: s for n, s in scans.items() if s} == {}
    assert all(any("entries" in p for p in lines) for lines in plans.values())  # they read them

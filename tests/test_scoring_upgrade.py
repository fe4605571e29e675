"""Schema of scoring and notices: a ledger at the revision before it upgrades with every row
kept and the same report, then scores and issues notices (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from test_plan_identity import _restore_0003, _rows

# The revision that adds scoring, manual scores, bonuses and notices.
SCORING_REVISION = "0008"


def test_a_ledger_from_before_scoring_upgrades_with_every_row_kept(db, pufa, tmp_path):
    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db
    from pufa_cli.schema import KNOWN_REVISIONS

    _restore_0003(db)
    target = resolve_db(db)
    before_scoring = KNOWN_REVISIONS[KNOWN_REVISIONS.index(SCORING_REVISION) - 1]
    dbmod.migrate(target, before_scoring)
    rows = _rows(db)
    r = pufa("db", "upgrade", "-q")
    assert r.code == 0, r
    assert dbmod.current_revision(target) == KNOWN_REVISIONS[-1]
    assert _rows(db) == rows
    conn = dbmod.connect(target)
    try:
        assert [tuple(r) for r in conn.rows("SELECT scoring FROM plans")] == [(None,)]
        for table in ("manual_scores", "bonuses", "notices"):
            assert conn.scalar(f"SELECT count(*) FROM {table}") == 0
    finally:
        conn.close()
    report = json.loads(pufa("report", "-f", "json", "--by", "unit", "--quarter", "2").out)
    assert report["rows"] and all("score" not in row for row in report["rows"])
    # The upgraded ledger issues notices at once; it has no scoring block, so it ranks by
    # completion and `pufa score` says how to add one.
    r = pufa("notice", "issue", "--quarter", "2")
    assert r.code == 0 and r.out.strip() == "2011-1", r
    body = json.loads(pufa("notice", "show", "2011-1", "-f", "json").out)
    assert body["scored"] is False and body["ranking"]
    r = pufa("score")
    assert r.code == 2 and "scoring:" in r.err, r

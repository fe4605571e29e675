"""Build tests/data/db-0003-2011.json: a 2011 ledger made by pufa at schema 0003 (before plan
ids), every row of every table, and the reports it gave. Run with the OLD code on the path:

    PYTHONPATH=/path/to/pufa-0003/src python tests/data/make_db_0003.py

test_plan_identity.py rebuilds the database from these rows at revision 0003, upgrades it and
checks that every row is kept and every report is the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = [
    ["init", "-q"],
    ["unit", "add", "區教育局"],
    ["unit", "add", "區司法局"],
    ["unit", "add", "團區委"],
    ["assign", "19", "區教育局", "團區委", "--lead", "區教育局"],
    ["assign", "2", "區司法局", "--due", "上半年"],
    ["assign", "9", "區司法局", "區教育局"],
    ["log", "19", "--unit", "區教育局", "--metric", "bases=37", "--date", "2011-05-10"],
    ["log", "19", "--unit", "團區委", "--percent", "20", "--date", "2011-06-01"],
    ["log", "19", "--unit", "區教育局", "--metric", "bases=70", "--date", "2011-09-20"],
    ["log", "2", "--unit", "區司法局", "--percent", "60", "--date", "2011-03-31"],
    ["log", "2", "--unit", "區司法局", "--done", "--date", "2011-07-15"],
    ["log", "9", "--unit", "區司法局", "--percent", "30", "--date", "2011-04-02"],
    ["log", "9", "--unit", "區教育局", "--percent", "50", "--date", "2011-08-08"],
    [
        "log",
        "7",
        "--unit",
        "區依法治區辦公室",
        "--percent",
        "40",
        "--date",
        "2011-06-30",
        "--assign",
    ],
    ["log", "1", "--unit", "區司法局", "--percent", "10", "--date", "2011-02-01", "--assign"],
    ["retract", "1", "--reason", "wrong unit"],
]
REPORTS = [
    [*by, *when]
    for by in (["--by", "section"], ["--by", "unit"], ["--by", "task"])
    for when in (["--quarter", "2"], ["--quarter", "4"], ["--as-of", "2011-08-01"])
]
TABLES = [
    "plans",
    "sections",
    "tasks",
    "targets",
    "units",
    "assignments",
    "entries",
    "entry_metrics",
    "retractions",
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            PUFA_DB=str(Path(tmp) / "old.db"),
            PUFA_LANG="en",
            PUFA_TODAY="2011-12-31",
            PUFA_BY="fixture",
        )

        def pufa(*args: str) -> str:
            proc = subprocess.run(
                [sys.executable, "-m", "pufa_cli", *args],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            return proc.stdout

        for step in STEPS:
            pufa(*step)
        reports = {" ".join(r): json.loads(pufa("report", "-f", "json", *r)) for r in REPORTS}
        import sqlite3

        db = sqlite3.connect(env["PUFA_DB"])
        revision = db.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        tables = {}
        for t in TABLES:
            cur = db.execute(f"SELECT * FROM {t}")
            tables[t] = {
                "columns": [c[0] for c in cur.description],
                "rows": [list(r) for r in cur.fetchall()],
            }
    out = {"revision": revision, "tables": tables, "reports": reports}
    (HERE / "db-0003-2011.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()

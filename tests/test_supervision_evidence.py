"""Evidence files (issue 16, item 1): stored in the database with the entry, deduplicated by
SHA-256, listed, fetched, verified by ``check``; bad files refused with nothing written."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import dump_db, pufa_executable

JY, TW = "區教育局", "區團委"
# The FIPS 180-2 test vector: SHA-256("abc").
ABC_SHA = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
# SHA-256 of the empty string (same source).
EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.fixture
def ready(loaded, pufa, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    monkeypatch.chdir(tmp_path)
    for name in (JY, TW):
        assert pufa("unit", "add", name, "-q").code == 0
    assert pufa("assign", "19", JY, TW, "--lead", JY, "-q").code == 0
    assert pufa("assign", "20", JY, "-q").code == 0
    (tmp_path / "照片.jpg").write_bytes(b"abc")
    (tmp_path / "copy-of-photo.jpg").write_bytes(b"abc")
    (tmp_path / "空.txt").write_bytes(b"")
    return loaded


def ok(pufa: Any, *args: str) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def count(db: str, table: str) -> int:
    return len(dump_db(db)[table])


def test_files_are_stored_once_per_content_and_listed(ready, pufa):
    e1 = int(
        ok(
            pufa,
            "log",
            "19",
            "-u",
            JY,
            "-p",
            "40",
            "--date",
            "2011-03-01",
            "--evidence",
            "照片.jpg",
            "-e",
            "空.txt",
        ).out
    )
    e2 = int(
        ok(
            pufa,
            "log",
            "19",
            "-u",
            TW,
            "-p",
            "20",
            "--date",
            "2011-04-01",
            "-e",
            "copy-of-photo.jpg",
        ).out
    )
    e3 = int(ok(pufa, "log", "20", "-u", JY, "-p", "10", "--date", "2011-05-01").out)
    # Two distinct contents (abc, empty) behind three attached files.
    assert count(ready, "evidence_blobs") == 2
    assert count(ready, "entry_evidence") == 3
    history = {e["id"]: e for e in json.loads(ok(pufa, "show", "19", "-f", "json").out)["history"]}
    first = history[e1]["evidence"]
    assert [(f["name"], f["sha256"], f["size"]) for f in first] == [
        ("照片.jpg", ABC_SHA, 3),
        ("空.txt", EMPTY_SHA, 0),
    ]
    assert set(first[0]) == {"id", "name", "sha256", "size"}
    assert [(f["name"], f["sha256"]) for f in history[e2]["evidence"]] == [
        ("copy-of-photo.jpg", ABC_SHA)
    ]
    shown = json.loads(ok(pufa, "show", "20", "-f", "json").out)["history"]
    assert [e["evidence"] for e in shown if e["id"] == e3] == [[]]

    everything = json.loads(ok(pufa, "evidence", "list", "-f", "json").out)
    assert [(r["task"], r["unit"], r["entry"], r["name"]) for r in everything] == [
        (19, JY, e1, "照片.jpg"),
        (19, JY, e1, "空.txt"),
        (19, TW, e2, "copy-of-photo.jpg"),
    ]
    assert set(everything[0]) == {
        "id",
        "task",
        "unit",
        "entry",
        "date",
        "name",
        "sha256",
        "size",
        "retracted",
    }
    only_tw = json.loads(ok(pufa, "evidence", "list", "19", "--unit", TW, "-f", "json").out)
    assert [r["name"] for r in only_tw] == ["copy-of-photo.jpg"]
    assert json.loads(ok(pufa, "evidence", "list", "20", "-f", "json").out) == []
    table = ok(pufa, "evidence", "list").out
    assert "照片.jpg" in table and "3 files" in table


def test_get_writes_the_exact_bytes_to_a_file_or_stdout(ready, pufa, tmp_path):
    raw = bytes(range(256)) * 3  # not text: every byte value
    (tmp_path / "scan.pdf").write_bytes(raw)
    ok(pufa, "log", "19", "-u", JY, "-p", "40", "--date", "2011-03-01", "-e", "scan.pdf")
    [row] = json.loads(ok(pufa, "evidence", "list", "-f", "json").out)
    r = ok(pufa, "evidence", "get", str(row["id"]), "--out", str(tmp_path / "back.pdf"))
    assert r.out == ""  # bytes never go to stdout unless asked
    assert (tmp_path / "back.pdf").read_bytes() == raw
    proc = subprocess.run(
        [pufa_executable(), "evidence", "get", str(row["id"]), "--out", "-"],
        capture_output=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == raw


def test_an_unknown_evidence_id_is_refused(ready, pufa):
    r = pufa("evidence", "get", "7", "--out", "x")
    assert r.code == 2 and r.err == "Error: no evidence 7\n", r
    assert not Path("x").exists()


def _refused(pufa: Any, db: str, args: list[str], message: str) -> None:
    before = dump_db(db)
    r = pufa("log", "19", "-u", JY, "-p", "40", "--date", "2011-03-01", *args)
    assert r.code == 2, r
    assert r.out == ""
    assert r.err.startswith("Error: ") and r.err.count("\n") == 1 and message in r.err, r
    assert dump_db(db) == before


def test_missing_folder_and_too_large_files_change_nothing(ready, pufa, tmp_path, monkeypatch):
    _refused(pufa, ready, ["-e", "照片.jpg", "-e", "no-such.pdf"], "does not exist")
    (tmp_path / "folder").mkdir()
    _refused(pufa, ready, ["-e", "folder"], "is a folder")
    # A limit of 1 MiB: exactly 1 MiB is accepted, one byte more is refused.
    monkeypatch.setenv("PUFA_EVIDENCE_MAX_MB", "1")
    (tmp_path / "big.bin").write_bytes(b"x" * (1024 * 1024 + 1))
    _refused(pufa, ready, ["-e", "big.bin"], "1048577 bytes, over the limit of 1048576 bytes")
    (tmp_path / "fits.bin").write_bytes(b"x" * (1024 * 1024))
    ok(pufa, "log", "19", "-u", JY, "-p", "40", "--date", "2011-03-01", "-e", "fits.bin")
    assert count(ready, "evidence_blobs") == 1
    monkeypatch.setenv("PUFA_EVIDENCE_MAX_MB", "lots")
    _refused(pufa, ready, ["-e", "照片.jpg"], "PUFA_EVIDENCE_MAX_MB must be")


def test_an_unreadable_file_changes_nothing(ready, pufa, monkeypatch):
    from pufa_cli.supervision import evidence

    def refuse(*_a: Any, **_k: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    # Tests run as root, for whom chmod 000 does not stop a read: fail the open itself.
    monkeypatch.setattr(evidence, "open", refuse, raising=False)
    _refused(
        pufa, ready, ["-e", "照片.jpg"], "cannot read evidence file 照片.jpg: Permission denied"
    )


def test_an_interrupted_log_leaves_neither_entry_nor_file(ready, pufa, monkeypatch):
    from pufa_cli.supervision import evidence

    real = evidence.attach

    def attach_then_interrupt(*args: Any) -> Any:
        real(*args)  # the file and its link are written, then the user presses Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(evidence, "attach", attach_then_interrupt)
    before = dump_db(ready)
    r = pufa("log", "19", "-u", JY, "-p", "40", "--date", "2011-03-01", "-e", "照片.jpg")
    assert r.code == 130, r
    assert dump_db(ready) == before


def test_check_recomputes_every_digest_and_catches_a_corrupted_file(ready, pufa):
    ok(pufa, "log", "19", "-u", JY, "-p", "40", "--date", "2011-03-01", "-e", "照片.jpg")
    ok(pufa, "log", "19", "-u", TW, "-p", "40", "--date", "2011-03-01", "-e", "空.txt")
    report = json.loads(ok(pufa, "check", "-f", "json").out)
    assert {c["check"]: c["ok"] for c in report["checks"]}["evidence-digests"] is True

    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db

    conn = dbmod.connect(resolve_db(ready))
    try:
        with conn.transaction(write=True):
            # One flipped byte, same length: only the digest can tell.
            conn.run(
                "UPDATE evidence_blobs SET data = :d WHERE sha256 = :h", {"d": b"abd", "h": ABC_SHA}
            )
    finally:
        conn.close()
    r = pufa("check", "-f", "json")
    assert r.code == 1, r
    digests = {c["check"]: c for c in json.loads(r.out)["checks"]}["evidence-digests"]
    assert digests["problems"] == 1
    assert ABC_SHA[:12] in digests["examples"][0]


def test_a_backup_carries_the_evidence(sqlite_db, pufa, monkeypatch, tmp_path):
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    monkeypatch.chdir(tmp_path)
    ok(pufa, "init", "-q")
    ok(pufa, "unit", "add", JY, "-q")
    ok(pufa, "assign", "19", JY, "-q")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 scan")
    ok(pufa, "log", "19", "-u", JY, "-p", "10", "--date", "2011-03-01", "-e", "scan.pdf")
    ok(pufa, "backup", str(tmp_path / "copy.db"), "-q")
    ok(pufa, "evidence", "get", "1", "--out", "back.pdf", "--db", str(tmp_path / "copy.db"))
    assert (tmp_path / "back.pdf").read_bytes() == b"%PDF-1.4 scan"


def test_show_lists_evidence_problems_and_next_for_people(ready, pufa, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    ok(
        pufa,
        "log",
        "19",
        "-u",
        JY,
        "-p",
        "40",
        "--date",
        "2011-03-01",
        "-e",
        "照片.jpg",
        "-n",
        "選址",
        "--problems",
        "缺經費",
        "--next",
        "4月簽約",
    )
    out = ok(pufa, "show", "19").out
    evidence = out[out.index("Evidence") :]
    assert "照片.jpg" in evidence and " 3" in evidence  # name and size in bytes
    assert "選址  Problems: 缺經費  Next steps: 4月簽約" in out


# --- import: an evidence column naming files beside the sheet ---------------------------------


def _sheet(folder: Path, rows: list[list[str]]) -> Path:
    import csv

    path = folder / "進展.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["task", "unit", "date", "percent", "note", "evidence"])
        out.writerows(rows)
    return path


def test_import_stores_the_files_an_evidence_column_names(ready, pufa, tmp_path, monkeypatch):
    sheets = tmp_path / "sheets"
    (sheets / "掃描").mkdir(parents=True)
    (sheets / "照片.jpg").write_bytes(b"abc")
    (sheets / "掃描" / "名單.pdf").write_bytes(b"")
    monkeypatch.chdir(tmp_path)  # the names are relative to the sheet's folder, not here
    path = _sheet(
        sheets,
        [
            ["19", JY, "2011-03-01", "40", "選址", "照片.jpg；掃描/名單.pdf"],
            ["19", TW, "2011-03-02", "20", "", ""],
            ["20", JY, "2011-03-03", "10", "", "照片.jpg"],
        ],
    )
    assert ok(pufa, "import", str(path)).err == "added 3, already present 0\n"
    rows = json.loads(ok(pufa, "evidence", "list", "-f", "json").out)
    assert [(r["task"], r["unit"], r["name"], r["sha256"], r["size"]) for r in rows] == [
        (19, JY, "照片.jpg", ABC_SHA, 3),
        (19, JY, "名單.pdf", EMPTY_SHA, 0),
        (20, JY, "照片.jpg", ABC_SHA, 3),
    ]
    assert count(ready, "evidence_blobs") == 2
    # The same sheet again adds nothing, evidence included.
    assert ok(pufa, "import", str(path)).err == "added 0, already present 3\n"
    assert count(ready, "entry_evidence") == 3


def test_import_with_a_missing_evidence_file_imports_nothing(ready, pufa, tmp_path):
    (tmp_path / "照片.jpg").write_bytes(b"abc")
    path = _sheet(
        tmp_path,
        [
            ["19", JY, "2011-03-01", "40", "", "照片.jpg"],
            ["19", TW, "2011-03-02", "20", "", "不見了.jpg"],
        ],
    )
    before = dump_db(ready)
    r = pufa("import", str(path))
    assert r.code == 2, r
    assert "進展.csv:3: evidence file" in r.err and "不見了.jpg does not exist" in r.err, r
    assert dump_db(ready) == before

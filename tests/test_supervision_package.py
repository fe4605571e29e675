"""The evidence package (issue 16, item 8): a zip laid out by section / task / unit with an
index sheet; names sanitised so nothing leaves the package's folders."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import dump_db

JY, TW = "區教育局", "區團委"


@pytest.fixture
def ready(loaded, pufa, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUFA_TODAY", "2011-12-31")
    monkeypatch.chdir(tmp_path)
    for name in (JY, TW):
        assert pufa("unit", "add", name, "-q").code == 0
    assert pufa("assign", "19", JY, TW, "-q").code == 0
    return loaded


def ok(pufa: Any, *args: str) -> Any:
    r = pufa(*args)
    assert r.code == 0, r
    return r


def test_the_package_is_laid_out_by_section_task_unit_with_an_index(ready, pufa, tmp_path):
    (tmp_path / "照片.jpg").write_bytes(b"photo")
    (tmp_path / "名單.xlsx").write_bytes(b"list")
    (tmp_path / "作廢.pdf").write_bytes(b"void")
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
        "-e",
        "名單.xlsx",
    )
    ok(pufa, "log", "19", "-u", TW, "-p", "20", "--date", "2011-04-01", "-e", "照片.jpg")
    void = int(
        ok(pufa, "log", "19", "-u", TW, "-p", "30", "--date", "2011-05-01", "-e", "作廢.pdf").out
    )
    ok(pufa, "retract", str(void), "--reason", "重複")
    late = int(
        ok(pufa, "log", "19", "-u", JY, "-p", "50", "--date", "2011-08-01", "-e", "作廢.pdf").out
    )
    assert late > void

    r = ok(pufa, "export", "--what", "evidence", "--out", "佐證.zip", "--as-of", "2011-06-30")
    assert r.out == "" and r.err == "佐證.zip written (3 evidence files)\n"
    # Section 5's title and task 19's title, each cut to 40 characters.
    sec = "05 強化青少年普法教育措施,加大青少年法制宣傳教育力度"[:40]
    task = "19 努力建設青少年法制教育基地"
    with zipfile.ZipFile(tmp_path / "佐證.zip") as zf:
        names = zf.namelist()
        assert sorted(names) == sorted(
            [
                f"{sec}/{task}/{JY}/1-照片.jpg",
                f"{sec}/{task}/{JY}/2-名單.xlsx",
                f"{sec}/{task}/{TW}/3-照片.jpg",
                "index.xlsx",
            ]
        )
        assert zf.read(f"{sec}/{task}/{JY}/2-名單.xlsx") == b"list"
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(zf.read("index.xlsx"))).active
        rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    assert [(r[2], r[4], r[6], r[7], r[8]) for r in rows[1:]] == [
        (19, JY, "2011-03-01", "照片.jpg", 5),
        (19, JY, "2011-03-01", "名單.xlsx", 4),
        (19, TW, "2011-04-01", "照片.jpg", 5),
    ]
    assert rows[1][0] == f"{sec}/{task}/{JY}/1-照片.jpg"


def test_hostile_names_never_leave_the_package(ready, pufa):
    from pufa_cli.supervision.package import safe_component

    assert safe_component("../../etc/passwd") == "_.._etc_passwd"
    assert safe_component("..") == "_"
    assert safe_component("") == "_"
    assert safe_component("a\x00b\nc") == "a_b_c"
    assert safe_component("C:\\Windows\\x.txt") == "C__Windows_x.txt"
    long = "長" * 100 + ".pdf"
    cut = safe_component(long)
    assert len(cut) == 80 and cut.endswith(".pdf")

    from pufa_cli import store as dbmod
    from pufa_cli.config import resolve_db
    from pufa_cli.supervision.evidence import EvidenceFile, attach

    sha_x = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"  # SHA-256 of "x"

    # A stored name with separators (written past `log`, as a crafted database could hold).
    entry = int(ok(pufa, "log", "19", "-u", JY, "-p", "10", "--date", "2011-02-01").out)
    conn = dbmod.connect(resolve_db(ready))
    try:
        with conn.transaction(write=True):
            attach(conn, entry, [EvidenceFile("../../../evil.sh", b"x", sha_x)])
    finally:
        conn.close()
    ok(pufa, "export", "-w", "evidence", "-o", "p.zip")
    with zipfile.ZipFile("p.zip") as zf:
        [name] = [n for n in zf.namelist() if n != "index.xlsx"]
    parts = name.split("/")
    assert len(parts) == 4 and parts[-1] == "1-.._.._.._evil.sh"
    assert all(p not in ("", ".", "..") for p in parts)


def test_the_package_needs_a_file_and_no_format(ready, pufa):
    before = dump_db(ready)
    for args in (["--what", "evidence"], ["--what", "evidence", "-o", "x.zip", "-f", "csv"]):
        r = pufa("export", *args)
        assert r.code == 2 and "--what evidence writes a zip" in r.err, r
    assert not Path("x.zip").exists()
    assert dump_db(ready) == before

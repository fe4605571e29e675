"""`pufa plan draft`: a plan file drafted from the issued document.

The key expectation is the hand-written plans/2011.yaml: drafting the 2011 seed document must
give the same sections, the same task titles and texts character for character, the same
deadlines and the same target numbers. The hand-derived constants below restate the parts of
that file the drafter must find, so a change to either side shows up.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pufa_cli.plan import Plan, load_plan_file

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "000_ec7d02fe7bc45d87.txt"
PLAN_2011 = REPO / "plans" / "2011.yaml"

TASKS_PER_SECTION = [3, 5, 5, 4, 3, 3]
# Task → its deadline in plans/2011.yaml (every other task: 年底, no timing in the source).
DEADLINES = {2: "年底", 7: "第四季度", 9: "12月份", 14: "一季度", 20: "年終"}
CHECKS = {2: ("上半年", "年底"), 7: ("上半年", "第四季度")}
# Task → (number, unit) of each target, as plans/2011.yaml has them.
TARGETS = {
    7: [(2, "次")],
    8: [(95, "%")],
    10: [(50, "小時"), (15, "天")],
    13: [(100, "%")],
    19: [(100, "個")],
    20: [(4, "支")],
}


def seed_text() -> str:
    if not SEED.exists():
        if os.environ.get("CI"):
            pytest.fail(f"seed document missing in CI: {SEED}")
        pytest.skip(f"seed document not found: {SEED}")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def expected() -> Plan:
    return load_plan_file(PLAN_2011)


def draft(pufa, source: Path, out: Path, *args: str):  # type: ignore[no-untyped-def]
    r = pufa("plan", "draft", str(source), "--out", str(out), *args)
    assert r.code == 0, r
    return r, load_plan_file(out)


def assert_structure(got: Plan, want: Plan, convert=lambda s: s) -> None:  # type: ignore[no-untyped-def]
    assert [len(s.tasks) for s in got.sections] == TASKS_PER_SECTION
    assert [s.title for s in got.sections] == [convert(s.title) for s in want.sections]
    for g, w in zip(got.tasks, want.tasks, strict=True):
        assert g.number == w.number
        assert g.title == convert(w.title), g.number
        assert g.text == convert(w.text), g.number


def assert_found(got: Plan, want: Plan, convert=lambda s: s) -> None:  # type: ignore[no-untyped-def]
    for g, w in zip(got.tasks, want.tasks, strict=True):
        assert g.due_word == convert(w.due_word), g.number
        assert g.due == w.due, g.number
        assert [(t.target, t.unit) for t in g.targets] == [
            (t.target, convert(t.unit)) for t in w.targets
        ], g.number
    for n, word in DEADLINES.items():
        assert got.tasks[n - 1].due_word == convert(word)
    for n, words in CHECKS.items():
        assert tuple(c.word for c in got.tasks[n - 1].checks) == tuple(map(convert, words))
    assert {t.number: [(x.target, x.unit) for x in t.targets] for t in got.tasks if t.targets} == {
        n: [(float(v), convert(u)) for v, u in ts] for n, ts in TARGETS.items()
    }


# --- the 2011 seed ------------------------------------------------------------------------


def test_seed_drafts_to_the_2011_plan(pufa, tmp_path: Path, expected: Plan) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "seed.txt"
    src.write_text(seed_text(), encoding="utf-8")
    r, got = draft(pufa, src, tmp_path / "2011.yaml", "--year", "2011")
    assert got.year == 2011 and got.title == expected.title
    assert got.preamble == expected.preamble
    assert_structure(got, expected)
    assert_found(got, expected)
    for g, w in zip(got.tasks, expected.tasks, strict=True):
        assert g.timing == w.timing, g.number
        assert g.responsible == w.responsible, g.number
        assert g.lead == w.lead, g.number
    assert got.units == expected.units
    assert "6 sections, 23 tasks, 0 sub-items, 7 targets, 5 deadlines found" in r.err
    assert "line 13: task 1: no deadline word; due 年底" in r.err
    assert r.out == ""
    check = pufa("plan", "check", str(tmp_path / "2011.yaml"))
    assert check.code == 0, check


def test_seed_to_stdout_with_comments_and_year_read(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "seed.txt"
    src.write_text(seed_text(), encoding="utf-8")
    r = pufa("plan", "draft", str(src))
    assert r.code == 0, r
    data = yaml.safe_load(r.out)
    assert data["year"] == 2011  # from the preamble's 2011年
    lines = r.out.splitlines()
    assert any(line.startswith("year: 2011  # ") for line in lines)
    assert '        due: "年底"  # no deadline word in the source: due at year end' in lines
    assert "# left out: (page metadata) 時間:2022-07-08 03:52:54" in lines
    assert "# left out: (the title again) 全區依法治區工作方案" in lines
    # Guessed target lines carry a comment; found deadlines do not.
    assert sum('due: "12月份"' in line and "#" not in line for line in lines) == 1
    assert all("#" in line for line in lines if line.lstrip().startswith("- {key:"))


def test_simplified_and_gb18030(pufa, tmp_path: Path, expected: Plan) -> None:  # type: ignore[no-untyped-def]
    from pufa_cli.i18n import to_simplified

    src = tmp_path / "hans.txt"
    src.write_bytes(to_simplified(seed_text()).encode("gb18030"))
    _r, got = draft(pufa, src, tmp_path / "hans.yaml", "--year", "2011")
    assert_structure(got, expected, to_simplified)
    assert_found(got, expected, to_simplified)
    assert got.tasks[6].lead == to_simplified("區依法治區工作領導小組")


@pytest.mark.parametrize("section", [r"## \1、\2", r"**\1、\2**"])
def test_markdown_headings(pufa, tmp_path: Path, expected: Plan, section: str) -> None:  # type: ignore[no-untyped-def]
    text = re.sub(r"^([一二三四五六])、(.*)$", section, seed_text(), flags=re.M)
    src = tmp_path / "plan.md"
    src.write_text("# " + text, encoding="utf-8")
    _r, got = draft(pufa, src, tmp_path / "md.yaml", "--year", "2011")
    assert_structure(got, expected)


# --- .docx built here with python-docx -------------------------------------------------------

SECTION_RE = re.compile(r"^([一二三四五六七八九十])、(.+)$")
TASK_RE = re.compile(r"^(\d+)\.(.+)$")


def seed_lines() -> list[str]:
    return [line.strip() for line in seed_text().splitlines() if line.strip()]


def build_docx(path: Path, mode: str) -> None:
    import docx

    doc = docx.Document()
    lines = seed_lines()
    doc.add_paragraph(lines[0], style="Title" if mode != "plain" else None)
    for line in lines[1:]:
        section = SECTION_RE.match(line)
        if section and mode == "headings":
            doc.add_paragraph(line, style="Heading 1")
        elif section and mode in ("auto-numbered", "word-lists"):
            doc.add_paragraph(section.group(2), style="Heading 1")  # Word numbers it, not the text
        elif mode == "word-lists" and (task := TASK_RE.match(line)):
            doc.add_paragraph(task.group(2), style="List Number")  # so are the tasks
        else:
            doc.add_paragraph(line)
    doc.save(str(path))


@pytest.mark.parametrize("mode", ["plain", "headings", "auto-numbered", "word-lists"])
def test_docx_paragraphs(pufa, tmp_path: Path, expected: Plan, mode: str) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "plan.docx"
    build_docx(src, mode)
    _r, got = draft(pufa, src, tmp_path / "docx.yaml", "--year", "2011")
    assert_structure(got, expected)
    assert_found(got, expected)
    assert got.title == expected.title


def test_docx_task_table(pufa, tmp_path: Path, expected: Plan) -> None:  # type: ignore[no-untyped-def]
    """A 任務分解表: section rows merged across the table, one row a task, a 完成時限 column."""
    import docx

    doc = docx.Document()
    lines = seed_lines()
    doc.add_paragraph(lines[0])
    doc.add_paragraph(lines[4])  # the preamble
    table = doc.add_table(rows=1, cols=5)
    for cell, head in zip(
        table.rows[0].cells, ["序號", "工作任務", "具體要求", "牽頭單位", "完成時限"], strict=True
    ):
        cell.text = head
    cell_due = {9: "12月份", 14: "一季度", 20: "年終", 10: "2011年6月底前"}
    for line in lines:
        section = SECTION_RE.match(line)
        task = TASK_RE.match(line)
        if section:
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[4])
            merged.text = line
        elif task:
            n = int(task.group(1))
            first, _dot, rest = task.group(2).partition("。")
            row = table.add_row().cells
            row[0].text = str(n)
            row[1].text = first + "。"
            row[2].text = rest
            row[3].text = "區司法局" if n == 12 else ""
            row[4].text = cell_due.get(n, "")
    src = tmp_path / "table.docx"
    doc.save(str(src))
    _r, got = draft(pufa, src, tmp_path / "table.yaml", "--year", "2011")
    assert_structure(got, expected)
    dues = {t.number: t.due_word for t in got.tasks if t.due_word != "年底"}
    assert dues == {7: "第四季度", 9: "12月份", 14: "一季度", 20: "年終", 10: "6月底前"}
    assert got.tasks[9].timing == "2011年6月底前"
    assert got.tasks[11].lead == "區司法局"
    assert "區司法局" in got.units


# --- other documents -------------------------------------------------------------------------

SUBITEMS = """\
二〇一二年普法工作要點

為做好2012年普法工作,制定本要點。

一、加強憲法宣傳
(一)開展憲法宣傳周活動。牽頭單位:區司法局;配合單位:區教育局、區團委。“12·4”前後集中宣傳。
(1)舉辦憲法講座不少於20場。
(2)知曉率達到百分之九十。
(三)組織法律進校園。由區教育局負責,6月15日前完成,覆蓋全區80%以上學校。
二、健全工作機制
(一)建立普法責任制。(區司法局牽頭,區法院、區檢察院配合)三年內完成,年內出台清單。

區依法治區辦公室
2012年3月1日
"""


def test_three_levels_items_labels_and_responsibility(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "2012.txt"
    src.write_text(SUBITEMS, encoding="utf-8")
    r, got = draft(pufa, src, tmp_path / "2012.yaml")
    assert got.year == 2012 and got.title == "二〇一二年普法工作要點"
    assert got.preamble == "為做好2012年普法工作,制定本要點。"
    assert [len(s.tasks) for s in got.sections] == [2, 1]
    t1, t2, t3 = got.tasks
    assert t1.title == "開展憲法宣傳周活動"
    assert t1.text == (
        "開展憲法宣傳周活動。牽頭單位:區司法局;配合單位:區教育局、區團委。“12·4”前後集中宣傳。\n"
        "(1)舉辦憲法講座不少於20場。\n(2)知曉率達到百分之九十。"
    )
    assert (t1.lead, t1.support) == ("區司法局", ("區教育局", "區團委"))
    # The sub-items (1)(2) are items of format version 2, each with its own target; the task
    # keeps its full text and has no target of its own.
    assert t1.targets == ()
    assert [(i.ref, i.label, i.title) for i in t1.items] == [
        ("1.1", "(1)", "舉辦憲法講座不少於20場"),
        ("1.2", "(2)", "知曉率達到百分之九十"),
    ]
    assert [(x.target, x.unit) for i in t1.items for x in i.targets] == [(20.0, "場"), (90.0, "%")]
    assert [x.key for i in t1.items for x in i.targets] == ["sessions", "rate"]
    assert (t2.due_word, t2.due.isoformat(), t2.timing) == (
        "2012-06-15",
        "2012-06-15",
        "6月15日前完成,覆蓋全區80%以上學校",  # to the end of the sentence, as task 14 of 2011
    )
    assert (t2.lead, t2.responsible) == ("區教育局", "由區教育局負責")
    assert [(x.target, x.unit) for x in t2.targets] == [(80.0, "%")]
    assert (t3.lead, t3.support) == ("區司法局", ("區法院", "區檢察院"))
    assert t3.due_word == "年內"  # 三年內 is a span of years, 年內 this year
    assert t3.timing == "年內出台清單"  # the signature lines are not part of the last task
    assert got.units == ("區司法局", "區教育局", "區團委", "區法院", "區檢察院")
    out = (tmp_path / "2012.yaml").read_text(encoding="utf-8")
    assert "# source numbering: (三)" in out  # task 2 is (三) in the document
    assert "\nversion: 2\n" in out and "        items:\n" in out
    assert "# left out: (signature) 區依法治區辦公室\n# left out: (signature) 2012年3月1日\n" in out
    assert "2 sections, 3 tasks, 2 sub-items, 3 targets, 2 deadlines found" in r.err


def test_year_must_come_from_somewhere(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "p.txt"
    src.write_text("普法要點\n一、宣傳\n1.開展宣傳。\n", encoding="utf-8")
    r = pufa("plan", "draft", str(src))
    assert r.code == 2 and r.err.count("\n") == 1 and "--year" in r.err, r
    r = pufa("plan", "draft", str(src), "--year", "2013")
    assert r.code == 0 and "year: 2013\n" in r.out, r


# --- bad sources and --out --------------------------------------------------------------------


def _bad_sources(tmp_path: Path) -> dict[str, Path]:
    out = {}

    def put(name: str, data: bytes) -> None:
        p = tmp_path / name
        p.write_bytes(data)
        out[name] = p

    put("empty.txt", b"")
    put("blank.txt", b"  \n\n \t\n")
    put("binary.txt", bytes(range(256)) * 40)
    put("binary.bin", b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 500)
    put("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    put("broken.docx", b"PK\x03\x04" + b"not really a zip" * 10)
    put("not-a-docx.docx", "一、宣傳\n1.開展。".encode())
    put("prose.txt", "這是一段沒有任何編號的文字。\n第二段也沒有。\n".encode())
    put("huge.txt", ("一、宣傳\n" + "1.開展宣傳。" * 10).encode() + b" " * (5 * 1024 * 1024))
    out["missing.txt"] = tmp_path / "missing.txt"
    out["folder"] = tmp_path
    return out


BAD = [
    "empty.txt",
    "blank.txt",
    "binary.txt",
    "binary.bin",
    "old.doc",
    "broken.docx",
    "not-a-docx.docx",
    "prose.txt",
    "huge.txt",
    "missing.txt",
    "folder",
]


@pytest.mark.parametrize("name", BAD)
def test_bad_sources_one_line_exit_2_nothing_written(pufa, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "in").mkdir()
    sources = _bad_sources(tmp_path / "in")
    target = tmp_path / "out.yaml"
    r = pufa("plan", "draft", str(sources[name]), "--year", "2011", "--out", str(target))
    assert r.code == 2, r
    assert r.err.startswith("Error: ") and r.err.count("\n") == 1, r
    assert "Traceback" not in r.err and r.out == ""
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in"]


def test_out_is_never_overwritten_without_force(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "p.txt"
    src.write_text("普法要點\n一、宣傳\n1.開展宣傳。\n", encoding="utf-8")
    target = tmp_path / "plan.yaml"
    target.write_text("mine\n", encoding="utf-8")
    r = pufa("plan", "draft", str(src), "--year", "2011", "--out", str(target))
    assert r.code == 2 and "--force" in r.err and r.err.count("\n") == 1, r
    assert target.read_text(encoding="utf-8") == "mine\n"
    r = pufa("plan", "draft", str(src), "--year", "2011", "--out", str(target), "--force")
    assert r.code == 0, r
    assert load_plan_file(target).tasks[0].title == "開展宣傳"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.txt", "plan.yaml"]


def test_no_clobber_also_at_the_rename(tmp_path: Path) -> None:
    """A file that appears while the draft is written is not replaced, and no temp file stays."""
    from pufa_cli.errors import BadInput
    from pufa_cli.files import atomic_file

    target = tmp_path / "plan.yaml"
    with pytest.raises(BadInput, match="exists; use --force"):
        with atomic_file(target, replace=False) as fh:
            fh.write("draft\n")
            target.write_text("theirs\n", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "theirs\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.yaml"]


# --- the pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due", "checks"),
    [
        ("開展宣傳。", "年底", []),
        ("6月底前完成。", "6月底前", []),
        ("一季度部署,三季度檢查。", "三季度", ["一季度", "三季度"]),
        ("2011年4月15日前開展宣傳。", "2011-04-15", []),
        ("5月5日前報送。", "2011-05-05", []),
        ("2012年6月前完成。", "年底", []),  # another year: not this plan's deadline
        ("三年內完成。", "年底", []),
        ("每年兩次檢查。", "下半年", ["上半年", "下半年"]),
        ("上半年調研,隨後全面推開。", "年底", ["上半年", "年底"]),
        ("每月一講,月講年賽。", "年底", []),
    ],
)
def test_deadline_words(text: str, due: str, checks: list[str]) -> None:
    from pufa_cli.drafting.deadlines import find_deadline

    d = find_deadline(text, 2011)
    assert (d.due, d.checks) == (due, checks)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("全區要建立100個青少年法制教育基地。", [(100, "個", "青少年法制教育基地")]),
        ("知曉率達到95%以上。", [(95, "%", "知曉率")]),
        ("群眾滿意度達到百分之八十五。", [(85, "%", "群眾滿意度")]),
        ("舉辦講座不少於１２場。", [(12, "場", "舉辦講座")]),
        ("培訓普法骨幹兩千五百人次。", [(2500, "人次", "培訓普法骨幹")]),
        ("推薦第五批“一長三員”社區,組建《三支隊伍》", []),
        ("一季度開展宣傳,每一次都要記錄。", []),
        ("10個工作日內答復,3個月內辦結,一次性告知。", []),
    ],
)
def test_targets(text: str, found: list[tuple[int, str, str]]) -> None:
    from pufa_cli.drafting.targets import find_targets

    assert [(t.target, t.unit, t.label) for t in find_targets(text)] == [
        (float(v), u, label) for v, u, label in found
    ]


@pytest.mark.parametrize(
    ("text", "responsible", "lead", "support"),
    [
        (
            "牽頭單位：區司法局；配合單位：區教育局、區民政局。",
            "區司法局",
            "區司法局",
            ["區教育局", "區民政局"],
        ),
        ("責任單位：區司法局、區法院。", "區司法局、區法院", "區司法局", ["區法院"]),
        (
            "開展宣傳（區司法局牽頭，區教育局配合）。",
            "區司法局牽頭，區教育局配合",
            "區司法局",
            ["區教育局"],
        ),
        ("由區普法辦負責組織實施。", "由區普法辦負責", "區普法辦", []),
        (
            "牽頭單位：區人力資源和社會保障局；配合單位：區司法局 區總工會。",
            "區人力資源和社會保障局",
            "區人力資源和社會保障局",
            ["區司法局", "區總工會"],
        ),
        ("各街道辦事處要落實。", "各街道辦事處", None, []),
        ("“窗口”單位要承擔責任。", None, None, []),
    ],
)
def test_responsibility(
    text: str, responsible: str | None, lead: str | None, support: list[str]
) -> None:
    from pufa_cli.drafting.units import find_responsibility

    r = find_responsibility(text)
    assert (r.responsible, r.lead, r.support) == (responsible, lead, support)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_quoted_text_reads_back_exactly(text: str) -> None:
    from pufa_cli.drafting.writer import quote

    assert yaml.safe_load("key: " + quote(text)) == {"key": text}


FRONT_MATTER = """\
××區2023年普法依法治理工作要點
×法治辦〔2023〕3號
各街道辦事處，區直各部門：
　　為深入推進“八五”普法，現制定本要點。
一、突出重點普法內容
（一）深入宣傳憲法。組織憲法宣傳周活動（區司法局牽頭，各街道配合）。
（二）深入宣傳民法典。各學校要開展宣講：
1.進社區宣講不少於30場；
2.進企業宣講不少於20場。
"""


def test_front_matter_groups_and_item_targets(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "2023.txt"
    src.write_text(FRONT_MATTER, encoding="utf-8")
    r, got = draft(pufa, src, tmp_path / "2023.yaml", "--title", "普法要點")
    assert got.title == "普法要點" and got.year == 2023  # the year from the first line
    assert got.preamble == "為深入推進“八五”普法，現制定本要點。"  # full-width indent trimmed
    out = (tmp_path / "2023.yaml").read_text(encoding="utf-8")
    assert "# left out: (document number) ×法治辦〔2023〕3號\n" in out
    assert "# left out: (addressees) 各街道辦事處，區直各部門：\n" in out
    t1, t2 = got.tasks
    # 各街道 is many units (a group): responsible names it, support and units do not.
    assert (t1.lead, t1.support, t1.responsible) == ("區司法局", (), "區司法局牽頭，各街道配合")
    assert got.units == ("區司法局",)
    assert (t2.responsible, t2.lead) == ("各學校", None)
    # Its sub-items 1. and 2. are its items, each with its target.
    assert [(i.label, i.title) for i in t2.items] == [
        ("1.", "進社區宣講不少於30場"),
        ("2.", "進企業宣講不少於20場"),
    ]
    assert [(x.key, x.label, x.target) for i in t2.items for x in i.targets] == [
        ("sessions", "進社區宣講", 30.0),
        ("sessions", "進企業宣講", 20.0),
    ]
    assert (
        "Drafted plan 2023: 1 section, 2 tasks, 2 sub-items, 2 targets, 0 deadlines found\n"
        in r.err
    )


def test_simplified_table_with_section_column(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import docx

    doc = docx.Document()
    doc.add_paragraph("2024年普法工作任务分解表")
    table = doc.add_table(rows=1, cols=6)
    heads = ["序号", "板块", "工作任务", "责任单位", "配合单位", "完成时限"]
    for cell, head in zip(table.rows[0].cells, heads, strict=True):
        cell.text = head
    rows = [
        ["1", "学习宣传宪法", "开展宪法宣传周活动", "区司法局", "区教育局、区团委", "12月底前"],
        [
            "2",
            "学习宣传宪法",
            "组织宪法知识竞赛，参与人数不少于1000人次",
            "区教育局",
            "",
            "第三季度",
        ],
        ["3", "推进法治实践", "建设法治文化阵地10个", "区司法局", "", "明年"],
    ]
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    doc.add_paragraph("附件：任务说明")
    src = tmp_path / "表.docx"
    doc.save(str(src))
    r, got = draft(pufa, src, tmp_path / "2024.yaml")
    assert got.year == 2024 and got.title == "2024年普法工作任务分解表"
    assert [(s.title, len(s.tasks)) for s in got.sections] == [
        ("学习宣传宪法", 2),
        ("推进法治实践", 1),
    ]
    t1, t2, t3 = got.tasks
    assert (t1.title, t1.text) == ("开展宪法宣传周活动", "开展宪法宣传周活动")
    assert (t1.lead, t1.support, t1.due_word, t1.timing) == (
        "区司法局",
        ("区教育局", "区团委"),
        "12月底前",
        "12月底前",
    )
    assert (t2.lead, t2.due_word, [(x.target, x.unit) for x in t2.targets]) == (
        "区教育局",
        "第三季度",
        [(1000.0, "人次")],
    )
    assert (t3.due_word, t3.timing, [(x.target, x.unit) for x in t3.targets]) == (
        "年底",
        "明年",
        [(10.0, "个")],
    )
    assert got.units == ("区司法局", "区教育局", "区团委")
    assert "table 1 row 4: task 3: no deadline word pufa reads in '明年'; due 年底" in r.err
    out = (tmp_path / "2024.yaml").read_text(encoding="utf-8")
    assert "# the deadline cell has no deadline word pufa reads: year end" in out
    assert "# left out: (after a table row) 附件：任务说明\n" in out


def test_quiet_prints_only_the_plan(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "p.txt"
    src.write_text("普法要點\n一、宣傳\n1.開展宣傳。\n", encoding="utf-8")
    r = pufa("plan", "draft", str(src), "--year", "2011", "-q")
    assert (
        r.code == 0
        and r.err == ""
        and yaml.safe_load(r.out)["sections"][0]["tasks"][0]
        == {
            "number": 1,
            "title": "開展宣傳",
            "text": "開展宣傳。",
            "due": "年底",
        }
    )


def test_table_section_row_with_a_number_cell(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A section row: 一 in the 序號 cell, the heading merged across the other cells."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("2012年工作要點")
    table = doc.add_table(rows=1, cols=4)
    for cell, head in zip(
        table.rows[0].cells, ["序號", "工作任務", "牽頭單位", "完成時限"], strict=True
    ):
        cell.text = head
    row = table.add_row()
    row.cells[0].text = "一"
    row.cells[1].merge(row.cells[3]).text = "加強宣傳"
    cells = table.add_row().cells
    for cell, value in zip(
        cells, ["1", "開展宣傳。組織活動。", "區司法局", "6月底前"], strict=True
    ):
        cell.text = value
    src = tmp_path / "x.docx"
    doc.save(str(src))
    _r, got = draft(pufa, src, tmp_path / "x.yaml")
    assert [(s.title, len(s.tasks)) for s in got.sections] == [("加強宣傳", 1)]
    task = got.tasks[0]
    assert (task.title, task.text, task.lead, task.due_word) == (
        "開展宣傳",
        "開展宣傳。組織活動。",
        "區司法局",
        "6月底前",
    )


def test_installed_executable_drafts_to_stdout(tmp_path: Path) -> None:
    from conftest import run_installed

    src = tmp_path / "p.md"
    src.write_text("# 2015年普法要點\n\n## 一、宣傳\n\n1. 上半年開展宣傳。\n", encoding="utf-8")
    r = run_installed("plan", "draft", str(src), "--lang", "zh-Hant")
    assert r.code == 0, r
    data = yaml.safe_load(r.out)
    assert (data["year"], data["title"]) == (2015, "2015年普法要點")
    assert data["sections"][0]["tasks"][0]["due"] == "上半年"
    assert (
        data["sections"][0]["tasks"][0]["text"] == "上半年開展宣傳。"
    )  # the space after 1. is not text
    assert "Error" not in r.err and r.err.strip()
    helped = run_installed("plan", "--help")
    assert helped.code == 0 and "draft" in helped.out


def test_version2_words_are_kept_as_comments(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "p.txt"
    src.write_text(
        "2016年要點\n一、機制\n1.報送進展。每季度末前報送工作進展。\n2.常態化開展普法宣傳。\n"
        "3.年底前總結。\n",
        encoding="utf-8",
    )
    r = pufa("plan", "draft", str(src), "-q")
    assert r.code == 0, r
    lines = r.out.splitlines()
    t1 = lines.index("      - number: 1")
    assert lines[t1 + 1] == "        # cadence '每季度末' (a field of plan format 2)"
    t2 = lines.index("      - number: 2")
    assert lines[t2 + 1] == "        # '常態化': ongoing work (due: 持續 in plan format 2)"
    t3 = lines.index("      - number: 3")
    assert lines[t3 + 1].startswith('        title: "年底前總結"')
    assert yaml.safe_load(r.out)["sections"][0]["tasks"][1]["due"] == "年底"


_CHARS = st.sampled_from(
    [
        *"法治宣傳教育工作區單位開展年月季度上半全覆蓋個次人%0123456789,，、;；:“”‘’\"'\\#{}[]&*!|>-",
        *["\u2028", "\x85", "\t", "é", "𠀀"],
    ]
)
_TEXT = (
    st.text(_CHARS, min_size=1, max_size=40)
    .map(str.strip)
    .filter(
        lambda t: bool(t) and not t[0].isdigit() and not t.startswith(("(", "（", "#", "-", "*"))
    )
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_TEXT, st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=4)),
        min_size=1,
        max_size=4,
    )
)
def test_any_outline_keeps_every_character(tmp_path_factory, sections) -> None:  # type: ignore[no-untyped-def]
    """Whatever the words, the draft loads and titles and texts are the document's own."""
    from pufa_cli.drafting.drafter import draft_file
    from pufa_cli.plan import build_plan

    cn = "一二三四五"
    lines, number = ["2020年要點"], 0
    for s, (title, tasks) in enumerate(sections):
        lines.append(f"{cn[s]}、{title}")
        for first, rest in tasks:
            number += 1
            lines.append(f"{number}.{first}。{rest}")
    src = tmp_path_factory.mktemp("doc") / "plan.txt"
    src.write_text("\n".join(lines), encoding="utf-8")
    drafted = draft_file(src)
    plan = build_plan(yaml.load(drafted.yaml, Loader=yaml.SafeLoader), {}, str(src))
    assert [s.title for s in plan.sections] == [t for t, _tasks in sections]
    got = [(t.title, t.text) for t in plan.tasks]
    assert got == [(f, f"{f}。{r}") for _t, tasks in sections for f, r in tasks]


def test_no_title_line_and_one_level(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "要點.txt"
    src.write_text("1.開展宣傳。\n2.組織培訓。\n", encoding="utf-8")
    r, got = draft(pufa, src, tmp_path / "x.yaml", "--year", "2019")
    assert got.title == "要點"  # the file's name
    assert 'title: "要點"  # the file\'s name\n' in (tmp_path / "x.yaml").read_text(
        encoding="utf-8"
    )
    assert [(s.title, len(s.tasks)) for s in got.sections] == [("要點", 2)]
    assert "no title line; the file name is the title (give --title)" in r.err
    assert "only one outline level found" in r.err


def test_cover_notice_parts_and_heading_level(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """一、 parts > （一） headings > 1．tasks, behind a 关于印发 cover notice (Simplified)."""
    src = REPO / "tests" / "data" / "draft-2022-hans.txt"
    r, got = draft(pufa, src, tmp_path / "2022.yaml")
    assert (got.year, got.title, got.preamble) == (2022, "2022年全县普法依法治理工作要点", "")
    assert [(s.title, len(s.tasks)) for s in got.sections] == [
        ("指导思想", 0),
        ("深入学习宣传习近平法治思想", 2),
        ("突出宣传宪法", 1),
        ("工作要求", 0),
    ]
    t1, t2, t3 = got.tasks
    assert t1.text == (
        "把习近平法治思想作为党委（党组）理论学习中心组学习重点内容，全年集中学习不少于2次。"
        "（牵头单位：县委宣传部；责任单位：各乡镇、县直各单位）"
    )
    assert (t1.lead, t1.support, t1.responsible) == ("县委宣传部", (), "各乡镇、县直各单位")
    assert (t2.title, t2.due_word) == ("组织开展习近平法治思想宣讲活动，6月底前完成", "6月底前")
    assert (t3.lead, t3.support) == ("县司法局", ("县教育局",))
    out = (tmp_path / "2022.yaml").read_text(encoding="utf-8")
    assert "# left out: (cover notice) 县直各单位，各乡镇：\n" in out
    assert "  # under the heading: 二、主要任务\n  - number: 2\n" in out
    assert "    # text under the heading: 2022年3月1日\n    tasks: []\n" in out
    assert "the second outline level holds headings only" in r.err


def test_odd_inputs_still_draft(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    long_line = "全區" * 300 + "。"
    src = tmp_path / "odd.txt"
    task_line = "1.開展宣傳。牽頭單位：區司\u200b法局；配合單位：區教育局。"
    src.write_text(f"{long_line}\n一、{'宣傳' * 300}\n{task_line}\n", encoding="utf-8")
    r, got = draft(pufa, src, tmp_path / "odd.yaml", "--year", "2020")
    assert got.title == "odd" and got.preamble == long_line  # a 601-character line is no title
    assert got.sections[0].title == "宣傳" * 250  # cut to 500 characters …
    out = (tmp_path / "odd.yaml").read_text(encoding="utf-8")
    assert f"    # text under the heading: {'宣傳' * 300}\n" in out  # … and kept whole in a comment
    task = got.tasks[0]
    # A name with a zero-width space is not a unit: responsible keeps it, lead does not.
    assert (task.lead, task.support, got.units) == (None, ("區教育局",), ("區教育局",))
    assert "is not used as a unit" in r.err
    r = pufa("plan", "draft", str(src), "--title", "題" * 501)
    assert r.code == 2 and r.err.count("\n") == 1 and "--title" in r.err, r


def test_docx_tracked_changes_and_content_controls(pufa, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Text inside a tracked insertion or a content control is text; a tracked deletion is not."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(tag: str, text: str):  # type: ignore[no-untyped-def]
        r, t = OxmlElement("w:r"), OxmlElement(tag)
        t.text = text
        r.append(t)
        return r

    doc = docx.Document()
    doc.add_paragraph("2017年要點")
    doc.add_paragraph("一、宣傳")
    p = doc.add_paragraph("1.開展")
    ins = OxmlElement("w:ins")
    ins.set(qn("w:id"), "1")
    ins.set(qn("w:author"), "審稿人")
    ins.append(run("w:t", "憲法"))
    deleted = OxmlElement("w:del")
    deleted.set(qn("w:id"), "2")
    deleted.set(qn("w:author"), "審稿人")
    deleted.append(run("w:delText", "刪去的字"))
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    content.append(run("w:t", "宣傳"))
    sdt.append(content)
    for element in (ins, deleted, sdt):
        p._p.append(element)
    p.add_run("。\t上半年完成。")
    src = tmp_path / "tracked.docx"
    doc.save(str(src))
    _r, got = draft(pufa, src, tmp_path / "t.yaml")
    assert (got.tasks[0].title, got.tasks[0].text) == (
        "開展憲法宣傳",
        "開展憲法宣傳。\t上半年完成。",
    )
    assert got.tasks[0].due_word == "上半年"

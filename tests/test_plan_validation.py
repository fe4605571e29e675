"""Each bad plan gives one line naming file, place and problem; exit 2; database unchanged."""

from __future__ import annotations

import pytest

from conftest import dump_db

GOOD = """\
version: 1
year: 2012
title: 全區依法治區工作方案
units: [區司法局]
sections:
  - number: 1
    title: 第一部分
    tasks:
      - number: 1
        title: 第一項
        due: 上半年
        lead: 區司法局
        targets:
          - {key: bases, label: 基地, target: 100, unit: 個}
      - number: 2
        title: 第二項
        checks: [一季度, 第四季度]
"""

BILLION_LAUGHS = """\
version: 1
year: 2012
title: x
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
sections: [*g]
"""


def _edit(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


BAD = {
    "yaml syntax": (_edit("title: 第一項", "title: [第一項"), ":", "YAML error"),
    "missing field": (_edit("year: 2012\n", ""), ":1:", "missing field 'year'"),
    "wrong type": (_edit("year: 2012", "year: 二〇一二"), ":2: year:", "whole number"),
    "bool as number": (_edit("year: 2012", "year: true"), "year:", "whole number"),
    "duplicate section": (
        GOOD + "  - number: 1\n    title: 重複\n",
        "sections[1].number",
        "section number 1 is used twice",
    ),
    "duplicate task": (
        _edit("number: 2", "number: 1"),
        "sections[0].tasks[1].number",
        "task number 1 is used twice",
    ),
    "unknown period": (
        _edit("due: 上半年", "due: 明年"),
        ":11: sections[0].tasks[0].due:",
        "unknown period '明年'",
    ),
    "bad checkpoint": (
        _edit("[一季度, 第四季度]", "[一季度, 每年兩次]"),
        "checks[1]",
        "unknown period",
    ),
    "due before last check": (
        _edit("checks: [一季度, 第四季度]", "due: 一季度\n        checks: [一季度, 第四季度]"),
        "tasks[1].due",
        "last checkpoint",
    ),
    "negative target": (_edit("target: 100", "target: -5"), "targets[0].target", "positive number"),
    "non-numeric target": (
        _edit("target: 100", "target: 一百"),
        "targets[0].target",
        "expected a number",
    ),
    "bad target key": (_edit("key: bases", "key: Bases!"), "targets[0].key", "lower-case"),
    "task number zero": (_edit("number: 2", "number: 0"), "tasks[1].number", "from 1"),
    "task number text": (_edit("number: 2", "number: 二"), "tasks[1].number", "whole number"),
    "unknown field": (_edit("due: 上半年", "deu: 上半年"), "tasks[0].deu", "unknown field"),
    "lead not in units": (
        _edit("lead: 區司法局", "lead: 區教育局"),
        "tasks[0].lead",
        "not in the plan's units",
    ),
    "python tag": (
        _edit("title: 第一項", "title: !!python/object/apply:os.system [ls]"),
        ":",
        "tag not allowed",
    ),
    "alias bomb": (BILLION_LAUGHS, "", "aliases"),
    "version 3": (_edit("version: 1", "version: 3"), "version:", "unsupported"),
    "v2 field in v1": (
        _edit("title: 全區", "doc_number: 區委發〔2012〕1號\ntitle: 全區"),
        ":3: doc_number:",
        "needs 'version: 2'",
    ),
    "bad plan id": (_edit("year: 2012", "year: 2012\nid: Plan_A"), ":3: id:", "plan id 'Plan_A'"),
    "empty file": ("", "", "empty"),
    "not a mapping": ("- 1\n- 2\n", "", "expected a mapping"),
    "no sections": (GOOD.split("sections:")[0] + "sections: []\n", "sections", "at least one"),
    "empty title": (_edit("title: 第一項", "title: '  '"), "tasks[0].title", "empty"),
    # Issue 12.3: YAML keeps the last of two equal keys; a plan refuses both, naming both lines.
    "duplicate sections key": (
        GOOD + "sections: []\n",
        ":18: sections:",
        "key 'sections' is written twice (lines 5 and 18)",
    ),
    "duplicate task key": (
        _edit("due: 上半年", "due: 上半年\n        due: 下半年"),
        ":12: sections[0].tasks[0].due:",
        "key 'due' is written twice (lines 11 and 12)",
    ),
    # Issue 12.11: values YAML cannot construct name their line and place (exit 2, not 1).
    "impossible date": (
        _edit("due: 上半年", "due: 2012-02-30"),
        ":11: sections[0].tasks[0].due:",
        "'2012-02-30' cannot be read as !!timestamp",
    ),
    "int tag": (
        _edit("year: 2012", "year: !!int abc"),
        ":2: year:",
        "'abc' cannot be read as !!int",
    ),
    "float tag": (
        _edit("target: 100", "target: !!float abc"),
        ":14: sections[0].tasks[0].targets[0]",
        "'abc' cannot be read as !!float",
    ),
    "timestamp tag": (
        _edit("title: 第一項", "title: !!timestamp nonsense"),
        ":10: sections[0].tasks[0].title:",
        "'nonsense' cannot be read as !!timestamp",
    ),
    "400-digit target": (
        _edit("target: 100", "target: " + "9" * 400),
        "sections[0].tasks[0].targets[0].target:",
        "number too large (400 digits)",
    ),
    "400-digit year": (_edit("year: 2012", "year: " + "9" * 400), ":2: year:", "from 1900 to 2999"),
    # Issue 12.7: a NUL written as an escape reaches the text; refused before any database.
    "NUL escape": (_edit("title: 第一項", 'title: "第一\\0項"'), "tasks[0].title:", "NUL"),
}


@pytest.fixture
def existing(loaded):
    return loaded


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_plan_is_refused_whole(case, existing, pufa, tmp_path):
    text, where, what = BAD[case]
    plan = tmp_path / "bad.yaml"
    plan.write_text(text, encoding="utf-8")
    before = dump_db(existing)
    for args in (("plan", "check", plan), ("init", "--plan", plan)):
        r = pufa(*args)
        assert r.code == 2, (case, r)
        lines = r.err.splitlines()
        assert len(lines) == 1, (case, r)
        assert lines[0].startswith(f"Error: {plan}"), (case, r)
        assert where in lines[0] and what in lines[0], (case, r)
        assert "Traceback" not in r.err and r.out == ""
    assert dump_db(existing) == before


def test_non_utf8_plan(existing, pufa, tmp_path):
    plan = tmp_path / "gbk.yaml"
    plan.write_bytes(GOOD.encode("utf-8") + "title2: 依法治區\n".encode("big5"))
    before = dump_db(existing)
    r = pufa("init", "--plan", plan)
    assert r.code == 2 and "not UTF-8" in r.err and f":{len(GOOD.splitlines()) + 1}:" in r.err, r
    assert dump_db(existing) == before


def test_nul_bytes_and_missing_file(existing, pufa, tmp_path):
    plan = tmp_path / "nul.yaml"
    plan.write_bytes(GOOD.encode() + b"\x00")
    assert "NUL" in pufa("plan", "check", plan).err
    r = pufa("plan", "check", tmp_path / "nope.yaml")
    assert r.code == 2 and "no such file" in r.err


def test_good_plan_loads_beside_2011(existing, pufa, tmp_path):
    plan = tmp_path / "2012.yaml"
    plan.write_text(GOOD, encoding="utf-8")
    assert pufa("plan", "check", plan).code == 0
    r = pufa("init", "--plan", plan)
    assert r.code == 0, r
    import json

    latest = json.loads(pufa("tasks", "-f", "json").out)
    assert [t["year"] for t in latest] == [2012, 2012]
    assert latest[0]["due"] == "2012-06-30"
    assert latest[1]["due"] == "2012-12-31" and latest[1]["due_word"] == "第四季度"
    older = json.loads(pufa("tasks", "-f", "json", "--year", "2011").out)
    assert len(older) == 23


def test_plan_without_due_is_due_at_year_end(existing, pufa, tmp_path):
    plan = tmp_path / "2013.yaml"
    plan.write_text(
        _edit("year: 2012", "year: 2013").replace("        due: 上半年\n", ""), encoding="utf-8"
    )
    assert pufa("init", "-q", "--plan", plan).code == 0
    import json

    tasks = json.loads(pufa("tasks", "-f", "json", "--year", "2013").out)
    assert tasks[0]["due"] == "2013-12-31" and tasks[0]["due_word"] == "年底"

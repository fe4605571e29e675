"""``pufa plan draft`` and format version 2 (issue 14.7, brief item 3): ``--id`` names the plan
in the file, and co-leads found in the document (牽頭單位：X、Y, (X、Y共同牽頭), a 牽頭單位 column
naming two units) are written as ``lead: [X, Y]`` in a version 2 file that loads as it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pufa_cli.plan import load_plan_file

DOC = """\
2012年普法工作要點
為做好2012年普法工作,制定本要點。
一、重點工作
(一)開展憲法宣傳周活動。牽頭單位:區司法局、區教育局;配合單位:區團委。12月4日前完成。
(二)組織法律進校園。(區教育局、區團委共同牽頭,區司法局配合)6月底前完成。
(三)建立普法責任制。由區司法局負責,年內出台清單。
"""

ONE_LEAD = DOC.replace("區司法局、區教育局;", "區司法局;").replace(
    "區教育局、區團委共同牽頭", "區教育局牽頭"
)


def draft(pufa: Any, tmp_path: Path, text: str, *args: str) -> tuple[Path, Any]:
    src = tmp_path / "doc.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "plan.yaml"
    r = pufa("plan", "draft", src, "--out", out, *args)
    assert r.code == 0, r
    return out, r


def test_co_leads_in_the_document_make_a_version_2_file(db, pufa, tmp_path):
    out, _r = draft(pufa, tmp_path, DOC)
    text = out.read_text(encoding="utf-8")
    assert "\nversion: 2\n" in text
    plan = load_plan_file(out)
    t1, t2, t3 = plan.tasks
    # 牽頭單位:區司法局、區教育局 → both lead; 配合單位:區團委 supports.
    assert (t1.lead, t1.coleads, t1.support) == ("區司法局", ("區教育局",), ("區團委",))
    # (區教育局、區團委共同牽頭,區司法局配合) → both lead, 區司法局 supports.
    assert (t2.lead, t2.coleads, t2.support) == ("區教育局", ("區團委",), ("區司法局",))
    assert (t3.lead, t3.coleads, t3.support) == ("區司法局", (), ())
    # The file loads as it is, the co-leads as lead.
    r = pufa("init", "-q", "--plan", out)
    assert r.code == 0, r
    units = json.loads(pufa("show", "2", "-f", "json").out)["units"]
    assert [(u["unit"], u["role"]) for u in units] == [
        ("區教育局", "lead"),
        ("區團委", "lead"),
        ("區司法局", "support"),
    ]


def test_a_document_without_co_leads_stays_version_1(pufa, tmp_path):
    out, _r = draft(pufa, tmp_path, ONE_LEAD)
    text = out.read_text(encoding="utf-8")
    assert "\nversion: 1\n" in text and "\nid:" not in text
    t1, t2, _t3 = load_plan_file(out).tasks
    assert (t1.lead, t1.coleads) == ("區司法局", ())
    assert (t2.lead, t2.coleads) == ("區教育局", ())


def test_id_names_the_plan_in_the_file(db, pufa, tmp_path):
    out, _r = draft(pufa, tmp_path, ONE_LEAD, "--id", "2012-pufa")
    assert "\nversion: 1\nid: 2012-pufa\nyear: 2012" in out.read_text(encoding="utf-8")
    assert load_plan_file(out).id == "2012-pufa"
    assert pufa("init", "-q", "--plan", out).code == 0
    plans = json.loads(pufa("plan", "list", "-f", "json").out)
    assert [p["plan"] for p in plans] == ["2012-pufa"]


@pytest.mark.parametrize("bad", ["2012_PUFA", "-x", "a" * 41, "x\ny", "甲"])
def test_a_bad_id_is_refused_before_anything_is_written(bad, pufa, tmp_path):
    src = tmp_path / "doc.txt"
    src.write_text(DOC, encoding="utf-8")
    out = tmp_path / "plan.yaml"
    r = pufa("plan", "draft", src, "--out", out, "--id", bad)
    assert r.code == 2 and "plan id" in r.err and len(r.err.splitlines()) == 1, r
    assert not out.exists()


ITEMS_DOC = """\
2012年普法工作要點
一、重點工作
(一)開展憲法宣傳。牽頭單位:區司法局。
(1)6月底前舉辦憲法講座不少於4場。
(2)年底前完成普法考試。
(二)組織法律進校園,覆蓋80%以上學校。牽頭單位:區教育局。
(1)編寫讀本。
(2)開展講座。
"""


def test_sub_items_are_drafted_as_items_with_their_own_deadlines(db, pufa, tmp_path):
    out, r = draft(pufa, tmp_path, ITEMS_DOC)
    assert "\nversion: 2\n" in out.read_text(encoding="utf-8")
    t1, t2 = load_plan_file(out).tasks
    # Task 1: its items, each with its own deadline (6月底前 → 06-30, 年底前 → 12-31) and the
    # target of its own sentence; the task is due at the latest (年底前), without checkpoints.
    assert [(i.ref, i.label, i.due.isoformat()) for i in t1.items] == [
        ("1.1", "(1)", "2012-06-30"),
        ("1.2", "(2)", "2012-12-31"),
    ]
    assert [(g.target, g.unit) for g in t1.items[0].targets] == [(4.0, "場")]
    assert (t1.due.isoformat(), t1.checks, t1.targets) == ("2012-12-31", (), ())
    # Task 2 states a target in its own paragraph (80%): its sub-items stay in its text.
    assert t2.items == () and [(g.target, g.unit) for g in t2.targets] == [(80.0, "%")]
    assert "2 tasks, 4 sub-items, 2 targets" in r.err
    # The draft loads; the items are tracked as 1.1 and 1.2, done by the task's lead.
    assert pufa("init", "-q", "--plan", out).code == 0
    got = json.loads(pufa("tasks", "-f", "json").out)
    assert [t["number"] for t in got] == [1, "1.1", "1.2", 2]
    assert [u["unit"] for u in got[1]["units"]] == ["區司法局"]

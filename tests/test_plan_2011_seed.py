"""plans/2011.yaml must reproduce the 2011 seed document character for character.

The seed is parsed here independently (regexes on the "一、…" section lines and the
"N.…" task lines); nothing from pufa_cli is imported.  Seed-comparison tests are
skipped when the seed file is not present next to the repository.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
PLAN_PATH = REPO_ROOT / "plans" / "2011.yaml"
SEED_PATH = REPO_ROOT.parent / "shared" / "seed" / "000_ec7d02fe7bc45d87.txt"

CN_NUMERALS = "一二三四五六七八九十"
SECTION_RE = re.compile(r"^([一二三四五六七八九十])、(.+)$")
TASK_RE = re.compile(r"^(\d+)\.(.+)$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_MONTH = r"(?:[1-9]|1[0-2])"
PERIOD_RE = re.compile(
    r"^(?:"
    r"第?[一二三四]季度"
    r"|[上下]半年"
    rf"|{_MONTH}月(?:份|底|底前)?"
    r"|年底|年底前|年終|年末|全年"
    r"|Q[1-4]|H[12]|M(?:[1-9]|1[0-2])"
    r"|\d{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?"
    r")$"
)
NO_TIMING_COMMENT = "# 原文未載明時限,按年底 (no timing in the source: due at year end)"

UNITS = ["區依法治區工作領導小組", "區依法治區辦公室"]
# task number -> section number, as laid out in the seed
SECTION_OF_TASK = {
    n: s
    for s, ns in {
        1: range(1, 4),
        2: range(4, 9),
        3: range(9, 14),
        4: range(14, 18),
        5: range(18, 21),
        6: range(21, 24),
    }.items()
    for n in ns
}

EXPECTED_DUE = {n: "年底" for n in range(1, 24)}
EXPECTED_DUE.update({7: "第四季度", 9: "12月份", 14: "一季度", 20: "年終"})

EXPECTED_TIMING = {
    2: "上半年對全區“五五”普法依法治理總結工作進行前期準備",
    7: (
        "每年兩次檢查、監督“法治城區”創建情況,以促進創建工作落實。"
        "第四季度將對全區法治創建工作進行全面檢查"
    ),
    9: "12月份組織社區“兩委”成員進行“六五”普法規劃知識考試",
    14: "一季度結合“平安”建設,開展人民調解法大型集中宣傳活動",
    20: "年終對各支隊伍發揮作用情況進行綜合檢查",
}

EXPECTED_CHECKS = {2: ["上半年", "年底"], 7: ["上半年", "第四季度"]}

EXPECTED_RESPONSIBLE = {
    1: "各部門各單位",
    3: "各部門各單位",
    4: "各部門各單位",
    5: "各部門各單位",
    7: "區依法治區工作領導小組",
    8: "區依法治區辦公室",
    15: "有關部門單位",
    18: "各部門各單位",
    19: "社區、學校、企業等單位",
    22: "各部門各單位",
    23: "各執法部門",
}

EXPECTED_LEAD = {7: "區依法治區工作領導小組", 8: "區依法治區辦公室"}

# task -> [(key, label, target, unit, phrase)]
EXPECTED_TARGETS: dict[int, list[tuple[str, str, float, str, str]]] = {
    7: [
        (
            "inspections",
            "檢查、監督“法治城區”創建情況",
            2,
            "次",
            "每年兩次檢查、監督“法治城區”創建情況",
        )
    ],
    8: [("commended_rate", "社區受到各級表彰率", 95, "%", "使社區受到各級表彰率達到95%以上")],
    10: [
        (
            "study_hours",
            "領導干部和公務員每年學法時間",
            50,
            "小時",
            "領導干部和公務員每年學法時間不少于50小時",
        ),
        ("training_days", "行政執法人員每年培訓", 15, "天", "行政執法人員每年培訓不少于15天"),
    ],
    13: [("coverage", "單位普法覆蓋面", 100, "%", "提高單位普法覆蓋面,達到全覆蓋,不留死角")],
    19: [("bases", "青少年法制教育基地", 100, "個", "全區要建立100個青少年法制教育基地")],
    20: [("teams", "青少年普法隊伍", 4, "支", "等四支隊伍")],
}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    data = yaml.safe_load(PLAN_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def tasks(plan: dict[str, Any]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for section in plan["sections"]:
        for task in section["tasks"]:
            assert task["number"] not in out, f"duplicate task {task['number']}"
            out[task["number"]] = task
    return out


def _parse_seed(text: str) -> dict[str, Any]:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    first_section = next(i for i, ln in enumerate(lines) if SECTION_RE.match(ln))
    preamble = [ln for ln in lines[:first_section] if ln.startswith("2011年是實施")]
    assert len(preamble) == 1
    sections: list[dict[str, Any]] = []
    for ln in lines[first_section:]:
        if m := SECTION_RE.match(ln):
            sections.append({"number": CN_NUMERALS.index(m[1]) + 1, "title": m[2], "tasks": []})
        elif m := TASK_RE.match(ln):
            sections[-1]["tasks"].append({"number": int(m[1]), "text": m[2]})
        else:  # every body line is a section or a task line
            pytest.fail(f"unrecognised seed line: {ln[:40]}")
    return {"preamble": preamble[0], "sections": sections}


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    if not SEED_PATH.is_file():
        if os.environ.get("CI"):  # in CI a missing seed is a failure, never a quiet skip
            pytest.fail(f"seed document not found: {SEED_PATH} (CI is set)")
        pytest.skip(f"seed document not found: {SEED_PATH}")
    return _parse_seed(SEED_PATH.read_text(encoding="utf-8"))


# --------------------------------------------------------------- seed comparison


def test_seed_shape(seed: dict[str, Any]) -> None:
    assert [s["number"] for s in seed["sections"]] == [1, 2, 3, 4, 5, 6]
    numbers = [t["number"] for s in seed["sections"] for t in s["tasks"]]
    assert numbers == list(range(1, 24))


def test_preamble_verbatim(plan: dict[str, Any], seed: dict[str, Any]) -> None:
    assert plan["preamble"] == seed["preamble"]


def test_sections_match_seed(plan: dict[str, Any], seed: dict[str, Any]) -> None:
    got = [(s["number"], s["title"]) for s in plan["sections"]]
    want = [(s["number"], s["title"]) for s in seed["sections"]]
    assert got == want


def test_tasks_in_right_sections(plan: dict[str, Any], seed: dict[str, Any]) -> None:
    got = [[t["number"] for t in s["tasks"]] for s in plan["sections"]]
    want = [[t["number"] for t in s["tasks"]] for s in seed["sections"]]
    assert got == want


def test_task_texts_verbatim(tasks: dict[int, dict[str, Any]], seed: dict[str, Any]) -> None:
    seed_texts = {t["number"]: t["text"] for s in seed["sections"] for t in s["tasks"]}
    assert sorted(tasks) == sorted(seed_texts)
    for n, text in seed_texts.items():
        assert tasks[n]["text"] == text, f"task {n} text differs from the seed"
        assert tasks[n]["title"] == text.split("。", 1)[0], f"task {n} title"


# ------------------------------------------------------------ plan self-consistency


def test_header(plan: dict[str, Any]) -> None:
    assert plan["version"] == 1
    assert plan["year"] == 2011
    assert plan["title"] == "全區依法治區工作方案"
    assert isinstance(plan["source"], str) and plan["source"].strip()
    assert plan["units"] == UNITS
    assert plan["preamble"].startswith("2011年是實施“十二五”規劃的第一年,")


def test_numbering(plan: dict[str, Any]) -> None:
    assert [s["number"] for s in plan["sections"]] == [1, 2, 3, 4, 5, 6]
    numbers = [t["number"] for s in plan["sections"] for t in s["tasks"]]
    assert numbers == list(range(1, 24))
    for section in plan["sections"]:
        for task in section["tasks"]:
            assert SECTION_OF_TASK[task["number"]] == section["number"]


def test_titles_are_first_sentence(tasks: dict[int, dict[str, Any]]) -> None:
    for n, task in tasks.items():
        text = task["text"]
        assert not TASK_RE.match(text), f"task {n} text keeps its number prefix"
        assert "。" not in task["title"]
        assert text.startswith(task["title"] + "。"), f"task {n}"


def test_due_timing_checks(tasks: dict[int, dict[str, Any]]) -> None:
    for n, task in tasks.items():
        assert task.get("due") == EXPECTED_DUE[n], f"task {n} due"
        assert PERIOD_RE.match(str(task["due"])), f"task {n} due {task['due']!r}"
        assert task.get("timing") == EXPECTED_TIMING.get(n), f"task {n} timing"
        if "timing" in task:
            assert task["timing"] in task["text"], f"task {n} timing not verbatim"
        assert task.get("checks") == EXPECTED_CHECKS.get(n), f"task {n} checks"
        if "checks" in task:
            checks = task["checks"]
            assert len(checks) >= 2
            assert all(PERIOD_RE.match(str(c)) for c in checks)
            assert checks[-1] == task["due"]


def test_responsible_and_lead(plan: dict[str, Any], tasks: dict[int, dict[str, Any]]) -> None:
    for n, task in tasks.items():
        assert task.get("responsible") == EXPECTED_RESPONSIBLE.get(n), f"task {n}"
        if "responsible" in task:
            assert task["responsible"] in task["text"], f"task {n} responsible"
        assert task.get("lead") == EXPECTED_LEAD.get(n), f"task {n} lead"
        if "lead" in task:
            assert task["lead"] in plan["units"]
            assert task["lead"] in task["text"]


def test_targets(tasks: dict[int, dict[str, Any]]) -> None:
    for n, task in tasks.items():
        targets = task.get("targets")
        if n not in EXPECTED_TARGETS:
            assert targets is None, f"task {n} has unexpected targets"
            continue
        got = [(t["key"], t["label"], t["target"], t["unit"], t["phrase"]) for t in targets]
        assert got == EXPECTED_TARGETS[n], f"task {n} targets"
        for t in targets:
            assert set(t) == {"key", "label", "target", "unit", "phrase"}
            assert KEY_RE.match(t["key"])
            assert isinstance(t["target"], (int, float)) and not isinstance(t["target"], bool)
            assert t["target"] > 0
            assert isinstance(t["unit"], str) and 0 < len(t["unit"]) <= 4
            assert t["phrase"] in task["text"], f"task {n} phrase not verbatim"


def test_no_timing_tasks_carry_comment(tasks: dict[int, dict[str, Any]]) -> None:
    due_lines = [
        ln.strip()
        for ln in PLAN_PATH.read_text(encoding="utf-8").splitlines()
        if ln.strip().startswith("due:")
    ]
    assert len(due_lines) == 23
    for n, line in zip(range(1, 24), due_lines, strict=True):
        if "timing" not in tasks[n]:
            assert line.startswith(f"due: 年底  {NO_TIMING_COMMENT}"), f"task {n}"

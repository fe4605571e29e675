"""The plan file's YAML (issue 19): read from libyaml's events, or PyYAML's pure-Python parser
where libyaml is missing; both read the same values and refuse the same files with the same
message; the limits on a plan's size are checked before the file is parsed."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from pufa_cli.errors import PlanError
from pufa_cli.plan import load_plan_file, yamlfile
from pufa_cli.resources import plans_dir
from test_plan_validation import BAD, GOOD

LOADERS = ["c", "python"]


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Which parser reads the file: libyaml ("c", skipped when PyYAML has none) or Python."""
    if request.param == "c":
        if yamlfile.c_loader() is None:
            pytest.skip("PyYAML without libyaml")
    else:
        monkeypatch.setattr(yamlfile, "c_loader", lambda: None)
    return str(request.param)


def _refusal(path: Path, use_c: bool) -> str:
    with pytest.raises(PlanError) as info:
        load_plan_file_with(path, use_c)
    return info.value.message


def load_plan_file_with(path: Path, use_c: bool) -> Any:
    from pufa_cli.plan.validate import build_plan

    data, lines = yamlfile.read_yaml(path, use_c=use_c)
    return build_plan(data, lines, str(path))


# libyaml and PyYAML word a few syntax errors differently; both refuse with the line.
_WORDED_BY_PARSER = {"yaml syntax"}


@pytest.mark.skipif(yamlfile.c_loader() is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("case", sorted(BAD))
def test_c_and_python_refuse_alike(case: str, tmp_path: Path) -> None:
    text, where, what = BAD[case]
    plan = tmp_path / "bad.yaml"
    plan.write_text(text, encoding="utf-8")
    by_c, by_python = _refusal(plan, True), _refusal(plan, False)
    for message in (by_c, by_python):
        assert message.startswith(str(plan)) and where in message and what in message, message
    if case in _WORDED_BY_PARSER:
        assert by_c.split("YAML error")[0] == by_python.split("YAML error")[0]
    else:
        assert by_c == by_python


MORE_BAD = {
    "tag on a mapping": ("a: !!python/object:os.system {x: 1}\n", ":1:", "tag not allowed"),
    "local tag": ("a: !foo bar\n", ":1:", "tag not allowed in a plan: !foo"),
    "set": ("a: !!set {x, y}\n", ":1:", "tag not allowed in a plan: !!set"),
    "undefined alias": ("a: *nothing\n", ":1:", "undefined alias"),
    "duplicate anchor": ("a: &x 1\nb: &x 2\n", ":2:", "second occurrence"),
    "two documents": ("a: 1\n---\nb: 2\n", ":2:", "another document"),
    "unhashable key": ("? [1, 2]\n: x\n", ":1:", "unhashable key"),
    "nested too deeply": ("a: " + "[" * 200 + "]" * 200 + "\n", "", "nested too deeply"),
    "bad merge": ("a: &x 1\nb:\n  <<: *x\n", ":3:", "for merging"),
    "duplicate in flow": ("a: {k: 1, k: 2}\n", ":1: a.k:", "written twice (lines 1 and 1)"),
    "duplicate list item key": (
        "a:\n  - k: 1\n    k: 2\n",
        ":3: a[0].k:",
        "key 'k' is written twice (lines 2 and 3)",
    ),
}


@pytest.mark.parametrize("case", sorted(MORE_BAD))
def test_yaml_refusals(case: str, loader: str, tmp_path: Path) -> None:
    text, where, what = MORE_BAD[case]
    plan = tmp_path / "bad.yaml"
    plan.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as info:
        yamlfile.read_yaml(plan)
    message = info.value.message
    assert where in message and what in message, message


SAME_AS_SAFE_LOAD = [
    GOOD,
    "a: &x {k: 1, m: [1, 2.5, true, null, ~, 2012-06-30, '01', 010, 0x1f, 1_000]}\n"
    "b: *x\nc:\n  <<: *x\n  k: 2\nd:\n  <<: [{p: 1}, {p: 2, q: 3}]\n",
    "? !!str 1\n: !!int '2'\nx: !!float '1.5'\ny: !!binary aGVsbG8=\nz: |\n  two\n  lines\n",
    "just text\n",
    "---\n- 1\n- two\n...\n",
    "",
]


@pytest.mark.parametrize("index", range(len(SAME_AS_SAFE_LOAD)))
def test_values_as_safe_load(index: int, loader: str, tmp_path: Path) -> None:
    text = SAME_AS_SAFE_LOAD[index]
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    expected = yaml.safe_load(text)
    if expected is None:
        with pytest.raises(PlanError, match="empty"):
            yamlfile.read_yaml(plan)
        return
    data, _lines = yamlfile.read_yaml(plan)
    assert data == expected


def test_bundled_plans_read_alike(loader: str) -> None:
    for path in sorted(plans_dir().glob("*.yaml")):
        data, _lines = yamlfile.read_yaml(path)
        assert data == yaml.safe_load(path.read_text(encoding="utf-8")), path
        assert load_plan_file(path).tasks


def _old_line_map(node: Any, path: str, out: dict[str, int]) -> None:
    """The line map the loader once built for the whole document (the reference)."""
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = f"{path}.{key_node.value}" if path else str(key_node.value)
            out[child] = key_node.start_mark.line + 1
            _old_line_map(value_node, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _old_line_map(item, f"{path}[{i}]", out)


@pytest.mark.parametrize("use_c", [True, False])
def test_lines_found_when_asked_match_the_whole_map(use_c: bool) -> None:
    if use_c and yamlfile.c_loader() is None:
        pytest.skip("PyYAML without libyaml")
    path = plans_dir() / "2011.yaml"
    expected: dict[str, int] = {}
    _old_line_map(yaml.compose(path.read_text(encoding="utf-8")), "", expected)
    _data, lines = yamlfile.read_yaml(path, use_c=use_c)
    for place, line in expected.items():
        assert lines[place] == line, place
    assert "sections[0].tasks[99]" not in lines
    assert lines.get("nowhere") is None


def test_file_over_the_limit_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sparse file just over 200 MB: refused from its size alone, at once."""
    plan = tmp_path / "huge.yaml"
    with plan.open("wb") as f:
        f.truncate(yamlfile.MAX_PLAN_BYTES + 1)

    def no_reading(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed a file over the limit")

    monkeypatch.setattr(yamlfile, "_event_source", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    started = time.perf_counter()
    with pytest.raises(PlanError, match="larger than 200 MB"):
        load_plan_file(plan)
    assert time.perf_counter() - started < 1
    plan.unlink()


def test_file_at_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr(yamlfile, "MAX_PLAN_BYTES", os.path.getsize(plan))
    assert load_plan_file(plan).year == 2012
    monkeypatch.setattr(yamlfile, "MAX_PLAN_BYTES", os.path.getsize(plan) - 1)
    with pytest.raises(PlanError, match="larger than"):
        load_plan_file(plan)


@pytest.mark.parametrize(("number", "ok"), [(10_001, True), (999_999, True), (1_000_000, False)])
def test_task_numbers_to_999999(number: int, ok: bool, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(GOOD.replace("number: 2", f"number: {number}"), encoding="utf-8")
    if ok:
        assert [t.number for t in load_plan_file(plan).tasks] == [1, number]
    else:
        with pytest.raises(PlanError, match="from 1 to 999999, not 1000000"):
            load_plan_file(plan)


def test_fifty_aliases_pass_and_the_51st_is_refused(loader: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    refs = "\n".join(f"r{i}: *a" for i in range(50))
    plan.write_text(f"a: &a x\n{refs}\n", encoding="utf-8")
    data, _lines = yamlfile.read_yaml(plan)
    assert data["r49"] == "x"
    plan.write_text(f"a: &a x\n{refs}\nr50: *a\n", encoding="utf-8")
    with pytest.raises(PlanError, match=r"line 52: more than 50 aliases"):
        yamlfile.read_yaml(plan)

"""Conventions a clerk and a cron job rely on, across commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from conftest import pufa_executable, run_installed


def test_no_arguments_prints_the_help(pufa):
    r = pufa()
    assert r.code == 0, r
    assert r.out.startswith("Usage: pufa") and "init" in r.out and r.err == ""
    r = pufa("unit")
    assert r.code == 0 and "add" in r.out and "rename" in r.out


def test_version(pufa):
    from pufa_cli import __version__

    r = pufa("--version")
    assert r.code == 0 and r.out == f"pufa {__version__}\n"


def test_bad_environment_values_name_the_variable(loaded, monkeypatch, pufa):
    monkeypatch.setenv("PUFA_LANG", "xx")
    r = pufa("tasks")
    assert r.code == 2 and r.err.startswith("Error: PUFA_LANG:") and r.out == ""
    monkeypatch.delenv("PUFA_LANG")
    monkeypatch.setenv("PUFA_TODAY", "abc")
    r = pufa("tasks")
    assert r.code == 2 and r.err.startswith("Error: PUFA_TODAY:"), r


@pytest.mark.parametrize(
    "args",
    [
        ["tasks"],
        ["show", "1"],
        ["report"],
        ["unit", "list"],
        ["db", "current"],
        ["check"],
        ["init"],
    ],
)
def test_every_reading_command_takes_quiet(loaded, pufa, args):
    r = pufa(*args, "--quiet")
    assert r.code == 0, r
    assert r.err == ""


def test_a_closed_pipe_is_not_a_failure(loaded, tmp_path):
    env = dict(os.environ, PUFA_DB=loaded)
    for args in (["tasks"], ["report", "--by", "task"], ["export", "--what", "entries"]):
        # `pufa … | true`: the reader is gone before pufa writes.
        proc = subprocess.Popen(
            [pufa_executable(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        assert proc.stdout is not None
        proc.stdout.close()
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, (args, err)
        assert b"Traceback" not in err


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) for a terminal")
def test_no_color_means_no_control_codes_even_on_a_terminal(loaded):
    cmd = f"{pufa_executable()} report --by task --as-of 2011-06-30"
    env = dict(os.environ, PUFA_DB=loaded, NO_COLOR="1", COLUMNS="160")
    out = subprocess.run(
        ["script", "-qec", cmd, "/dev/null"], capture_output=True, env=env, timeout=60
    ).stdout
    assert "進行中".encode() in out or b"not started" in out
    assert b"\x1b[" not in out
    env.pop("NO_COLOR")
    coloured = subprocess.run(
        ["script", "-qec", cmd, "/dev/null"], capture_output=True, env=env, timeout=60
    ).stdout
    assert b"\x1b[" in coloured  # the same command on a terminal does colour


def test_history_keeps_id_and_retraction_at_80_columns(loaded, pufa, monkeypatch):
    assert (
        pufa(
            "log",
            "10",
            "--unit",
            "區依法治區辦公室",
            "--assign",
            "-p",
            "30",
            "--date",
            "2011-05-01",
            "--note",
            "上半年完成學法培訓兩期的情況說明",
        ).code
        == 0
    )
    assert pufa("retract", "1", "--reason", "重複填報", "--by", "督查科").code == 0
    monkeypatch.setenv("COLUMNS", "80")
    r = pufa("show", "10")
    assert r.code == 0, r
    row = next(line for line in r.out.splitlines() if "2011-05-01" in line)
    assert row.split()[0] == "1"  # the id that `pufa retract` needs
    assert "retracted" in row  # never looks as if it counts
    data = json.loads(pufa("show", "10", "-f", "json").out)
    assert data["history"][0]["retracted"] is True


def test_piped_tables_have_no_trailing_padding(loaded):
    r = run_installed("tasks", env={"PUFA_DB": loaded, "COLUMNS": ""})
    assert r.code == 0, r
    assert all(line == line.rstrip() for line in r.out.splitlines())
    assert "強化依法治理" in r.out  # whole titles when piped


def test_unquoted_dates_in_a_plan_are_accepted(loaded, pufa, tmp_path):
    plan = tmp_path / "2013.yaml"
    plan.write_text(
        "version: 1\nyear: 2013\ntitle: 方案\nsections:\n  - number: 1\n    title: 一\n"
        "    tasks:\n      - {number: 1, title: 甲, due: 2013-06-30}\n"
        "      - {number: 2, title: 乙, checks: [2013-03-31, 6月底前]}\n",
        encoding="utf-8",
    )
    r = pufa("init", "-q", "--plan", plan)
    assert r.code == 0, r
    tasks = json.loads(pufa("tasks", "-f", "json", "--year", "2013").out)
    assert [t["due"] for t in tasks] == ["2013-06-30", "2013-06-30"]


def test_json_identifiers_do_not_follow_the_language(loaded, pufa):
    """A target's measure word is stored text, like a unit name: JSON keeps it as stored."""
    r = pufa("--lang", "zh-Hans", "report", "--by", "task", "-f", "json", "--quarter", "4")
    data = json.loads(r.out)
    row = next(r for r in data["rows"] if r["number"] == 10)
    assert [t["unit"] for t in row["targets"]] == ["小時", "天"]
    assert "小时" in row["targets"][0]["text"]  # the text for people follows the script


def test_an_entry_cannot_predate_its_plan_year(loaded, pufa):
    before = pufa("show", "9", "-f", "json").out
    r = pufa(
        "log", "9", "--unit", "區依法治區辦公室", "--assign", "-p", "10", "--date", "1999-06-30"
    )
    assert r.code == 2 and "before the plan year 2011" in r.err, r
    assert pufa("show", "9", "-f", "json").out == before


def test_global_options_before_the_command(db, pufa, monkeypatch, tmp_path):
    # `pufa -q init`: quiet before the command silences init's notices as after it.
    r = pufa("-q", "init")
    assert (r.code, r.err) == (0, ""), r
    # `pufa --db X tasks`: the database named before the command, not PUFA_DB's.
    other = str(tmp_path / "other.db")
    r = pufa("--db", other, "-q", "init")
    assert r.code == 0, r
    monkeypatch.setenv("PUFA_DB", str(tmp_path / "missing" / "none.db"))
    r = pufa("--db", other, "tasks", "-f", "json")
    assert r.code == 0 and len(json.loads(r.out)) == 23, r
    # … down a group too: `pufa --db X unit add U`, `pufa --db X unit list`
    r = pufa("--db", other, "-q", "unit", "add", "區教育局")
    assert (r.code, r.err) == (0, ""), r
    assert "區教育局" in pufa("--db", other, "unit", "list").out
    # `pufa --year 2011 report`: the year before the command; after it, the command's own wins.
    r = pufa("--db", other, "--year", "2011", "report", "-f", "json")
    assert r.code == 0 and json.loads(r.out)["year"] == 2011, r
    r = pufa("--db", other, "--year", "2011", "report", "--year", "2012")
    assert r.code == 2 and "2012" in r.err, r
    r = pufa("--db", other, "--year", "2012", "report")
    assert r.code == 2 and "2012" in r.err, r

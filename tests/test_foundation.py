"""The foundation: init loads the 2011 plan, re-running changes nothing, tasks and show."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from conftest import PLAN_2011, dump_db, run_installed


def test_init_loads_the_2011_plan(db, pufa):
    r = pufa("init")
    assert r.code == 0, r
    assert "6 sections, 23 tasks" in r.out
    tasks = json.loads(pufa("tasks", "-f", "json", "--as-of", "2011-01-01").out)
    assert [t["number"] for t in tasks] == list(range(1, 24))
    assert {t["section"] for t in tasks} == {1, 2, 3, 4, 5, 6}
    t19 = tasks[18]
    assert t19["title"] == "努力建設青少年法制教育基地"
    assert t19["due"] == "2011-12-31"
    assert t19["targets"] == [
        {"key": "bases", "label": "青少年法制教育基地", "target": 100, "unit": "個", "value": None}
    ]
    assert tasks[13]["due"] == "2011-03-31"  # 一季度
    assert tasks[6]["units"][0]["unit"] == "區依法治區工作領導小組"
    assert tasks[6]["units"][0]["role"] == "lead"


def test_rerunning_init_changes_nothing(loaded, pufa):
    before = dump_db(loaded)
    r = pufa("init")
    assert r.code == 0, r
    assert "unchanged" in r.out
    assert dump_db(loaded) == before


def test_edited_plan_updates_and_keeps_missing_tasks(loaded, pufa, tmp_path):
    text = PLAN_2011.read_text(encoding="utf-8")
    edited = text.replace(
        'key: bases, label: "青少年法制教育基地", target: 100',
        'key: bases, label: "青少年法制教育基地", target: 120',
        1,
    )
    assert edited != text
    # drop task 23 (the last task block of the file)
    cut = edited.index("      - number: 23")
    edited = edited[:cut]
    plan = tmp_path / "2011.yaml"
    plan.write_text(edited, encoding="utf-8")
    r = pufa("init", "--plan", plan)
    assert r.code == 0, r
    assert "23" in r.err and "--prune" in r.err
    tasks = json.loads(pufa("tasks", "-f", "json").out)
    assert len(tasks) == 22
    assert tasks[18]["targets"][0]["target"] == 120
    r = pufa("init", "--plan", plan, "--prune")
    assert r.code == 0, r
    r = pufa("show", "23")
    assert r.code == 2 and "no task 23" in r.err


def test_new_sqlite_file_is_owner_only(sqlite_db, pufa):
    assert pufa("init", "-q").code == 0
    mode = stat.S_IMODE(os.stat(sqlite_db).st_mode)
    assert mode == 0o600


def test_show_prints_the_task_in_full(loaded, pufa):
    r = pufa("show", "19", "--as-of", "2011-06-30")
    assert r.code == 0, r
    assert "努力建設青少年法制教育基地" in r.out
    assert "0/100 個" in r.out
    assert "全區要建立100個青少年法制教育基地" in r.out.replace("\n", "")
    data = json.loads(pufa("show", "7", "-f", "json").out)
    assert data["checks"] == [
        {"word": "上半年", "date": "2011-06-30"},
        {"word": "第四季度", "date": "2011-12-31"},
    ]
    assert data["history"] == []


def test_installed_pufa_runs_from_another_folder(tmp_path):
    env = {"PUFA_DB": str(tmp_path / "x.db")}
    r = run_installed("init", env=env, cwd=tmp_path)
    assert r.code == 0, r
    r = run_installed("tasks", "-f", "json", env=env, cwd=tmp_path)
    assert r.code == 0, r
    assert len(json.loads(r.out)) == 23
    r = run_installed("tasks", env={**env, "COLUMNS": "100"}, cwd=tmp_path)
    assert "強化依法治理" in r.out


def test_default_database_is_in_the_user_data_folder(tmp_path, pufa):
    r = pufa("init", "-q")
    assert r.code == 0, r
    assert (Path(os.environ["XDG_DATA_HOME"]) / "pufa" / "pufa.db").exists()


def test_reloading_the_plan_never_undoes_the_office_s_assignments(loaded, pufa, tmp_path):
    assert pufa("unassign", "7", "區依法治區工作領導小組", "-q").code == 0
    before = dump_db(loaded)
    r = pufa("init")
    assert r.code == 0 and "unchanged" in r.out, r
    assert dump_db(loaded) == before  # the unassigned lead stays unassigned
    # A unit the plan newly names is assigned; the one it named before stays as the office left it.
    text = PLAN_2011.read_text(encoding="utf-8")
    edited = text.replace(
        "        lead: 區依法治區工作領導小組\n",
        "        lead: 區依法治區工作領導小組\n        support: [區依法治區辦公室]\n",
        1,
    )
    assert edited != text
    plan = tmp_path / "2011.yaml"
    plan.write_text(edited, encoding="utf-8")
    assert pufa("init", "-q", "--plan", plan).code == 0
    units = json.loads(pufa("show", "7", "-f", "json").out)["units"]
    assert [(u["unit"], u["role"]) for u in units] == [("區依法治區辦公室", "support")]

"""Languages (zh-Hant, zh-Hans, en): the catalogs, the choice of language, plan text in the
reader's script, unit names typed in either script, and machine output that never changes.

The catalog test fails whenever a ``_()`` message was added to the source and not translated:
run ``python scripts/catalogs.py`` (it lists what is missing) and translate (docs/i18n.md).
"""

from __future__ import annotations

import gettext
import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import REPO, dump_db, run_installed
from pufa_cli.i18n import (
    cell_width,
    detect_script,
    language_from_env,
    ngettext,
    normalize_language,
    npgettext,
    plan_text,
    set_language,
    short_help,
    to_simplified,
    to_traditional,
)

PLAN_HANS = Path(__file__).parent / "data" / "plan-2012-hans.yaml"
LOCALES = {"zh_TW.UTF-8": "zh-Hant", "zh_CN.UTF-8": "zh-Hans", "C": "en"}


def _load_catalogs_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs", REPO / "scripts" / "catalogs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["catalogs"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


cat = _load_catalogs_tool()


# --- the catalogs ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extraction() -> Any:
    return cat.extract()


def test_every_message_is_a_plain_literal(extraction: Any) -> None:
    assert extraction.problems == []
    assert "Error: {message}" in extraction.messages and "Options" in extraction.messages


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans"])
def test_catalog_translates_every_message(language: str, extraction: Any) -> None:
    po = cat.LOCALE / language / "LC_MESSAGES" / "pufa.po"
    _merged, report = cat.review(po, extraction)
    hint = "run `python scripts/catalogs.py`, translate, run it again (docs/i18n.md)"
    assert report.untranslated == [], f"{language}: untranslated messages; {hint}"
    assert report.fuzzy == [], f"{language}: fuzzy translations to review; {hint}"
    assert report.bad_placeholders == [], f"{language}: placeholders differ from the msgid"
    assert not report.mo_stale, f"{language}: pufa.mo is older than pufa.po; {hint}"


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans"])
def test_translations_keep_exactly_the_placeholders(language: str) -> None:
    po = cat.LOCALE / language / "LC_MESSAGES" / "pufa.po"
    entries = cat.parse_po(po.read_text(encoding="utf-8")).entries
    checked = 0
    for e in entries:
        if e.obsolete or not e.translated:
            continue
        for form in e.msgstr:
            assert cat.placeholders(form) == cat.placeholders(e.msgid), (e.msgid, form)
            checked += 1
    assert checked > 100


def test_script_is_the_right_one_in_each_catalog() -> None:
    hant = cat.parse_po((cat.LOCALE / "zh_Hant/LC_MESSAGES/pufa.po").read_text("utf-8"))
    hans = cat.parse_po((cat.LOCALE / "zh_Hans/LC_MESSAGES/pufa.po").read_text("utf-8"))
    hant_text = "".join(s for e in hant.entries if not e.obsolete for s in e.msgstr)
    hans_text = "".join(s for e in hans.entries if not e.obsolete for s in e.msgstr)
    assert detect_script(hant_text) == "Hant" and detect_script(hans_text) == "Hans"
    words = {"done": "已完成", "in progress": "進行中", "not started": "未開始"}
    by_id = hant.by_key()
    for msgid, word in words.items():
        assert by_id[msgid].msgstr == [word]
    assert by_id["{status}, overdue"].msgstr == ["{status}，逾期"]
    assert hans.by_key()["in progress"].msgstr == ["进行中"]


def test_the_tool_extracts_merges_compiles_and_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    source = package / "mod.py"
    source.write_text(
        textwrap.dedent(
            """
            from pufa_cli.i18n import N_, _, ngettext, npgettext, pgettext
            MARKED = N_("marked")
            def f(n, name):
                _("joined " "literal {name}").format(name=name)
                _(name)  # a message marked elsewhere: nothing to extract, no problem
                pgettext("column", "marked")
                npgettext("caption", "{n} task", "{n} tasks", n)
                return ngettext("{n} task", "{n} tasks", n)
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(cat, "ROOT", tmp_path)
    monkeypatch.setattr(cat, "PACKAGE", package)
    monkeypatch.setattr(cat, "LOCALE", package / "locale")
    extracted = cat.extract(package)
    assert list(extracted.messages) == [
        "marked",
        "joined literal {name}",
        "column\x04marked",
        "caption\x04{n} task",
        "{n} task",
    ]
    assert extracted.messages["{n} task"].plural == "{n} tasks"
    assert extracted.messages["caption\x04{n} task"].plural == "{n} tasks"

    assert cat.main(["--add", "zh_Hant"]) == 0
    capsys.readouterr()
    assert cat.main(["--check"]) == 1
    assert "untranslated: 'joined literal {name}'" in capsys.readouterr().out
    capsys.readouterr()
    assert cat.main(["--todo", "zh_Hant"]) == 0
    todo = json.loads(capsys.readouterr().out)
    assert set(todo) == {
        "marked",
        "joined literal {name}",
        "column\x04marked",
        "caption\x04{n} task",
        "{n} task",
    }
    fill = tmp_path / "fill.json"
    fill.write_text(
        json.dumps(
            {
                "marked": "已標記",
                "column\x04marked": "標記欄",
                "joined literal {name}": "拼接 {name}",
                "{n} task": "{n} 項",
                "caption\x04{n} task": "共 {n} 項",
            }
        ),
        encoding="utf-8",
    )
    assert cat.main(["--fill", "zh_Hant", str(fill)]) == 0
    assert cat.main(["--check"]) == 0

    mo = package / "locale" / "zh_Hant" / "LC_MESSAGES" / "pufa.mo"
    with mo.open("rb") as fp:
        t = gettext.GNUTranslations(fp)
    assert t.gettext("joined literal {name}") == "拼接 {name}"
    assert t.ngettext("{n} task", "{n} tasks", 5) == "{n} 項"
    assert t.npgettext("caption", "{n} task", "{n} tasks", 1) == "共 {n} 項"
    assert t.pgettext("column", "marked") == "標記欄" and t.gettext("marked") == "已標記"
    assert t.gettext("not in the catalog") == "not in the catalog"

    # A reworded message keeps its old translation, marked fuzzy (so the test still fails).
    source.write_text(source.read_text("utf-8").replace('"literal {name}"', '"literals {name}"'))
    assert cat.main([]) == 0
    po = cat.parse_po((mo.with_suffix(".po")).read_text("utf-8"))
    entry = po.by_key()["joined literals {name}"]
    assert entry.fuzzy and entry.msgstr == ["拼接 {name}"]
    assert cat.main(["--check"]) == 1
    with mo.open("rb") as fp:  # fuzzy translations are not compiled: English shows instead
        assert "joined literals {name}" not in gettext.GNUTranslations(fp)._catalog

    # A translation that loses a placeholder is reported.
    po_path = mo.with_suffix(".po")
    po_path.write_text(po_path.read_text("utf-8").replace('"{n} 項"', '"項"'), encoding="utf-8")
    capsys.readouterr()
    assert cat.main(["--check"]) == 1
    assert "placeholders differ: '{n} task'" in capsys.readouterr().out


def test_the_tool_refuses_untranslatable_calls(tmp_path: Path) -> None:
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "bad.py").write_text(
        textwrap.dedent(
            """
            from pufa_cli.i18n import _
            def f(name):
                a = _(f"hello {name}")
                b = _("x" + name)
                return a, b
            def g(rows):
                for _ in rows:
                    pass
                return _("shadowed")
            """
        ),
        encoding="utf-8",
    )
    problems = cat.extract(package).problems
    assert len(problems) == 3, problems
    assert "bad.py:4: _() needs a plain string literal" in problems[1] + problems[2]
    assert any("assigns to '_'" in p for p in problems)


# Every character a message can hold: gettext cannot store NUL (it separates plural forms);
# the line breaks str.splitlines() knows besides "\n" (U+2028, U+0085, \x0b, \x1c …) are kept
# in, since the reader once split on them.
_po_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@example([("0", "\u2028", False, False, None)])  # found by hypothesis: read as two lines
@example([("a\x0bb", "\x85\n\u2029x\x1c", True, True, "\x0c")])
@given(
    st.lists(
        st.tuples(
            _po_text.filter(bool), _po_text, st.booleans(), st.booleans(), st.none() | _po_text
        ),
        max_size=6,
        unique_by=lambda t: (t[0], t[4]),
    )
)
def test_po_files_read_back_exactly(items: list[tuple[str, str, bool, bool, str | None]]) -> None:
    entries = [
        cat.Entry(
            msgid,
            [msgstr, msgstr + "s"] if plural else [msgstr],
            msgid + "s" if plural else None,
            obsolete=obsolete,
            context=context,
        )
        for msgid, msgstr, plural, obsolete, context in items
    ]
    catalog = cat.Catalog(cat.new_catalog("zh_Hant").header, ["a comment"], entries)
    back = cat.parse_po(cat.format_po(catalog))
    assert back.header == catalog.header
    assert [(e.key, e.msgstr, e.plural, e.obsolete) for e in back.entries] == [
        (e.key, e.msgstr, e.plural, e.obsolete)
        for e in sorted(entries, key=lambda e: e.obsolete)  # live entries first, then #~
    ]


# --- choosing the language ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "language"),
    [
        ("zh_TW.UTF-8", "zh-Hant"),
        ("zh_HK.UTF-8", "zh-Hant"),
        ("zh_MO", "zh-Hant"),
        ("zh-Hant", "zh-Hant"),
        ("zh_Hant_HK", "zh-Hant"),
        ("zh-TW", "zh-Hant"),
        ("zh_CN.UTF-8", "zh-Hans"),
        ("zh_SG.GB2312", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh_Hans_CN", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("en_US.UTF-8", "en"),
        ("en", "en"),
        ("C", "en"),
        ("C.UTF-8", "en"),
        ("POSIX", "en"),
        ("fr_FR.UTF-8", None),
        ("", None),
    ],
)
def test_language_names(value: str, language: str | None) -> None:
    assert normalize_language(value) == language


@pytest.mark.parametrize(
    ("env", "language"),
    [
        ({}, "en"),
        ({"LANG": "zh_TW.UTF-8"}, "zh-Hant"),
        ({"LANG": "zh_TW.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh-Hans"),
        ({"LANG": "zh_TW.UTF-8", "LC_ALL": "C"}, "en"),  # the first one set decides
        ({"LC_ALL": "zh_HK.UTF-8", "PUFA_LANG": "zh-Hans"}, "zh-Hans"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"PUFA_LANG": "klingon", "LANG": "zh_TW.UTF-8"}, "en"),
    ],
)
def test_language_from_the_environment(env: dict[str, str], language: str) -> None:
    assert language_from_env(env) == language


def test_lang_option_beats_the_environment(
    loaded: str, pufa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUFA_LANG", "zh-Hans")
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    assert "序号" in pufa("tasks", "--as-of", "2011-06-30").out
    r = pufa("tasks", "--lang", "zh-Hant", "--as-of", "2011-06-30")
    assert r.code == 0 and "序號" in r.out and "完成狀態" in r.out
    assert "Status" in pufa("--lang=en", "tasks", "--as-of", "2011-06-30").out


def test_unknown_language_is_refused(loaded: str, pufa: Any) -> None:
    before = dump_db(loaded)
    r = pufa("--lang", "klingon", "tasks")
    assert r.code == 2 and r.out == ""
    assert r.err.strip() == "Error: unknown language 'klingon' (choose zh-Hant, zh-Hans or en)"
    assert dump_db(loaded) == before


# --- the same commands in three languages (the installed executable) ------------------------


def _folded(value: Any) -> Any:
    """JSON with text folded to Simplified: equal iff keys, numbers and codes are equal."""
    if isinstance(value, dict):
        return {k: _folded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_folded(v) for v in value]
    if isinstance(value, str):
        return to_simplified(value)
    return value


def _run(lang_env: str, *args: str) -> Any:
    return run_installed(*args, env={"LANG": lang_env})


def test_tables_follow_the_locale(loaded: str) -> None:
    out = {loc: _run(loc, "tasks", "--as-of", "2011-06-30") for loc in LOCALES}
    assert all(r.code == 0 and r.err == "" for r in out.values()), out
    hant, hans, en = (out[loc].out for loc in LOCALES)
    assert "序號" in hant and "完成狀態" in hant and "未開始" in hant
    assert "全區依法治區工作方案（2011）— 截至 2011-06-30 的任務" in hant
    assert "序号" in hans and "完成状态" in hans and "未开始" in hans
    assert "全区依法治区工作方案（2011）— 截至 2011-06-30 的任务" in hans
    assert "健全完善法治创建制度体系" in hans and "健全完善法治創建制度體系" not in hans
    assert "No." in en and "Status" in en and "not started" in en
    assert "健全完善法治創建制度體系" in en and "健全完善法治創建制度體系" in hant


def test_report_sections_follow_the_locale(loaded: str) -> None:
    out = {loc: _run(loc, "report", "--as-of", "2011-06-30") for loc in LOCALES}
    assert all(r.code == 0 for r in out.values()), out
    hant, hans, en = (out[loc].out for loc in LOCALES)
    assert "按板塊統計" in hant and "認真做好“五五”普法總結" in hant and "合計" in hant
    assert "按板块统计" in hans and "认真做好“五五”普法总结" in hans and "合计" in hans
    assert "by section" in en and "認真做好“五五”普法總結" in en and "Total" in en


def test_report_by_unit_and_human_csv_headers_follow_the_language(loaded: str, pufa: Any) -> None:
    r = pufa("--lang", "zh-Hans", "report", "--by", "unit", "--as-of", "2011-06-30")
    assert "按单位统计" in r.out and "区依法治区办公室" in r.out and "區" not in r.out
    args = ("export", "--what", "tasks", "-f", "csv", "--as-of", "2011-06-30")
    machine = pufa("--lang", "zh-Hant", *args).out.lstrip("\ufeff").splitlines()[0]
    human = pufa("--lang", "zh-Hant", *args, "--headers", "human").out.lstrip("\ufeff")
    assert machine == pufa("--lang", "en", *args).out.lstrip("\ufeff").splitlines()[0]
    assert machine.startswith("year,section,number,title")
    assert human.splitlines()[0].startswith("年度,板塊,序號,任務")


@pytest.mark.parametrize(
    ("args", "has_titles"),
    [
        (("tasks", "-f", "json", "--as-of", "2011-06-30"), True),
        (("report", "-f", "json", "--as-of", "2011-06-30"), True),
        (("report", "-f", "json", "--as-of", "2011-06-30", "--by", "unit"), False),
        (("show", "7", "-f", "json", "--as-of", "2011-06-30"), True),
    ],
)
def test_json_is_the_same_in_every_language(
    loaded: str, args: tuple[str, ...], has_titles: bool
) -> None:
    data = {}
    for loc in LOCALES:
        r = _run(loc, *args)
        assert r.code == 0, r
        data[loc] = json.loads(r.out)
    hant, hans, en = data.values()
    assert _folded(hant) == _folded(hans) == _folded(en)
    assert hant == en  # a Traditional plan read in Traditional: nothing converted
    assert (hans != en) is has_titles  # …in Simplified the titles are; unit names are stored


def test_errors_follow_the_locale(loaded: str) -> None:
    before = dump_db(loaded)
    expected = {
        "zh_TW.UTF-8": "錯誤：未知單位「財政局」",
        "zh_CN.UTF-8": "错误：未知单位“财政局”",
        "C": "Error: unknown unit '財政局'",
    }
    for loc, start in expected.items():
        r = _run(loc, "tasks", "--unit", "財政局")
        assert r.code == 2 and r.out == "", r
        assert r.err.startswith(start) and r.err.count("\n") == 1, r
        assert "Traceback" not in r.err
    assert dump_db(loaded) == before


def test_help_follows_the_locale(db: str) -> None:
    hans = _run("zh_CN.UTF-8", "tasks", "--help")
    assert hans.code == 0
    assert "列出方案的任务及其完成时限" in hans.out and "只看该状态的任务：" in hans.out
    assert "选项：" in hans.out and "Options:" not in hans.out
    hant = run_installed("--lang", "zh-Hant", "--help")
    assert "命令：" in hant.out and "跟蹤年度普法依法治理工作方案" in hant.out
    en = _run("C", "tasks", "--help")
    assert "Options:" in en.out and "Only tasks with this status:" in en.out


# --- Click's own words: errors and help ----------------------------------------------------

# Errors that Typer's bundled Click writes as fixed English; each in both Chinese languages and
# in English, which must stay Click's own text even after a Chinese run in the same process.
CLICK_ERRORS = [
    (
        ("report", "--yellow", "abc"),
        "錯誤：'--yellow' 的值無效：'abc' 不是有效的數字。",
        "错误：'--yellow' 的值无效：'abc' 不是有效的数字。",
        "Error: Invalid value for '--yellow': 'abc' is not a valid float.",
    ),
    (
        ("report", "--by", "foo"),
        "錯誤：'--by' 的值無效：'foo' 不是可選值之一：'section', 'unit', 'task', 'office'。",
        "错误：'--by' 的值无效：'foo' 不是可选值之一：'section', 'unit', 'task', 'office'。",
        "Error: Invalid value for '--by': 'foo' is not one of 'section', 'unit', 'task', 'office'.",
    ),
    (
        ("report", "--bogus"),
        "錯誤：沒有選項 --bogus",
        "错误：没有选项 --bogus",
        "Error: No such option: --bogus",
    ),
    (
        ("report", "--bu"),
        "錯誤：沒有選項 --bu（相近的選項：--by, --db, --unit）",
        "错误：没有选项 --bu（相近的选项：--by, --db, --unit）",
        "Error: No such option: --bu (Possible options: --by, --db, --unit)",
    ),
    (
        ("log", "19"),
        "錯誤：缺少選項 '--unit' / '-u'。",
        "错误：缺少选项 '--unit' / '-u'。",
        "Error: Missing option '--unit' / '-u'.",
    ),
    (
        ("log", "19", "--unit"),
        "錯誤：選項 '--unit' 後面需要一個值。",
        "错误：选项 '--unit' 后面需要一个值。",
        "Error: Option '--unit' requires an argument.",
    ),
    (
        ("show",),
        "錯誤：缺少參數 'number'。",
        "错误：缺少参数 'number'。",
        "Error: Missing argument 'number'.",
    ),
    (
        ("report", "extra"),
        "錯誤：多餘的參數：extra",
        "错误：多余的参数：extra",
        "Error: Got unexpected extra argument(s) (extra)",
    ),
    (
        ("retract", "0"),
        "錯誤：'entry' 的值無效：0 不在範圍 x>=1 內。",
        "错误：'entry' 的值无效：0 不在范围 x>=1 内。",
        "Error: Invalid value for 'entry': 0 is not in the range x>=1.",
    ),
    (
        ("report", "--quarter", "4%"),
        "錯誤：'--quarter' 的值無效：'4%' 不是有效的整數。",
        "错误：'--quarter' 的值无效：'4%' 不是有效的整数。",
        "Error: Invalid value for '--quarter': '4%' is not a valid int.",
    ),
    (
        ("tasks", "--section", "abc"),
        "錯誤：'--section' / '-s' 的值無效：'abc' 不是有效的整數。",
        "错误：'--section' / '-s' 的值无效：'abc' 不是有效的整数。",
        "Error: Invalid value for '--section' / '-s': 'abc' is not a valid int range.",
    ),
    (
        ("repot",),
        "錯誤：沒有命令 'repot'。您是指 'report', 'export' 嗎？",
        "错误：没有命令 'repot'。您是指 'report', 'export' 吗？",
        "Error: No such command 'repot'. Did you mean 'report', 'export'?",
    ),
]


@pytest.mark.parametrize(("args", "hant", "hans", "en"), CLICK_ERRORS, ids=lambda v: str(v)[:30])
def test_clicks_errors_follow_the_language(
    loaded: str, pufa: Any, args: tuple[str, ...], hant: str, hans: str, en: str
) -> None:
    before = dump_db(loaded)
    for lang, expected in (("zh-Hant", hant), ("zh-Hans", hans), ("en", en)):
        r = pufa("--lang", lang, *args)
        assert (r.code, r.out, r.err) == (2, "", expected + "\n"), (lang, r)
    assert dump_db(loaded) == before


def test_clicks_help_words_follow_the_language(db: str) -> None:
    hant = run_installed("--lang", "zh-Hant", "report", "--help")
    assert hant.code == 0 and hant.out.startswith("用法：pufa report [OPTIONS]")
    assert "-h, --help" in hant.out and "顯示本說明並退出。" in hant.out
    assert "Usage" not in hant.out and "Show this message" not in hant.out
    hans = run_installed("unit", env={"LANG": "zh_CN.UTF-8"})  # no command: the group's help
    assert hans.out.startswith("用法：pufa unit") and "显示本说明并退出。" in hans.out
    en = _run("C", "report", "--help")
    assert en.out.startswith("Usage: pufa report") and "Show this message and exit." in en.out


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans"])
def test_every_command_summary_is_whole_at_80_columns(db: str, lang: str) -> None:
    # Click cut Chinese summaries at the last space that fitted ("從 csv 或..."): each command
    # now shows its first sentence, whole, within 80 columns.
    for args in ((), ("plan",), ("db",), ("unit",)):
        r = run_installed("--lang", lang, *args, "--help", env={"COLUMNS": "80"})
        assert r.code == 0, r
        commands = r.out.split("命令：\n")[1].splitlines()
        assert commands, r.out
        for line in commands:
            assert line.endswith("。") and cell_width(line) <= 80, line
            assert "..." not in line and "…" not in line, line
    summary = "  import    從 csv、xlsx 或 xls 導入進展記錄。"
    assert summary in run_installed("--lang", "zh-Hant").out


def test_short_help_is_the_first_sentence_in_cells() -> None:
    assert short_help("從 csv 導入。示例：pufa import x.csv", 64) == "從 csv 導入。"
    assert short_help("第一段。\n\n第二段。", 64) == "第一段。"
    cut = short_help("很長" * 40 + "。", 20)
    assert cut.endswith("…") and cell_width(cut) <= 20
    assert cell_width("區司法局 ok") == 11


def test_click_is_patched_only_for_another_language() -> None:
    # An English run leaves Click's own methods in place (no wrapper, nothing to pay).
    code = (
        "import sys\n"
        "from pufa_cli.main import run\n"
        "from typer._click.exceptions import BadParameter\n"
        "run(['{lang}', 'report', '--by', 'foo'])\n"
        "print(hasattr(BadParameter.format_message, 'pufa_original'), file=sys.stderr)\n"
    )
    for lang, patched in (("--lang=en", "False"), ("--lang=zh-Hant", "True")):
        proc = subprocess.run(
            [sys.executable, "-c", code.format(lang=lang)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.stderr.strip().splitlines()[-1] == patched, proc.stderr


# --- markdown for people ---------------------------------------------------------------------


def test_markdown_reads_like_the_table(loaded: str, pufa: Any) -> None:
    office = "區依法治區辦公室"
    assert pufa("assign", "19", office).code == 0
    r = pufa("log", "19", "--unit", office, "--percent", "30", "--date", "2011-03-01")
    assert r.code == 0, r
    args = ("report", "-f", "markdown", "--as-of", "2011-06-30")
    hant = pufa("--lang", "zh-Hant", *args, "--by", "task").out.splitlines()
    assert hant[2].startswith("| 板塊 | 序號 | 任務 | 責任單位 | 完成時限 |")
    row19 = next(line for line in hant if line.startswith("| 5 | 19 |"))
    assert "| 進行中 | 否 | 黃 |" in row19 and office in row19
    row14 = next(line for line in hant if line.startswith("| 4 | 14 |"))
    assert "| 未開始 | 是 | 紅 |" in row14
    machine = ("in-progress", "not-started", "false", "true", "green", "| red |")
    assert not any(word in line for line in hant for word in machine)
    hans = pufa("--lang", "zh-Hans", *args, "--by", "unit").out
    assert "| 1 | 区依法治区办公室 |" in hans and "區" not in hans
    task_hans = pufa("--lang", "zh-Hans", *args, "--by", "task").out
    assert "| 进行中 | 否 | 黄 |" in task_hans and "區" not in task_hans
    # By section the title column has the table's own header, not the task column's.
    section = pufa("--lang", "zh-Hant", *args).out.splitlines()
    head = "| 板塊 | 板塊名稱 | 總數 | 完成 | 進行 | 未啟 | 逾期 | 紅 | 黃 | % | 漏報 |"
    assert section[2] == head
    assert any(line.startswith("|  | 合計 | 23 |") for line in section)
    en = pufa("--lang", "en", *args, "--by", "task").out
    assert "| 5 | 19 | 努力建設青少年法制教育基地 | 區依法治區辦公室 |" in en
    assert "| in progress | no | yellow |" in en
    # csv stays machine-readable in every language.
    csv_out = pufa(
        "--lang", "zh-Hant", "report", "-f", "csv", "--by", "task", "--as-of", "2011-06-30"
    )
    assert ",in-progress,false,yellow," in csv_out.out


@pytest.mark.parametrize(
    ("lang", "head"), [("zh-Hant", "認真做好“五五”普法總"), ("zh-Hans", "认真做好“五五”普法总")]
)
def test_an_80_column_report_keeps_the_section_titles_readable(
    loaded: str, pufa: Any, monkeypatch: pytest.MonkeyPatch, lang: str, head: str
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    r = pufa("--lang", lang, "report", "--as-of", "2011-06-30")
    assert r.code == 0, r
    assert head in r.out  # ten characters of the title, where long headers left five
    assert max(cell_width(line) for line in r.out.splitlines()) <= 80


# --- counts: English plurals, one Chinese form -----------------------------------------------


def test_counts_read_as_english_plurals(loaded: str, pufa: Any, tmp_path: Path) -> None:
    def last(*args: str) -> str:
        r = pufa(*args)
        assert r.code == 0, r
        return r.out.splitlines()[-1]

    assert last("tasks") == "23 tasks"
    assert last("tasks", "--unit", "區依法治區辦公室") == "1 task"
    assert last("--lang", "zh-Hant", "tasks", "--unit", "區依法治區辦公室") == "共 1 項任務"
    assert last("--lang", "zh-Hans", "tasks") == "共 23 项任务"
    report = pufa("report", "--by", "task", "--unit", "區依法治區辦公室").out.splitlines()
    assert "1 task" in report and "1 tasks" not in report
    units = last("unit", "list")
    assert units.endswith(" units") and "(s)" not in units
    assert last("--lang", "zh-Hant", "unit", "list").startswith("共 ")
    one = tmp_path / "one.yaml"
    text = PLAN_HANS.read_text("utf-8").split("  - number: 2\n    title:")[0]
    one.write_text(
        text.replace(
            '          - {key: lectures, label: "开展法制讲座", target: 40, unit: "场"}\n', ""
        ),
        "utf-8",
    )
    assert last("plan", "check", str(one)) == f"{one}: OK, plan 2012, 1 section, 2 tasks, 1 target"
    assert last("plan", "check", str(PLAN_HANS)).endswith("2 sections, 3 tasks, 2 targets")
    assert last("--lang", "zh-Hans", "plan", "check", str(one)).endswith(
        "：检查通过，2012 年方案，1 个板块，2 项任务，1 项指标"
    )


def test_plural_messages_have_one_chinese_form() -> None:
    try:
        for lang, task, caption in (
            ("zh-Hant", "{n} 項任務", "共 {n} 項任務"),
            ("zh-Hans", "{n} 项任务", "共 {n} 项任务"),
        ):
            set_language(lang)
            for n in (1, 2, 23):
                assert ngettext("{n} task", "{n} tasks", n) == task
                assert npgettext("table caption", "{n} task", "{n} tasks", n) == caption
        set_language("en")
        assert ngettext("{n} task", "{n} tasks", 1) == "{n} task"
        assert npgettext("table caption", "{n} unit", "{n} units", 2) == "{n} units"
    finally:
        set_language("en")


# --- plan text in the reader's script -------------------------------------------------------


def test_plan_text_converts_only_for_a_reader_of_the_other_script() -> None:
    set_language("en")
    assert (
        plan_text("區司法局", "Hant") == "區司法局" and plan_text("区司法局", "Hans") == "区司法局"
    )
    set_language("zh-Hant")
    assert plan_text("區司法局", "Hant") == "區司法局"
    assert plan_text("区司法局", "Hans") == "區司法局"
    set_language("zh-Hans")
    assert plan_text("區司法局", "Hant") == "区司法局"
    assert plan_text(None) == "" and plan_text("") == ""


def test_the_lean_converters_convert_exactly_as_opencc_does() -> None:
    from opencc_purepy import OpenCC

    from pufa_cli import i18n
    from pufa_cli.plan import load_plan_file

    texts = [(REPO / "plans" / "2011.yaml").read_text("utf-8"), PLAN_HANS.read_text("utf-8")]
    texts += [p.read_text("utf-8") for p in cat.catalog_paths()]
    plan = load_plan_file(REPO / "plans" / "2011.yaml")
    texts += [t.text for t in plan.tasks]
    for text in texts:
        assert to_simplified(text) == OpenCC("t2s").convert(text)
        assert to_traditional(text) == OpenCC("s2t").convert(text)
    # Only the two dictionaries each conversion reads are loaded (not opencc's 25).
    assert "2 loaded dicts" in repr(i18n._converter("t2s").dictionary)


def test_a_traditional_plan_is_recognised_as_traditional() -> None:
    # 2011.yaml holds 于, 干, 采, 征 …, which s2t rewrites: that alone must not make it Simplified.
    from pufa_cli.loading import plan_script
    from pufa_cli.plan import load_plan_file

    plan = load_plan_file(REPO / "plans" / "2011.yaml")
    assert plan_script(plan) == "Hant"
    assert plan_script(load_plan_file(PLAN_HANS)) == "Hans"
    assert detect_script(to_traditional("全区普法依法治理工作方案")) == "Hant"


def test_show_gives_every_plan_text_in_the_readers_script(loaded: str, pufa: Any) -> None:
    before = dump_db(loaded)
    r = pufa("--lang", "zh-Hans", "show", "7", "-f", "json", "--as-of", "2011-06-30")
    data = json.loads(r.out)
    assert data["title"] == "定期开展法治创建监督检查"
    assert data["section_title"] == "继续深化“法治城区”创建,不断加快依法治区进程"
    assert data["text"].startswith("定期开展法治创建监督检查。区依法治区工作领导小组")
    assert data["responsible"] == "区依法治区工作领导小组"
    assert data["targets"][0]["label"] == "检查、监督“法治城区”创建情况"
    assert data["status"] == "not-started" and data["units"][0]["role"] == "lead"
    assert data["units"][0]["unit"] == "區依法治區工作領導小組"  # identifiers stay as stored
    table = pufa("--lang", "zh-Hans", "show", "7", "--as-of", "2011-06-30").out
    assert "第 2 板块：继续深化“法治城区”创建" in table
    assert "区依法治区工作领导小组" in table and "區" not in table
    assert dump_db(loaded) == before  # the stored text is never changed


def test_units_typed_in_simplified_find_traditional_ones(loaded: str, pufa: Any) -> None:
    r = pufa("tasks", "--unit", "区依法治区办公室", "-f", "json", "--as-of", "2011-06-30")
    assert r.code == 0, r
    assert [t["number"] for t in json.loads(r.out)] == [8]
    assert pufa("unit", "add", "區司法局").code == 0
    assert pufa("assign", "9", "区司法局").code == 0
    r = pufa("log", "9", "--unit", "区司法局", "--percent", "40", "--date", "2011-05-01")
    assert r.code == 0, r
    data = json.loads(pufa("show", "9", "-f", "json", "--as-of", "2011-06-30").out)
    assert [u["unit"] for u in data["units"]] == ["區司法局"]
    assert [(e["unit"], e["percent"]) for e in data["history"]] == [("區司法局", 40)]
    units = json.loads(pufa("unit", "list", "-f", "json").out)
    assert [u["unit"] for u in units].count("區司法局") == 1
    assert "区司法局" not in [u["unit"] for u in units]


def test_a_simplified_plan_loads_and_reads_in_both_scripts(db: str, pufa: Any) -> None:
    assert pufa("plan", "check", str(PLAN_HANS)).code == 0
    assert pufa("init", "-q", "--plan", str(PLAN_HANS)).code == 0
    data = json.loads(pufa("tasks", "-f", "json", "--as-of", "2012-07-01").out)
    assert [(t["number"], t["due"], t["due_word"]) for t in data] == [
        (1, "2012-06-30", "上半年"),
        (2, "2012-12-31", "年终"),
        (3, "2012-09-30", "第三季度"),
    ]
    assert data[0]["title"] == "制定年度普法工作要点" and data[0]["overdue"] is True
    hant = json.loads(pufa("--lang", "zh-Hant", "tasks", "-f", "json", "--unit", "區司法局").out)
    assert [t["title"] for t in hant] == ["制定年度普法工作要點", "開展青少年法制教育進校園活動"]
    table = pufa("--lang", "zh-Hant", "tasks", "--as-of", "2012-07-01").out
    assert "全區普法依法治理工作方案（2012）" in table and "0/12 個" in table
    shown = pufa("--lang", "zh-Hant", "show", "2", "--as-of", "2012-07-01").out
    assert "第 1 板塊：深入開展法制宣傳教育" in shown and "(年終)" in shown
    assert "區教育局" in shown and "建成法制教育基地" in shown
    assert pufa("--lang", "zh-Hans", "show", "2").out.count("区教育局") == 1


# --- start-up cost --------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "loads"), [("zh-Hant", False), ("en", False), ("zh-Hans", True)])
def test_the_converter_loads_only_when_a_conversion_is_needed(
    loaded: str, lang: str, loads: bool
) -> None:
    code = (
        "import sys\n"
        "from pufa_cli.main import run\n"
        f"code = run(['--lang', '{lang}', 'tasks', '--as-of', '2011-06-30'])\n"
        "print(code, 'opencc_purepy' in sys.modules, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.stderr.strip().splitlines()[-1] == f"0 {loads}", proc.stderr


def test_unit_names_in_zh_hans_messages_are_simplified(loaded: str, pufa: Any) -> None:
    """A zh-Hans reader reads every unit name in a message in Simplified script, whatever
    script it was registered in (names match across scripts: it is the same unit)."""
    checks = [
        (("unit", "add", "區教育局"), 0, "区教育局"),
        (("unit", "add", "区教育局"), 2, "区教育局"),  # already exists, named in Simplified
        (("assign", "19", "區教育局"), 0, "区教育局"),
        (("log", "19", "-u", "區教育局", "-p", "5", "--date", "2011-03-01"), 0, "区教育局"),
        (("log", "18", "-u", "區教育局", "-p", "5", "--date", "2011-03-01"), 2, "区教育局"),
        (("tasks", "--unit", "區教育"), 2, "区教育局"),  # did you mean …
        (("unit", "remove", "區教育局"), 2, "区教育局"),
        (("unit", "set", "區教育局", "--kind", "部門"), 0, "区教育局"),
    ]
    for args, code, simplified in checks:
        r = pufa("--lang", "zh-Hans", *args)
        assert r.code == code, (args, r)
        assert simplified in r.err and "區教育局" not in r.err, (args, r)
        # Chinese lines use the full-width colon after 错误
        assert not r.err.startswith("错误: "), r


def test_column_names_in_chinese_messages_come_with_their_labels(
    loaded: str, pufa: Any, tmp_path: Path
) -> None:
    """An import error names a column by the word on the sheet and by its machine name."""
    sheet = tmp_path / "進展.csv"
    sheet.write_text("task,unit,date\n19,區教育局,2011-03-01\n", encoding="utf-8")
    hant = pufa("--lang", "zh-Hant", "import", str(sheet))
    assert hant.code == 2 and "完成度 percent" in hant.err and "任務 task、單位 unit" in hant.err
    hans = pufa("--lang", "zh-Hans", "import", str(sheet))
    assert hans.code == 2 and "完成度 percent" in hans.err and "任务 task、单位 unit" in hans.err
    en = pufa("--lang", "en", "import", str(sheet))
    assert "missing column(s) percent (required: task, unit, date, percent)" in en.err

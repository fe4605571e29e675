"""The one translation function, ``_``, the choice of language, and plan text in either script.

Every string a person reads goes through ``_()`` (messages, headers, help) or ``plan_text()``
(plan text stored in the database, shown in the reader's script). Catalogs are standard gettext
files, ``pufa_cli/locale/<zh_Hant|zh_Hans>/LC_MESSAGES/pufa.po`` and the compiled ``pufa.mo``
beside it; the English msgids are the source language, so English needs no catalog.
``scripts/catalogs.py`` extracts, merges and compiles them (docs/i18n.md).

Languages: ``zh-Hant``, ``zh-Hans``, ``en``. Chosen by ``--lang`` (taken out of argv in
``main`` before the app is built, because help texts are translated when the command modules
are imported), else ``PUFA_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``; the
first one set decides, as in POSIX), else English.

The stored plan text is never changed. A Traditional reader of a Traditional plan, and every
English reader, never loads the converter (OpenCC's pure-Python port: ~40 ms for t2s).
"""

from __future__ import annotations

import gettext as _gettext
import os
import sys
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

# Add a language here and give it a catalog (docs/i18n.md); English is the source language.
LANGUAGES = ("zh-Hant", "zh-Hans", "en")
DOMAIN = "pufa"
LOCALE_DIR = Path(__file__).parent / "locale"
HANT, HANS = "Hant", "Hans"

# Locale regions whose people write Traditional characters; other Chinese locales are Simplified.
_HANT_REGIONS = frozenset({"tw", "hk", "mo"})

_current = "en"
_translation: Any = _gettext.NullTranslations()


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it now (translate it later)."""
    return message


def normalize_language(value: str) -> str | None:
    """One of LANGUAGES for a language tag or locale name, or None if pufa does not speak it.

    ``zh-Hant``, ``zh_Hant_TW``, ``zh_TW.UTF-8``, ``zh-HK``, ``zh_MO`` → zh-Hant;
    ``zh-Hans``, ``zh_CN.UTF-8``, ``zh_SG``, ``zh`` → zh-Hans; ``en_GB``, ``C``, ``POSIX`` → en.
    """
    tag = value.strip().split(".")[0].split("@")[0].replace("_", "-").lower()
    if not tag:
        return None
    if tag in ("c", "posix"):
        return "en"
    primary, *rest = tag.split("-")
    if primary == "zh":
        if "hant" in rest:
            return "zh-Hant"
        if "hans" in rest:
            return "zh-Hans"
        return "zh-Hant" if _HANT_REGIONS.intersection(rest) else "zh-Hans"
    for lang in LANGUAGES:
        if tag == lang.lower() or primary == lang.lower():
            return lang
    return None


def language_from_env(env: Mapping[str, str]) -> str:
    """PUFA_LANG, else the first set locale variable (LC_ALL, LC_MESSAGES, LANG), else English.

    A locale pufa has no catalog for (``fr_FR.UTF-8``) means English.
    """
    explicit = env.get("PUFA_LANG", "")
    if explicit:
        return normalize_language(explicit) or "en"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return normalize_language(value) or "en"
    return "en"


def catalog_dir(lang: str) -> str:
    """The folder of a language's catalog under locale/: ``zh-Hant`` → ``zh_Hant``."""
    return lang.replace("-", "_")


def set_language(lang: str) -> None:
    """Make ``lang`` the language of every later ``_()`` call and ``plan_text()``."""
    global _current, _translation
    _current = lang
    if lang == "en":
        _translation = _gettext.NullTranslations()
    else:
        # fallback: a missing catalog means English, never a crash.
        _translation = _gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[catalog_dir(lang)], fallback=True
        )


def current_language() -> str:
    return _current


def _(message: str) -> str:
    """Translate ``message`` (an English msgid) into the current language."""
    return str(_translation.gettext(message))


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` in ``context``: for one English word that needs two translations
    (``pgettext("section title", "Section")`` is 板塊名稱 where ``_("Section")`` is 板塊)."""
    return str(_translation.pgettext(context, message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a count (Chinese has one form; English two)."""
    return str(_translation.ngettext(singular, plural, n))


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """``ngettext`` in ``context``: ``npgettext("table caption", "{n} task", "{n} tasks", n)``
    is 共 {n} 項任務 where ``ngettext("{n} task", "{n} tasks", n)`` is {n} 項任務."""
    return str(_translation.npgettext(context, singular, plural, n))


# Typer formats its help pages and a few errors with the standard ``gettext.gettext``; these are
# the messages it asks for, kept in pufa's catalogs so that a Chinese help page reads Chinese.
_TYPER_MESSAGES = (
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
)

# Typer 0.28's bundled Click writes its own words as fixed English (f-strings, no gettext).
# These are the templates of those a pufa user can meet: a message Click built is matched
# against them and rebuilt from the translation (``click_message``). The help words come
# first; the errors follow, the more specific template before the one it extends. A
# ``{reason}`` or ``{message}`` is itself a Click message and is translated in turn.
CLICK_USAGE = N_("Usage:")
CLICK_HELP_OPTION = N_("Show this message and exit.")
_CLICK_ERRORS = (
    N_("Invalid value for {param}: {reason}"),
    N_("Invalid value: {reason}"),
    N_("Missing option {param}."),
    N_("Missing argument {param}."),
    N_("Missing parameter {param}."),
    N_("No such option: {option} (Possible options: {options})"),
    N_("No such option: {option}"),
    N_("Option {option} requires an argument."),
    N_("Option {option} requires {n} arguments."),
    N_("Option {option} does not take a value."),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("{value} is not a valid integer."),
    N_("{value} is not a valid int range."),
    N_("{value} is not a valid int."),
    N_("{value} is not a valid float."),
    N_("{value} is not one of {choices}."),
    N_("{value} is not in the range {range}."),
    N_("File {path} is a directory."),
    N_("File {path} does not exist."),
    N_("{message}. Did you mean {suggestions}?"),
)
_NESTED_FIELDS = ("reason", "message")


@lru_cache(maxsize=1)
def _click_patterns() -> tuple[tuple[Any, str], ...]:
    import re

    out = []
    for template in _CLICK_ERRORS:
        pieces = re.split(r"\{(\w+)\}", template)  # literal, field, literal, field, …
        regex = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(pieces)
        )
        out.append((re.compile(regex), template))
    return tuple(out)


def click_message(message: str) -> str:
    """One of Click's English messages in the current language (as it was if none fits)."""
    if _current == "en" or "\n" in message:
        return message
    for pattern, template in _click_patterns():
        found = pattern.fullmatch(message)
        if found is None:
            continue
        fields = found.groupdict()
        for name in _NESTED_FIELDS:
            if name in fields:
                fields[name] = click_message(fields[name])
        if "message" in fields:
            # Typer joins "<message>. Did you mean …": the message may end in 。 already.
            fields["message"] = fields["message"].rstrip("。.")
        return _(template).format(**fields)
    return message


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes: two for a wide (Chinese) character, one otherwise."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def short_help(text: str, limit: int) -> str:
    """A command's summary in the command list: its first sentence, cut to ``limit`` cells.

    Click's own summary ends a sentence only at ``.`` and breaks only at spaces, so a Chinese
    help text ran on into its example and was cut anywhere; this stops at the first ``。``
    and counts a Chinese character as the two cells it takes.
    """
    words = text.split("\n\n")[0].split()
    summary = " ".join(words)
    end = summary.find("。")
    if end != -1:
        summary = summary[: end + 1]
    if cell_width(summary) <= limit:
        return summary
    while summary and cell_width(summary) > limit - 1:
        summary = summary[:-1]
    return summary.rstrip() + "…"


def _translating(method: Any) -> Any:
    def format_message(self: Any) -> str:
        return click_message(method(self))

    format_message.pufa_original = method  # type: ignore[attr-defined]
    return format_message


def _localize_click() -> None:
    """Click's errors, ``Usage:``, the help option and the command summaries, translated.

    Patched once per process, only when a non-English language is first asked for; each patch
    checks the current language, so English stays exactly Click's own text afterwards too.
    Only modules Typer has loaded already are touched (nothing is imported).
    """
    from pufa_cli.typer_internals import CLICK_CORE, CLICK_EXCEPTIONS, CLICK_FORMATTING

    exceptions = sys.modules.get(CLICK_EXCEPTIONS)
    core = sys.modules.get(CLICK_CORE)
    formatting = sys.modules.get(CLICK_FORMATTING)
    if exceptions is not None:
        for cls in list(vars(exceptions).values()):
            if not (isinstance(cls, type) and issubclass(cls, exceptions.ClickException)):
                continue
            # ClickException inherits its format_message (the message as given) from Typer.
            own = "format_message" in vars(cls) or cls is exceptions.ClickException
            method = getattr(cls, "format_message", None) if own else None
            if method is not None and not hasattr(method, "pufa_original"):
                setattr(cls, "format_message", _translating(method))  # noqa: B010
    if formatting is not None:
        write_usage = formatting.HelpFormatter.write_usage
        if not hasattr(write_usage, "pufa_original"):

            def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
                if prefix is None and _current != "en":
                    word = _(CLICK_USAGE)  # 用法： (a full-width colon needs no space after it)
                    prefix = word if word.endswith("：") else word + " "
                write_usage(self, prog, args, prefix)

            usage.pufa_original = write_usage  # type: ignore[attr-defined]
            formatting.HelpFormatter.write_usage = usage
        write_heading = formatting.HelpFormatter.write_heading
        if not hasattr(write_heading, "pufa_original"):

            def heading(self: Any, text: str) -> None:
                if _current == "en":
                    write_heading(self, text)
                else:  # 選項： with the full-width colon of a Chinese line
                    self.write(f"{'':>{self.current_indent}}{text}：\n")

            heading.pufa_original = write_heading  # type: ignore[attr-defined]
            formatting.HelpFormatter.write_heading = heading
    if core is not None:
        get_help_option = core.Command.get_help_option
        if not hasattr(get_help_option, "pufa_original"):

            def help_option(self: Any, ctx: Any) -> Any:
                option = get_help_option(self, ctx)
                if option is not None and option.help == CLICK_HELP_OPTION:
                    option.help = _(CLICK_HELP_OPTION)
                return option

            help_option.pufa_original = get_help_option  # type: ignore[attr-defined]
            core.Command.get_help_option = help_option
        summary = core.make_default_short_help
        if not hasattr(summary, "pufa_original"):

            def make_short_help(help: str, max_length: int = 45) -> str:
                if _current == "en":
                    return str(summary(help, max_length))
                return short_help(help, max_length)

            make_short_help.pufa_original = summary  # type: ignore[attr-defined]
            setattr(core, "make_default_short_help", make_short_help)  # noqa: B010


def localize_typer() -> None:
    """Point Typer's own help words (``Options``, ``[default: …]``) at pufa's catalogs, and,
    for a language other than English, Click's fixed English too (``_localize_click``)."""
    for name in ("typer.core", "typer.rich_utils"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "_"):
            setattr(module, "_", _)  # noqa: B010 (a module attribute, not ours to declare)
    if _current != "en":
        _localize_click()


# --- plan text in the reader's script ------------------------------------------------------


# The dictionaries each conversion reads (OpenCC's t2s.json and s2t.json: phrases, then
# characters). opencc-purepy's default provider parses all 25 of its dictionaries (a 2.5 MB JSON,
# ~50 ms); t2s needs two small ones (~5 ms).
_DICTIONARIES = {
    "t2s": (("ts_phrases", "TSPhrases.txt"), ("ts_characters", "TSCharacters.txt")),
    "s2t": (("st_phrases", "STPhrases.txt"), ("st_characters", "STCharacters.txt")),
}


def _own_dictionary(config: str) -> Any:
    import opencc_purepy
    from opencc_purepy.dictionary_lib import DictionaryMaxlength

    folder = Path(opencc_purepy.__file__).parent / "dicts"
    dictionary = DictionaryMaxlength()  # type: ignore[no-untyped-call]
    for slot, name in _DICTIONARIES[config]:
        text = (folder / name).read_text(encoding="utf-8")
        loaded = DictionaryMaxlength.load_dictionary_maxlength(text)
        if not loaded[0]:
            raise ValueError(f"{name} is empty")
        setattr(dictionary, slot, loaded)
    return dictionary


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    # Imported only when a conversion is needed: ~30 ms to import, and the dictionaries.
    from opencc_purepy import OpenCC

    try:
        dictionary = _own_dictionary(config)
    except Exception:  # another opencc-purepy layout: its own, slower, loader
        dictionary = None
    return OpenCC(config, dictionary=dictionary)


def to_simplified(text: str) -> str:
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    return str(_converter("s2t").convert(text))


def detect_script(text: str) -> str:
    """``Hans`` or ``Hant``: the script ``text`` is written in (``Hant`` when it cannot tell).

    Counts the distinct characters each conversion would change. Converting *to* Traditional is
    not a test of Simplified text: a Traditional document routinely holds characters such as
    于, 干, 采 or 征 that s2t rewrites (於, 幹, 採, 徵), while a Simplified one holds far more that
    t2s rewrites. The script is the one with fewer characters foreign to it.
    """
    chars = sorted({ch for ch in text if ord(ch) >= 0x2E80})
    if not chars:
        return HANT
    joined = "\n".join(chars)  # one character a line: no phrase spans two of them
    to_hans = to_simplified(joined).split("\n")
    to_hant = to_traditional(joined).split("\n")
    traditional_only = sum(a != b for a, b in zip(chars, to_hans, strict=False))
    simplified_only = sum(a != b for a, b in zip(chars, to_hant, strict=False))
    return HANS if simplified_only > traditional_only else HANT


def reader_script() -> str | None:
    """The script the current reader wants plan text in, or None (as stored)."""
    return {"zh-Hant": HANT, "zh-Hans": HANS}.get(_current)


def unit_text(name: str) -> str:
    """A unit name in a message, in the reader's script: a zh-Hans reader reads 区教育局 for the
    registered 區教育局 (names are matched across scripts, so this is the same unit)."""
    return to_simplified(name) if _current == "zh-Hans" and name else name


def plan_text(text: str | None, script: str = HANT) -> str:
    """Plan text (stored verbatim, written in ``script``) in the reader's script.

    Titles, texts, section titles, target labels and measure words, period words and unit names
    go through here; notes and reasons people typed are shown as they were written. Only a
    reader of the other script pays for the conversion; English readers see the text as stored.
    """
    if not text:
        return text or ""
    wanted = reader_script()
    if wanted is None or wanted == script:
        return text
    return to_simplified(text) if wanted == HANS else to_traditional(text)


set_language(language_from_env(os.environ))

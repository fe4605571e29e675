"""The one translation function, ``_``, and the choice of language.

Every string a person reads goes through ``_()`` (messages, headers, help) or
``plan_text()`` (plan text stored in the database, shown in the reader's script).
Catalogs are standard gettext ``.mo`` files under ``pufa_cli/locale/<lang>/LC_MESSAGES/pufa.mo``;
the English msgids are the source language, so English needs no catalog.

Languages: ``zh-Hant``, ``zh-Hans``, ``en``. Chosen by ``--lang`` (handled in ``main``), else
``PUFA_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = ("zh-Hant", "zh-Hans", "en")
DOMAIN = "pufa"
LOCALE_DIR = Path(__file__).parent / "locale"

_ALIASES = {
    "zh-hant": "zh-Hant",
    "zh_hant": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh_tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh_hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh_mo": "zh-Hant",
    "zh-hans": "zh-Hans",
    "zh_hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh_cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh_sg": "zh-Hans",
    "zh": "zh-Hans",
    "en": "en",
    "c": "en",
    "posix": "en",
}

_current = "en"
_translation: Any = _gettext.NullTranslations()


def normalize_language(value: str) -> str | None:
    """Map a language tag or locale name (``zh_TW.UTF-8``) to one of LANGUAGES, or None."""
    tag = value.strip().split(".")[0].split("@")[0].lower()
    if not tag:
        return None
    if tag in _ALIASES:
        return _ALIASES[tag]
    if tag.startswith("en"):
        return "en"
    return None


def language_from_env(env: Mapping[str, str]) -> str:
    """PUFA_LANG, else the first set locale variable (LC_ALL, LC_MESSAGES, LANG), else English."""
    explicit = env.get("PUFA_LANG", "")
    if explicit:
        return normalize_language(explicit) or "en"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return normalize_language(value) or "en"
    return "en"


def set_language(lang: str) -> None:
    """Make ``lang`` the language of every later ``_()`` call."""
    global _current, _translation
    _current = lang
    if lang == "en":
        _translation = _gettext.NullTranslations()
    else:
        _translation = _gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[lang.replace("-", "_")], fallback=True
        )


def current_language() -> str:
    return _current


def _(message: str) -> str:
    """Translate ``message`` (an English msgid) into the current language."""
    return str(_translation.gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return str(_translation.ngettext(singular, plural, n))


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    # opencc_purepy costs ~50 ms to import and ~90 ms to load a dictionary: only on demand.
    from opencc_purepy import OpenCC

    return OpenCC(config)


def to_simplified(text: str) -> str:
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    return str(_converter("s2t").convert(text))


def plan_text(text: str | None, script: str = "Hant") -> str:
    """Plan text (stored verbatim, written in ``script``) in the reader's script.

    Only a reader of the other script pays for conversion; English readers see the text as
    stored, and the stored text is never changed.
    """
    if not text:
        return text or ""
    if _current == "zh-Hans" and script != "Hans":
        return to_simplified(text)
    if _current == "zh-Hant" and script != "Hant":
        return to_traditional(text)
    return text


set_language(language_from_env(os.environ))

"""Unit names: how two spellings are recognised as one unit.

A name is trimmed and NFKC-normalised (full-width 'ＡＢ　區司法局 ' → 'AB 區司法局'), inner runs of
white space folded to one space. ``match_key`` additionally folds Traditional and Simplified
script together, so 区司法局 finds 區司法局.
"""

from __future__ import annotations

import unicodedata

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _

MAX_NAME = 200


def normalize_name(name: str) -> str:
    text = " ".join(unicodedata.normalize("NFKC", name).split())
    if not text:
        raise BadInput(_("a unit name cannot be empty"))
    if len(text) > MAX_NAME:
        raise BadInput(_("a unit name has at most {n} characters").format(n=MAX_NAME))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text):
        raise BadInput(_("a unit name cannot contain control characters"))
    return text


def match_key(normalized: str) -> str:
    """Script-folded key of an already normalised name (loads the converter: not a hot path)."""
    from pufa_cli.i18n import to_simplified

    return to_simplified(normalized).casefold()

"""Unit names: how two spellings are recognised as one unit, and look-alikes refused.

A name is trimmed and NFKC-normalised (full-width 'ＡＢ　區司法局 ' → 'AB 區司法局'), inner runs of
white space folded to one space. ``match_key`` additionally folds Traditional and Simplified
script together, so 区司法局 finds 區司法局.

Invisible characters would make a second 區教育局 that looks identical in ``unit list``: a new
name may not hold control or format characters, Unicode's default-ignorable code points
(variation selectors U+FE00…, U+E0100…, the Hangul fillers U+3164 and U+FFA0, zero-width and
bidi marks …), blanks that show as nothing (Braille blank U+2800) or a combining mark left
after NFKC. A name typed to *find* a unit is matched after removing them, and ``match_key``
removes them too, so a look-alike stored before this rule still finds (and is found as) the
unit it imitates.
"""

from __future__ import annotations

import unicodedata

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _

MAX_NAME = 200

# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt), plus the Braille
# blank, which is not default-ignorable but shows as nothing.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Bidi controls: they reorder what follows on screen (a note could show text it does not hold).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def is_invisible(ch: str) -> bool:
    """A character that shows as nothing or changes how others show."""
    code = ord(ch)
    if any(lo <= code <= hi for lo, hi in _IGNORABLE):
        return True
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me")


def strip_invisible(text: str) -> str:
    return "".join(ch for ch in text if not is_invisible(ch))


def _fold(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split())


def normalize_name(name: str, *, office: bool = False) -> str:
    """The name to store: refused if it holds an invisible character. ``office``: an office's
    name (offices/tree.py: the same rules, its messages say office)."""
    text = _fold(name)
    _check_length(text, office=office)
    bad = next((ch for ch in text if is_invisible(ch)), None)
    if bad is not None:
        message = (
            _("an office name cannot contain invisible or control characters (U+{code:04X})")
            if office
            else _("a unit name cannot contain invisible or control characters (U+{code:04X})")
        )
        raise BadInput(message.format(code=ord(bad)))
    return text


def lookup_name(typed: str) -> str:
    """A name typed to find a unit: folded like a stored one, invisible characters removed."""
    text = _fold(strip_invisible(unicodedata.normalize("NFKC", typed)))
    _check_length(text)
    return text


def _check_length(text: str, *, office: bool = False) -> None:
    if not text:
        raise BadInput(
            _("an office name cannot be empty") if office else _("a unit name cannot be empty")
        )
    if len(text) > MAX_NAME:
        message = (
            _("an office name has at most {n} characters")
            if office
            else _("a unit name has at most {n} characters")
        )
        raise BadInput(message.format(n=MAX_NAME))


def match_key(normalized: str) -> str:
    """Script-folded key of a name, invisible characters removed (loads the converter: not a
    hot path)."""
    from pufa_cli.i18n import to_simplified

    return to_simplified(" ".join(strip_invisible(normalized).split())).casefold()

"""The streamed table's shortcuts measure and fold text exactly as Rich does (issue 19).

render/stream.py measures cells with Rich's per-character widths summed (``cells``) and folds a
long word with its own loop (``chop``) instead of calling ``rich.cells.cell_len`` and
``chop_cells`` per cell; these tests hold them to Rich's answers over every character and over
generated text mixing wide, zero-width, combining and joined characters. The whole table is
compared with Rich's output in test_scale.py.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, chop_cells

from pufa_cli.render.stream import blank, cells, chop

# Every kind of character Rich measures differently: ASCII, Latin-1 and Greek (one cell),
# CJK and full-width forms (two), combining marks and zero-width characters (none), the zero
# width joiner and variation selector 16 (which change the character before them), emoji,
# Hangul jamo, a control character, a soft hyphen.
ALPHABET = (
    "a Z1:[]-"
    "éßΩж"
    "法治宣傳(第項)“”、,。"
    "ＡＢ１"
    "\u0301\u0308\u200b\u200c\u2060"
    "\u200d\ufe0f"
    "😀👍❤☺♥"
    "\u1100\u1161\u11a8"
    "\x1b\x7f\xad"
)


def test_cells_is_rich_cell_len_over_the_characters_plans_use():
    """Every character of the Basic Multilingual Plane and the two after it (CJK extensions),
    eight neighbours at a time, and one by one those Rich counts as one cell without looking
    them up: the sum of the characters' widths is Rich's answer."""
    from rich.cells import _SINGLE_CELLS

    chars = [chr(c) for c in range(0x30000) if not 0xD800 <= c <= 0xDFFF]
    runs = ["".join(chars[i : i + 8]) for i in range(0, len(chars), 8)]
    runs += [chr(c) for c in range(0x100)] + sorted(_SINGLE_CELLS)
    assert [t for t in runs if cells(t) != cell_len(t)] == []


def test_blank_is_what_isspace_says_for_every_character():
    every = (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    assert [ch for ch in every if bool(blank().search(ch)) != ch.isspace()] == []


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40), st.integers(min_value=2, max_value=30))
def test_cells_and_chop_are_richs(text: str, width: int):
    assert cells(text) == cell_len(text)
    assert chop(text, width) == chop_cells(text, width)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x" * 7,
        "推進矛盾糾紛排查化解(第1項)",
        "\u0301開頭是組合符",
        "a\u0301b\u0301c\u0301d",
        "全角ＡＢＣ" * 5,
        "👨\u200d👩\u200d👧家庭",
        "❤\ufe0f愛心",
        "αβγδεζηθικλμνξοπρστυφχψω",
    ],
)
@pytest.mark.parametrize("width", [2, 3, 5, 8, 13])
def test_chop_folds_as_rich_does(text: str, width: int):
    assert chop(text, width) == chop_cells(text, width)

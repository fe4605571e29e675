"""Period words (一季度, 上半年, 12月份, 年終, Q2, H1, M12, 2011-06, 2011-06-30) → dates.

Every word resolves to the **last day** of its period in the plan year:

=====================================================  ===========================
word (Traditional or Simplified, full- or half-width)  resolves to (plan year Y)
=====================================================  ===========================
第一季度 一季度 第1季度 1季度 Q1 (… to 第四季度/Q4)     last day of that quarter
上半年 H1 / 下半年 H2                                   Y-06-30 / Y-12-31
N月 N月份 N月底 N月底前 M1…M12 (N = 1…12 or 一…十二)     last day of month N
年底 年底前 年終/年终 年末 全年 年內/年内                  Y-12-31
YYYY-MM                                                last day of that month
YYYY-MM-DD                                             that day
=====================================================  ===========================

An explicit month or date must lie in the plan year: a plan is judged year by year.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from pufa_cli.errors import BadInput
from pufa_cli.i18n import _

_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "兩": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}

_YEAR_END_WORDS = frozenset(
    {"年底", "年底前", "年終", "年终", "年末", "全年", "年內", "年内", "年終前", "年终前", "年末前"}
)
_NUM = r"(1[0-2]|[1-9]|十[一二]?|[一二兩两三四五六七八九])"
_QUARTER_RE = re.compile(rf"^第?{_NUM}季度(?:末|底)?前?$")
_MONTH_RE = re.compile(rf"^{_NUM}月(?:份)?(?:底|末)?(?:前)?$")
_CODE_RE = re.compile(r"^([QHM])(\d{1,2})$")
_YM_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_YMD_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


@dataclass(frozen=True)
class Period:
    """A resolved period word: its kind (Q, H, M, Y or D), number, and last day."""

    word: str
    kind: str
    number: int
    end: date


def _num(token: str) -> int:
    return int(token) if token.isdigit() else _CN_DIGITS[token]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(year: int, quarter: int) -> date:
    if not 1 <= quarter <= 4:
        raise BadInput(_("quarter must be 1 to 4, not {value}").format(value=quarter))
    return _month_end(year, quarter * 3)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def normalize_word(word: str) -> str:
    """NFKC (full-width digits and letters become ASCII), trimmed, spaces removed."""
    return "".join(unicodedata.normalize("NFKC", word).split()).upper().replace("Ｑ", "Q")


def parse_period(word: str, year: int) -> Period:
    """Resolve a period word in plan year ``year``; BadInput if it is not one."""
    raw = word
    w = normalize_word(str(word))
    if not w:
        raise BadInput(_("empty period word"))
    if w in _YEAR_END_WORDS:
        return Period(raw, "Y", 1, date(year, 12, 31))
    if w in ("上半年", "H1"):
        return Period(raw, "H", 1, date(year, 6, 30))
    if w in ("下半年", "H2"):
        return Period(raw, "H", 2, date(year, 12, 31))
    m = _QUARTER_RE.match(w)
    if m:
        q = _num(m.group(1))
        if 1 <= q <= 4:
            return Period(raw, "Q", q, quarter_end(year, q))
    m = _MONTH_RE.match(w)
    if m:
        month = _num(m.group(1))
        return Period(raw, "M", month, _month_end(year, month))
    m = _CODE_RE.match(w)
    if m:
        kind, n = m.group(1), int(m.group(2))
        limits = {"Q": 4, "H": 2, "M": 12}
        if 1 <= n <= limits[kind]:
            if kind == "Q":
                return Period(raw, "Q", n, quarter_end(year, n))
            if kind == "H":
                return Period(raw, "H", n, date(year, 6, 30) if n == 1 else date(year, 12, 31))
            return Period(raw, "M", n, _month_end(year, n))
    m = _YM_RE.match(w)
    if m:
        y, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise BadInput(_("'{word}' is not a valid month").format(word=raw))
        _check_year(raw, y, year)
        return Period(raw, "M", month, _month_end(y, month))
    m = _YMD_RE.match(w)
    if m:
        day = parse_date(w)
        _check_year(raw, day.year, year)
        return Period(raw, "D", 0, day)
    raise BadInput(_("unknown period '{word}'").format(word=raw))


def _check_year(raw: str, got: int, year: int) -> None:
    if got != year:
        raise BadInput(_("'{word}' is not in the plan year {year}").format(word=raw, year=year))


def parse_date(text: str) -> date:
    """A calendar date written YYYY-MM-DD (full-width digits accepted); BadInput otherwise."""
    w = normalize_word(str(text))
    m = _YMD_RE.match(w)
    if not m:
        raise BadInput(_("'{text}' is not a date (use YYYY-MM-DD)").format(text=text))
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise BadInput(_("'{text}' is not a valid date").format(text=text)) from None


def parse_as_of(text: str, year: int) -> date:
    """``--as-of``: a date, or a period word meaning the end of that period in ``year``."""
    w = normalize_word(str(text))
    if _YMD_RE.match(w):
        return parse_date(w)
    return parse_period(text, year).end

"""Deadline and period words (一季度, 上半年, 4月15日前, “12·4”, 6月下旬, 持續, 次年1月 …) → dates.

Every word resolves to the **last day** of its period, in the plan year unless it says 次年
(the following year):

==========================================================  =================================
word (Traditional or Simplified, full- or half-width)       resolves to (plan year Y)
==========================================================  =================================
第一季度 一季度 第1季度 1季度 Q1 (… to 第四季度/Q4)           last day of that quarter
前三季度                                                     Y-09-30
上半年 H1 / 年中 / 下半年 H2                                  Y-06-30 / Y-06-30 / Y-12-31
N月 N月份 N月底 N月底前 M1…M12 (N = 1…12 or 一…十二)           last day of month N
N月上旬 / N月中旬 / N月下旬                                   the 10th / the 20th / last day
N月N日 N月N日前 N月N日之前 (N in digits or 一…三十一)          that day
YYYY年N月N日(前) YYYY-MM-DD YYYY.MM.DD YYYY/M/D               that day (YYYY = Y)
N·N N.N “N·N” (an event day: “12·4” 憲法日, 4·15)              that day
N月N日至N日 N月N日—N月N日 N月N日-N月N日 (a range)              the range's last day
年底 年底前 年終/年终 年末 年內/年内                            Y-12-31
持續 常態化 長期 全年 全年持續 (ongoing work)                  Y-12-31, kind ``O``
次年N月 次年一季度 次年N月N日 (a year-end summary …)            in Y+1
YYYY-MM                                                     last day of that month (YYYY = Y)
==========================================================  =================================

An explicit month or date must lie in the plan year: a plan is judged year by year; only a word
that says 次年 reaches into the next. Ongoing work (kind ``O``) is due at year end and judged
against the elapsed share of the year, like any task due 12-31; ``is_ongoing`` tells it apart.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from typing import NamedTuple

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
    {"年底", "年底前", "年終", "年终", "年末", "年內", "年内", "年終前", "年终前", "年末前"}
)
ONGOING_WORDS = frozenset(
    {"持續", "持续", "常態化", "常态化", "長期", "长期", "全年", "全年持續", "全年持续"}
)


class _LazyPattern:
    """A regular expression compiled on its first use: the thirteen patterns below cost ~6 ms
    to compile, paid at every start-up of every command that imports this module, while most
    commands never parse a timing word (they read the dates stored at ``pufa init``)."""

    __slots__ = ("_compiled", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    def match(self, text: str) -> re.Match[str] | None:
        if self._compiled is None:
            self._compiled = re.compile(self._source)
        return self._compiled.match(text)


_NUM = r"(1[0-2]|[1-9]|十[一二]?|[一二兩两三四五六七八九])"
_DAY = r"([12][0-9]|3[01]|0?[1-9]|[一二兩两三]?十[一二三四五六七八九]?|[一二兩两三四五六七八九])"
_BEFORE = r"(?:之?前)?"
_QUARTER_RE = _LazyPattern(rf"^第?{_NUM}季度(?:末|底)?前?$")
_MONTH_RE = _LazyPattern(rf"^{_NUM}月(?:份)?(?:底|末)?(?:前)?$")
_TEN_DAYS_RE = _LazyPattern(rf"^{_NUM}月(上|中|下)旬{_BEFORE}$")
_MONTH_DAY_RE = _LazyPattern(rf"^{_NUM}月{_DAY}[日號号]{_BEFORE}$")
_RANGE_RE = _LazyPattern(
    rf"^{_NUM}月{_DAY}[日號号]?(?:至|到|—|–|-|~)+(?:{_NUM}月)?{_DAY}[日號号]{_BEFORE}$"
)
_YEAR_MONTH_DAY_RE = _LazyPattern(rf"^(\d{{4}})年{_NUM}月{_DAY}[日號号]{_BEFORE}$")
_EVENT_DAY_RE = _LazyPattern(r"^(1[0-2]|0?[1-9])[·・•.](3[01]|[12][0-9]|0?[1-9])$")
_SEPARATED_RE = _LazyPattern(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})$")
_NEXT_YEAR_RE = _LazyPattern(r"^次年(.+)$")
_QUOTES = "“”‘’\"'「」『』《》〈〉"
_CODE_RE = _LazyPattern(r"^([QHM])(\d{1,2})$")
_YM_RE = _LazyPattern(r"^(\d{4})-(\d{1,2})$")
_YMD_RE = _LazyPattern(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

# What an unknown word's error lists, so the writer of a plan sees the accepted forms at once.
ACCEPTED_FORMS = (
    "一季度…四季度, 前三季度, 上半年, 年中, 下半年, N月, N月底, N月上旬/中旬/下旬, N月N日(前), "
    "N月N日至N日, 12·4, YYYY年N月N日, YYYY.MM.DD, YYYY/M/D, 年底, 持續/常態化/長期/全年, "
    "次年N月, 次年一季度, 次年N月N日, Q1…Q4, H1/H2, M1…M12, YYYY-MM, YYYY-MM-DD"
)


class Period(NamedTuple):
    """A resolved period word: its kind (Q, H, M, Y or D), number, and last day."""

    word: str
    kind: str
    number: int
    end: date


def _num(token: str) -> int:
    """1…31 written in digits or Chinese numerals (十五, 二十, 三十一)."""
    if token.isdigit():
        return int(token)
    if token in _CN_DIGITS:
        return _CN_DIGITS[token]
    tens, _sep, ones = token.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _day(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadInput(_("'{word}' is not a valid date").format(word=raw)) from None


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


def is_ongoing(word: str | None) -> bool:
    """True for the words of ongoing, all-year work (持續, 常態化, 長期, 全年 …)."""
    return word is not None and normalize_word(str(word)).strip(_QUOTES) in ONGOING_WORDS


def parse_period(word: str, year: int) -> Period:
    """Resolve a deadline or period word in plan year ``year``; BadInput if it is not one."""
    raw = word
    w = normalize_word(str(word)).strip(_QUOTES)
    if not w:
        raise BadInput(_("empty period word"))
    m = _NEXT_YEAR_RE.match(w)
    if m:
        # 次年一季度, 次年1月, 次年1月15日: the same words, one year on (never 次年次年).
        inner = m.group(1)
        if inner.startswith("次年") or inner in ONGOING_WORDS:
            raise _unknown(raw)
        try:
            period = _parse_in_year(inner, year + 1, raw)
        except BadInput:
            raise _unknown(raw) from None
        return Period(raw, period.kind, period.number, period.end)
    return _parse_in_year(w, year, raw)


def _unknown(raw: str) -> BadInput:
    return BadInput(
        _("unknown period '{word}' (accepted: {forms}); or write the date as YYYY-MM-DD").format(
            word=raw, forms=ACCEPTED_FORMS
        )
    )


def _parse_in_year(w: str, year: int, raw: str) -> Period:
    if w in _YEAR_END_WORDS:
        return Period(raw, "Y", 1, date(year, 12, 31))
    if w in ONGOING_WORDS:
        return Period(raw, "O", 1, date(year, 12, 31))
    if w in ("上半年", "H1", "年中"):
        return Period(raw, "H", 1, date(year, 6, 30))
    if w in ("下半年", "H2"):
        return Period(raw, "H", 2, date(year, 12, 31))
    if w in ("前三季度", "前三季度末", "前三季度前"):
        return Period(raw, "Q", 3, quarter_end(year, 3))
    m = _QUARTER_RE.match(w)
    if m:
        q = _num(m.group(1))
        if 1 <= q <= 4:
            return Period(raw, "Q", q, quarter_end(year, q))
    m = _MONTH_RE.match(w)
    if m:
        month = _num(m.group(1))
        return Period(raw, "M", month, _month_end(year, month))
    m = _TEN_DAYS_RE.match(w)
    if m:
        month = _num(m.group(1))
        tenth = {"上": 10, "中": 20}.get(m.group(2)) or _month_end(year, month).day
        return Period(raw, "D", 0, date(year, month, tenth))
    m = _MONTH_DAY_RE.match(w)
    if m:
        return Period(raw, "D", 0, _day(year, _num(m.group(1)), _num(m.group(2)), raw))
    m = _RANGE_RE.match(w)
    if m:
        first = _day(year, _num(m.group(1)), _num(m.group(2)), raw)
        month = _num(m.group(3)) if m.group(3) else first.month
        last = _day(year, month, _num(m.group(4)), raw)
        if last < first:
            raise BadInput(_("'{word}' ends before it starts").format(word=raw))
        return Period(raw, "D", 0, last)
    m = _YEAR_MONTH_DAY_RE.match(w)
    if m:
        _check_year(raw, int(m.group(1)), year)
        return Period(raw, "D", 0, _day(year, _num(m.group(2)), _num(m.group(3)), raw))
    m = _SEPARATED_RE.match(w)
    if m:
        _check_year(raw, int(m.group(1)), year)
        return Period(raw, "D", 0, _day(year, int(m.group(2)), int(m.group(3)), raw))
    m = _EVENT_DAY_RE.match(w)
    if m:
        return Period(raw, "D", 0, _day(year, int(m.group(1)), int(m.group(2)), raw))
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
        written = parse_date(w)
        _check_year(raw, written.year, year)
        return Period(raw, "D", 0, written)
    raise _unknown(raw)


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


# --- cadence: checkpoints that repeat --------------------------------------------------------

_CADENCE_RE = _LazyPattern(
    r"^每(月|季度|季|半年|年)(?:(末|底)|(\d+|[一二兩两三]?十[一二三四五六七八九]?|[一二兩两三四五六七八九])"
    rf"[日號号])?{_BEFORE}$"
)


class Cadence(NamedTuple):
    """A repeating checkpoint (每月, 每月5日前, 每季度末, 每半年, 每年): ``every`` is M, Q, H or
    Y; ``day`` the day of the month for 每月N日 (0: the period's last day)."""

    word: str
    every: str
    day: int = 0

    def dates(self, start: date, end: date) -> list[date]:
        """The checkpoints from ``start`` to ``end``, both included, in order."""
        months = {"M": range(1, 13), "Q": (3, 6, 9, 12), "H": (6, 12), "Y": (12,)}[self.every]
        out = []
        for year in range(start.year, end.year + 1):
            for month in months:
                last = _month_end(year, month)
                day = last if not self.day else last.replace(day=min(self.day, last.day))
                if start <= day <= end:
                    out.append(day)
        return out


def parse_cadence(word: str) -> Cadence:
    """每月 每月末 每月5日前 每季度 每季度末 每半年 每年 → a Cadence; BadInput otherwise."""
    w = normalize_word(str(word)).strip(_QUOTES)
    m = _CADENCE_RE.match(w)
    if not m:
        raise BadInput(
            _(
                "unknown cadence '{word}' (accepted: 每月, 每月末, 每月N日前, 每季度, 每季度末, "
                "每半年, 每年)"
            ).format(word=word)
        )
    every = {"月": "M", "季度": "Q", "季": "Q", "半年": "H", "年": "Y"}[m.group(1)]
    if m.group(3) is None:
        return Cadence(str(word), every)
    if every != "M":
        raise BadInput(
            _("'{word}': a day is given only with 每月 (e.g. 每月5日前)").format(word=word)
        )
    day = _num(m.group(3))
    if not 1 <= day <= 31:
        raise BadInput(_("'{word}': no month has day {day}").format(word=word, day=day))
    return Cadence(str(word), every, day)

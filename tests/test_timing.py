"""Every period word resolves to the last day of its period in the plan year."""

from __future__ import annotations

from datetime import date

import pytest

from pufa_cli.errors import BadInput
from pufa_cli.timing import parse_as_of, parse_date, parse_period, quarter_end, quarter_of

CASES = [
    # quarters, Traditional / Simplified are the same characters here
    ("第一季度", date(2011, 3, 31)),
    ("一季度", date(2011, 3, 31)),
    ("1季度", date(2011, 3, 31)),
    ("第二季度", date(2011, 6, 30)),
    ("二季度", date(2011, 6, 30)),
    ("第三季度", date(2011, 9, 30)),
    ("三季度", date(2011, 9, 30)),
    ("第四季度", date(2011, 12, 31)),
    ("四季度", date(2011, 12, 31)),
    ("Q1", date(2011, 3, 31)),
    ("q2", date(2011, 6, 30)),
    ("Q3", date(2011, 9, 30)),
    ("Q4", date(2011, 12, 31)),
    ("Ｑ２", date(2011, 6, 30)),
    # halves
    ("上半年", date(2011, 6, 30)),
    ("下半年", date(2011, 12, 31)),
    ("H1", date(2011, 6, 30)),
    ("H2", date(2011, 12, 31)),
    # months
    ("2月", date(2011, 2, 28)),
    ("2月份", date(2011, 2, 28)),
    ("6月底", date(2011, 6, 30)),
    ("6月底前", date(2011, 6, 30)),
    ("12月份", date(2011, 12, 31)),
    ("十二月", date(2011, 12, 31)),
    ("十一月份", date(2011, 11, 30)),
    ("九月底前", date(2011, 9, 30)),
    ("１２月份", date(2011, 12, 31)),
    ("M1", date(2011, 1, 31)),
    ("M12", date(2011, 12, 31)),
    ("M2", date(2011, 2, 28)),
    # year end
    ("年底", date(2011, 12, 31)),
    ("年底前", date(2011, 12, 31)),
    ("年終", date(2011, 12, 31)),
    ("年终", date(2011, 12, 31)),
    ("年末", date(2011, 12, 31)),
    # explicit
    ("2011-06", date(2011, 6, 30)),
    ("2011-02", date(2011, 2, 28)),
    ("2011-06-15", date(2011, 6, 15)),
    (" 2011-06-15 ", date(2011, 6, 15)),
]

# Issue 14.3: the deadline words real plans use, each with the day worked out by hand for 2011
# (not a leap year: February ends on the 28th).
DEADLINE_CASES = [
    ("4月15日", date(2011, 4, 15)),
    ("4月15日前", date(2011, 4, 15)),
    ("6月30日前", date(2011, 6, 30)),
    ("6月30日之前", date(2011, 6, 30)),
    ("６月３０日前", date(2011, 6, 30)),  # full-width digits
    ("十二月四日", date(2011, 12, 4)),
    ("3月二十一日前", date(2011, 3, 21)),
    ("2011年4月15日", date(2011, 4, 15)),
    ("2011年4月15日前", date(2011, 4, 15)),
    ("2011.04.15", date(2011, 4, 15)),
    ("２０１１．０４．１５", date(2011, 4, 15)),
    ("2011/04/15", date(2011, 4, 15)),
    ("2011/4/5", date(2011, 4, 5)),
    ("“12·4”", date(2011, 12, 4)),  # the constitution day, quoted as plans write it
    ("12·4", date(2011, 12, 4)),
    ('"12·4"', date(2011, 12, 4)),
    ("「12·4」", date(2011, 12, 4)),
    ("4·15", date(2011, 4, 15)),  # national security education day
    ("4.15", date(2011, 4, 15)),
    ("12月4日至10日", date(2011, 12, 10)),  # a range is due at its end
    ("12月4日—12月10日", date(2011, 12, 10)),
    ("11月28日至12月3日", date(2011, 12, 3)),
    ("6月上旬", date(2011, 6, 10)),
    ("6月中旬", date(2011, 6, 20)),
    ("6月下旬", date(2011, 6, 30)),
    ("2月下旬", date(2011, 2, 28)),
    ("十一月下旬前", date(2011, 11, 30)),
    ("前三季度", date(2011, 9, 30)),
    ("年中", date(2011, 6, 30)),
    # the following year, written as such
    ("次年1月", date(2012, 1, 31)),
    ("次年一季度", date(2012, 3, 31)),
    ("次年1月15日", date(2012, 1, 15)),
    ("次年2月", date(2012, 2, 29)),  # 2012 is a leap year
    # ongoing work: due at year end
    ("持續", date(2011, 12, 31)),
    ("持续", date(2011, 12, 31)),
    ("常態化", date(2011, 12, 31)),
    ("常态化", date(2011, 12, 31)),
    ("長期", date(2011, 12, 31)),
    ("全年", date(2011, 12, 31)),
    ("全年持續", date(2011, 12, 31)),
]


@pytest.mark.parametrize(("word", "expected"), CASES)
def test_period_words(word, expected):
    assert parse_period(word, 2011).end == expected


@pytest.mark.parametrize(("word", "expected"), DEADLINE_CASES)
def test_deadline_words(word, expected):
    assert parse_period(word, 2011).end == expected


def test_ongoing_words_are_told_apart():
    from pufa_cli.timing import is_ongoing

    ongoing = ["持續", "持续", "常態化", "常态化", "長期", "长期", "全年", "全年持續", "全年持续"]
    assert all(is_ongoing(w) and parse_period(w, 2011).kind == "O" for w in ongoing)
    assert not any(is_ongoing(w) for w in ["年底", "年終", "12月", "下半年", None])


def test_unknown_word_lists_the_accepted_forms():
    with pytest.raises(BadInput) as err:
        parse_period("適時", 2011)
    message = str(err.value)
    assert "unknown period '適時'" in message
    assert "N月N日(前)" in message and "次年N月" in message and "YYYY-MM-DD" in message


def test_leap_year_february():
    assert parse_period("2月", 2012).end == date(2012, 2, 29)
    assert parse_period("M2", 2012).end == date(2012, 2, 29)


@pytest.mark.parametrize(
    "word",
    [
        "明年",
        "每年兩次",
        "",
        "Q5",
        "Q0",
        "H3",
        "M13",
        "13月",
        "第五季度",
        "2011-13",
        "2011-02-30",
        "2012-06",
        "2012-06-30",
        "上半年年",
        "Q",
        "2011/06/31",
        "2012/06/30",  # another year written in full: only 次年 reaches the next one
        "2012年1月15日",
        "2月30日",
        "4·31",
        "13·1",
        "12月10日至4日",  # ends before it starts
        "6月末旬",
        "次年",
        "次年次年1月",
        "次年持續",
        "三十二日",
        "後三季度",
    ],
)
def test_not_period_words(word):
    with pytest.raises(BadInput):
        parse_period(word, 2011)


def test_dates_and_as_of():
    assert parse_date("2011-02-28") == date(2011, 2, 28)
    with pytest.raises(BadInput, match="not a valid date"):
        parse_date("2011-02-30")
    with pytest.raises(BadInput, match="not a date"):
        parse_date("30/02/2011")
    assert parse_as_of("上半年", 2011) == date(2011, 6, 30)
    assert parse_as_of("2012-01-05", 2011) == date(2012, 1, 5)  # an as-of date may be any date
    assert quarter_end(2011, 3) == date(2011, 9, 30)
    assert [quarter_of(date(2011, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]

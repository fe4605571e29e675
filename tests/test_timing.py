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
    ("全年", date(2011, 12, 31)),
    # explicit
    ("2011-06", date(2011, 6, 30)),
    ("2011-02", date(2011, 2, 28)),
    ("2011-06-15", date(2011, 6, 15)),
    (" 2011-06-15 ", date(2011, 6, 15)),
]


@pytest.mark.parametrize(("word", "expected"), CASES)
def test_period_words(word, expected):
    assert parse_period(word, 2011).end == expected


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
        "2011/06/30",
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

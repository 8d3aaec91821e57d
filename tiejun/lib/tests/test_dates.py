from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiejun.lib.dates import DateError, parse_date

JULY_FIRST = dt.date(2019, 7, 1)


@pytest.mark.parametrize(
    "typed",
    [
        "2019-07-01",
        "2019-7-1",
        "2019/7/1",
        "2019/07/01",
        "2019.7.1",
        "2019.07.01",
        "2019年7月1日",
        "2019年07月01号",
        "20190701",
        " 2019 - 07 - 01 ",
        "２０１９－０７－０１",  # full-width digits and dash
        "２０１９年７月１日",
        "2019\u00a0年\u30007月1日\u200b",  # no-break, ideographic and zero-width spaces
        "2019-07-01 00:00:00",  # a date cell as Excel writes it into a CSV
        "2019/7/1 0:00",
        "2019-07-01T00:00:00",
        "2019—07—01",  # em dashes, as a word processor turns "--" into
        "2019–7–1",  # en dashes
        "二〇一九年七月一日",  # a document's date
        "二零一九年七月一号",
    ],
)
def test_it_reads_the_forms_people_type(typed):
    assert parse_date(typed) == JULY_FIRST


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("二〇一九年十月十日", dt.date(2019, 10, 10)),
        ("二〇一九年十二月三十一日", dt.date(2019, 12, 31)),
        ("一九四九年十月一日", dt.date(1949, 10, 1)),
        ("二〇二一年六月二十日", dt.date(2021, 6, 20)),
    ],
)
def test_it_reads_months_and_days_in_chinese_numerals(typed, day):
    assert parse_date(typed) == day


@pytest.mark.parametrize("typed", ["二〇一九年一二月一日", "二〇一九年十十月", "二〇一九年七月"])
def test_malformed_chinese_numerals_are_refused_as_typed(typed):
    with pytest.raises(DateError) as caught:
        parse_date(typed)
    assert f"“{typed}”" in caught.value.message


def test_it_keeps_the_day_when_a_time_follows_a_two_digit_day():
    assert parse_date("2019-07-10 0:00") == dt.date(2019, 7, 10)


def test_it_reads_date_cells_and_excel_serials():
    assert parse_date(dt.datetime(2019, 7, 1, 0, 0)) == JULY_FIRST
    assert parse_date(JULY_FIRST) == JULY_FIRST
    assert parse_date(43647) == JULY_FIRST  # the serial Excel shows for 2019-07-01
    assert parse_date(43647.0) == JULY_FIRST
    assert parse_date(42185, date1904=True) == JULY_FIRST
    assert parse_date(20190701) == JULY_FIRST  # yyyymmdd typed into a number cell


@pytest.mark.parametrize("empty", [None, "", "   ", "\u3000", "\u200b"])
def test_an_empty_cell_is_no_date(empty):
    assert parse_date(empty) is None


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("2019-02-30", "不是存在的日期"),
        ("2019.07", "缺少日"),
        ("2019年7月", "缺少日"),
        ("7/1/2019", "不是可识别的日期"),
        ("十月一日", "不是可识别的日期"),
        ("1800-01-01", "年份不合理"),
        ("2019-13-01", "不是存在的日期"),
        (True, "不是日期"),
        (float("nan"), "不是日期"),
        (-5, "不是日期"),
        (10**12, "不是日期"),
    ],
)
def test_it_names_what_is_wrong_in_chinese(typed, says):
    with pytest.raises(DateError) as caught:
        parse_date(typed)
    assert says in caught.value.message


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans(), st.dates()))
def test_fuzz_it_answers_a_date_none_or_a_date_error(value):
    try:
        result = parse_date(value)
    except DateError as error:
        assert error.message
    else:
        assert result is None or isinstance(result, dt.date)


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_fuzz_every_typed_form_of_a_date_reads_back(day):
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
    ]
    for typed in forms:
        assert parse_date(typed) == day


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 3, 31), -12, dt.date(2025, 3, 31)),  # not clamped to the 28th
        (dt.date(2026, 11, 23), -6, dt.date(2026, 5, 23)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
    ],
)
def test_add_months(day, months, expected):
    from tiejun.lib.dates import add_months

    assert add_months(day, months) == expected


def test_add_years_from_29_february():
    from tiejun.lib.dates import add_years

    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert add_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)

from __future__ import annotations

import pytest

from tiejun.lib.phone import normalize_phone


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086-13800138000", "13800138000"),
        ("(010)88886666", "01088886666"),
        ("（0571）8888 6666", "057188886666"),
        ("'13800138000", "13800138000"),  # typed as text in Excel
        ("13800138000（微信同号）", "13800138000"),
        ("手机：138 0013 8000", "13800138000"),
        ("电话: (0571)88886666(办)", "057188886666"),
        ("", ""),
    ],
)
def test_the_ways_people_write_a_number_read_as_its_digits(typed, number):
    assert normalize_phone(typed) == number


@pytest.mark.parametrize(
    "typed",
    ["138-0013-800a", "123", "+1 415 555 0100 12345", "１３８", "13800138000/0571-88886666",
     "备注：无"],
)  # fmt: skip
def test_what_is_no_phone_number_is_refused(typed):
    # (Full-width digits are folded by the callers' text cleaning before this rule.)
    assert normalize_phone(typed) is None

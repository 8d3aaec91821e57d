from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiejun.lib import idcard

VALID = "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        (VALID, VALID),
        ("11010519491231002x", VALID),
        (" 110105 19491231 002X ", VALID),
        ("１１０１０５１９４９１２３１００２Ｘ", VALID),  # full-width, as typed in WPS
        ("'11010519491231002X", VALID),  # Excel's text prefix
    ],
)
def test_it_normalizes_what_people_type(raw, number):
    check = idcard.validate(raw)
    assert check.ok, check.errors
    assert check.number == number
    assert check.birth_date == dt.date(1949, 12, 31)
    assert check.gender == "female"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("110105194912310021", "校验位"),
        ("110105194913310028", "出生日期不存在"),
        ("11010519491231002", "18位"),
        ("1.10105194912310E+17", "科学计数法"),
        (1.1010519491231002e17, "科学计数法"),
        ("", "为空"),
        ("11010520991231002X", "不合理"),
        ("11010119900307" + "1" + "\U00010a40" + "34", "18位"),  # a digit int() refuses
    ],
)
def test_it_names_the_error(raw, reason):
    check = idcard.validate(raw, today=dt.date(2026, 11, 23))
    assert not check.ok
    assert reason in "".join(check.errors)


def test_an_unknown_area_code_is_only_a_warning():
    first17 = "99010519491231002"
    check = idcard.validate(first17 + idcard.check_digit(first17))
    assert check.ok
    assert "行政区划" in check.warnings[0]


def test_an_old_15_digit_number_is_upgraded_with_a_warning():
    check = idcard.validate("110105491231002")
    assert check.ok
    assert check.number == idcard.upgrade_15("110105491231002")
    assert len(check.number) == 18
    assert check.warnings


def test_an_integer_cell_is_recovered():
    check = idcard.validate(110105194912310018)
    assert check.number == "110105194912310018"


@pytest.mark.parametrize(("number", "masked"), [(VALID, "110105********002X"), ("123", "***")])
def test_it_masks(number, masked):
    assert idcard.mask(number) == masked


def test_it_masks_phones():
    assert idcard.mask_phone("13812345678") == "138****5678"
    assert idcard.mask_phone("") == ""


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=True), st.none()))
def test_validate_never_raises(raw):
    check = idcard.validate(raw)
    assert check.ok or check.errors

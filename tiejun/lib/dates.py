"""Dates as people type them into spreadsheets, and as Excel stores them.

Accepted: 2019-07-01, 2019/7/1, 2019.7.1, 2019年7月1日 (or 号), 20190701, the same in full-width
digits, with stray spaces or with the dashes of pasted text (2019—07—01), the date of a document
in Chinese numerals (二〇一九年七月一日), a trailing time of day ("2019-07-01 00:00:00" from a
CSV), date cells, and Excel's day serials in number cells. Anything else raises DateError with
a Chinese message that says what was wrong and how to write it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

# Members are born, join and become full members between these years; outside them the cell
# is a typing error (a serial number, a phone number), not a date.
MIN_YEAR = 1900
MAX_YEAR = 2100
HINT = "请写成 2019-07-01、2019/7/1、2019.7.1、2019年7月1日 或 20190701 的形式"

_SEPARATED = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR_MONTH = re.compile(r"(\d{4})[-/.年](\d{1,2})月?")
# A time of day after the date, as Excel writes date cells into a CSV.
_TIME_TAIL = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Dashes that word processors and web pages put where a hyphen was typed.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_CHINESE_DIGITS = dict(zip("〇零一二三四五六七八九", "00123456789", strict=True))
_CHINESE_DATE = re.compile(r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                           r"([一二三四五六七八九十]{1,3})[日号]")  # fmt: skip
_CHINESE_TENS = re.compile(r"(?:([一二三四五六七八九])?(十))?([一二三四五六七八九])?")
# Excel's day 0 is 1899-12-30 once its 1900 leap-year bug (serial 60) is behind us.
_EXCEL_1900 = dt.date(1899, 12, 30)
_EXCEL_1904 = dt.date(1904, 1, 1)
_FIRST_SAFE_SERIAL = 61
_MAX_SERIAL = (dt.date(MAX_YEAR, 12, 31) - _EXCEL_1900).days
_SHOWN_CHARS = 20


class DateError(ValueError):
    """A cell that is not a usable date; `message` is Chinese and says how to write one."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_date(value: object, *, date1904: bool = False) -> dt.date | None:
    """The date a cell holds; None for an empty cell; DateError for anything else."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _in_range(value.date(), value)
    if isinstance(value, dt.date):
        return _in_range(value, value)
    if isinstance(value, bool):
        raise DateError(f"“{value}”不是日期，{HINT}")
    if isinstance(value, int | float):
        return _from_number(value, date1904)
    text = _compact_text(value)
    return _from_text(text) if text else None


def _compact_text(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE).translate(_DASHES)
    # The time goes before the spaces do, or "2019-07-10 0:00" would read as the 1st.
    text = "".join(_TIME_TAIL.sub("", text.strip()).split())
    return _arabic_date(text) or text


def _arabic_date(text: str) -> str | None:
    """二〇一九年七月一日 → 2019年7月1日 (the form of a document's date); None for other text."""
    match = _CHINESE_DATE.fullmatch(text)
    if match is None:
        return None
    month, day = _chinese_number(match[2]), _chinese_number(match[3])
    if month is None or day is None:
        return None
    year = "".join(_CHINESE_DIGITS[char] for char in match[1])
    return f"{year}年{month}月{day}日"


def _chinese_number(text: str) -> int | None:
    """一 to 九十九 as written in dates: 七, 十, 十二, 二十, 三十一."""
    match = _CHINESE_TENS.fullmatch(text)
    if match is None or not text:
        return None
    tens, ten, units = match.groups()
    value = int(_CHINESE_DIGITS[units]) if units else 0
    if ten:
        value += 10 * (int(_CHINESE_DIGITS[tens]) if tens else 1)
    return value


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


def _from_text(text: str) -> dt.date:
    match = _SEPARATED.fullmatch(text) or _COMPACT.fullmatch(text)
    if match:
        return _make(int(match[1]), int(match[2]), int(match[3]), text)
    if _YEAR_MONTH.fullmatch(text):
        raise DateError(f"“{_shown(text)}”缺少日，日期须写到日，{HINT}")
    raise DateError(f"“{_shown(text)}”不是可识别的日期，{HINT}")


def _from_number(number: float, date1904: bool) -> dt.date:
    if number != number or number in (float("inf"), float("-inf")):  # NaN and infinities
        raise DateError(f"“{number}”不是日期，{HINT}")
    whole = int(number)
    if whole == number and 10_000_000 <= whole <= 99_999_999:  # 20190701 typed as a number
        return _from_text(str(whole))
    epoch = _EXCEL_1904 if date1904 else _EXCEL_1900
    first = 0 if date1904 else _FIRST_SAFE_SERIAL
    if first <= whole <= _MAX_SERIAL:
        return _in_range(epoch + dt.timedelta(days=whole), number)
    raise DateError(f"“{_shown(number)}”不是日期，{HINT}")


def _make(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        day_value = dt.date(year, month, day)
    except ValueError:
        raise DateError(f"“{_shown(text)}”不是存在的日期，请核对年、月、日") from None
    return _in_range(day_value, text)


def _in_range(day: dt.date, shown: object) -> dt.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DateError(f"“{_shown(shown)}”的年份不合理（应在{MIN_YEAR}年至{MAX_YEAR}年之间）")
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier); the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    """29 February plus a year is 28 February."""
    return add_months(day, 12 * years)

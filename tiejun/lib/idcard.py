"""Resident ID-card numbers (GB 11643-1999): normalization, checksum, birth date, gender."""

from __future__ import annotations

import datetime as dt
import operator
import unicodedata
from dataclasses import dataclass, field

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# Province-level area codes (GB/T 2260 first two digits, plus HK/MO/TW residence permits).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
        "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
        "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
    }
)  # fmt: skip


_FLOAT_DAMAGE = (
    "身份证号被 Excel 存成了数字（科学计数法），末几位已丢失，请将该列设为文本后重新填写"
)


@dataclass
class IdCheck:
    number: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    birth_date: dt.date | None = None
    gender: str | None = None  # "male" / "female"

    @property
    def ok(self) -> bool:
        return not self.errors


def normalize(raw: object) -> str:
    """Full-width digits, spaces, lower-case x and Excel's float form all fold to 18 plain chars."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw))
    text = "".join(text.split()).replace("'", "").replace("‘", "").replace("’", "")
    return text.upper()


def check_digit(first17: str) -> str:
    if len(first17) != len(_WEIGHTS):
        raise ValueError("check_digit needs the first 17 characters")
    total = sum(map(operator.mul, map(int, first17), _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def upgrade_15(number: str) -> str:
    """An old 15-digit number gains the century 19 and a check digit."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_digit(first17)


def _looks_like_float_damage(number: str) -> bool:
    return "E+" in number or (("." in number) and number.replace(".", "").isdigit())


# A float keeps about 15.9 significant digits: an 18-digit number in one has lost its tail.
_FLOAT_EXACT_BELOW = 10**15


def validate(raw: object, today: dt.date | None = None) -> IdCheck:
    number = normalize(raw)
    result = IdCheck(number=number)
    if isinstance(raw, float) and abs(raw) >= _FLOAT_EXACT_BELOW:
        result.errors.append(_FLOAT_DAMAGE)
        return result
    if not number:
        result.errors.append("身份证号为空")
        return result
    if _looks_like_float_damage(number):
        result.errors.append(_FLOAT_DAMAGE)
        return result
    if len(number) == 15 and number.isascii() and number.isdigit():
        number = result.number = upgrade_15(number)
        result.warnings.append("15位旧身份证号已按国家标准升为18位，请核对")
    # isdigit() alone accepts other scripts' digits (e.g. Kharoshthi), which int() refuses.
    if (
        len(number) != 18
        or not number.isascii()
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        result.errors.append("身份证号应为18位：17位数字加1位数字或X")
        return result
    _check_birth(result, number, today or dt.date.today())
    if check_digit(number[:17]) != number[17]:
        result.errors.append("身份证号校验位错误（GB 11643），请核对是否录错")
    if number[:2] not in PROVINCE_CODES:
        result.warnings.append("身份证号前两位不是已知的省级行政区划代码")
    result.gender = "male" if int(number[16]) % 2 else "female"
    return result


def _check_birth(result: IdCheck, number: str, today: dt.date) -> None:
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        result.errors.append("身份证号中的出生日期不存在")
        return
    if birth > today or birth.year < 1900:
        result.errors.append("身份证号中的出生日期不合理")
        return
    result.birth_date = birth


def mask(number: str) -> str:
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return phone and "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]

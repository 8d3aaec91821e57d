"""Phone numbers as people type and paste them: 138 0013 8000, 138-0013-8000, +86 138…,
(010)12345678, 手机：138…, 138…（微信同号）. The member form, the API and the import share this
one rule."""

from __future__ import annotations

import re

# From a local landline number (7 digits) to a landline with area code and extension (13).
DIGITS = (7, 13)
_SEPARATORS = str.maketrans("", "", " -()（）.")
_COUNTRY_CODES = ("+86", "0086")
_MOBILE_DIGITS = 11
# A label before the number (手机：, 电话:) and a note after it in brackets without digits
# ((微信同号), （办）); brackets holding digits are an area code and stay.
_LABEL = re.compile(r"^[^\d+(（]{1,6}[：:]\s*")
_NOTE = re.compile(r"\s*[(（][^\d()（）]{1,10}[)）]$")
# Between two numbers in one cell: the caller can say that one number goes in the field.
LIST_SEPARATORS = re.compile(r"\d\s*[/、，,;；]\s*[+\d(（]")


def normalize_phone(text: str) -> str | None:
    """The number as digits only ("" for none), or None when it is no phone number."""
    number = _NOTE.sub("", _LABEL.sub("", text.strip())).translate(_SEPARATORS).lstrip("'‘’")
    for code in _COUNTRY_CODES:  # a mobile number written internationally
        rest = number.removeprefix(code)
        if rest != number and len(rest) == _MOBILE_DIGITS and rest.startswith("1"):
            number = rest
    low, high = DIGITS
    if number and not (number.isascii() and number.isdigit() and low <= len(number) <= high):
        return None
    return number

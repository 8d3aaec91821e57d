"""Phone numbers as people type and paste them: 138 0013 8000, 138-0013-8000, +86 138…,
(010)12345678. The member form, the API and the import share this one rule."""

from __future__ import annotations

# From a local landline number (7 digits) to a landline with area code and extension (13).
DIGITS = (7, 13)
_SEPARATORS = str.maketrans("", "", " -()（）.")
_COUNTRY_CODES = ("+86", "0086")
_MOBILE_DIGITS = 11


def normalize_phone(text: str) -> str | None:
    """The number as digits only ("" for none), or None when it is no phone number."""
    number = text.translate(_SEPARATORS).lstrip("'‘’")
    for code in _COUNTRY_CODES:  # a mobile number written internationally
        rest = number.removeprefix(code)
        if rest != number and len(rest) == _MOBILE_DIGITS and rest.startswith("1"):
            number = rest
    low, high = DIGITS
    if number and not (number.isascii() and number.isdigit() and low <= len(number) <= high):
        return None
    return number

"""New .xlsx workbooks for every export, with what users type kept as text.

XlsxWriter's `write()` and `write_row()` turn a string that starts with "=" into a formula and
one that looks like a link into a hyperlink. A meeting titled "=HYPERLINK(…)" or a talk topic
pasted from the web would then run in the reader's Excel or WPS (formula injection), so every
workbook of ours is opened with those conversions off.
"""

from __future__ import annotations

from typing import IO, Any

import xlsxwriter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def workbook(target: IO[bytes] | str, **options: Any) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(target, {**options, **SAFE_OPTIONS})

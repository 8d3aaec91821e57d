"""Member sheets for the import tests, written by the same programs people's files come from:
openpyxl and XlsxWriter (.xlsx), xlwt (.xls), and CSV in the encodings Excel saves."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import xlwt

from tiejun.org.importer import HEADERS
from tiejun.testing import make_id_number

STANDARD = list(HEADERS.values())


def member_row(serial: int, **changes: Any) -> dict[str, Any]:
    """A valid row for a branch-A member, by standard header; `changes` by field name."""
    birth = changes.pop("birth", dt.date(1980, 1, 1) + dt.timedelta(days=37 * serial))
    female = changes.pop("female", serial % 2 == 0)
    row = {
        "name": f"党员{serial}",
        "gender": "女" if female else "男",
        "ethnicity": "汉族",
        "birth_date": birth,
        "id_number": make_id_number(birth, serial, female),
        "education": "大学本科",
        "joined_on": dt.date(2010, 7, 1),
        "full_on": dt.date(2011, 7, 1),
        "category": "正式党员",
        "org": "大气环境处党支部",
        "post": "科员",
        "phone": f"139{serial:08d}",
    }
    row.update(changes)
    return {HEADERS[name]: value for name, value in row.items()}


def table(rows: list[dict[str, Any]], headers: list[str] | None = None) -> list[list[Any]]:
    headers = headers or STANDARD
    return [headers, *[[row.get(h) for h in headers] for row in rows]]


def write_xlsx(path: Path, rows: list[list[Any]], *, title: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def write_xls(path: Path, rows: list[list[Any]], *, title: str | None = None) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("党员")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    offset = 0
    if title:
        sheet.write_merge(0, 0, 0, len(rows[0]) - 1, title)
        offset = 1
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(r + offset, c, value, date_style)
            elif value is not None:
                sheet.write(r + offset, c, value)
    book.save(str(path))
    return path


def write_csv(path: Path, rows: list[list[Any]], *, encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v
                         for v in row])  # fmt: skip
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_workbook(
    path: Path, sheets: dict[str, list[list[Any]]], *, hidden: tuple[str, ...] = ()
) -> Path:
    """A workbook of several sheets, in the order given; `hidden` ones hidden, as Excel does."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = "hidden" if name in hidden else "visible"
    book.save(path)
    return path


def write_xls_workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    style = date_style if isinstance(value, dt.date) else xlwt.Style.default_style
                    sheet.write(r, c, value, style)
    book.save(str(path))
    return path

"""Reading the spreadsheets people really have, safely: .xlsx (also from WPS), .xls and .csv.

An upload is trusted only after `inspect_file`: the name is on the allow-list, the size is within
the limit, the bytes are what the name claims (a renamed .exe is not a workbook), and a zip's
central directory promises no bomb. `list_sheets` names a file's visible worksheets, `read_table`
yields one sheet's rows as (row number as the spreadsheet shows it, cell values), and
`find_header` finds the header row under any title rows.
Every failure is a TableError with a Chinese message; parser exceptions never escape.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import pyexpat
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, TypeVar
from xml.etree import ElementTree

from tiejun.lib.chinese import fold_name
from tiejun.lib.office_files import (
    OLE2_MAGIC,
    PASSWORD_PROTECTED,
    ZIP_MAGIC,
    OfficeFileError,
    check_ooxml,
    is_password_protected,
)

Row = tuple[int, tuple[Any, ...]]
_T = TypeVar("_T")

SUFFIXES = {".xlsx": "xlsx", ".xls": "xls", ".csv": "csv"}
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# Spreadsheet formats people have whose program can save them as .xlsx.
_SAVE_AS_FIRST = {
    ".et": "WPS 表格（.et）", ".ett": "WPS 表格模板（.ett）", ".ods": "OpenDocument 表格（.ods）",
    ".numbers": "Numbers 表格（.numbers）", ".xlsm": "含宏的 Excel 工作簿（.xlsm）",
    ".xlsb": "Excel 二进制工作簿（.xlsb）", ".xltx": "Excel 模板（.xltx）",
}  # fmt: skip
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
HEADER_SCAN_ROWS = 20


class TableError(ValueError):
    """A file that cannot be read as a table; `message` is Chinese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoHeaderError(TableError):
    """No row of a sheet looks like a header: a sheet of notes or lookup lists, not of data."""


def inspect_file(path: Path, filename: str, *, max_bytes: int | None = None) -> str:
    """The kind of a file ("xlsx", "xls" or "csv") after the upload checks; else TableError."""
    suffix = Path(filename).suffix.lower()
    if suffix in _SAVE_AS_FIRST:
        raise TableError(
            f"{_SAVE_AS_FIRST[suffix]}文件不能直接导入，请先“另存为” Excel 工作簿（.xlsx）。"
        )
    if suffix not in SUFFIXES:
        raise TableError("只能导入 .xlsx、.xls 或 .csv 文件。")
    size = path.stat().st_size
    if size == 0:
        raise TableError("文件是空的。")
    if max_bytes is not None and size > max_bytes:
        raise TableError(
            f"文件过大（{size / 1048576:.1f} MB），上限为 {max_bytes / 1048576:.0f} MB。"
        )
    with path.open("rb") as handle:
        head = handle.read(len(OLE2_MAGIC))
    kind = _content_kind(path, head)
    # An .xls that is really an .xlsx (WPS does this) is fine; text posing as a workbook is not.
    if (SUFFIXES[suffix] == "csv") != (kind == "csv"):
        raise TableError("文件内容与扩展名不符：不是有效的 Excel 工作簿或 CSV 文件。")
    return kind


def _content_kind(path: Path, head: bytes) -> str:
    if head.startswith(ZIP_MAGIC):
        _check_xlsx_zip(path)
        return "xlsx"
    if head == OLE2_MAGIC:
        if is_password_protected(path.read_bytes()):
            raise TableError(PASSWORD_PROTECTED)
        return "xls"
    data = path.read_bytes()
    if b"\x00" in data and not data.startswith(_UTF16_BOMS):
        raise TableError("文件内容不是 Excel 工作簿或 CSV 文本，已拒绝。")
    _decode_text(data)
    return "csv"


def _check_xlsx_zip(path: Path) -> None:
    try:
        check_ooxml(path, part="xl/", label="Excel 工作簿", suffix=".xlsx")
    except OfficeFileError as error:
        raise TableError(error.message) from None


def _decode_text(data: bytes) -> str:
    if data.startswith(_UTF16_BOMS):  # Excel's "Unicode text", renamed to .csv
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TableError("CSV 文件的 UTF-16 编码有误，请另存为 UTF-8 编码。") from None
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GB18030（GBK）编码。")


@dataclass
class Table:
    """One worksheet of a file: its rows, and how its number cells count days."""

    kind: str
    rows: Iterator[Row]
    date1904: bool = False


@dataclass(frozen=True)
class Sheet:
    """A worksheet: its position among the workbook's sheets (all of them) and its name."""

    index: int
    name: str


def list_sheets(path: Path, kind: str) -> list[Sheet]:
    """The visible worksheets of a file checked by `inspect_file`, in the workbook's order.

    Hidden sheets (lookup lists, old copies) and chart sheets are left out; a CSV file is one
    sheet without a name.
    """
    if kind == "xlsx":
        return _xlsx_sheets(path)
    if kind == "xls":
        return _xls_sheets(path)
    return [Sheet(0, "")]


@contextmanager
def read_table(path: Path, kind: str, sheet: Sheet | None = None) -> Iterator[Table]:
    """Open one sheet (the first visible one by default) of a file checked by `inspect_file`;
    rows are read lazily and the file closed after."""
    if kind not in SUFFIXES.values():
        raise TableError("不支持的文件类型。")
    if sheet is None:
        visible = list_sheets(path, kind)
        if not visible:
            raise TableError("工作簿中没有可读取的工作表（都已隐藏？）。")
        sheet = visible[0]
    if kind == "xlsx":
        with _xlsx_table(path, sheet) as table:
            yield table
    elif kind == "xls":
        yield _xls_table(path, sheet)
    else:
        yield _csv_table(path)


@contextmanager
def _xlsx_table(path: Path, sheet: Sheet) -> Iterator[Table]:
    """A worksheet: read by calamine (Rust, about ten times this module's XML reader),
    by the XML reader when the sheet holds formula errors (calamine reads "#N/A" as an empty
    cell, and a person fixing the file needs to be told which cell shows it) or spreads over too
    many cells for calamine's grid, and by openpyxl where the layout is one neither knows.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise TableError("文件已损坏，无法作为 Excel 工作簿打开。") from None
    with archive:
        workbook = _known(_xlsx_workbook, archive)
        # None: a layout this module does not know, which is openpyxl's to read.
        part = workbook.parts_by_index.get(sheet.index) if workbook else None
        if workbook and part and _calamine_can_read(archive, part):
            yield Table("xlsx", _guarded(_calamine_rows(path, sheet.name)), workbook.date1904)
            return
        layout = (
            _known(_xlsx_layout, archive, workbook, part) if part and _FAST_XML_IS_SAFE else None
        )
        if layout is not None:
            with _xml_table(archive, layout) as table:
                yield table
            return
    with _openpyxl_table(path, sheet) as table:
        yield table


@contextmanager
def _xml_table(archive: zipfile.ZipFile, layout: _XlsxLayout) -> Iterator[Table]:
    try:
        handle = archive.open(layout.sheet)
    except Exception:  # a damaged entry: zipfile raises several types
        raise TableError("文件内容已损坏，无法读取工作表。") from None
    merges = _xml_merges(archive, layout.sheet)
    with handle:
        rows = filled_merges(_xlsx_sheet_rows(handle, layout), merges)
        yield Table("xlsx", _guarded(rows), layout.date1904)


def _xlsx_sheets(path: Path) -> list[Sheet]:
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = _known(_xlsx_workbook, archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise TableError("文件已损坏，无法作为 Excel 工作簿打开。") from None
    if workbook is not None:
        return workbook.visible
    return _openpyxl_sheets(path)


def _known(read: Callable[..., _T], *args: Any) -> _T | None:
    """What `read` finds in the archive, or None for a layout it does not know (openpyxl's turn)."""
    try:
        return read(*args)
    except Exception:  # any parser or lookup failure means the same: not a layout we know
        return None


# t="e" on a cell: a formula error (#N/A, #DIV/0! …). A false match only costs the slower reader.
_ERROR_CELL = re.compile(rb"""\st\s*=\s*["']e["']""")
# Calamine places a cell by its own r (the last one, should a tag carry two), and a cell
# without one by its row and its place in the row. So a sheet goes to calamine only when every
# cell tag carries an r; then every r value in the part, wherever it stands, bounds the grid
# (one that is not a cell's only overstates it).
_PREFIXED_CELL_TAG = re.compile(rb"<\w+:c[\s/>]")  # rare: the patterns allowing one are slower
_CELL_TAG = {False: re.compile(rb"<c[\s/>]"), True: re.compile(rb"<(?:\w+:)?c[\s/>]")}
_CELL_TAG_WITH_R = {
    False: re.compile(rb"<c\s(?:[^>]*?\s)?r\s*="),
    True: re.compile(rb"<(?:\w+:)?c\s(?:[^>]*?\s)?r\s*="),
}
_REFERENCE = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]+)(\d+)")
# Calamine holds a sheet as one dense grid from A1 to its last cell: a 5 KB file with one cell
# in A1 and one in ZZ200000 takes 4 GB and 10 s, one in XFD1048576 would take the machine.
# Sheets spread over more cells than this go through the streaming XML reader instead.
CALAMINE_MAX_CELLS = 5_000_000


def _calamine_can_read(archive: zipfile.ZipFile, sheet: str) -> bool:
    """No formula errors, and a grid small enough to hold: see the two limits above."""
    try:
        data = archive.read(sheet)
    except Exception:  # a damaged entry: let the readers report it
        return True
    if (b'"e"' in data or b"'e'" in data) and _ERROR_CELL.search(data):
        return False  # (the plain search first: it takes a twentieth of the pattern's time)
    if not _every_cell_has_a_reference(data):
        return False  # a cell placed by its row and neighbours: the grid has no cheap bound
    references = _REFERENCE.findall(data)
    rows = _largest_number({number for _letters, number in references})
    letters = {column for column, _number in references}
    columns = max((_column_index(column.decode()) for column in letters), default=-1) + 1
    return rows * columns <= CALAMINE_MAX_CELLS


def _every_cell_has_a_reference(data: bytes) -> bool:
    prefixed = _PREFIXED_CELL_TAG.search(data) is not None
    tags = len(_CELL_TAG[prefixed].findall(data))
    # Excel, WPS and the libraries write r first: counting that form spares the slow pattern.
    if not prefixed and data.count(b"<c r=") == tags:
        return True
    return len(_CELL_TAG_WITH_R[prefixed].findall(data)) == tags


_MERGE_CELL = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\sref\s*=\s*[\"']([A-Za-z]+)(\d+):([A-Za-z]+)(\d+)"
)


def _xml_merges(archive: zipfile.ZipFile, part: str) -> list[Merge]:
    """The merged blocks a sheet lists after its cells (read first: rows are filled as they
    stream past)."""
    try:
        data = archive.read(part)
    except Exception:  # a damaged entry: the reader reports it
        return []
    return [
        (int(top), int(bottom), _column_index(left.decode()), _column_index(right.decode()))
        for left, top, right, bottom in _MERGE_CELL.findall(data)
    ]


def _largest_number(digits: set[bytes]) -> int:
    # The longest string of digits is the largest number (a leading zero can only overstate it).
    return int(max(digits, key=lambda number: (len(number), number), default=b"0"))


def _calamine_rows(path: Path, sheet: str) -> Iterator[Row]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    try:
        found = book.get_sheet_by_name(sheet)
        grid = found.to_python(skip_empty_area=False)
        merges = [(top + 1, bottom + 1, left, right)
                  for (top, left), (bottom, right) in found.merged_cell_ranges or []]  # fmt: skip
    finally:
        book.close()
    yield from filled_merges(_calamine_grid_rows(grid), merges)


def _calamine_grid_rows(grid: list[list[Any]]) -> Iterator[Row]:
    for number, values in enumerate(grid, start=1):
        cells = list(map(_calamine_cell, values))
        while cells and cells[-1] is None:  # calamine pads every row to the sheet's width
            cells.pop()
        yield number, tuple(cells)


# A float carries an integer exactly below this; above it, the float is Excel's rounding.
_EXACT_FLOAT_INTEGERS = 10**15


def _calamine_cell(value: Any) -> Any:
    """As the other readers give cells: None when empty, dates as datetimes, and whole numbers
    (as Excel writes them into the file: "3", not "3.0") as int."""
    if value == "":
        return None
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    if type(value) is float and value.is_integer() and abs(value) < _EXACT_FLOAT_INTEGERS:
        return int(value)
    return value


def _openpyxl_sheets(path: Path) -> list[Sheet]:
    with _openpyxl_book(path) as book:
        return [
            Sheet(book.sheetnames.index(sheet.title), sheet.title) for sheet in book.worksheets
            if sheet.sheet_state == "visible"
        ]  # fmt: skip


@contextmanager
def _openpyxl_book(path: Path) -> Iterator[Any]:
    import openpyxl

    # A handle, not a path: openpyxl refuses paths whose name does not end in .xlsx, and
    # uploads are stored without one (and WPS names some .xlsx files .xls).
    with path.open("rb") as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many types on damaged files; the user needs one answer
            raise TableError("无法读取该 Excel 文件，文件可能已损坏或已加密。") from None
        try:
            yield book
        finally:
            book.close()


@contextmanager
def _openpyxl_table(path: Path, wanted: Sheet) -> Iterator[Table]:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    with _openpyxl_book(path) as book:
        try:
            sheet = book[wanted.name]
            # WPS writes a wrong <dimension>; without this read-only mode stops at its bogus end.
            sheet.reset_dimensions()
            date1904 = book.epoch == CALENDAR_MAC_1904
        except Exception:  # openpyxl raises many types on damaged files; the user needs one answer
            raise TableError("无法读取该 Excel 文件，文件可能已损坏或已加密。") from None
        # (Read-only openpyxl knows no merged blocks: on this rare path they stay unfilled.)
        rows = sheet.iter_rows(values_only=True)
        yield Table("xlsx", _guarded(enumerate(map(tuple, rows), start=1)), date1904)


EXCEL_MAX_COLUMNS = 16384
_FAST_XML_IS_SAFE = pyexpat.version_info >= (2, 4, 1)
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# Built-in number formats that show a date: the common ones, and the Chinese and Japanese
# locale formats (27–36, 50–58) that Excel on Chinese Windows uses without declaring them.
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])


@dataclass(frozen=True)
class _XlsxLayout:
    sheet: str
    strings: list[str]
    date_styles: frozenset[int]
    date1904: bool
    value_tag: str = ""
    inline_tag: str = ""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _part_path(base: str, target: str) -> str:
    """A relationship target as a path in the archive ("worksheets/sheet1.xml" → "xl/…")."""
    if target.startswith("/"):
        return target[1:]
    parts = [*base.split("/")[:-1], *target.split("/")]
    resolved: list[str] = []
    for part in parts:
        if part == "..":
            resolved.pop()
        elif part not in ("", "."):
            resolved.append(part)
    return "/".join(resolved)


def _relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """The relationships of a part: id → (type suffix, target path)."""
    folder, _slash, name = part.rpartition("/")
    rels = ElementTree.fromstring(archive.read(f"{folder}/_rels/{name}.rels".lstrip("/")))
    return {
        rel.get("Id", ""): (rel.get("Type", "").rpartition("/")[2],
                            _part_path(part, rel.get("Target", "")))
        for rel in rels
    }  # fmt: skip


@dataclass(frozen=True)
class _XlsxWorkbook:
    visible: list[Sheet]  # the visible worksheets
    parts_by_index: dict[int, str]  # each worksheet's part (path in the archive)
    date1904: bool
    parts: dict[str, str]  # relationship type → part, for the workbook's other parts


def _xlsx_workbook(archive: zipfile.ZipFile) -> _XlsxWorkbook:
    package = ElementTree.fromstring(archive.read("_rels/.rels"))
    workbook_part = next(
        _part_path("", rel.get("Target", "")) for rel in package
        if rel.get("Type", "").endswith("/officeDocument")
    )  # fmt: skip
    workbook = ElementTree.fromstring(archive.read(workbook_part))
    relations = _relations(archive, workbook_part)
    properties = next((e for e in workbook if _local(e.tag) == "workbookPr"), None)
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    sheets = next(e for e in workbook if _local(e.tag) == "sheets")
    visible, parts_by_index = [], {}
    for index, entry in enumerate(sheets):
        kind, part = relations[entry.get(_REL_NS + "id", "")]
        if kind != "worksheet":
            continue  # a chart sheet holds no cells
        parts_by_index[index] = part
        if entry.get("state", "visible") == "visible":
            visible.append(Sheet(index, entry.get("name", "")))
    return _XlsxWorkbook(visible, parts_by_index, date1904, dict(relations.values()))


def _xlsx_layout(archive: zipfile.ZipFile, workbook: _XlsxWorkbook, part: str) -> _XlsxLayout:
    strings = _shared_strings(archive, workbook.parts.get("sharedStrings"))
    date_styles = _date_styles(archive, workbook.parts.get("styles"))
    return _XlsxLayout(part, strings, date_styles, workbook.date1904)


def _shared_strings(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    if not part:
        return []
    strings = []
    with archive.open(part) as handle:
        for _event, element in ElementTree.iterparse(handle, events=("end",)):
            if _local(element.tag) == "si":
                strings.append(_rich_text(element))
                element.clear()
    return strings


def _rich_text(element: ElementTree.Element) -> str:
    """The text of a string item or inline string: its runs, without phonetic guides (rPh)."""
    texts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            texts.append(child.text or "")
        elif name == "r":
            texts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(texts)


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> frozenset[int]:
    from openpyxl.styles.numbers import is_date_format

    if not part:
        return frozenset()
    styles = ElementTree.fromstring(archive.read(part))
    custom: dict[int, str] = {}
    dates = set()
    for section in styles:
        if _local(section.tag) == "numFmts":
            custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in section}
        elif _local(section.tag) == "cellXfs":
            for index, xf in enumerate(section):
                format_id = int(xf.get("numFmtId", "0"))
                code = custom.get(format_id)
                if format_id in _DATE_FORMAT_IDS if code is None else is_date_format(code):
                    dates.add(index)
    return frozenset(dates)


@lru_cache(maxsize=EXCEL_MAX_COLUMNS)
def _column_index(letters: str) -> int:
    """ "C" → 2: the letters of a cell reference as a 0-based column."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def _xlsx_sheet_rows(handle: IO[bytes], layout: _XlsxLayout) -> Iterator[Row]:
    # Only end events, tags compared whole (namespace included): this loop sees every element.
    row_tag = ""
    number = 0
    for _event, element in ElementTree.iterparse(handle, events=("end",)):
        if element.tag != row_tag:
            if row_tag or _local(element.tag) != "row":
                continue
            row_tag = element.tag  # the first row tells the namespace of the cells
            namespace = row_tag[: -len("row")]
            layout = replace(layout, value_tag=namespace + "v", inline_tag=namespace + "is")
        number = int(element.get("r") or number + 1)
        yield number, _xlsx_row_values(element, layout, number)
        element.clear()  # its cells are read: a long sheet keeps only empty row shells


def _xlsx_row_values(row: ElementTree.Element, layout: _XlsxLayout, number: int) -> tuple[Any, ...]:
    values: list[Any] = []
    for cell in row:
        reference = cell.get("r")
        index = _column_index(reference.rstrip("0123456789")) if reference else len(values)
        if index >= EXCEL_MAX_COLUMNS:
            raise TableError(f"第{number}行的单元格超出了 Excel 的最大列数。")
        if index > len(values):
            values.extend([None] * (index - len(values)))
        values.append(_xlsx_value(cell, layout))
    return tuple(values)


def _xlsx_value(cell: ElementTree.Element, layout: _XlsxLayout) -> Any:
    raw = None
    for child in cell:
        if child.tag == layout.value_tag:
            raw = child.text
        elif child.tag == layout.inline_tag:
            return _rich_text(child)
    if raw is None:
        return None
    kind = cell.get("t", "n")
    if kind == "s":
        return layout.strings[int(raw)]
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw == "1"
    if kind == "d":
        return dt.datetime.fromisoformat(raw)
    number = float(raw) if "." in raw or "e" in raw or "E" in raw else int(raw)
    if layout.date_styles and int(cell.get("s") or 0) in layout.date_styles:
        return _excel_datetime(number, layout.date1904)
    return number


def _excel_datetime(number: float, date1904: bool) -> Any:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    try:
        return from_excel(number, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)
    except (ValueError, OverflowError):  # a serial no calendar holds: left for the importer
        return number


def _xls_book(path: Path) -> Any:
    import xlrd

    data = path.read_bytes()
    try:
        # formatting_info gives the merged blocks; a file whose formatting xlrd cannot follow
        # is still read for its values.
        try:
            return xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=True)
        except xlrd.XLRDError as error:
            if "encrypted" in str(error):
                raise
            return xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as error:
        if "encrypted" in str(error):  # an .xls saved with an open password
            raise TableError(PASSWORD_PROTECTED) from None
        raise TableError("无法读取该 .xls 文件，文件可能已损坏。") from None
    except Exception:  # xlrd raises many types on damaged files; the user needs one answer
        raise TableError("无法读取该 .xls 文件，文件可能已损坏或已加密。") from None


def _xls_sheets(path: Path) -> list[Sheet]:
    book = _xls_book(path)
    try:
        sheets = [book.sheet_by_index(index) for index in range(book.nsheets)]
    except Exception:  # a damaged sheet record
        raise TableError("无法读取该 .xls 文件，文件可能已损坏或已加密。") from None
    return [Sheet(index, sheet.name) for index, sheet in enumerate(sheets) if not sheet.visibility]


def _xls_table(path: Path, wanted: Sheet) -> Table:
    book = _xls_book(path)
    try:
        sheet = book.sheet_by_index(wanted.index)
    except Exception:  # xlrd raises many types on damaged files; the user needs one answer
        raise TableError("无法读取该 .xls 文件，文件可能已损坏或已加密。") from None
    merges = [(top + 1, bottom, left, right - 1) for top, bottom, left, right in sheet.merged_cells]
    rows = filled_merges(_xls_rows(sheet, book.datemode), merges)
    return Table("xls", _guarded(rows), book.datemode == 1)


def _xls_rows(sheet: Any, datemode: int) -> Iterator[Row]:
    import xlrd

    for index in range(sheet.nrows):
        values = []
        for kind, value in zip(sheet.row_types(index), sheet.row_values(index), strict=True):
            if kind == xlrd.XL_CELL_DATE:
                value = _xls_date(value, datemode)
            elif kind == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(value, "#错误")
            elif kind == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            elif kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                value = None
            values.append(value)
        yield index + 1, tuple(values)


def _xls_date(value: float, datemode: int) -> dt.datetime | float:
    import xlrd

    try:
        return xlrd.xldate_as_datetime(value, datemode)
    except Exception:  # a serial Excel itself cannot show: leave the number to be reported
        return value


def _csv_table(path: Path) -> Table:
    text = _decode_text(path.read_bytes())
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return Table("csv", _guarded(enumerate((tuple(r) for r in reader), start=1)))


def _sniff_delimiter(text: str) -> str:
    """Comma or tab: whichever the first lines use more ("Unicode text" from Excel uses tabs)."""
    sample = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])
    return "\t" if sample.count("\t") > sample.count(",") else ","


def _guarded(rows: Iterator[Row]) -> Iterator[Row]:
    """Rows as they are parsed; a parser failure half-way becomes one TableError."""
    try:
        yield from rows
    except TableError:
        raise
    except Exception:  # damaged XML, truncated records, over-long CSV fields …
        raise TableError("文件内容已损坏，读取中断，请在 Excel 中打开后另存再导入。") from None


# A merged block: first and last row (numbered as rows are), first and last column (from 0).
Merge = tuple[int, int, int, int]
# What a file's merged blocks may make us build; a file with more is read without filling.
MAX_MERGES = 10_000
MAX_MERGE_COLUMN = 255  # an import sheet's columns lie well inside A to IV


def filled_merges(rows: Iterator[Row], merges: list[Merge]) -> Iterator[Row]:
    """Rows with each merged block's value in every cell of the block, as Excel shows it.

    Excel keeps a merged block's value in its top-left cell only: a branch's name merged down
    the 所在党组织 column, or a header cell merged over two header rows, would otherwise read
    as empty cells below it. Rows come in order, so the blocks are taken up as their first row
    passes and dropped after their last.
    """
    if not merges or len(merges) > MAX_MERGES:
        yield from rows
        return
    waiting = sorted(
        (top, bottom, left, min(right, MAX_MERGE_COLUMN))
        for top, bottom, left, right in merges if left <= MAX_MERGE_COLUMN
    )  # fmt: skip
    waiting.reverse()  # the next block to start is at the end
    live: dict[Merge, Any] = {}  # block → its value (None until its first row is read)
    for number, cells in rows:
        while waiting and waiting[-1][0] <= number:
            live[waiting.pop()] = None
        for block in [block for block in live if block[1] < number]:
            del live[block]
        yield number, (_fill(cells, live, number) if live else cells)


def _fill(cells: tuple[Any, ...], live: dict[Merge, Any], number: int) -> tuple[Any, ...]:
    filled = list(cells)
    for block in live:
        top, _bottom, left, right = block
        if number == top:
            live[block] = filled[left] if left < len(filled) else None
        if live[block] is None:
            continue
        filled.extend([None] * (right + 1 - len(filled)))
        filled[left : right + 1] = [live[block]] * (right + 1 - left)
    return tuple(filled)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# -- the header row ---------------------------------------------------------------------------

_TRAILING_NOTE = re.compile(r"(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>)$")
_WRAPPED = re.compile(r"^(?:\[([^\[\]]+)\]|【([^【】]+)】|<([^<>]+)>)$")
# Required-column marks and separators people put before or after a header's name.
_EDGE_MARKS = "*:：.、★☆※●◆▲√"


def header_key(text: object) -> str:
    """A header cell reduced to its name: " 性 別* ", "性别（必填）", "★性别" and "【性别】" are
    all "性别"."""
    key = fold_name(text)
    while True:
        wrapped = _WRAPPED.match(key)
        stripped = next(filter(None, wrapped.groups())) if wrapped else key
        stripped = _TRAILING_NOTE.sub("", stripped).strip(_EDGE_MARKS)
        if stripped == key:
            return key
        key = stripped


@dataclass(frozen=True)
class Header:
    """Where the header row is and which column holds which field."""

    row: int
    columns: dict[str, int]
    labels: dict[str, str] = field(default_factory=dict)  # field → the text in the file


def match_header(cells: tuple[Any, ...], aliases: Mapping[str, str]) -> dict[str, int]:
    """Which column holds which field; the first column wins when two name the same field."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if is_blank(cell):
            continue
        name = aliases.get(header_key(cell))
        if name is not None and name not in found:
            found[name] = index
    return found


def find_header(
    rows: Iterator[Row], aliases: Mapping[str, str], required: Mapping[str, str]
) -> Header:
    """The header row among the first rows (title rows above it are skipped).

    `aliases` maps header keys to field names; `required` maps the fields every file must have
    to the names a message uses for them. Consumes `rows` up to and including the header.
    """
    best: tuple[int, dict[str, int], tuple[Any, ...]] | None = None
    for number, cells in rows:
        if all(is_blank(cell) for cell in cells):
            continue
        found = match_header(cells, aliases)
        if best is None or len(found) > len(best[1]):
            best = (number, found, cells)
        if all(name in found for name in required):
            return Header(number, found, {k: str(cells[i]).strip() for k, i in found.items()})
        if number >= HEADER_SCAN_ROWS:
            break
    if best is None or len(best[1]) < 2:
        raise NoHeaderError(
            f"在前 {HEADER_SCAN_ROWS} 行中找不到表头行（应有“"
            + "”“".join(required.values())
            + "”等列），请使用导入模板。"
        )
    missing = [label for name, label in required.items() if name not in best[1]]
    raise TableError(f"第{best[0]}行表头缺少必填列：" + "、".join(missing) + "。")


def row_values(cells: tuple[Any, ...], columns: Mapping[str, int]) -> dict[str, Any]:
    """A data row as field → raw cell value; missing trailing cells are None."""
    width = len(cells)
    return {name: cells[index] if index < width else None for name, index in columns.items()}

"""Reading the spreadsheets people really have, safely: .xlsx (also from WPS), .xls and .csv.

An upload is trusted only after `inspect_file`: the name is on the allow-list, the size is within
the limit, the bytes are what the name claims (a renamed .exe is not a workbook), and a zip's
central directory promises no bomb. `read_table` then yields each row as (row number as the
spreadsheet shows it, cell values), and `find_header` finds the header row under any title rows.
Every failure is a TableError with a Chinese message; parser exceptions never escape.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tiejun.lib.chinese import fold_name

Row = tuple[int, tuple[Any, ...]]

SUFFIXES = {".xlsx": "xlsx", ".xls": "xls", ".csv": "csv"}
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# Zip-bomb limits, read from the central directory before anything is inflated. A real member
# workbook of 200,000 rows inflates to about 150 MB at a ratio near 10.
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_ENTRIES = 2000
_RATIO_CHECKED_FROM = 1024 * 1024  # tiny parts compress wildly and inflate to nothing
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
HEADER_SCAN_ROWS = 20


class TableError(ValueError):
    """A file that cannot be read as a table; `message` is Chinese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def inspect_file(path: Path, filename: str, *, max_bytes: int | None = None) -> str:
    """The kind of a file ("xlsx", "xls" or "csv") after the upload checks; else TableError."""
    suffix = Path(filename).suffix.lower()
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
        head = handle.read(len(_OLE2_MAGIC))
    kind = _content_kind(path, head)
    # An .xls that is really an .xlsx (WPS does this) is fine; text posing as a workbook is not.
    if (SUFFIXES[suffix] == "csv") != (kind == "csv"):
        raise TableError("文件内容与扩展名不符：不是有效的 Excel 工作簿或 CSV 文件。")
    return kind


def _content_kind(path: Path, head: bytes) -> str:
    if head.startswith(_ZIP_MAGIC):
        _check_xlsx_zip(path)
        return "xlsx"
    if head == _OLE2_MAGIC:
        return "xls"
    data = path.read_bytes()
    if b"\x00" in data and not data.startswith(_UTF16_BOMS):
        raise TableError("文件内容不是 Excel 工作簿或 CSV 文本，已拒绝。")
    _decode_text(data)
    return "csv"


def _check_xlsx_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise TableError("文件已损坏，无法作为 Excel 工作簿打开。") from None
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise TableError("文件不是 Excel 工作簿（.xlsx），已拒绝。")
    if len(entries) > MAX_ZIP_ENTRIES:
        raise TableError("文件内部结构异常（条目过多），已拒绝。")
    unzipped = sum(entry.file_size for entry in entries)
    zipped = sum(entry.compress_size for entry in entries)
    big = [e for e in entries if e.file_size >= _RATIO_CHECKED_FROM]
    worst = max((e.file_size / max(e.compress_size, 1) for e in big), default=0.0)
    overall = unzipped / max(zipped, 1) if unzipped >= _RATIO_CHECKED_FROM else 0.0
    if unzipped > MAX_UNZIPPED_BYTES or max(worst, overall) > MAX_COMPRESSION_RATIO:
        raise TableError("文件解压后异常巨大（疑似压缩炸弹），已拒绝。")


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
    """The first worksheet of a file: its rows, and how its number cells count days."""

    kind: str
    rows: Iterator[Row]
    date1904: bool = False


@contextmanager
def read_table(path: Path, kind: str) -> Iterator[Table]:
    """Open a file checked by `inspect_file`; rows are read lazily and the file closed after."""
    if kind == "xlsx":
        with _xlsx_table(path) as table:
            yield table
    elif kind == "xls":
        yield _xls_table(path)
    elif kind == "csv":
        yield _csv_table(path)
    else:
        raise TableError("不支持的文件类型。")


@contextmanager
def _xlsx_table(path: Path) -> Iterator[Table]:
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    # A handle, not a path: openpyxl refuses paths whose name does not end in .xlsx, and
    # uploads are stored without one (and WPS names some .xlsx files .xls).
    with path.open("rb") as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            sheet = book.worksheets[0]
            # WPS writes a wrong <dimension>; without this read-only mode stops at its bogus end.
            sheet.reset_dimensions()  # type: ignore[union-attr]
            date1904 = book.epoch == CALENDAR_MAC_1904
        except Exception:  # openpyxl raises many types on damaged files; the user needs one answer
            raise TableError("无法读取该 Excel 文件，文件可能已损坏或已加密。") from None
        try:
            rows = sheet.iter_rows(values_only=True)  # type: ignore[union-attr]
            yield Table("xlsx", _guarded(enumerate(map(tuple, rows), start=1)), date1904)
        finally:
            book.close()


def _xls_table(path: Path) -> Table:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=path.read_bytes(), on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception:  # xlrd raises many types on damaged files; the user needs one answer
        raise TableError("无法读取该 .xls 文件，文件可能已损坏或已加密。") from None
    return Table("xls", _guarded(_xls_rows(sheet, book.datemode)), book.datemode == 1)


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


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# -- the header row ---------------------------------------------------------------------------

_TRAILING_NOTE = re.compile(r"(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>)$")
_EDGE_MARKS = "*:：.、"


def header_key(text: object) -> str:
    """A header cell reduced to its name: " 性 別* " and "性别（必填）" are both "性别"."""
    key = fold_name(text)
    while True:
        stripped = _TRAILING_NOTE.sub("", key).strip(_EDGE_MARKS)
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
        raise TableError(
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

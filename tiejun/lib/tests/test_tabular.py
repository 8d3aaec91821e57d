from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiejun.lib import tabular
from tiejun.lib.office_files import PASSWORD_PROTECTED
from tiejun.lib.tabular import (
    TableError,
    find_header,
    header_key,
    inspect_file,
    match_header,
    read_table,
)
from tiejun.testing import rewrite_part

ALIASES = {"姓名": "name", "身份证号": "id_number", "身份证号码": "id_number", "性别": "gender"}
REQUIRED = {"name": "姓名", "id_number": "身份证号"}


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _xls(path: Path, rows: list[list[object]]) -> Path:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Sheet1")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(r, c, value, date_style)
            elif value is not None:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def _all_rows(path: Path, kind: str) -> list[tuple[int, tuple[object, ...]]]:
    with read_table(path, kind) as table:
        return list(table.rows)


# -- upload checks ----------------------------------------------------------------------------


def test_it_knows_each_allowed_kind_by_its_content(tmp_path):
    assert inspect_file(_xlsx(tmp_path / "a.xlsx", [["姓名"]]), "a.xlsx") == "xlsx"
    assert inspect_file(_xls(tmp_path / "a.xls", [["姓名"]]), "a.xls") == "xls"
    csv_path = tmp_path / "a.csv"
    csv_path.write_bytes("姓名,身份证号\r\n".encode("gb18030"))
    assert inspect_file(csv_path, "a.csv") == "csv"


def test_an_xlsx_saved_with_an_xls_name_is_read_as_what_it_is(tmp_path):
    path = _xlsx(tmp_path / "wps.xlsx", [["姓名"]])
    stored = path.rename(tmp_path / "upload")  # uploads are kept without a name
    assert inspect_file(stored, "名册.xls") == "xlsx"
    assert _all_rows(stored, "xlsx") == [(1, ("姓名",))]


def test_a_workbook_with_an_open_password_is_named_as_such(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _xlsx(tmp_path / "plain.xlsx", [["姓名"], ["张三"]])
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("123456", target)  # as Excel's 用密码进行加密 saves it
    with pytest.raises(TableError) as caught:
        inspect_file(locked, "名册.xlsx")
    assert caught.value.message == PASSWORD_PROTECTED


def test_an_xls_with_an_open_password_is_named_as_such(tmp_path):
    path = _xls(tmp_path / "a.xls", [["姓名"]])
    protect, filepass = b"\x12\x00\x02\x00\x00\x00", b"\x2f\x00\x02\x00\x00\x00"
    path.write_bytes(path.read_bytes().replace(protect, filepass, 1))  # the FILEPASS record
    assert inspect_file(path, "a.xls") == "xls"  # encrypted BIFF hides in the stream itself
    with pytest.raises(TableError) as caught:
        _all_rows(path, "xls")
    assert caught.value.message == PASSWORD_PROTECTED


@pytest.mark.parametrize(
    ("name", "says"),
    [("名册.et", "WPS 表格（.et）"), ("名册.ods", "OpenDocument"), ("名册.xlsm", "含宏")],
)
def test_a_spreadsheet_to_save_as_xlsx_first_is_told_so(tmp_path, name, says):
    path = _xlsx(tmp_path / "a.xlsx", [["姓名"]])
    with pytest.raises(TableError) as caught:
        inspect_file(path, name)
    assert says in caught.value.message and "另存为" in caught.value.message


def test_it_refuses_a_renamed_executable(tmp_path):
    path = tmp_path / "virus.xlsx"
    path.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200))
    with pytest.raises(TableError) as caught:
        inspect_file(path, "名册.xlsx")
    assert "拒绝" in caught.value.message


@pytest.mark.parametrize("name", ["名册.exe", "名册.txt", "名册", "名册.xlsx.exe"])
def test_it_refuses_names_off_the_allow_list(tmp_path, name):
    path = tmp_path / "upload"
    path.write_text("姓名,身份证号\n", encoding="utf-8")
    with pytest.raises(TableError, match="只能导入"):
        inspect_file(path, name)


def test_it_refuses_text_posing_as_a_workbook_and_a_workbook_posing_as_text(tmp_path):
    text = tmp_path / "a"
    text.write_text("姓名,身份证号\n", encoding="utf-8")
    with pytest.raises(TableError, match="扩展名不符"):
        inspect_file(text, "名册.xlsx")
    book = _xlsx(tmp_path / "b.xlsx", [["姓名"]])
    with pytest.raises(TableError, match="扩展名不符"):
        inspect_file(book, "名册.csv")


def test_it_refuses_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(TableError, match="不是 Excel 工作簿"):
        inspect_file(path, "a.xlsx")


def test_it_refuses_a_zip_bomb_before_inflating_it(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (64 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(TableError, match="压缩炸弹"):
        inspect_file(path, "bomb.xlsx")


def test_it_refuses_an_oversized_and_an_empty_file(tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", [["姓名"]] * 50)
    with pytest.raises(TableError, match="文件过大"):
        inspect_file(path, "a.xlsx", max_bytes=1024)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(TableError, match="空的"):
        inspect_file(empty, "empty.csv")


def test_it_refuses_binary_posing_as_csv_but_reads_excels_unicode_text(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("name\t姓名".encode("utf-16-le"))  # NUL bytes and no byte-order mark
    with pytest.raises(TableError, match="拒绝"):
        inspect_file(path, "a.csv")
    path.write_bytes("姓名\t职务\r\n张三\t科员\r\n".encode("utf-16"))  # with the mark
    assert inspect_file(path, "a.csv") == "csv"
    assert _all_rows(path, "csv")[1] == (2, ("张三", "科员"))


# -- reading ----------------------------------------------------------------------------------


def test_it_numbers_rows_as_the_spreadsheet_shows_them(tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", [["党员信息表"], [], ["姓名", "身份证号"], ["张三", "1"]])
    rows = [row for row in _all_rows(path, "xlsx") if row[1]]
    assert rows == [(1, ("党员信息表",)), (3, ("姓名", "身份证号")), (4, ("张三", "1"))]


def test_it_reads_past_a_wrong_dimension_as_wps_writes_it(tmp_path):
    path = _xlsx(tmp_path / "wps.xlsx", [["姓名"], ["张三"], ["李四"]])
    patched = rewrite_part(path, tmp_path / "patched.xlsx", "xl/worksheets/sheet1.xml",
                           b'<dimension ref="A1:A3"/>', b'<dimension ref="A1"/>')  # fmt: skip
    assert [values[0] for _n, values in _all_rows(patched, "xlsx")] == ["姓名", "张三", "李四"]


def test_a_formula_error_is_read_as_the_error_excel_shows(tmp_path):
    # A VLOOKUP that found nothing shows #N/A; the person fixing the sheet must see that text.
    import xlsxwriter

    path = tmp_path / "lookup.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号"])
    sheet.write_string(1, 0, "张三")
    sheet.write_formula(1, 1, "=VLOOKUP(A2,Sheet2!A:B,2,0)", None, "#N/A")
    book.close()
    assert _all_rows(path, "xlsx")[1] == (2, ("张三", "#N/A"))


def test_a_tiny_sheet_with_a_far_away_cell_is_streamed_not_held_as_a_grid(tmp_path):
    # Calamine would hold A1:ZZ200000 as 140 million cells (4 GB) for this 5 KB file.
    book = openpyxl.Workbook()
    book.active["A1"] = "姓名"
    book.active["ZZ200000"] = "x"
    path = tmp_path / "sparse.xlsx"
    book.save(path)
    rows = _all_rows(path, "xlsx")
    assert [(number, values[0], values[-1]) for number, values in rows] == [
        (1, "姓名", "姓名"),
        (200000, None, "x"),
    ]


def test_a_far_away_cell_in_a_row_that_says_it_is_row_2_is_streamed_too(tmp_path):
    # The cell's own reference places it (4 GB and 12 s in calamine), not its row's number.
    book = openpyxl.Workbook()
    book.active["A1"] = "姓名"
    book.active["ZZ200000"] = "x"
    book.save(tmp_path / "sparse.xlsx")
    path = rewrite_part(tmp_path / "sparse.xlsx", tmp_path / "lying.xlsx",
                        "xl/worksheets/sheet1.xml", b'<row r="200000"', b'<row r="2"')  # fmt: skip
    with zipfile.ZipFile(path) as archive:
        assert not tabular._calamine_can_read(archive, "xl/worksheets/sheet1.xml")
    assert _all_rows(path, "xlsx")[-1][1][-1] == "x"


def _sheet_data(tmp_path: Path, rows_xml: str) -> Path:
    """A workbook whose one sheet holds exactly these <row> elements (as other programs or an
    attacker write them), with inline strings so no shared-strings part is needed."""
    base = _xlsx(tmp_path / "base.xlsx", [["x"]])
    with zipfile.ZipFile(base) as archive:
        part = archive.read("xl/worksheets/sheet1.xml")
    start, end = part.index(b"<sheetData>"), part.index(b"</sheetData>") + len(b"</sheetData>")
    return rewrite_part(base, tmp_path / "crafted.xlsx", "xl/worksheets/sheet1.xml",
                        part[start:end], f"<sheetData>{rows_xml}</sheetData>".encode())  # fmt: skip


def _inline(text: str, reference: str = "", tag: str = "c") -> str:
    """A cell tag with an inline string; `reference` is its attributes' text, r included."""
    return f'<{tag} {reference} t="inlineStr"><is><t>{text}</t></is></{tag}>'


def _can_use_calamine(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return tabular._calamine_can_read(archive, "xl/worksheets/sheet1.xml")


def test_cells_without_a_reference_are_streamed_and_read_in_their_places(tmp_path):
    # Calamine places them by their row and order: 3,000 of them in row 1 and one cell in row
    # 20,000 make a 60-million-cell grid from a file of a few kilobytes.
    wide = "".join(_inline(f"c{n}") for n in range(3000))
    far = _inline("far", 'r="A20000"')
    path = _sheet_data(tmp_path, f'<row r="1">{wide}</row><row r="20000">{far}</row>')
    assert not _can_use_calamine(path)
    rows = _all_rows(path, "xlsx")
    assert rows[0][1][:2] == ("c0", "c1") and rows[0][1][-1] == "c2999"
    assert rows[-1] == (20000, ("far",))


def test_a_cell_with_two_references_is_bounded_by_both(tmp_path):
    # Calamine takes the last r of a tag; the first one alone would say the grid is one cell.
    cell = _inline("x", 'r="A1" r="ZZ200000"')
    assert not _can_use_calamine(_sheet_data(tmp_path, f'<row r="1">{cell}</row>'))


@pytest.mark.parametrize("reference", ['s="0" r="A1"', "r = 'A1'"])
def test_a_reference_written_another_way_is_found(tmp_path, reference):
    path = _sheet_data(tmp_path, f'<row r="1">{_inline("姓名", reference)}</row>')
    assert _can_use_calamine(path)
    assert _all_rows(path, "xlsx") == [(1, ("姓名",))]
    far = _inline("x", reference.replace("A1", "ZZ200000"))
    assert not _can_use_calamine(_sheet_data(tmp_path, f'<row r="1">{far}</row>'))


def test_cells_with_a_namespace_prefix_are_checked_as_well(tmp_path):
    near = _inline("x", 'r="A1"', tag="x:c")
    assert _can_use_calamine(_sheet_data(tmp_path, f'<row r="1">{near}</row>'))
    unplaced = _inline("x", tag="x:c")
    assert not _can_use_calamine(_sheet_data(tmp_path, f'<row r="1">{near}{unplaced}</row>'))


def test_it_reads_xls_dates_as_dates_and_numbers_as_numbers(tmp_path):
    path = _xls(tmp_path / "a.xls", [["入党日期", "编号"], [dt.date(2019, 7, 1), 15]])
    rows = _all_rows(path, "xls")
    assert rows[1] == (2, (dt.datetime(2019, 7, 1), 15.0))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_it_reads_csv_in_the_encodings_excel_writes(tmp_path, encoding):
    path = tmp_path / "a.csv"
    path.write_bytes("姓名,所在党组织\r\n張三,大氣環境處黨支部\r\n".encode(encoding))
    assert inspect_file(path, "a.csv") == "csv"
    assert _all_rows(path, "csv") == [
        (1, ("姓名", "所在党组织")),
        (2, ("張三", "大氣環境處黨支部")),
    ]


def test_it_sniffs_a_tab_separated_csv(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("姓名\t职务\n张三\t科员, 副处长\n", encoding="utf-8")
    assert _all_rows(path, "csv")[1] == (2, ("张三", "科员, 副处长"))


def test_a_damaged_workbook_is_one_chinese_error(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not-a-workbook")
    with pytest.raises(TableError, match="无法读取"):
        _all_rows(path, "xlsx")


# -- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "key"),
    [
        ("性别", "性别"),
        (" 性 别 ", "性别"),
        ("性別", "性别"),
        ("性别*", "性别"),
        ("*性别", "性别"),
        ("性别（必填）", "性别"),
        ("性别(必填)*", "性别"),
        ("性别【必填】", "性别"),
        ("出生日期（格式：2019-07-01）", "出生日期"),
        ("身份證號碼", "身份证号码"),
        ("手机号码：", "手机号码"),
        ("\u200b姓\u3000名\u00a0", "姓名"),
        ("★姓名", "姓名"),
        ("※ 民族", "民族"),
        ("【姓名】", "姓名"),
        ("[身份证号]（必填）", "身份证号"),
    ],
)
def test_header_key_strips_what_people_add_to_a_header(cell, key):
    assert header_key(cell) == key


def test_it_finds_the_header_under_a_title_row():
    rows = iter([(1, ("2026年党员信息表", None)), (2, ("序号", "姓 名", "身份证号码*", "备注"))])
    header = find_header(rows, ALIASES, REQUIRED)
    assert header.row == 2
    assert header.columns == {"name": 1, "id_number": 2}
    assert header.labels == {"name": "姓 名", "id_number": "身份证号码*"}


def test_the_first_column_wins_when_two_name_the_same_field():
    assert match_header(("身份证号", "身份证号码"), ALIASES) == {"id_number": 0}


def test_it_names_the_missing_required_columns():
    rows = iter([(1, ("姓名", "性别", "民族"))])
    with pytest.raises(TableError) as caught:
        find_header(rows, ALIASES, REQUIRED)
    assert caught.value.message == "第1行表头缺少必填列：身份证号。"


def test_it_says_so_when_there_is_no_header_at_all():
    rows = iter([(n, ("数据", n)) for n in range(1, 40)])
    with pytest.raises(TableError, match="找不到表头行"):
        find_header(rows, ALIASES, REQUIRED)


# -- fuzzing ----------------------------------------------------------------------------------


@given(st.text())
def test_fuzz_header_key_never_fails_and_leaves_no_spaces(text):
    key = header_key(text)
    assert isinstance(key, str)
    assert not any(char.isspace() for char in key)


cells = st.one_of(st.none(), st.text(max_size=12), st.integers(), st.floats(), st.booleans())


@given(st.lists(st.lists(cells, max_size=6).map(tuple), max_size=25))
def test_fuzz_find_header_answers_a_header_or_a_table_error(rows):
    numbered = iter(list(enumerate(rows, start=1)))
    try:
        header = find_header(numbered, ALIASES, REQUIRED)
    except TableError as error:
        assert error.message
    else:
        assert set(REQUIRED) <= set(header.columns)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
    body=st.binary(max_size=2048),
    name=st.sampled_from(["a.xlsx", "a.xls", "a.csv"]),
)
def test_fuzz_random_bytes_raise_only_table_errors(prefix, body, name):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(prefix + body)
        try:
            _all_rows(path, inspect_file(path, name))
        except TableError as error:
            assert error.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=1, max_size=512), st.integers(min_value=0, max_value=4000))
def test_fuzz_a_damaged_real_workbook_raises_only_table_errors(noise, offset):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    book.active.append(["张三", "110105194912310021"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = bytearray(buffer.getvalue())
    position = offset % len(data)
    data[position : position + len(noise)] = noise
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.xlsx"
        path.write_bytes(bytes(data))
        try:
            _all_rows(path, inspect_file(path, "a.xlsx"))
        except TableError as error:
            assert error.message


def _meaningful(rows: list[tuple[int, tuple[object, ...]]]) -> dict[int, tuple[object, ...]]:
    """Rows that hold something, without trailing empty cells (readers pad differently)."""
    found = {}
    for number, values in rows:
        trimmed = list(values)
        while trimmed and trimmed[-1] is None:
            trimmed.pop()
        if trimmed:
            found[number] = tuple(trimmed)
    return found


def _write_with(writer: str, path: Path, rows: list[list[object]], error: bool = False) -> None:
    """The rows, and with `error` a last row holding a formula that shows #N/A."""
    if writer == "openpyxl":
        book = openpyxl.Workbook()
        for values in rows:
            book.active.append(values)
        if error:
            book.active.append(["#N/A"])  # openpyxl stores it as an error cell (t="e")
        for row in book.active.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        book.save(path)
        return
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    dates = book.add_format({"num_format": "yyyy年m月d日"})
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    if error:
        sheet.write_formula(len(rows), 0, "=NA()", None, "#N/A")
    book.close()


sheet_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=15)
sheet_cell = st.one_of(
    st.none(),
    sheet_text,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(sheet_cell, max_size=7), min_size=1, max_size=12),
    writer=st.sampled_from(["openpyxl", "xlsxwriter"]),
    error=st.booleans(),
)
def test_fuzz_the_fast_xlsx_readers_read_what_openpyxl_reads(rows, writer, error):
    """Calamine reads the sheets without error cells, the XML reader those with them."""
    from tiejun.lib.tabular import _openpyxl_table, _xlsx_table, list_sheets

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.xlsx"
        _write_with(writer, path, rows, error)
        (sheet,) = list_sheets(path, "xlsx")
        with _xlsx_table(path, sheet) as fast, _openpyxl_table(path, sheet) as reference:
            assert _meaningful(list(fast.rows)) == _meaningful(list(reference.rows))


# -- workbooks of several sheets ---------------------------------------------------------------


def _branch_workbook(path: Path, *, error_cell: bool = False, chart: bool = True) -> Path:
    """Notes first, a hidden lookup list, two branches' sheets and a chart sheet."""
    book = openpyxl.Workbook()
    book.active.title = "填写说明"
    book.active["A1"] = "请按列填写，日期写到日。"
    hidden = book.create_sheet("民族")
    hidden.append(["姓名", "身份证号"])  # even a header-like hidden sheet is left alone
    hidden.sheet_state = "hidden"
    for name, person in (("一支部", "张三"), ("二支部", "李四")):
        sheet = book.create_sheet(name)
        sheet.append(["姓名", "身份证号"])
        sheet.append([person, "#N/A" if error_cell else "110101199003071234"])
        if error_cell:
            sheet["B2"].data_type = "e"
    if chart:
        book.create_chartsheet("图表")
    book.save(path)
    return path


@pytest.mark.parametrize("error_cell", [False, True], ids=["calamine", "xml-reader"])
def test_the_visible_worksheets_are_listed_and_each_read_on_its_own(tmp_path, error_cell):
    path = _branch_workbook(tmp_path / "branches.xlsx", error_cell=error_cell)
    sheets = tabular.list_sheets(path, "xlsx")
    assert [sheet.name for sheet in sheets] == ["填写说明", "一支部", "二支部"]
    with read_table(path, "xlsx", sheets[2]) as table:
        rows = list(table.rows)
    assert rows[1][1][0] == "李四"
    assert _all_rows(path, "xlsx") == [(1, ("请按列填写，日期写到日。",))]  # the first by default


def test_the_sheets_of_an_xls_workbook_hidden_ones_left_out(tmp_path):
    book = xlwt.Workbook()
    for name, person in (("说明", "不是数据"), ("隐藏", "旧数据"), ("一支部", "张三")):
        book.add_sheet(name).write(0, 0, person)
    book.get_sheet(1).visibility = 1
    path = tmp_path / "branches.xls"
    book.save(str(path))
    sheets = tabular.list_sheets(path, "xls")
    assert [(sheet.index, sheet.name) for sheet in sheets] == [(0, "说明"), (2, "一支部")]
    with read_table(path, "xls", sheets[1]) as table:
        assert list(table.rows) == [(1, ("张三",))]


def test_a_csv_file_is_one_sheet_without_a_name(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("姓名\n张三\n", encoding="utf-8")
    assert tabular.list_sheets(path, "csv") == [tabular.Sheet(0, "")]


def test_a_sheet_without_any_header_is_told_apart_from_a_header_missing_a_column():
    notes = iter([(1, ("请按列填写",)), (2, ("日期写到日",))])
    with pytest.raises(tabular.NoHeaderError):
        find_header(notes, ALIASES, REQUIRED)
    short = iter([(1, ("姓名", "性别"))])
    with pytest.raises(TableError) as caught:
        find_header(short, ALIASES, REQUIRED)
    assert not isinstance(caught.value, tabular.NoHeaderError)
    assert "缺少必填列：身份证号" in caught.value.message


def test_openpyxl_lists_the_same_sheets_for_layouts_only_it_knows(tmp_path):
    # (openpyxl cannot read back the empty chart sheet it writes itself)
    path = _branch_workbook(tmp_path / "branches.xlsx", chart=False)
    assert tabular._openpyxl_sheets(path) == tabular.list_sheets(path, "xlsx")
    with tabular._openpyxl_table(path, tabular.list_sheets(path, "xlsx")[1]) as table:
        assert [cells[0] for _n, cells in table.rows] == ["姓名", "张三"]


# -- merged cells ------------------------------------------------------------------------------


def _merged_workbook(path: Path, *, error_cell: bool = False) -> Path:
    """A two-row header with merged cells over a branch's rows merged down 所在党组织."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "所在党组织", "入党情况", None])
    sheet.append([None, None, "入党日期", "转正日期"])
    sheet.append(["张三", "一支部", "2010-07-01", "#N/A" if error_cell else "2011-07-01"])
    sheet.append(["李四", None, "2012-07-01", None])
    sheet.append(["王五", None, "2013-07-01", None])
    if error_cell:
        sheet["D3"].data_type = "e"
    for block in ("A1:A2", "B1:B2", "C1:D1", "B3:B5"):
        sheet.merge_cells(block)
    book.save(path)
    return path


@pytest.mark.parametrize("error_cell", [False, True], ids=["calamine", "xml-reader"])
def test_a_merged_block_reads_its_value_in_every_cell(tmp_path, error_cell):
    path = _merged_workbook(tmp_path / "merged.xlsx", error_cell=error_cell)
    rows = dict(_all_rows(path, "xlsx"))
    assert rows[2][:4] == ("姓名", "所在党组织", "入党日期", "转正日期")
    assert [rows[n][1] for n in (3, 4, 5)] == ["一支部"] * 3
    header = find_header(iter(_all_rows(path, "xlsx")), {"姓名": "name", "所在党组织": "org"},
                         {"name": "姓名", "org": "所在党组织"})  # fmt: skip
    assert header.row == 1  # the first row already holds both; the data rows stay as they are


def test_merged_blocks_of_an_xls_are_read_too(tmp_path):
    book = xlwt.Workbook()
    sheet = book.add_sheet("党员")
    sheet.write(0, 0, "姓名")
    sheet.write(0, 1, "所在党组织")
    for row, name in enumerate(["张三", "李四", "王五"], start=1):
        sheet.write(row, 0, name)
    sheet.write_merge(1, 3, 1, 1, "一支部")
    path = tmp_path / "merged.xls"
    book.save(str(path))
    assert [cells[1] for _n, cells in _all_rows(path, "xls")[1:]] == ["一支部"] * 3


def test_merged_blocks_cannot_blow_a_row_up(tmp_path):
    rows = iter([(1, ("姓名",)), (2, ("张三",)), (3, ("李四",))])
    wide = tabular.filled_merges(rows, [(2, 1_000_000, 0, 16383)])
    assert [len(cells) for _n, cells in wide] == [1, tabular.MAX_MERGE_COLUMN + 1, 256]
    many = [(n, n + 1, 0, 1) for n in range(1, tabular.MAX_MERGES + 2)]
    assert list(tabular.filled_merges(iter([(1, ("x",))]), many)) == [(1, ("x",))]

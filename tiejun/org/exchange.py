"""Member workbooks: the export, the import template, and the error list of a failed import.

All three use the import's standard headers, so an export by a user who may see full ID
numbers re-imports cleanly (as "unchanged" rows). An export with masked ID numbers is for
reading only: a masked number is not an ID number, so its rows come back as errors, never as
updates. ID and phone columns are written as text so Excel never turns them into numbers.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

import xlsxwriter
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse

from tiejun.lib import idcard, xlsx
from tiejun.lib.ethnicity import ETHNIC_GROUPS
from tiejun.lib.xlsx import XLSX_TYPE
from tiejun.org.importer import EXAMPLE_MARK, HEADERS, ORG_CODE_HEADER, REQUIRED, Problem
from tiejun.org.models import EDUCATION_CHOICES, Member

TEXT_COLUMNS = ("id_number", "phone")
DATE_COLUMNS = ("birth_date", "joined_on", "full_on")
_WIDTHS = {"id_number": 22, "org": 28, "post": 18, "phone": 15, "education": 12}
_EXPORT_CHUNK = 2000


def _formats(book: xlsxwriter.Workbook) -> dict[str, Any]:
    return {
        "header": book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1}),
        "required": book.add_format(
            {"bold": True, "bg_color": "#F2F2F2", "border": 1, "font_color": "#C8161D"}
        ),
        "text": book.add_format({"num_format": "@"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }


def _lay_out_columns(sheet: Any, formats: dict[str, Any], names: list[str]) -> None:
    """Widths, and text or date formats on whole columns so typed values keep their form."""
    for index, name in enumerate(names):
        width = _WIDTHS.get(name, 12)
        if name in TEXT_COLUMNS:
            sheet.set_column(index, index, width, formats["text"])
        elif name in DATE_COLUMNS:
            sheet.set_column(index, index, width, formats["date"])
        else:
            sheet.set_column(index, index, width)


# -- export -----------------------------------------------------------------------------------


def _member_cells(member: Member, *, reveal: bool) -> list[Any]:
    return [
        member.name,
        member.get_gender_display(),
        member.ethnicity,
        member.birth_date,
        member.id_number() if reveal else member.id_masked,
        member.education,
        member.joined_on,
        member.full_on,
        member.get_category_display(),
        member.org.name,
        member.post,
        member.phone if reveal else idcard.mask_phone(member.phone),
        member.org.code,
    ]


def write_members(members: Iterable[Member], target: IO[bytes] | str, *, reveal: bool) -> int:
    """Write the member sheet to a file or path, row by row in constant memory; rows written."""
    book = xlsx.workbook(target, constant_memory=True)
    formats = _formats(book)
    sheet = book.add_worksheet("党员名册")
    names = [*HEADERS, "org_code"]
    _lay_out_columns(sheet, formats, names)
    sheet.write_row(0, 0, [*HEADERS.values(), ORG_CODE_HEADER], formats["header"])
    sheet.freeze_panes(1, 0)
    count = 0
    for count, member in enumerate(members, start=1):
        for column, value in enumerate(_member_cells(member, reveal=reveal)):
            if isinstance(value, dt.date):
                sheet.write_datetime(count, column, value, formats["date"])
            elif names[column] in TEXT_COLUMNS:
                sheet.write_string(count, column, value or "", formats["text"])
            elif value not in (None, ""):
                sheet.write_string(count, column, str(value))
    book.close()
    return count


def export_response(queryset: QuerySet[Member], *, reveal: bool) -> FileResponse:
    """The member sheet as a download, built in a temporary file and streamed from it."""
    # FileResponse closes the file when the download ends; the OS deletes it then.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    members = queryset.select_related("org").iterator(chunk_size=_EXPORT_CHUNK)
    write_members(members, handle, reveal=reveal)
    handle.seek(0)
    stamp = dt.date.today().strftime("%Y%m%d")
    return FileResponse(
        handle, as_attachment=True, filename=f"党员名册-{stamp}.xlsx", content_type=XLSX_TYPE
    )


# -- template ---------------------------------------------------------------------------------

EXAMPLE_ROW = {
    "name": f"{EXAMPLE_MARK}：张海冰",
    "gender": "男",
    "ethnicity": "汉族",
    "birth_date": dt.date(1985, 3, 14),
    "id_number": "330106198503140037",
    "education": "大学本科",
    "joined_on": dt.date(2010, 7, 1),
    "full_on": dt.date(2011, 7, 1),
    "category": "正式党员",
    "org": "大气环境处党支部",
    "post": "科员",
    "phone": "13800138000",
}

INSTRUCTIONS = [
    "1. 在“党员信息”工作表中从第3行起逐行填写，每名党员一行；"
    "第2行为示例行，导入时自动跳过，可删除。",
    "2. 红色列为必填：姓名、民族、身份证号、入党日期、人员类别、所在党组织。"
    "性别和出生日期可不填，系统从身份证号中读取；填写时须与身份证号一致。",
    "3. 身份证号和手机号码列已设为文本格式，请勿改为数字格式，"
    "否则 Excel 会把18位身份证号的末三位变成0。",
    "4. 日期可写成 2019-07-01、2019/7/1、2019.7.1、2019年7月1日 或 20190701，须写到日。",
    "5. 所在党组织填写党组织名称或组织代码，须在您的管理范围内，且为党支部、党总支或党委；"
    "也可写正式名称（如“中共××处支部委员会”）或连同上级（如“机关党委/××处党支部”），"
    "导入前请在预览中核对系统据此找到的党组织。",
    "6. 预备党员不填转正日期；转正日期不得早于入党日期；入党时须年满规定年龄。",
    "7. 同一身份证号已在系统中的，导入时更新其信息并记入历史；"
    "文件中任何一行有误，整个文件都不会导入。",
    "8. 导出的名册可以修改后重新导入；但隐藏了部分身份证号的导出文件不能用于导入。",
    "9. 也可以每个支部一张工作表：有表头的工作表都会导入，"
    "本说明等没有表头的工作表和隐藏的工作表不导入。",
]


def template_workbook() -> bytes:
    """The import template: standard headers, text-formatted ID and phone columns, an example
    row the importer skips, and a sheet of instructions and allowed values."""
    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, in_memory=True)
    formats = _formats(book)
    sheet = book.add_worksheet("党员信息")
    names = list(HEADERS)
    _lay_out_columns(sheet, formats, names)
    for column, name in enumerate(names):
        style = formats["required"] if name in REQUIRED else formats["header"]
        sheet.write_string(0, column, HEADERS[name], style)
    for column, name in enumerate(names):
        value = EXAMPLE_ROW[name]
        if isinstance(value, dt.date):
            sheet.write_datetime(1, column, value, formats["date"])
        else:
            sheet.write_string(1, column, value, formats["text"] if name in TEXT_COLUMNS else None)
    sheet.freeze_panes(1, 0)
    _add_choices(book, sheet, names, formats)
    book.close()
    return buffer.getvalue()


def _add_choices(book: Any, sheet: Any, names: list[str], formats: dict[str, Any]) -> None:
    """The instructions sheet, with the allowed values the data sheet's drop-downs refer to."""
    guide = book.add_worksheet("填写说明")
    guide.set_column(0, 0, 100, formats["wrap"])
    guide.write_string(0, 0, "党员信息导入说明", formats["title"])
    for row, line in enumerate(INSTRUCTIONS, start=2):
        guide.write_string(row, 0, line, formats["wrap"])
    lists = {
        "gender": ["男", "女"],
        "category": ["正式党员", "预备党员"],
        "education": [value for value, _label in EDUCATION_CHOICES],
        "ethnicity": list(ETHNIC_GROUPS),
    }
    titles = {"gender": "性别", "category": "人员类别", "education": "学历", "ethnicity": "民族"}
    for offset, (name, values) in enumerate(lists.items()):
        column = 2 + offset
        guide.set_column(column, column, 12)
        guide.write_string(1, column, f"{titles[name]}可选值", formats["header"])
        guide.write_column(2, column, values)
        letter = xlsxwriter.utility.xl_col_to_name(column)
        index = names.index(name)
        sheet.data_validation(1, index, 10000, index, {
            "validate": "list", "source": f"=填写说明!${letter}$3:${letter}${len(values) + 2}",
            "error_message": f"请从下拉列表中选择{titles[name]}。",
        })  # fmt: skip


# -- errors -----------------------------------------------------------------------------------


def error_workbook(problems: Sequence[Problem]) -> bytes:
    """The errors of a failed import as a sheet: 行号, 列, 原因, and first 工作表 when the
    findings come from a workbook of several sheets."""
    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, in_memory=True)
    formats = _formats(book)
    sheet = book.add_worksheet("错误清单")
    with_sheet = any(problem.sheet for problem in problems)
    headers = ["工作表"] * with_sheet + ["行号", "列", "原因"]
    for column, width in enumerate([16] * with_sheet + [8, 16, 80]):
        sheet.set_column(column, column, width)
    sheet.write_row(0, 0, headers, formats["header"])
    sheet.freeze_panes(1, 0)
    for row, problem in enumerate(problems, start=1):
        if with_sheet:
            sheet.write_string(row, 0, problem.sheet)
        if problem.row:
            sheet.write_number(row, with_sheet, problem.row)
        sheet.write_string(row, with_sheet + 1, problem.column)
        sheet.write_string(row, with_sheet + 2, problem.message)
    book.close()
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(filename)}"

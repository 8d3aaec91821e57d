"""Workbooks of several sheets: notes first, one sheet per branch, hidden lookup lists. Every
visible sheet with a header is imported; findings then name their sheet."""

from __future__ import annotations

import io

import openpyxl

from tiejun.org.exchange import error_workbook
from tiejun.org.importer import import_members, plan_import
from tiejun.org.models import Member
from tiejun.org.tests.sheets import member_row, table, write_workbook, write_xls_workbook
from tiejun.testing import rewrite_part

NOTES = [["填写说明"], ["一、日期写到日，如 2019-07-01。"], ["二、每个支部一张工作表。"]]


def _branches(people, *, second=None):
    second = second or [member_row(3, org=people.branch_b.name)]
    return {
        "填写说明": NOTES,
        "一支部": table([member_row(1), member_row(2)]),
        "二支部": table(second),
    }


def test_every_branch_sheet_imports_and_the_notes_are_skipped(tmp_path, people):
    sheets = _branches(people)
    sheets["旧名册"] = table([member_row(9)])  # hidden: an old copy nobody meant to import
    path = write_workbook(tmp_path / "各支部.xlsx", sheets, hidden=("旧名册",))
    plan = import_members(path=path, kind="xlsx", user=people.office, source="各支部.xlsx")
    assert plan.saved and plan.counts()["new"] == 3
    assert set(Member.objects.filter(name__startswith="党员").values_list("name", "org")) == {
        ("党员1", people.branch_a.pk),
        ("党员2", people.branch_a.pk),
        ("党员3", people.branch_b.pk),
    }
    assert [str(w) for w in plan.warnings] == ["未导入没有党员信息表头的工作表：“填写说明”"]
    assert [(row.sheet, row.row) for row in plan.preview] == [("一支部", 2), ("一支部", 3),
                                                              ("二支部", 2)]  # fmt: skip


def test_findings_name_their_sheet_and_a_duplicate_names_the_other_sheet(tmp_path, people):
    twin = member_row(1, org=people.branch_b.name)
    path = write_workbook(
        tmp_path / "a.xlsx", _branches(people, second=[twin, member_row(4, ethnicity="火星族")])
    )
    plan = import_members(path=path, kind="xlsx", user=people.office)
    assert not plan.saved and not Member.objects.filter(name__startswith="党员").exists()
    assert [str(problem) for problem in plan.problems] == [
        "工作表“二支部” 第2行 [身份证号] 与工作表“一支部”第2行的身份证号重复",
        "工作表“二支部” 第3行 [民族] “火星族”不是56个民族之一，请填写如“汉族”“回族”",
    ]
    book = openpyxl.load_workbook(io.BytesIO(error_workbook(plan.problems))).active
    assert list(book.iter_rows(values_only=True))[:2] == [
        ("工作表", "行号", "列", "原因"),
        ("二支部", 2, "身份证号", "与工作表“一支部”第2行的身份证号重复"),
    ]


def test_a_branch_sheet_short_of_a_required_column_is_an_error_naming_it(tmp_path, people):
    sheets = _branches(people)
    sheets["二支部"] = [["姓名", "性别", "所在党组织"], ["张三", "男", people.branch_b.name]]
    plan = import_members(path=write_workbook(tmp_path / "a.xlsx", sheets), kind="xlsx",
                          user=people.office)  # fmt: skip
    assert not plan.saved and not Member.objects.filter(name__startswith="党员").exists()
    assert [str(problem) for problem in plan.problems] == [
        "工作表“二支部” 第1行表头缺少必填列：民族、身份证号、入党日期、人员类别。"
    ]


def test_one_data_sheet_behind_notes_reads_as_a_plain_sheet(tmp_path, people):
    sheets = {
        "填写说明": NOTES,
        "党员信息": table([member_row(1), member_row(2, ethnicity="火星族")]),
    }
    plan = plan_import(path=write_workbook(tmp_path / "a.xlsx", sheets), kind="xlsx",
                       user=people.office)  # fmt: skip
    assert not plan.several_sheets
    assert [str(problem) for problem in plan.problems] == [
        "第3行 [民族] “火星族”不是56个民族之一，请填写如“汉族”“回族”"
    ]
    assert [row.sheet for row in plan.preview] == [""]


def test_a_workbook_without_a_header_anywhere_says_so_once(tmp_path, people):
    path = write_workbook(tmp_path / "a.xlsx", {"说明": NOTES, "Sheet2": [["备注"]]})
    plan = plan_import(path=path, kind="xlsx", user=people.office)
    assert [str(problem) for problem in plan.problems] == [
        "2 张工作表中都找不到表头行（应有“姓名”“民族”“身份证号”“入党日期”“人员类别”“所在党组织”"
        "等列），请使用导入模板。"
    ]


def test_an_xls_workbook_with_notes_first_imports_its_data_sheet(tmp_path, people):
    path = write_xls_workbook(tmp_path / "a.xls", {"说明": NOTES, "党员": table([member_row(1)])})
    plan = import_members(path=path, kind="xls", user=people.office)
    assert plan.saved and Member.objects.filter(name="党员1").exists()


def test_a_workbook_whose_every_sheet_is_hidden_is_a_clear_error(tmp_path, people):
    # Excel refuses to hide the last sheet; a generated file may still do it.
    written = write_workbook(tmp_path / "a.xlsx", {"党员": table([member_row(1)])})
    path = rewrite_part(written, tmp_path / "hidden.xlsx", "xl/workbook.xml",
                        b'state="visible"', b'state="hidden"')  # fmt: skip
    plan = plan_import(path=path, kind="xlsx", user=people.office)
    assert [str(problem) for problem in plan.problems] == [
        "工作簿中没有可读取的工作表（都已隐藏？）。"
    ]

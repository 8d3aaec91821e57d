"""The member import in a browser: a sheet with bad rows lists each row, column and reason and
saves nothing; the corrected sheet previews, imports on confirmation and shows in the list."""

from __future__ import annotations

import datetime as dt

from tests.browser import download_sheet, login, shot
from tiejun.org.models import Member
from tiejun.org.tests.sheets import member_row, table, write_workbook, write_xlsx
from tiejun.testing import PASSWORD


def _sheet(path, *, broken: bool):
    rows = [
        member_row(1, name="刘 德华", joined_on="2008.7.1", full_on="2009年7月1日"),
        member_row(2, name="陈靜", org="大氣環境處黨支部"),  # traditional characters
        member_row(3, name="王建国", category="预备党员", full_on=None),
    ]
    if broken:
        rows[0]["入党日期"] = "2008年13月1日"
        rows[2]["所在党组织"] = "不存在的支部"
    return write_xlsx(path, table(rows), title="大气环境处党支部党员名册（2026年12月）")


def test_the_secretary_sees_each_bad_row_then_imports_the_corrected_sheet(page, people, tmp_path):
    login(page, "secretary", PASSWORD)
    page.click("nav >> text=党员导入")
    page.set_input_files("#id_file", str(_sheet(tmp_path / "名册.xlsx", broken=True)))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=发现 2 处错误")
    errors = page.locator(".tj-error-list tbody tr").all_inner_texts()
    assert len(errors) == 2
    # Spreadsheet row numbers: the title is row 1, the header row 2, the first member row 3.
    assert errors[0].split("\t")[:2] == ["3", "入党日期"] and "不是存在的日期" in errors[0]
    assert errors[1].split("\t")[:2] == ["5", "所在党组织"] and "不存在的支部" in errors[1]
    shot(page, "import-errors")
    sheet = download_sheet(page, "下载错误清单", tmp_path)
    assert [c.value for c in sheet[1]] == ["行号", "列", "原因"] and sheet.max_row == 3
    assert not Member.objects.filter(name__in=["刘德华", "陈靜", "王建国"]).exists()

    page.get_by_role("link", name="重新上传").click()
    page.set_input_files("#id_file", str(_sheet(tmp_path / "名册（改）.xlsx", broken=False)))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=检查通过")
    page.once("dialog", lambda dialog: dialog.accept())  # 确认导入？
    page.click("text=确认导入")
    page.wait_for_selector("text=导入完成：新增 3 名")
    assert "刘德华" in page.locator("#member-table").inner_text()
    shot(page, "import-done")
    imported = Member.objects.get(name="刘德华")
    assert imported.joined_on == dt.date(2008, 7, 1) and imported.org == people.branch_a


def test_the_office_imports_a_workbook_of_one_sheet_per_branch(page, people, tmp_path):
    sheets = {
        "填写说明": [["每个支部一张工作表，日期写到日。"]],
        "大气环境处": table([member_row(1, name="赵一"), member_row(2, name="钱二")]),
        "水生态环境处": table(
            [member_row(3, name="孙三", org=people.branch_b.name, ethnicity="火星族")]
        ),
    }
    login(page, "office", PASSWORD)
    page.goto("/members/import/")
    page.set_input_files("#id_file", str(write_workbook(tmp_path / "各支部名册.xlsx", sheets)))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=发现 1 处错误")
    error = page.locator(".tj-error-list tbody tr").inner_text().split("\t")
    assert error[:3] == ["水生态环境处", "2", "民族"]
    assert page.get_by_text("未导入没有党员信息表头的工作表：“填写说明”").is_visible()
    shot(page, "import-sheets-errors")


def test_the_office_imports_a_sheet_from_another_system_and_sees_which_orgs_it_found(
    page, people, tmp_path
):
    formal = "中共省生态环境厅机关委员会大气环境处支部委员会"
    rows = [member_row(1, name="周一", org=formal), member_row(2, name="吴二", org=formal),
            member_row(3, name="郑三", org="机关党委/水生态环境处党支部")]  # fmt: skip
    login(page, "office", PASSWORD)
    page.goto("/members/import/")
    page.set_input_files("#id_file", str(write_xlsx(tmp_path / "导出名册.xlsx", table(rows))))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=检查通过")
    assert page.get_by_text(f"“{formal}”按“大气环境处党支部”（组织代码 A）导入").is_visible()
    assert page.get_by_text("按“水生态环境处党支部”（组织代码 B）导入").is_visible()
    shot(page, "import-orgs-found")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=确认导入")
    page.wait_for_selector("text=导入完成：新增 3 名")
    assert Member.objects.get(name="郑三").org == people.branch_b

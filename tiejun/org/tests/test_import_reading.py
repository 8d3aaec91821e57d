"""The sheets people really have: title rows, typed dates, full-width digits, traditional
characters, .xls and GB18030 CSV files, and ID numbers that Excel turned into numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from tiejun.lib.idcard import upgrade_15
from tiejun.org.importer import (
    _Bad,
    check_id_number,
    clean_education,
    import_members,
    plan_import,
)
from tiejun.org.models import Member
from tiejun.org.tests.sheets import member_row, table, write_csv, write_xls, write_xlsx
from tiejun.testing import make_id_number

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def _messy_rows() -> list[dict[str, object]]:
    """Five rows as a real branch types them."""
    rows = [member_row(n) for n in range(1, 6)]
    rows[0]["入党日期"] = "2010/7/1"
    rows[0]["转正日期"] = "2011.7.1"
    rows[0]["手机号码"] = "+86 139-0000-0001"  # pasted from a business card
    rows[1]["入党日期"] = "2010年7月1日"
    rows[1]["转正日期"] = "20110701"
    rows[1]["所在党组织"] = "大氣環境處黨支部"  # traditional characters
    rows[2]["身份证号"] = str(rows[2]["身份证号"]).translate(FULL_WIDTH)
    rows[2]["手机号码"] = str(rows[2]["手机号码"]).translate(FULL_WIDTH)
    rows[2]["出生日期"] = "１９８０－０４－２１"  # 1980-01-01 + 37 × 3 days
    rows[3]["身份证号"] = "'" + str(rows[3]["身份证号"])  # typed with a leading apostrophe
    rows[3]["姓名"] = "\u00a0王\u3000小 明\u200b"  # hidden whitespace from a web page
    rows[3]["民族"] = "汉"
    rows[3]["学历"] = "本科"
    rows[3]["性别"] = " 女 "
    rows[4]["人员类别"] = "预备"
    rows[4]["转正日期"] = None
    rows[4]["所在党组织"] = " 大气环境处 党支部 "
    rows[4]["出生日期"] = None  # taken from the ID number
    return rows


def _assert_messy_rows_saved(people) -> None:
    members = Member.objects.filter(name__startswith="党员").order_by("name")
    assert members.count() == 4
    assert Member.objects.filter(name="王小明").exists()
    assert {m.org_id for m in Member.objects.exclude(pk__in=[people.zhang.pk, people.li.pk])} == {
        people.branch_a.pk
    }
    first = Member.objects.get(name="党员1")
    assert (first.joined_on, first.full_on) == (dt.date(2010, 7, 1), dt.date(2011, 7, 1))
    assert first.phone == "13900000001"
    third = Member.objects.get(name="党员3")
    assert third.phone.isascii() and third.phone.isdigit()
    wang = Member.objects.get(name="王小明")
    assert (wang.ethnicity, wang.education, wang.gender) == ("汉族", "大学本科", "female")
    fifth = Member.objects.get(name="党员5")
    assert (fifth.category, fifth.full_on) == (Member.Category.probationary, None)
    assert fifth.birth_date == dt.date(1980, 1, 1) + dt.timedelta(days=37 * 5)


def test_a_messy_xlsx_with_a_title_row_imports(tmp_path, people):
    trailing_empty_rows: list[list[object]] = [[None] * 12, [""] * 12]
    rows = [*table(_messy_rows()), *trailing_empty_rows]
    path = write_xlsx(tmp_path / "名册.xlsx", rows, title="2026年党员信息表")
    plan = import_members(path=path, kind="xlsx", user=people.office, source="名册.xlsx")
    assert plan.problems == []
    assert plan.saved and len(plan.new) == 5
    _assert_messy_rows_saved(people)


def test_a_messy_xls_imports(tmp_path, people):
    path = write_xls(tmp_path / "名册.xls", table(_messy_rows()), title="党员信息表")
    plan = import_members(path=path, kind="xls", user=people.office)
    assert plan.problems == []
    _assert_messy_rows_saved(people)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_a_messy_csv_imports_in_each_encoding(tmp_path, people, encoding):
    path = write_csv(tmp_path / "名册.csv", table(_messy_rows()), encoding=encoding)
    plan = import_members(path=path, kind="csv", user=people.office)
    assert plan.problems == []
    _assert_messy_rows_saved(people)


def test_traditional_org_names_find_their_simplified_org(tmp_path, people):
    rows = [member_row(1, org="大氣環境處黨支部"), member_row(2, org="水生態環境處黨支部")]
    plan = plan_import(path=write_xlsx(tmp_path / "a.xlsx", table(rows)), kind="xlsx", user=None)
    assert plan.problems == []
    assert [m.org for m in plan.new] == [people.branch_a, people.branch_b]


def test_an_org_may_be_given_by_its_code(tmp_path, people):
    rows = [member_row(1, org="b")]
    plan = plan_import(path=write_xlsx(tmp_path / "a.xlsx", table(rows)), kind="xlsx", user=None)
    assert plan.new[0].org == people.branch_b


def test_aliases_free_column_order_and_extra_columns(tmp_path, people):
    headers = ["序号", "所在支部", "公民身份号码", "姓 名", "性 别", "民族*", "入党时间（必填）",
               "转正时间", "党员类别", "联系电话", "现任职务", "文化程度", "备注"]  # fmt: skip
    row = member_row(1)
    values = [1, row["所在党组织"], row["身份证号"], row["姓名"], row["性别"], row["民族"],
              row["入党日期"], row["转正日期"], row["人员类别"], row["手机号码"], row["职务"],
              "硕士", "无"]  # fmt: skip
    path = write_xlsx(tmp_path / "a.xlsx", [headers, values])
    plan = import_members(path=path, kind="xlsx", user=people.office)
    assert plan.problems == []
    member = Member.objects.get(name="党员1")
    assert (member.education, member.post, member.phone) == ("硕士研究生", "科员", row["手机号码"])


def test_the_national_member_systems_date_headers_are_read(tmp_path, people):
    # 全国党员管理信息系统's 党员信息采集表 names the two dates so.
    row = member_row(1)
    headers = ["姓名", "民族", "公民身份号码", "加入党组织日期", "转为正式党员日期", "人员类别",
               "所在党支部"]  # fmt: skip
    values = [row["姓名"], row["民族"], row["身份证号"], row["入党日期"], row["转正日期"],
              row["人员类别"], row["所在党组织"]]  # fmt: skip
    plan = import_members(path=write_xlsx(tmp_path / "a.xlsx", [headers, values]), kind="xlsx",
                          user=people.office)  # fmt: skip
    assert plan.problems == [] and plan.saved
    member = Member.objects.get(name="党员1")
    assert (member.joined_on, member.full_on) == (row["入党日期"], row["转正日期"])


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("大学本科（学士）", "大学本科"),
        ("本科学历", "大学本科"),
        ("全日制本科", "大学本科"),
        ("硕士研究生毕业", "硕士研究生"),
        ("研究生（博士）", "博士研究生"),
        ("在职研究生(硕士)", "硕士研究生"),
        ("高中毕业", "高中"),
        ("大專", "大学专科"),
    ],
)
def test_education_as_cadre_sheets_write_it(written, level):
    assert clean_education(written) == level


@pytest.mark.parametrize("written", ["本科肄业", "研究生在读", "党校研究生（结业）", "学士"])
def test_an_education_not_finished_or_not_a_level_is_refused(written):
    with pytest.raises(_Bad, match="不是有效的学历"):
        clean_education(written)


def test_a_post_column_named_as_cadre_sheets_name_it_is_read(tmp_path, people):
    row = {(h if h != "职务" else "工作单位及职务"): v
           for h, v in member_row(1, post="大气环境处副处长").items()}  # fmt: skip
    plan = import_members(path=write_xlsx(tmp_path / "a.xlsx", table([row], [*row])),
                          kind="xlsx", user=people.office)  # fmt: skip
    assert plan.saved and Member.objects.get(name="党员1").post == "大气环境处副处长"


def test_a_sheet_with_merged_header_cells_and_a_merged_org_column_imports(tmp_path, people):
    # As offices lay a roster out: 入党情况 over two header rows, the branch merged down.
    import openpyxl

    rows = [member_row(n) for n in (1, 2, 3)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "民族", "身份证号", "人员类别", "所在党组织", "入党情况", None])
    sheet.append([None, None, None, None, None, "入党日期", "转正日期"])
    for row in rows:
        sheet.append([row["姓名"], row["民族"], row["身份证号"], row["人员类别"],
                      row["所在党组织"] if row is rows[0] else None, row["入党日期"],
                      row["转正日期"]])  # fmt: skip
    for block in ("A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:G1", "E3:E5"):
        sheet.merge_cells(block)
    book.save(tmp_path / "merged.xlsx")
    plan = import_members(path=tmp_path / "merged.xlsx", kind="xlsx", user=people.office)
    assert plan.problems == [] and plan.saved
    assert Member.objects.filter(name__startswith="党员", org=people.branch_a).count() == 3


def test_an_id_number_excel_stored_as_a_float_is_reported(tmp_path, people):
    damaged = float(make_id_number(dt.date(1949, 12, 31), 1))  # 1.1…E+17: the tail is lost
    path = write_xlsx(tmp_path / "a.xlsx", table([member_row(1, id_number=damaged)]))
    plan = import_members(path=path, kind="xlsx", user=people.office)
    assert not plan.saved
    [problem] = plan.problems
    assert (problem.row, problem.column) == (2, "身份证号")
    assert "文本" in problem.message
    assert not Member.objects.filter(name="党员1").exists()


def _all_digit_id(birth: dt.date) -> str:
    numbers = (make_id_number(birth, serial) for serial in range(1, 30))
    return next(number for number in numbers if number.isdigit())


def test_an_integer_id_cell_is_recovered_unless_its_tail_was_zeroed():
    whole = _all_digit_id(dt.date(1980, 2, 7))
    assert check_id_number(int(whole)).number == whole
    damaged = check_id_number(int(whole[:15] + "000"))
    assert not damaged.ok
    assert "文本" in damaged.errors[0] and "0" in damaged.errors[0]


def test_an_integer_written_by_openpyxl_keeps_15_digits_like_excel_and_is_reported(
    tmp_path, people
):
    number = int(_all_digit_id(dt.date(1980, 1, 1)))
    path = write_xlsx(tmp_path / "a.xlsx", table([member_row(1, id_number=number)]))
    [problem] = plan_import(path=path, kind="xlsx", user=None).problems
    assert "文本" in problem.message


def test_a_15_digit_number_cell_is_recovered_and_upgraded(tmp_path, people):
    old = "330106800208071"  # exact in a number cell: 15 digits fit
    rows = [member_row(2, id_number=float(old), birth=dt.date(1980, 2, 8), female=False)]
    plan = plan_import(path=write_xlsx(tmp_path / "a.xlsx", table(rows)), kind="xlsx", user=None)
    assert plan.problems == []
    assert [m.id_number() for m in plan.new] == [upgrade_15(old)]
    assert any("15位" in w.message for w in plan.warnings)


def test_a_phone_number_cell_is_read_as_text(tmp_path, people):
    path = write_xlsx(tmp_path / "a.xlsx", table([member_row(1, phone=13912345678)]))
    plan = plan_import(path=path, kind="xlsx", user=None)
    assert plan.new[0].phone == "13912345678"


def test_a_phone_with_a_note_imports_and_two_numbers_in_one_cell_are_named(tmp_path, people):
    rows = [member_row(1, phone="13800138000（微信同号）"),
            member_row(2, phone="13900139000/0571-88886666")]  # fmt: skip
    plan = plan_import(path=write_xlsx(tmp_path / "a.xlsx", table(rows)), kind="xlsx", user=None)
    assert [member.phone for member in plan.new] == ["13800138000"]
    assert [(p.row, p.column, p.message) for p in plan.problems] == [
        (3, "手机号码", "一格只能填写一个号码，如 13800138000；其他号码请记在别处")
    ]


def test_the_template_example_row_is_skipped(tmp_path, people):
    rows = [member_row(1, name="示例：张海冰"), member_row(2)]
    plan = plan_import(path=write_xlsx(tmp_path / "a.xlsx", table(rows)), kind="xlsx", user=None)
    assert [m.name for m in plan.new] == ["党员2"]
    assert any("示例" in w.message for w in plan.warnings)


def test_a_file_without_data_rows_is_an_error(tmp_path, people):
    plan = plan_import(path=write_xlsx(tmp_path / "a.xlsx", table([])), kind="xlsx", user=None)
    assert [str(p) for p in plan.problems] == ["文件中没有数据行（表头下面是空的）。"]


def test_a_missing_required_column_is_one_clear_error(tmp_path, people):
    rows = table([member_row(1)])
    rows = [row[:4] for row in rows]  # 姓名 性别 民族 出生日期 only
    [problem] = plan_import(
        path=write_xlsx(tmp_path / "a.xlsx", rows), kind="xlsx", user=None
    ).problems
    assert "缺少必填列" in problem.message and "身份证号" in problem.message

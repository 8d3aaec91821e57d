from __future__ import annotations

import datetime as dt

from tests.browser import download_sheet, login, shot
from tiejun.org.models import Member
from tiejun.testing import PASSWORD, make_id_number, make_member, override_rule


def test_a_wrong_password_is_refused_in_chinese(page, people):
    login(page, "office", "wrong-password")
    assert page.locator(".alert-danger").inner_text() == "用户名或口令不正确。"
    shot(page, "login-error")


def test_the_office_browses_the_tree(page, people):
    make_member(people.branch_b, "李华", female=True)
    login(page, "office", PASSWORD)
    page.click("text=组织与党员")
    page.wait_for_selector(".tj-tree-link >> text=水生态环境处党支部")
    page.click(".tj-tree-link >> text=水生态环境处党支部")
    page.wait_for_selector("#org-pane h1 >> text=水生态环境处党支部")
    assert page.locator("#org-pane").get_by_text("李华").is_visible()
    assert "org=" in page.url
    shot(page, "org-tree")


def test_the_secretary_adds_a_member_and_sees_field_errors_first(page, people):
    login(page, "secretary", PASSWORD)
    page.goto("/members/new/")
    page.fill("#id_name", "陈晓东")
    page.fill("#id_id_number", "110105194912310021")  # wrong check digit
    page.fill("#id_joined_on", "2012-06-30")
    page.fill("#id_full_on", "2013-06-30")
    page.select_option("#id_category", "full")
    page.click("main button[type=submit]")
    assert "校验位" in page.locator(".tj-field-error").first.inner_text()
    assert page.input_value("#id_name") == "陈晓东"  # nothing typed is lost
    shot(page, "member-form-error")
    page.fill("#id_id_number", make_id_number(dt.date(1988, 8, 8), 5))
    page.click("main button[type=submit]")
    page.wait_for_selector("h1 >> text=陈晓东")
    assert Member.objects.filter(name="陈晓东", org=people.branch_a).exists()
    page.click("text=历史")
    assert page.get_by_text("建档").first.is_visible()
    shot(page, "member-detail-history")


def test_the_office_searches_and_exports_what_the_filters_show(page, people, tmp_path):
    make_member(people.branch_b, "李华", female=True)
    login(page, "office", PASSWORD)
    page.goto("/members/")
    page.fill("#id_q", "lh")
    page.click("button >> text=查询")
    page.wait_for_selector("text=共 1 条")
    shot(page, "member-list")
    sheet = download_sheet(page, "导出 Excel", tmp_path)
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert names == ["李华"]


def test_a_member_reads_their_own_record_on_a_phone(phone, people):
    login(phone, "member", PASSWORD)
    phone.goto(f"/members/{people.zhang.pk}/")
    assert phone.get_by_role("heading", name="张海冰").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling on a phone"
    shot(phone, "member-phone")


def test_a_search_past_the_limit_says_so_in_the_list(page, people):
    override_rule("security.search.rate_per_user", 1, source="测试")
    login(page, "office", PASSWORD)
    page.goto("/members/")
    for _n in range(2):
        page.fill("#id_q", "张")
        page.click("button >> text=查询")
    page.wait_for_selector("#member-table >> text=搜索过于频繁，请稍后再试。")
    assert page.locator("nav.tj-sidebar, .tj-sidebar").count() == 1  # a fragment, not a page

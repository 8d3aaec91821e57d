"""The inbox in a real browser: the secretary sees the 换届 reminder first thing and follows it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.browser import login, shot
from tiejun.org.models import Committee, Member
from tiejun.reminders import engine
from tiejun.testing import PASSWORD, make_member


def _reminders(people) -> None:
    today = timezone.localdate()
    expired = today - dt.timedelta(days=20)
    Committee.objects.create(
        org=people.branch_a,
        number=2,
        term_years=3,
        elected_on=expired.replace(year=expired.year - 3),
    )
    make_member(
        people.branch_a,
        "王晓明",
        category=Member.Category.probationary,
        joined_on=(today + dt.timedelta(days=12)).replace(year=today.year - 1),
    )
    engine.run(today=today, codes=["reelection", "probation"])


def test_the_secretary_sees_the_reelection_reminder_and_follows_it(page, people):
    _reminders(people)
    login(page, "secretary", PASSWORD)
    inbox = page.locator("#inbox")
    inbox.wait_for()
    first = inbox.locator(".tj-reminder").first
    assert first.locator(".tj-tag-red").inner_text() == "已逾期"
    assert "尚未换届" in first.inner_text()
    assert "王晓明预备期" in inbox.inner_text()
    assert page.locator(".tj-topbar-inbox").inner_text().replace(" ", "") == "待办2"
    shot(page, "inbox-home-secretary")
    first.locator(".tj-reminder-title").click()
    page.wait_for_selector("#org-pane h1 >> text=大气环境处党支部")
    assert f"org={people.branch_a.pk}" in page.url
    page.click(".tj-topbar-inbox")
    page.wait_for_selector("h1 >> text=我的待办")
    page.click("text=已逾期 >> nth=0")
    assert page.locator(".tj-reminder").count() == 1
    shot(page, "inbox-page-overdue")


def test_the_member_sees_his_own_reminder_on_a_phone(phone, people):
    _reminders(people)
    from tiejun.accounts.roles import Role
    from tiejun.testing import make_user

    wang = Member.objects.get(name="王晓明")
    make_user("wang", Role.member, member=wang)
    login(phone, "wang", PASSWORD)
    phone.locator("#inbox").wait_for()
    assert phone.locator("#inbox .tj-reminder").count() == 1
    assert "尚未换届" not in phone.locator("#inbox").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no horizontal scrolling
    shot(phone, "inbox-home-phone")


def test_a_long_account_name_fits_a_phone(phone, people):
    _reminders(people)  # the 待办 button with its count takes room too
    people.root.name = "中共某省生态环境厅机关委员会"
    people.root.save(update_fields=["name"])
    people.office.display_name = "机关党委办公室组织科"
    people.office.save(update_fields=["display_name"])
    login(phone, "office", PASSWORD)
    phone.locator("#inbox").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.locator(".tj-topbar-user .dropdown-toggle").is_visible()
    shot(phone, "topbar-long-name-phone")

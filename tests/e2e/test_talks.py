"""必谈 in a real browser: the secretary records 生病住院 for a member, finds the talk in the home
inbox, records it from the open item, and the inbox item is gone."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from tests.browser import login, shot
from tiejun.life.tests.helpers import seat
from tiejun.testing import PASSWORD, make_member


def _run_reminders() -> None:
    # Only the 必谈 rule: the test branch holds no meetings, so the meeting rules would put a
    # dozen overdue items ahead of it and past the eight the home page shows.
    call_command("reminders", "--rule", "must_talk", stdout=StringIO())


def test_the_secretary_records_an_event_and_the_talk_that_answers_it(page, people):
    wang = make_member(people.branch_a, "王书记")
    seat(people.branch_a, wang, "secretary")
    today = timezone.localdate()
    login(page, "secretary", PASSWORD)
    page.locator("#inbox").wait_for()
    page.click("text=谈心谈话")
    page.wait_for_selector("h1 >> text=谈心谈话")
    page.click("a:has-text('必谈事由')")
    page.wait_for_selector("h1 >> text=必谈事由")
    page.select_option("#id_member", label="张海冰")
    page.select_option("#id_kind", label="生病住院")
    page.fill("#id_happened_on", today.isoformat())
    page.fill("#id_note", "市人民医院住院治疗")
    page.click("#life-event-form button[type=submit]")
    page.wait_for_selector("text=必谈事由已登记")
    row = page.locator("#open-events tbody tr").first
    assert "张海冰" in row.inner_text() and row.locator(".tj-tag-amber").inner_text() == "临期"
    shot(page, "talks-must-talk-open")

    _run_reminders()
    page.goto("/")
    item = page.locator("#inbox .tj-reminder", has_text="张海冰生病住院")
    assert item.locator(".tj-tag-amber").inner_text() == "临期"
    shot(page, "talks-inbox-home")

    page.goto(f"/talks/must-talk/?org={people.branch_a.pk}")
    page.click("#open-events >> text=记录谈话")
    page.wait_for_selector("h1 >> text=记录谈话")
    assert page.input_value("#id_topic") == "生病住院谈心谈话"
    page.select_option("#id_talker", label="王书记")
    page.fill("#id_place", "市人民医院")
    page.fill("#id_follow_up", "出院后再次谈心，协调安排病休")
    shot(page, "talks-form-from-event")
    page.click("#talk-form button[type=submit]")
    page.wait_for_selector("text=谈话记录已保存")
    shot(page, "talks-detail")

    _run_reminders()
    page.goto("/")
    page.locator("#inbox").wait_for()
    assert "张海冰生病住院" not in page.locator("#inbox").inner_text()
    page.goto(f"/talks/must-talk/?org={people.branch_a.pk}")
    assert "没有待谈事项" in page.locator("#open-events").inner_text()
    page.goto(f"/talks/baseline/?org={people.branch_a.pk}")
    assert "1 / 1" in page.locator("#baseline-stat").inner_text()
    shot(page, "talks-baseline")
    page.goto("/talks/")
    shot(page, "talks-list")


def test_a_member_sees_his_own_talks_on_a_phone(phone, people):
    from tiejun.life.models import Talk

    wang = make_member(people.branch_a, "王书记")
    other = make_member(people.branch_a, "赵敏")
    today = timezone.localdate()
    Talk.objects.create(
        org=people.branch_a, talker=wang, talkee=people.zhang, held_on=today, topic="年度谈心"
    )
    Talk.objects.create(
        org=people.branch_a, talker=wang, talkee=other, held_on=today, topic="别人的谈话"
    )
    login(phone, "member", PASSWORD)
    phone.locator("#inbox").wait_for()
    phone.goto("/talks/")
    table = phone.locator("#talk-table")
    assert "年度谈心" in table.inner_text() and "别人的谈话" not in table.inner_text()
    assert phone.locator("text=记录谈话").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "talks-list-phone-member")

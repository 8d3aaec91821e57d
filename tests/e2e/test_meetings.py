from __future__ import annotations

from tests.browser import login, shot
from tiejun.life import services
from tiejun.life.models import Meeting
from tiejun.life.tests.helpers import make_meeting, seat
from tiejun.testing import PASSWORD, make_member


def test_the_secretary_records_a_committee_meeting_and_an_unregistered_topic_is_refused(
    page, people
):
    from django.utils import timezone

    today = timezone.localdate()
    wang = make_member(people.branch_a, "王书记")
    seat(people.branch_a, wang, "secretary")
    seat(people.branch_a, people.zhang, "organization")
    services.register_topic(
        org=people.branch_a, title="研究确定发展对象", proposer=wang, registered_on=today, by=None
    )
    login(page, "secretary", PASSWORD)
    page.click("text=组织生活")
    page.click("text=登记会议")
    page.select_option("#id_kind", "committee")
    # The form body reloads for a 支委会; typing before the swap lands would be thrown away.
    page.wait_for_selector("#meeting-form-body[data-kind=committee]")
    page.wait_for_selector("text=研究确定发展对象")
    page.fill("#id_title", "2026年11月支委会")
    page.fill("#id_held_on", today.isoformat())
    page.fill("#id_starts_at", "14:30")
    page.fill("#id_ends_at", "16:00")
    page.fill("#id_place", "二楼会议室")
    page.select_option("#id_host", label="王书记")
    page.select_option("#id_recorder", label="张海冰")
    page.fill("#id_first_topic", "学习习近平总书记关于生态文明建设的重要讲话精神")
    page.fill("#id_new_topics", "临时动议：调整活动经费")
    page.click("main button[type=submit]")
    error = page.locator(".tj-field-error").first.inner_text()
    assert "未在会前预登记" in error
    assert page.input_value("#id_title") == "2026年11月支委会"  # nothing typed is lost
    shot(page, "meeting-form-refused")
    page.fill("#id_new_topics", "")
    page.check("text=研究确定发展对象")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1 >> text=2026年11月支委会")
    meeting = Meeting.objects.get(title="2026年11月支委会")
    assert meeting.topics.count() == 2 and meeting.expected == 2
    page.click("a.nav-link >> text=出席")
    page.locator(f"#att-{wang.pk} button >> text=出席").click()
    page.wait_for_selector(f"#att-{wang.pk} .tj-tag-green")
    page.locator(f"#att-{people.zhang.pk} input[name=reason]").fill("赴基层调研")
    page.locator(f"#att-{people.zhang.pk} button >> text=请假").click()
    page.wait_for_selector(f"#att-{people.zhang.pk} >> text=赴基层调研")
    assert page.locator("#meeting-counts").inner_text().count("1") >= 1
    shot(page, "meeting-attendance")
    page.click("text=签到二维码")
    page.wait_for_selector("img.tj-qr")
    shot(page, "meeting-qr")


def test_a_member_signs_in_on_a_phone(phone, people):
    from django.utils import timezone

    meeting = make_meeting(
        people.branch_a, held_on=timezone.localdate(), title="11月支部党员大会", place="三楼报告厅"
    )
    phone.goto(f"/meetings/sign-in/{meeting.sign_in_token}/")
    phone.fill("#id_username", "member")  # the code leads to the login page first
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_selector("button.tj-sign-button")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no horizontal scrolling
    shot(phone, "meeting-sign-in-phone")
    phone.click("button.tj-sign-button")
    phone.wait_for_selector("text=已签到")
    shot(phone, "meeting-signed-in-phone")
    row = meeting.attendances.get(member=people.zhang)
    assert row.status == "present" and row.via == "qr"
    phone.reload()
    assert "已签到" in phone.locator(".tj-sign-done").inner_text()


def test_a_member_not_on_the_list_is_told_so_on_the_phone(phone, people):
    from django.utils import timezone

    wang = make_member(people.branch_a, "王书记")
    seat(people.branch_a, wang, "secretary")
    meeting = make_meeting(
        people.branch_a, "committee", held_on=timezone.localdate(), title="11月支委会"
    )
    login(phone, "member", PASSWORD)
    phone.goto(f"/meetings/sign-in/{meeting.sign_in_token}/")
    assert "不在本次会议的参会名单中" in phone.locator(".tj-sign-refusal").inner_text()
    shot(phone, "meeting-sign-in-not-listed")

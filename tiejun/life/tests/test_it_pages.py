"""The meeting pages through HTTP: list, form, detail tabs, attendance, QR and sign-in, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiejun.life import services
from tiejun.life.models import Meeting, Topic
from tiejun.life.tests.helpers import make_meeting, seat
from tiejun.testing import make_member


def test_the_secretary_records_a_committee_meeting_with_registered_topics(client, people, today):
    wang = make_member(people.branch_a, "王书记")
    seat(people.branch_a, wang, "secretary")
    topic = services.register_topic(
        org=people.branch_a, title="研究发展对象", proposer=wang, registered_on=today, by=None
    )
    client.force_login(people.secretary_a)
    response = client.post(
        "/meetings/new/",
        {
            "org": people.branch_a.pk,
            "kind": "committee",
            "title": "11月支委会",
            "held_on": today.isoformat(),
            "starts_at": "14:30",
            "ends_at": "16:00",
            "place": "会议室",
            "host": wang.pk,
            "recorder": wang.pk,
            "registered_topics": [topic.pk],
            "first_topic": "学习习近平总书记重要讲话精神",
        },
    )
    meeting = Meeting.objects.get(title="11月支委会")
    assert response.status_code == 302
    assert list(meeting.topics.values_list("title", "kind")) == [
        ("学习习近平总书记重要讲话精神", "first_topic"),
        ("研究发展对象", "ordinary"),
    ]
    assert meeting.expected == 1


def test_the_form_refuses_an_unregistered_committee_topic_and_keeps_what_was_typed(
    client, people, today
):
    client.force_login(people.secretary_a)
    response = client.post(
        "/meetings/new/",
        {
            "org": people.branch_a.pk,
            "kind": "committee",
            "title": "11月支委会",
            "held_on": today.isoformat(),
            "new_topics": "临时动议：调整经费",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "未在会前预登记" in body and "11月支委会" in body
    assert not Meeting.objects.exists()


def test_the_detail_tabs_render(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today, title="党员大会")
    client.force_login(people.secretary_a)
    for tab in ("info", "topics", "attendance", "minutes", "attachments"):
        response = client.get(f"/meetings/{meeting.pk}/?tab={tab}")
        assert response.status_code == 200, tab
    assert "未达到" in response.content.decode()


def test_attendance_toggles_by_htmx_and_updates_the_counts(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    response = client.post(
        f"/meetings/{meeting.pk}/attendance/{people.zhang.pk}/",
        {"status": "present"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'id="att-' in body and 'hx-swap-oob="true"' in body and "达到" in body
    meeting.refresh_from_db()
    assert meeting.present == 1


def test_minutes_save_refuses_a_stale_form(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    client.post(
        f"/meetings/{meeting.pk}/minutes/",
        {"minutes": "第一次", "decisions": "", "version": meeting.version},
    )
    response = client.post(
        f"/meetings/{meeting.pk}/minutes/",
        {"minutes": "第二次", "decisions": "", "version": meeting.version},
    )
    assert "已被他人修改" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "第一次"


def test_the_qr_page_shows_an_inline_svg_with_the_token(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    body = client.get(f"/meetings/{meeting.pk}/qr/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in body
    assert f"/meetings/sign-in/{meeting.sign_in_token}/" in body


def test_a_member_signs_in_on_the_phone_page(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.member_a)
    url = f"/meetings/sign-in/{meeting.sign_in_token}/"
    assert "签到" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert "已签到" in client.get(url).content.decode()
    assert meeting.attendances.get(member=people.zhang).via == "qr"


def test_sign_in_needs_a_login(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    response = client.get(f"/meetings/sign-in/{meeting.sign_in_token}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_member_not_on_the_roster_is_told_so_on_the_page(client, people, today):
    wang = make_member(people.branch_a, "王书记")
    seat(people.branch_a, wang, "secretary")
    meeting = make_meeting(people.branch_a, Meeting.Kind.committee, held_on=today)
    client.force_login(people.member_a)
    body = client.post(f"/meetings/sign-in/{meeting.sign_in_token}/").content.decode()
    assert "不在本次会议的参会名单中" in body


def test_another_orgs_token_is_not_found(client, people, today):
    meeting = make_meeting(people.branch_b, held_on=today)
    client.force_login(people.member_a)
    assert client.get(f"/meetings/sign-in/{meeting.sign_in_token}/").status_code == 404
    assert client.post(f"/meetings/sign-in/{meeting.sign_in_token}/").status_code == 404
    assert client.get("/meetings/sign-in/not-a-token/").status_code == 404


@pytest.mark.parametrize("who", ["secretary_a", "member_a"])
def test_meetings_outside_the_scope_are_not_found(client, people, today, who):
    meeting = make_meeting(people.branch_b, held_on=today)
    client.force_login(getattr(people, who))
    for url in (
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/minutes.docx",
        f"/meetings/{meeting.pk}/sign-in-sheet.docx",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/meetings/ledger.xlsx?org={people.branch_b.pk}").status_code == 404


def test_members_cannot_manage_and_admins_see_nothing(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.member_a)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    assert client.get("/meetings/new/").status_code == 403
    assert (
        client.post(
            f"/meetings/{meeting.pk}/attendance/{people.zhang.pk}/", {"status": "present"}
        ).status_code
        == 403
    )
    assert client.get(f"/meetings/{meeting.pk}/qr/").status_code == 403
    client.force_login(people.sysadmin)
    assert client.get("/meetings/").status_code == 403


def test_the_list_shows_only_meetings_in_scope(client, people, today):
    make_meeting(people.branch_a, held_on=today, title="甲支部大会")
    make_meeting(people.branch_b, held_on=today, title="乙支部大会")
    client.force_login(people.secretary_a)
    body = client.get("/meetings/").content.decode()
    assert "甲支部大会" in body and "乙支部大会" not in body
    client.force_login(people.office)
    body = client.get(f"/meetings/?org={people.branch_b.pk}&kind=general_assembly").content.decode()
    assert "乙支部大会" in body and "甲支部大会" not in body


@pytest.mark.parametrize(
    "url", ["/meetings/", "/meetings/?kind=committee", "/meetings/?start=2026-01-01&end=2026-12-31"]
)
def test_the_list_costs_the_same_queries_for_few_and_many_rows(client, people, url):
    client.force_login(people.office)
    client.get(url)
    for day in range(3):
        make_meeting(people.branch_a, Meeting.Kind.committee, held_on=dt.date(2026, 5, day + 1))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for day in range(25):
        make_meeting(people.branch_b, Meeting.Kind.committee, held_on=dt.date(2026, 6, day + 1))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 12


def test_topic_registration_page(client, people, today):
    client.force_login(people.secretary_a)
    response = client.post(
        "/meetings/topics/",
        {
            "org": people.branch_a.pk,
            "title": "研究年度评议方案",
            "kind": "decision",
            "proposer": people.zhang.pk,
            "registered_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get(title="研究年度评议方案")
    assert (topic.org, topic.meeting, topic.registered_on) == (people.branch_a, None, today)
    assert client.get(f"/meetings/topics/?org={people.branch_b.pk}").status_code == 404


def test_lecture_cycle_page_links_the_three_stages(client, people):
    client.force_login(people.secretary_a)
    client.post(
        f"/meetings/lectures/?org={people.branch_a.pk}",
        {"org": people.branch_a.pk, "month": "2026-03", "theme": "学习新修订的条例"},
    )
    cycle = people.branch_a.lecture_cycles.get()
    for kind, org in (
        ("lecture_prep", people.branch_a),
        ("lecture", people.branch_a),
        ("group", people.group_a),
    ):
        make_meeting(
            org,
            kind,
            held_on=dt.date(2026, 3, 10),
            cycle=cycle,
            title=f"三月{Meeting.Kind(kind).label}",
        )
    body = client.get(f"/meetings/lectures/?org={people.branch_a.pk}").content.decode()
    assert "学习新修订的条例" in body
    assert "三月教育准备会" in body and "三月党课" in body and people.group_a.name in body


def test_an_observer_is_added_by_name_and_not_counted(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.office)
    response = client.post(f"/meetings/{meeting.pk}/observers/", {"name": "李文"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.attendances.get(member=people.li).is_observer and meeting.expected == 1
    body = client.post(f"/meetings/{meeting.pk}/observers/", {"name": "无此人"}).content.decode()
    assert "没有这名在册党员" in body
    client.force_login(people.secretary_a)  # 李文 is outside the secretary's scope
    body = client.post(f"/meetings/{meeting.pk}/observers/", {"name": "李文"}).content.decode()
    assert "没有这名在册党员" in body


def test_the_detail_tabs_cost_a_fixed_number_of_queries(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    client.get(f"/meetings/{meeting.pk}/?tab=attendance")
    counts = {}
    for extra in (0, 15):
        for index in range(extra):
            make_member(people.branch_a, f"成员{index}")
        other = make_meeting(people.branch_a, held_on=today)
        with CaptureQueriesContext(connection) as queries:
            for tab in ("info", "topics", "attendance", "minutes", "attachments"):
                assert client.get(f"/meetings/{other.pk}/?tab={tab}").status_code == 200
        counts[extra] = len(queries)
    assert counts[0] == counts[15]


def test_moving_the_meeting_day_relists_the_roster_and_stale_edits_are_refused(people):
    from tiejun.org.services import StaleEdit

    make_member(people.branch_a, "王新来", joined_on=dt.date(2025, 3, 1))
    meeting = make_meeting(people.branch_a, held_on=dt.date(2024, 6, 1))
    assert meeting.expected == 1
    version = meeting.version
    meeting.held_on = dt.date(2025, 6, 1)
    services.update_meeting(meeting=meeting, expected_version=version, by=None)
    meeting.refresh_from_db()
    assert meeting.expected == 2
    with pytest.raises(StaleEdit):
        services.update_meeting(meeting=meeting, expected_version=version, by=None)


def test_the_topics_tab_refuses_an_unregistered_committee_topic(client, people, today):
    meeting = make_meeting(people.branch_a, Meeting.Kind.committee, held_on=today)
    client.force_login(people.secretary_a)
    response = client.post(
        f"/meetings/{meeting.pk}/topics/", {"title": "临时动议：购置设备", "kind": "decision"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "未在会前预登记" in body
    response = client.post(
        f"/meetings/{meeting.pk}/topics/",
        {"title": "学习重要讲话精神", "kind": "first_topic", "material_ref": "《学习纲要》第三章"},
    )
    assert response.status_code == 302
    assert meeting.topics.get().material_ref == "《学习纲要》第三章"

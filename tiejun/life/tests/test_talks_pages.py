"""Talk pages through HTTP: the 必谈 page and talk form, the list and its export, the baseline,
scope (a member sees only his own talks and no one's 必谈事由), and fixed query counts."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiejun.life import talks
from tiejun.life.models import LifeEvent, Talk
from tiejun.life.tests.helpers import seat
from tiejun.testing import make_member


@pytest.fixture
def wang(people):
    member = make_member(people.branch_a, "王书记")
    seat(people.branch_a, member, "secretary")
    return member


def _talk(org, talker, talkee, day, **fields) -> Talk:
    return Talk.objects.create(
        org=org,
        talker=talker,
        talkee=talkee,
        held_on=day,
        topic=fields.pop("topic", "谈心"),
        **fields,
    )


def test_the_secretary_registers_an_event_and_records_the_talk_from_it(client, people, wang, today):
    client.force_login(people.secretary_a)
    response = client.post(
        "/talks/must-talk/",
        {
            "org": people.branch_a.pk,
            "member": people.zhang.pk,
            "kind": "生病住院",
            "happened_on": today.isoformat(),
            "note": "市人民医院住院",
        },
    )
    assert response.status_code == 302
    event = LifeEvent.objects.get()
    page = client.get(f"/talks/must-talk/?org={people.branch_a.pk}").content.decode()
    assert "临期" in page and f"/talks/new/?event={event.pk}" in page
    form = client.get(f"/talks/new/?event={event.pk}").content.decode()
    assert "生病住院谈心谈话" in form  # the topic is prefilled
    response = client.post(
        f"/talks/new/?event={event.pk}",
        {
            "org": people.branch_a.pk,
            "kind": "heart",
            "talker": wang.pk,
            "talkee": people.zhang.pk,
            "held_on": today.isoformat(),
            "topic": "住院慰问",
            "follow_up": "出院后再访",
            "life_event": event.pk,
        },
    )
    talk = Talk.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/talks/{talk.pk}/"
    assert talk.life_event == event and talk.recorded_by == people.secretary_a
    assert not LifeEvent.objects.open().exists()


def test_a_kind_off_the_list_is_refused_next_to_the_field(client, people):
    client.force_login(people.secretary_a)
    response = client.post(
        "/talks/must-talk/",
        {
            "org": people.branch_a.pk,
            "member": people.zhang.pk,
            "kind": "出国旅游",
            "happened_on": "2026-01-05",
        },
    )
    assert response.status_code == 200
    assert "“出国旅游”不在本地必谈事由清单中。" in response.content.decode()
    assert not LifeEvent.objects.exists()


def test_the_secretary_cannot_reach_another_branch(client, people, today):
    event = talks.record_life_event(member=people.li, kind="生病住院", happened_on=today, by=None)
    client.force_login(people.secretary_a)
    assert client.get(f"/talks/new/?event={event.pk}").status_code == 404
    assert client.get(f"/talks/must-talk/?org={people.branch_b.pk}").status_code == 404
    response = client.post(
        "/talks/must-talk/",
        {
            "org": people.branch_a.pk,
            "member": people.li.pk,
            "kind": "生病住院",
            "happened_on": today.isoformat(),
        },
    )
    assert response.status_code == 200 and LifeEvent.objects.count() == 1


def test_a_member_sees_only_his_own_talks_and_no_events(client, people, wang, today):
    other = make_member(people.branch_a, "赵敏")
    mine = _talk(people.branch_a, wang, people.zhang, today, topic="我的谈话")
    theirs = _talk(people.branch_a, wang, other, today, topic="别人的谈话")
    client.force_login(people.member_a)
    page = client.get("/talks/").content.decode()
    assert "我的谈话" in page and "别人的谈话" not in page
    assert "/talks/must-talk/" not in page  # no link to the events page
    assert client.get(f"/talks/{mine.pk}/").status_code == 200
    assert client.get(f"/talks/{theirs.pk}/").status_code == 404
    assert client.get("/talks/must-talk/").status_code == 403
    assert client.get("/talks/new/").status_code == 403
    assert client.get("/talks/baseline/").status_code == 403


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_the_three_administrators_see_no_talks(client, people, who):
    client.force_login(getattr(people, who))
    assert client.get("/talks/").status_code == 403
    assert client.get("/talks/must-talk/").status_code == 403


def test_the_list_filters_and_exports_what_it_shows(client, people, wang, today):
    from openpyxl import load_workbook

    _talk(people.branch_a, wang, people.zhang, today, topic="今年谈心")
    _talk(people.branch_a, wang, people.zhang, today.replace(year=today.year - 1), topic="去年谈心")
    _talk(people.branch_a, wang, people.zhang, today, topic="廉政提醒", kind="integrity")
    client.force_login(people.office)
    query = f"kind=heart&year={today.year}&member=张"
    page = client.get(f"/talks/?{query}").content.decode()
    assert "今年谈心" in page and "去年谈心" not in page and "廉政提醒" not in page
    response = client.get(f"/talks/export.xlsx?{query}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[6] for row in rows] == ["今年谈心"]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_pages_cost_the_same_queries_for_more_rows(client, people, wang, today):
    client.force_login(people.secretary_a)
    urls = [
        "/talks/",
        f"/talks/must-talk/?org={people.branch_a.pk}",
        f"/talks/baseline/?org={people.branch_a.pk}",
    ]

    def add_rows(n: int) -> None:
        for index in range(n):
            member = make_member(people.branch_a, f"党员{index}{n}")
            _talk(people.branch_a, wang, member, today)
            talks.record_life_event(member=member, kind="生病住院", happened_on=today, by=None)
            talks.record_life_event(member=member, kind="婚丧嫁娶", happened_on=today, by=None)

    add_rows(2)
    before = [_queries(client, url) for url in urls]
    add_rows(6)
    assert [_queries(client, url) for url in urls] == before


def test_the_baseline_page_shows_coverage_and_links_the_missing_pairs(client, people, wang, today):
    _talk(people.branch_a, wang, people.zhang, today)
    other = make_member(people.branch_a, "赵敏")
    client.force_login(people.secretary_a)
    page = client.get(f"/talks/baseline/?org={people.branch_a.pk}").content.decode()
    assert "1 / 2" in page and "50.0%" in page
    assert f"talker={wang.pk}&amp;talkee={other.pk}" in page
    assert client.get(f"/talks/baseline/?org={people.branch_a.pk}&year=1999").status_code == 404

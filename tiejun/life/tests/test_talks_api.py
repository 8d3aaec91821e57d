"""The talk API: list and create talks and 必谈事由, in scope; a member lists only his own."""

from __future__ import annotations

import json

import pytest

from tiejun.accounts.models import ApiToken
from tiejun.life import talks
from tiejun.life.models import LifeEvent, Talk
from tiejun.life.tests.helpers import seat
from tiejun.testing import make_member


def _bearer(user) -> dict[str, str]:
    _token, key = ApiToken.issue(user, "测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _post(client, url, data, user):
    return client.post(url, json.dumps(data), content_type="application/json", **_bearer(user))


@pytest.fixture
def wang(people):
    member = make_member(people.branch_a, "王书记")
    seat(people.branch_a, member, "secretary")
    return member


def test_the_secretary_records_an_event_and_the_talk_answers_it(client, people, wang, today):
    response = _post(
        client,
        "/api/v1/life-events",
        {"member_id": people.zhang.pk, "kind": "生病住院", "happened_on": today.isoformat()},
        people.secretary_a,
    )
    assert response.status_code == 201, response.json()
    event_id = response.json()["id"]
    payload = {
        "org_id": people.branch_a.pk,
        "talker_id": wang.pk,
        "talkee_id": people.zhang.pk,
        "held_on": today.isoformat(),
        "topic": "住院慰问谈心",
    }
    response = _post(client, "/api/v1/talks", payload, people.secretary_a)
    assert response.status_code == 201, response.json()
    assert response.json()["life_event_id"] == event_id
    body = client.get("/api/v1/life-events", **_bearer(people.secretary_a)).json()
    assert body["items"][0]["answered"] is True


def test_a_kind_off_the_list_is_422_in_chinese(client, people, today):
    response = _post(
        client,
        "/api/v1/life-events",
        {"member_id": people.zhang.pk, "kind": "出国旅游", "happened_on": today.isoformat()},
        people.secretary_a,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "kind"
    assert "不在本地必谈事由清单中" in response.json()["detail"][0]["message"]


def test_out_of_scope_is_404_or_422(client, people, wang, today):
    event = talks.record_life_event(member=people.li, kind="生病住院", happened_on=today, by=None)
    response = _post(
        client,
        "/api/v1/life-events",
        {"member_id": people.li.pk, "kind": "生病住院", "happened_on": today.isoformat()},
        people.secretary_a,
    )
    assert response.status_code == 404
    base = {"talker_id": wang.pk, "held_on": today.isoformat(), "topic": "谈心"}
    other_org = {**base, "org_id": people.branch_b.pk, "talkee_id": people.li.pk}
    assert _post(client, "/api/v1/talks", other_org, people.secretary_a).status_code == 404
    other_member = {**base, "org_id": people.branch_a.pk, "talkee_id": people.li.pk}
    response = _post(client, "/api/v1/talks", other_member, people.secretary_a)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "talkee_id"
    other_event = {
        **base,
        "org_id": people.branch_a.pk,
        "talkee_id": people.zhang.pk,
        "life_event_id": event.pk,
    }
    assert _post(client, "/api/v1/talks", other_event, people.secretary_a).status_code == 404
    assert not Talk.objects.exists()
    body = client.get("/api/v1/life-events", **_bearer(people.secretary_a)).json()
    assert body["count"] == 0


def test_a_member_lists_only_his_own_talks_and_no_events(client, people, wang, today):
    other = make_member(people.branch_a, "赵敏")
    Talk.objects.create(
        org=people.branch_a, talker=wang, talkee=people.zhang, held_on=today, topic="我的"
    )
    Talk.objects.create(
        org=people.branch_a, talker=wang, talkee=other, held_on=today, topic="别人的"
    )
    body = client.get("/api/v1/talks", **_bearer(people.member_a)).json()
    assert [t["topic"] for t in body["items"]] == ["我的"]
    assert client.get("/api/v1/life-events", **_bearer(people.member_a)).status_code == 403
    response = _post(
        client,
        "/api/v1/life-events",
        {"member_id": people.zhang.pk, "kind": "生病住院", "happened_on": today.isoformat()},
        people.member_a,
    )
    assert response.status_code == 403 and not LifeEvent.objects.exists()


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_the_three_administrators_are_refused(client, people, who):
    user = getattr(people, who)
    assert client.get("/api/v1/talks", **_bearer(user)).status_code == 403
    assert client.get("/api/v1/life-events", **_bearer(user)).status_code == 403

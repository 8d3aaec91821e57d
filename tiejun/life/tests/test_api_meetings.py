"""The meeting API: list, detail, create under the agenda rule, attendance, sign-in, and scope."""

from __future__ import annotations

import json

import pytest

from tiejun.accounts.models import ApiToken
from tiejun.life import services
from tiejun.life.models import Meeting
from tiejun.life.tests.helpers import make_meeting, seat
from tiejun.testing import make_member


def _bearer(user) -> dict[str, str]:
    _token, key = ApiToken.issue(user, "测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _post(client, url, data, auth):
    return client.post(url, json.dumps(data), content_type="application/json", **auth)


def test_the_list_is_scoped_and_paginated(client, people, today):
    make_meeting(people.branch_a, held_on=today, title="甲")
    make_meeting(people.branch_b, held_on=today, title="乙")
    body = client.get("/api/v1/meetings", **_bearer(people.secretary_a)).json()
    assert body["count"] == 1 and body["items"][0]["title"] == "甲"
    body = client.get("/api/v1/meetings?kind=general_assembly", **_bearer(people.office)).json()
    assert {m["title"] for m in body["items"]} == {"甲", "乙"}


def test_detail_shows_counts_and_quorum(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    body = client.get(f"/api/v1/meetings/{meeting.pk}", **_bearer(people.member_a)).json()
    assert (body["expected"], body["present"], body["quorum_met"]) == (1, 0, False)


def test_create_refuses_an_unregistered_committee_topic(client, people, today):
    payload = {
        "org_id": people.branch_a.pk,
        "kind": "committee",
        "title": "支委会",
        "held_on": today.isoformat(),
        "new_topics": ["临时动议"],
    }
    response = _post(client, "/api/v1/meetings", payload, _bearer(people.secretary_a))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["field"] == "new_topics" and "未在会前预登记" in detail[0]["message"]
    assert not Meeting.objects.exists()


def test_create_with_a_registered_topic(client, people, today):
    wang = make_member(people.branch_a, "王书记")
    seat(people.branch_a, wang, "secretary")
    topic = services.register_topic(
        org=people.branch_a, title="研究发展对象", proposer=wang, registered_on=today, by=None
    )
    payload = {
        "org_id": people.branch_a.pk,
        "kind": "committee",
        "title": "支委会",
        "held_on": today.isoformat(),
        "registered_topic_ids": [topic.pk],
        "host_id": wang.pk,
        "first_topic": "学习重要讲话精神",
    }
    response = _post(client, "/api/v1/meetings", payload, _bearer(people.secretary_a))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [t["title"] for t in body["topics"]] == ["学习重要讲话精神", "研究发展对象"]
    assert body["expected"] == 1


def test_attendance_and_sign_in(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    response = _post(
        client, f"/api/v1/meetings/sign-in/{meeting.sign_in_token}", {}, _bearer(people.member_a)
    )
    assert response.status_code == 200 and response.json()["via"] == "qr"
    response = client.put(
        f"/api/v1/meetings/{meeting.pk}/attendance/{people.zhang.pk}",
        json.dumps({"status": "leave", "reason": "出差"}),
        content_type="application/json",
        **_bearer(people.secretary_a),
    )
    assert response.status_code == 200 and response.json()["status"] == "leave"
    rows = client.get(
        f"/api/v1/meetings/{meeting.pk}/attendance", **_bearer(people.member_a)
    ).json()
    assert rows[0]["reason"] == "出差"


def test_sign_in_refusal_is_a_chinese_422(client, people, today):
    wang = make_member(people.branch_a, "王书记")
    seat(people.branch_a, wang, "secretary")
    meeting = make_meeting(people.branch_a, "committee", held_on=today)
    response = _post(
        client, f"/api/v1/meetings/sign-in/{meeting.sign_in_token}", {}, _bearer(people.member_a)
    )
    assert response.status_code == 422
    assert "不在本次会议的参会名单中" in response.json()["detail"][0]["message"]


@pytest.mark.parametrize("who", ["secretary_a", "member_a"])
def test_ids_outside_the_scope_are_not_found(client, people, today, who):
    meeting = make_meeting(people.branch_b, held_on=today)
    auth = _bearer(getattr(people, who))
    assert client.get(f"/api/v1/meetings/{meeting.pk}", **auth).status_code == 404
    assert client.get(f"/api/v1/meetings/{meeting.pk}/attendance", **auth).status_code == 404
    assert client.get(f"/api/v1/meetings?org={people.branch_b.pk}", **auth).status_code == 404
    assert (
        _post(client, f"/api/v1/meetings/sign-in/{meeting.sign_in_token}", {}, auth).status_code
        == 404
    )


def test_writes_outside_the_scope_or_role_are_refused(client, people, today):
    meeting = make_meeting(people.branch_b, held_on=today)
    auth = _bearer(people.secretary_a)
    payload = {
        "org_id": people.branch_b.pk,
        "kind": "general_assembly",
        "title": "越权",
        "held_on": today.isoformat(),
    }
    assert _post(client, "/api/v1/meetings", payload, auth).status_code == 404
    assert (
        _post(client, f"/api/v1/meetings/{meeting.pk}/status", {"status": "held"}, auth).status_code
        == 404
    )
    mine = make_meeting(people.branch_a, held_on=today)
    member = _bearer(people.member_a)
    assert (
        _post(client, f"/api/v1/meetings/{mine.pk}/status", {"status": "held"}, member).status_code
        == 403
    )
    assert client.get("/api/v1/meetings", **_bearer(people.auditor)).status_code == 403


def test_status_moves_and_refusals_are_422(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    auth = _bearer(people.secretary_a)
    response = _post(client, f"/api/v1/meetings/{meeting.pk}/status", {"status": "archived"}, auth)
    assert response.status_code == 422 and "不能改为" in response.json()["detail"][0]["message"]
    response = _post(client, f"/api/v1/meetings/{meeting.pk}/status", {"status": "held"}, auth)
    assert response.status_code == 200 and response.json()["status"] == "held"


def test_the_openapi_document_lists_the_meeting_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/meetings" in paths and "/api/v1/meetings/sign-in/{token}" in paths

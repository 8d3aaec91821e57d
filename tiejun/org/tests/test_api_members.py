from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiejun.accounts.models import AuditEntry
from tiejun.org.models import Member, MemberChange
from tiejun.org.services import StaleEdit
from tiejun.testing import make_id_number, make_member

URL = "/api/v1/members"


@pytest.fixture(autouse=True)
def _quick_password_hashes(settings):
    # The shared cast has seven accounts: full-strength PBKDF2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _send(client: Any, method: str, url: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(url, data=data, content_type="application/json")


def _new_member(org_id: int, **fields: Any) -> dict[str, Any]:
    data = {
        "name": "王 晓 明",
        "id_number": make_id_number(dt.date(1992, 5, 20), 401),
        "joined_on": "2016-07-01",
        "full_on": "2017-07-01",
        "category": "full",
        "org_id": org_id,
        "education": "硕士研究生",
        "post": "主任科员",
        "phone": "139 1234 5678",
    }
    return data | fields


def _edit(member: Member, **fields: Any) -> dict[str, Any]:
    data = {
        "name": member.name,
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat(),
        "education": member.education,
        "joined_on": member.joined_on.isoformat(),
        "full_on": member.full_on.isoformat() if member.full_on else None,
        "category": member.category,
        "org_id": member.org_id,
        "post": member.post,
        "phone": member.phone,
        "status": member.status,
        "version": member.version,
    }
    return data | fields


def _names(response: Any) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


def test_it_lists_the_secretarys_members_masked_and_paginated(client, people):
    client.force_login(people.secretary_a)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["name"] == "张海冰"
    assert item["org_name"] == "大气环境处党支部"
    assert item["category_display"] == "正式党员"
    assert item["id_masked"] == people.zhang.id_masked
    assert people.zhang.id_number() not in response.content.decode()
    assert people.zhang.phone not in response.content.decode()
    assert item["phone_masked"].startswith("138") and "*" in item["phone_masked"]


def test_it_orders_and_pages_with_limit_and_offset(client, people):
    for name in ("王五", "赵六", "钱七"):
        make_member(people.branch_a, name)
    client.force_login(people.office)
    first = client.get(URL, {"limit": 2})
    second = client.get(URL, {"limit": 2, "offset": 2})
    assert first.json()["count"] == second.json()["count"] == 5
    everyone = _names(client.get(URL, {"limit": 200}))
    assert _names(first) + _names(second) == everyone[:4]
    expected = list(
        Member.objects.order_by("org_path", "name", "id").values_list("name", flat=True)
    )
    assert everyone == expected


def test_it_caps_the_page_size(client, people, settings):
    client.force_login(people.office)
    response = client.get(URL, {"limit": settings.NINJA_PAGINATION_MAX_LIMIT + 1})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "limit", "message": "不能大于 200。"}]


def test_it_filters_by_org_category_status_and_name(client, people):
    make_member(people.root, "周机关", category=Member.Category.probationary)
    make_member(people.branch_a, "吴转出", status=Member.Status.transferred_out)
    client.force_login(people.office)
    everyone = {"张海冰", "李文", "周机关", "吴转出"}
    assert set(_names(client.get(URL, {"org": people.root.pk}))) == everyone
    assert _names(client.get(URL, {"org": people.root.pk, "subtree": "false"})) == ["周机关"]
    assert set(_names(client.get(URL, {"org": people.branch_a.pk}))) == {"张海冰", "吴转出"}
    assert _names(client.get(URL, {"category": "probationary"})) == ["周机关"]
    assert _names(client.get(URL, {"status": "transferred_out"})) == ["吴转出"]
    assert _names(client.get(URL, {"q": "zhb"})) == ["张海冰"]
    assert _names(client.get(URL, {"q": "張海冰"})) == ["张海冰"]


def test_it_answers_bad_filters_in_chinese(client, people):
    client.force_login(people.office)
    response = client.get(URL, {"category": "leader", "org": "abc"})
    assert response.status_code == 422
    fields = {error["field"]: error["message"] for error in response.json()["detail"]}
    assert fields["org"] == "请输入整数。"
    assert fields["category"].startswith("取值无效")


def test_it_shows_one_member(client, people):
    client.force_login(people.office)
    response = client.get(f"{URL}/{people.li.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "李文"
    assert response.json()["gender"] == "female"
    assert response.json()["version"] == people.li.version


def test_it_answers_a_malformed_or_unknown_id_with_json_404(client, people):
    client.force_login(people.office)
    for url in (f"{URL}/abc", f"{URL}/-1", f"{URL}/999999", f"{URL}/{10**30}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("application/json")
        assert "不存在" in response.json()["detail"]


def test_it_creates_a_member_through_the_form_rules(client, people):
    client.force_login(people.secretary_a)
    response = _send(client, "post", URL, _new_member(people.branch_a.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    member = Member.objects.get(pk=body["id"])
    assert member.name == "王晓明"  # the form's cleaning: spaces removed
    assert member.gender == "male" and member.birth_date == dt.date(1992, 5, 20)  # from the ID
    assert member.phone == "13912345678"
    assert body["id_masked"] == member.id_masked
    assert member.changes.get().kind == MemberChange.Kind.created
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).exists()


def test_it_answers_a_bad_id_number_with_a_field_message(client, people):
    client.force_login(people.secretary_a)
    data = _new_member(people.branch_a.pk, id_number="110101199003071234")
    response = _send(client, "post", URL, data)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "id_number", "message": "身份证号校验位错误（GB 11643），请核对是否录错"}
    ]


def test_it_answers_form_rules_with_field_messages(client, people):
    client.force_login(people.secretary_a)
    data = _new_member(
        people.branch_a.pk, gender="female", category="probationary", phone="call me"
    )
    response = _send(client, "post", URL, data)
    assert response.status_code == 422
    fields = {error["field"]: error["message"] for error in response.json()["detail"]}
    assert fields["gender"] == "性别与身份证号不一致。"
    assert fields["phone"] == "手机号码应为数字，如 13800138000。"
    assert fields["full_on"] == "预备党员不应有转正日期。"


def test_it_answers_missing_and_mistyped_fields_in_chinese(client, people):
    client.force_login(people.secretary_a)
    response = _send(client, "post", URL, {"name": 5, "joined_on": "2016-13-01", "org_id": "x"})
    assert response.status_code == 422
    fields = {error["field"]: error["message"] for error in response.json()["detail"]}
    assert fields == {
        "name": "请输入文本。",
        "id_number": "此项为必填项。",
        "joined_on": "请输入有效日期，格式为 YYYY-MM-DD。",
        "category": "此项为必填项。",
        "org_id": "请输入整数。",
    }


def test_it_refuses_a_body_that_is_not_json(client, people):
    client.force_login(people.secretary_a)
    response = client.post(URL, data="{name:", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求体不是有效的 JSON。"}


def test_it_refuses_text_no_database_can_store(client, people):
    client.force_login(people.secretary_a)
    body = '{"name": "王\\ud800", "id_number": "x", "joined_on": "2016-07-01", "category": "full"}'
    response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 400


def test_it_refuses_a_duplicate_id_number(client, people):
    client.force_login(people.office)
    data = _new_member(people.branch_b.pk, id_number=people.zhang.id_number())
    response = _send(client, "post", URL, data | {"birth_date": None, "gender": None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "id_number"
    assert "已登记" in response.json()["detail"][0]["message"]


def test_it_updates_with_the_version_and_records_history(client, people):
    client.force_login(people.secretary_a)
    zhang = people.zhang
    data = _edit(zhang, post="副处长", effective_on="2024-03-01", reason="职务晋升")
    response = _send(client, "put", f"{URL}/{zhang.pk}", data)
    assert response.status_code == 200, response.content
    assert response.json()["post"] == "副处长"
    assert response.json()["version"] == zhang.version + 1
    change = zhang.changes.order_by("-id").first()
    assert change.effective_on == dt.date(2024, 3, 1)
    assert change.reason == "职务晋升"
    assert change.changes == {"post": ["科员", "副处长"]}
    assert AuditEntry.objects.filter(action="member.update", object_id=str(zhang.pk)).exists()


def test_it_keeps_the_id_number_when_the_update_omits_it(client, people):
    client.force_login(people.office)
    before = people.zhang.id_number()
    response = _send(client, "put", f"{URL}/{people.zhang.pk}", _edit(people.zhang, post="处长"))
    assert response.status_code == 200
    people.zhang.refresh_from_db()
    assert people.zhang.id_number() == before


def test_it_refuses_a_stale_update_with_409(client, people):
    client.force_login(people.office)
    url = f"{URL}/{people.zhang.pk}"
    first = _send(client, "put", url, _edit(people.zhang, post="处长"))
    second = _send(client, "put", url, _edit(people.zhang, post="调研员"))
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json() == {"detail": str(StaleEdit.message)}
    people.zhang.refresh_from_db()
    assert people.zhang.post == "处长"


def test_it_requires_the_version_on_update(client, people):
    client.force_login(people.office)
    data = _edit(people.zhang)
    del data["version"]
    response = _send(client, "put", f"{URL}/{people.zhang.pk}", data)
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "version", "message": "此项为必填项。"}]


def test_it_refuses_an_effective_date_before_the_last_change(client, people):
    client.force_login(people.office)
    data = _edit(people.zhang, post="处长", effective_on="2001-01-01")
    response = _send(client, "put", f"{URL}/{people.zhang.pk}", data)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "effective_on"


def test_it_moves_a_member_only_into_an_org_in_scope(client, people):
    url = f"{URL}/{people.zhang.pk}"
    client.force_login(people.secretary_a)
    outside = _send(client, "put", url, _edit(people.zhang, org_id=people.branch_b.pk))
    assert outside.status_code == 422
    assert outside.json()["detail"][0]["field"] == "org_id"
    client.force_login(people.office)
    inside = _send(client, "put", url, _edit(people.zhang, org_id=people.branch_b.pk))
    assert inside.status_code == 200
    assert inside.json()["org_name"] == "水生态环境处党支部"
    assert people.zhang.changes.order_by("-id").first().kind == MemberChange.Kind.moved


def test_a_member_may_read_but_not_write(client, people):
    client.force_login(people.member_a)
    assert client.get(f"{URL}/{people.zhang.pk}").status_code == 200
    response = _send(client, "put", f"{URL}/{people.zhang.pk}", _edit(people.zhang, post="x"))
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有权限进行此操作。"}
    assert _send(client, "post", URL, _new_member(people.branch_a.pk)).status_code == 403


def _list_cost(client: Any, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"limit": 200})
    return len(queries), response.json()["count"]


def test_the_member_list_costs_the_same_queries_for_5_and_50_rows(
    client, people, django_assert_max_num_queries
):
    client.force_login(people.secretary_a)
    client.get(URL)  # warm the per-process caches (rules table)
    for index in range(4):  # with 张海冰, 5 members in branch A
        make_member(people.branch_a, f"成员{index}")
    cost_5 = _list_cost(client, URL)
    for index in range(4, 49):
        make_member(people.branch_a, f"成员{index}")
    with django_assert_max_num_queries(cost_5[0]):
        cost_50 = _list_cost(client, URL)
    assert (cost_5[1], cost_50[1]) == (5, 50)
    assert cost_5[0] == cost_50[0]

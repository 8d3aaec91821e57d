from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiejun.accounts.models import AuditEntry
from tiejun.org.models import Org
from tiejun.org.services import StaleEdit
from tiejun.testing import make_member, make_org

URL = "/api/v1/orgs"


@pytest.fixture(autouse=True)
def _quick_password_hashes(settings):
    # The shared cast has seven accounts: full-strength PBKDF2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _send(client: Any, method: str, url: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(url, data=data, content_type="application/json")


def _edit(org: Org, **fields: Any) -> dict[str, Any]:
    data = {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "parent_id": org.parent_id,
        "unit_id": org.unit_id,
        "sort_order": org.sort_order,
        "version": org.version,
    }
    return data | fields


def _codes(response: Any) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


def test_it_lists_the_offices_tree_in_tree_order(client, people):
    client.force_login(people.office)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert _codes(response) == ["ROOT", "A", "A1", "B"]
    root = response.json()["items"][0]
    assert root["kind"] == "committee"
    assert root["kind_display"] == "党委"
    assert root["unit_name"] == "省生态环境厅"
    assert root["parent_id"] is None and root["depth"] == 0


def test_it_filters_by_parent_kind_and_name(client, people):
    client.force_login(people.office)
    assert _codes(client.get(URL, {"parent": people.root.pk})) == ["A", "B"]
    assert _codes(client.get(URL, {"kind": "group"})) == ["A1"]
    assert _codes(client.get(URL, {"q": "水生态"})) == ["B"]
    assert _codes(client.get(URL, {"q": "水生態"})) == ["B"]  # traditional characters fold
    assert _codes(client.get(URL, {"q": "a1"})) == ["A1"]


def test_it_pages_with_limit_and_offset(client, people):
    client.force_login(people.office)
    first, rest = client.get(URL, {"limit": 1}), client.get(URL, {"limit": 3, "offset": 1})
    assert _codes(first) + _codes(rest) == ["ROOT", "A", "A1", "B"]
    assert client.get(URL, {"offset": -1}).status_code == 422
    assert client.get(URL, {"offset": 2**40}).status_code == 422


def test_it_shows_one_org(client, people):
    client.force_login(people.secretary_a)
    response = client.get(f"{URL}/{people.group_a.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "大气环境处第一党小组"
    assert response.json()["parent_id"] == people.branch_a.pk


def test_it_creates_an_org_under_a_visible_parent(client, people):
    client.force_login(people.office)
    data = {"code": " c-1 ", "name": "土壤处党支部", "kind": "branch", "parent_id": people.root.pk}
    response = _send(client, "post", URL, data)
    assert response.status_code == 201, response.content
    org = Org.objects.get(pk=response.json()["id"])
    assert org.code == "C-1"  # the form's cleaning
    assert org.path.startswith(people.root.path) and org.depth == 1
    assert AuditEntry.objects.filter(action="org.create", object_id=str(org.pk)).exists()


def test_it_applies_the_tree_rules(client, people):
    client.force_login(people.office)
    data = {"code": "G9", "name": "错挂党小组", "kind": "group", "parent_id": people.root.pk}
    response = _send(client, "post", URL, data)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "parent_id", "message": "党小组不能设在党委之下。"}
    ]


def test_it_requires_a_start_date_for_a_temporary_branch(client, people):
    client.force_login(people.office)
    data = {
        "code": "T9",
        "name": "督察组临时党支部",
        "kind": "temporary_branch",
        "parent_id": people.root.pk,
    }
    response = _send(client, "post", URL, data)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "starts_on", "message": "临时党支部须填写成立日期。"}
    ]


def test_it_refuses_an_end_before_the_start(client, people):
    client.force_login(people.office)
    data = {
        "code": "T9",
        "name": "督察组临时党支部",
        "kind": "temporary_branch",
        "parent_id": people.root.pk,
        "starts_on": "2025-05-01",
        "ends_on": "2025-04-01",
    }
    response = _send(client, "post", URL, data)
    assert response.status_code == 422
    assert [e["message"] for e in response.json()["detail"]] == ["撤销日期不能早于成立日期。"]


def test_it_refuses_a_duplicate_code_and_bad_types_in_chinese(client, people):
    client.force_login(people.office)
    duplicate = _send(
        client,
        "post",
        URL,
        {"code": "a", "name": "x", "kind": "branch", "parent_id": people.root.pk},
    )
    assert duplicate.status_code == 422
    assert duplicate.json()["detail"][0]["field"] == "code"
    mistyped = _send(
        client,
        "post",
        URL,
        {"code": "Z", "kind": "branch", "parent_id": "root", "starts_on": "yesterday"},
    )
    fields = {e["field"]: e["message"] for e in mistyped.json()["detail"]}
    assert fields == {
        "name": "此项为必填项。",
        "parent_id": "请输入整数。",
        "starts_on": "请输入有效日期，格式为 YYYY-MM-DD。",
    }


def test_it_renames_with_the_version(client, people):
    client.force_login(people.office)
    response = _send(
        client,
        "put",
        f"{URL}/{people.branch_b.pk}",
        _edit(people.branch_b, name="水生态环境处第一党支部"),
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == people.branch_b.version + 1
    people.branch_b.refresh_from_db()
    assert people.branch_b.name_key == "水生态环境处第一支部"  # imports find it by its new name
    assert AuditEntry.objects.filter(
        action="org.update", object_id=str(people.branch_b.pk)
    ).exists()


def test_it_refuses_a_stale_org_update_with_409(client, people):
    client.force_login(people.office)
    url = f"{URL}/{people.branch_b.pk}"
    assert _send(client, "put", url, _edit(people.branch_b, name="甲")).status_code == 200
    stale = _send(client, "put", url, _edit(people.branch_b, name="乙"))
    assert stale.status_code == 409
    assert stale.json() == {"detail": str(StaleEdit.message)}
    people.branch_b.refresh_from_db()
    assert people.branch_b.name == "甲"


def test_it_moves_an_org_with_its_members(client, people):
    general = make_org("第二党总支", Org.Kind.general_branch, people.root, code="G2")
    client.force_login(people.office)
    response = _send(
        client, "put", f"{URL}/{people.branch_b.pk}", _edit(people.branch_b, parent_id=general.pk)
    )
    assert response.status_code == 200, response.content
    assert response.json()["depth"] == 2
    people.li.refresh_from_db()
    assert people.li.org_path.startswith(general.path)


def test_it_refuses_to_move_an_org_under_its_own_child(client, people):
    client.force_login(people.office)
    inner = make_org("直属机关党委", Org.Kind.committee, people.root, code="C2")
    response = _send(
        client, "put", f"{URL}/{people.root.pk}", _edit(people.root, parent_id=inner.pk)
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "parent_id", "message": "不能把党组织移到它自己的下级组织之下。"}
    ]
    people.root.refresh_from_db()
    assert people.root.parent_id is None


def test_a_secretary_may_read_but_not_manage_orgs(client, people):
    client.force_login(people.secretary_a)
    data = {"code": "A2", "name": "第二党小组", "kind": "group", "parent_id": people.branch_a.pk}
    response = _send(client, "post", URL, data)
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有权限进行此操作。"}
    edit = _send(client, "put", f"{URL}/{people.group_a.pk}", _edit(people.group_a, name="x"))
    assert edit.status_code == 403


def test_the_org_list_costs_the_same_queries_for_5_and_50_orgs(
    client, people, django_assert_max_num_queries
):
    client.force_login(people.office)
    client.get(URL)
    make_org("第1党支部", Org.Kind.branch, people.root)
    with CaptureQueriesContext(connection) as five:
        assert client.get(URL, {"limit": 200}).json()["count"] == 5
    for index in range(45):
        make_member(make_org(f"第{index + 2}党支部", Org.Kind.branch, people.root), f"王{index}")
    with django_assert_max_num_queries(len(five)), CaptureQueriesContext(connection) as fifty:
        assert client.get(URL, {"limit": 200}).json()["count"] == 50
    assert len(five) == len(fifty)


def test_the_openapi_document_is_served_and_the_cdn_docs_page_is_not(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    ours = {
        "/api/v1/orgs",
        "/api/v1/orgs/{org_id}",
        "/api/v1/members",
        "/api/v1/members/{member_id}",
    }
    assert ours <= set(paths)
    assert set(paths["/api/v1/members/{member_id}"]) == {"get", "put"}
    assert client.get("/api/v1/docs").status_code == 404

"""SECURITY.md item 8 through the API: every role reaches for records outside its scope by id.

Each role is tried with a browser session and with a bearer token. A role that may read gets 404
for what lies outside its subtree (the record's existence is not confirmed); a role without the
permission at all gets 403 whatever the id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tiejun.accounts.models import ApiToken, User
from tiejun.accounts.roles import Role
from tiejun.org.models import Member, Org
from tiejun.testing import make_id_number, make_member, make_org, make_user

ROLES_WITH_DATA = ["office", "office_subtree", "secretary", "committee_member", "member"]
ADMIN_ROLES = ["system_admin", "security_admin", "audit_admin"]
AUTH_MODES = ["session", "bearer"]


@dataclass
class Cast:
    users: dict[str, User]
    orgs: dict[str, Org]
    members: dict[str, Member]


@pytest.fixture(autouse=True)
def _quick_password_hashes(settings):
    # Nine accounts per test: a full-strength PBKDF2 hash each would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(people) -> Cast:
    """The shared people plus a second committee with an office of its own, and a separate tree."""
    sub = make_org("直属单位党委", Org.Kind.committee, people.root, code="SUB")
    branch_c = make_org("监测站党支部", Org.Kind.branch, sub, code="C")
    other = make_org("另一机关党委", Org.Kind.committee, code="OTHER")
    other_branch = make_org("另一党支部", Org.Kind.branch, other, code="OTHER-B")
    users = {
        "office": people.office,
        "office_subtree": make_user("office_sub", Role.office, sub),
        "secretary": people.secretary_a,
        "committee_member": make_user("committee", Role.committee_member, people.branch_a),
        "member": people.member_a,
        "system_admin": people.sysadmin,
        "security_admin": people.secadmin,
        "audit_admin": people.auditor,
    }
    orgs = {
        "ROOT": people.root,
        "A": people.branch_a,
        "A1": people.group_a,
        "B": people.branch_b,
        "SUB": sub,
        "C": branch_c,
        "OTHER": other,
        "OTHER-B": other_branch,
    }
    members = {
        "张海冰": people.zhang,
        "李文": people.li,
        "赵同事": make_member(people.branch_a, "赵同事"),
        "王监测": make_member(branch_c, "王监测"),
        "陈外": make_member(other_branch, "陈外"),
    }
    return Cast(users, orgs, members)


# What each role sees; everything else in the cast is outside its scope.
VISIBLE_ORGS = {
    "office": {"ROOT", "A", "A1", "B", "SUB", "C"},
    "office_subtree": {"SUB", "C"},
    "secretary": {"A", "A1"},
    "committee_member": {"A", "A1"},
    "member": {"A"},
}
VISIBLE_MEMBERS = {
    "office": {"张海冰", "李文", "赵同事", "王监测"},
    "office_subtree": {"王监测"},
    "secretary": {"张海冰", "赵同事"},
    "committee_member": {"张海冰", "赵同事"},
    "member": {"张海冰"},
}


class Caller:
    """One user's requests, authenticated by session cookie or by bearer token."""

    def __init__(self, client: Any, user: User, mode: str) -> None:
        self.client, self.headers = client, {}
        if mode == "session":
            client.force_login(user)
        else:
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, '范围测试')[1]}"}

    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(url, params or {}, **self.headers)

    def send(self, method: str, url: str, data: dict[str, Any]) -> Any:
        send = getattr(self.client, method)
        return send(url, data=data, content_type="application/json", **self.headers)


def _member_edit(member: Member) -> dict[str, Any]:
    return {
        "name": member.name,
        "birth_date": member.birth_date.isoformat(),
        "joined_on": member.joined_on.isoformat(),
        "category": member.category,
        "full_on": member.full_on.isoformat() if member.full_on else None,
        "org_id": member.org_id,
        "status": member.status,
        "version": member.version,
        "post": "越权修改",
    }


def _org_edit(org: Org) -> dict[str, Any]:
    return {
        "code": org.code,
        "name": "越权修改",
        "kind": org.kind,
        "parent_id": org.parent_id,
        "version": org.version,
    }


def _new_member(org: Org) -> dict[str, Any]:
    return {
        "name": "越权新增",
        "id_number": make_id_number(dt.date(1990, 1, 1), 77),
        "joined_on": "2015-07-01",
        "full_on": "2016-07-01",
        "category": "full",
        "org_id": org.pk,
    }


def _outside(cast: Cast, role: str) -> tuple[list[Org], list[Member]]:
    orgs = [org for code, org in cast.orgs.items() if code not in VISIBLE_ORGS[role]]
    members = [m for name, m in cast.members.items() if name not in VISIBLE_MEMBERS[role]]
    return orgs, members


@pytest.mark.parametrize("mode", AUTH_MODES)
@pytest.mark.parametrize("role", ROLES_WITH_DATA)
def test_it_answers_404_for_reads_outside_the_scope(client, cast, role, mode):
    api = Caller(client, cast.users[role], mode)
    orgs, members = _outside(cast, role)
    for org in orgs:
        assert api.get(f"/api/v1/orgs/{org.pk}").status_code == 404, org
        assert api.get("/api/v1/orgs", {"parent": org.pk}).status_code == 404, org
        assert api.get("/api/v1/members", {"org": org.pk}).status_code == 404, org
    for member in members:
        response = api.get(f"/api/v1/members/{member.pk}")
        assert response.status_code == 404, member
        assert member.name not in response.content.decode()


@pytest.mark.parametrize("mode", AUTH_MODES)
@pytest.mark.parametrize("role", ROLES_WITH_DATA)
def test_lists_hold_only_rows_inside_the_scope(client, cast, role, mode):
    api = Caller(client, cast.users[role], mode)
    orgs = api.get("/api/v1/orgs", {"limit": 200}).json()
    members = api.get("/api/v1/members", {"limit": 200}).json()
    assert {item["code"] for item in orgs["items"]} == VISIBLE_ORGS[role]
    assert orgs["count"] == len(VISIBLE_ORGS[role])
    assert {item["name"] for item in members["items"]} == VISIBLE_MEMBERS[role]
    assert members["count"] == len(VISIBLE_MEMBERS[role])


@pytest.mark.parametrize("mode", AUTH_MODES)
@pytest.mark.parametrize("role", ROLES_WITH_DATA)
def test_it_refuses_writes_outside_the_scope(client, cast, role, mode):
    user = cast.users[role]
    api = Caller(client, user, mode)
    orgs, members = _outside(cast, role)
    member_status = 404 if user.can("member.manage") else 403
    org_status = 404 if user.can("org.manage") else 403
    for member in members:
        response = api.send("put", f"/api/v1/members/{member.pk}", _member_edit(member))
        assert response.status_code == member_status, (member, response.content)
    for org in orgs:
        response = api.send("put", f"/api/v1/orgs/{org.pk}", _org_edit(org))
        assert response.status_code == org_status, (org, response.content)
        created = api.send("post", "/api/v1/members", _new_member(org))
        assert created.status_code == (422 if user.can("member.manage") else 403)
    assert not Member.objects.filter(post="越权修改").exists()
    assert not Org.objects.filter(name="越权修改").exists()
    assert not Member.objects.filter(name="越权新增").exists()


@pytest.mark.parametrize("mode", AUTH_MODES)
@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_the_three_administrators_see_no_party_data(client, cast, role, mode):
    api = Caller(client, cast.users[role], mode)
    urls = ["/api/v1/orgs", "/api/v1/members"]
    urls += [f"/api/v1/orgs/{org.pk}" for org in cast.orgs.values()]
    urls += [f"/api/v1/members/{member.pk}" for member in cast.members.values()]
    for url in urls:
        response = api.get(url)
        assert response.status_code == 403, url
        assert response.json() == {"detail": "您没有权限进行此操作。"}
    zhang, branch_a = cast.members["张海冰"], cast.orgs["A"]
    assert api.send("put", f"/api/v1/members/{zhang.pk}", _member_edit(zhang)).status_code == 403
    assert api.send("post", "/api/v1/members", _new_member(branch_a)).status_code == 403
    assert api.send("put", f"/api/v1/orgs/{branch_a.pk}", _org_edit(branch_a)).status_code == 403

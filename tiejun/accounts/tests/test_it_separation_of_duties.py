"""SECURITY.md item 9 (三员分立): the three administrator roles are exclusive, none can do
another's work or see Party data, and only the audit administrator reads the audit trail."""

from __future__ import annotations

import pytest

from tiejun.accounts.models import AuditEntry, User
from tiejun.accounts.roles import ADMIN_ROLES, PERMISSIONS, Role

PAGES = {
    "sysadmin": ["/accounts/users/", "/accounts/users/new/"],
    "secadmin": ["/accounts/security/"],
    "auditor": ["/accounts/audit/", "/accounts/audit/export.xlsx"],
}
# The rules table is read by both: the system administrator overrides business rows, the
# security administrator security.* rows (tiejun/rules/tests/test_rules.py checks who edits what).
SHARED = {"/rules/": {"sysadmin", "secadmin"}}


def _party_pages(people) -> list[str]:
    return [
        "/org/",
        "/members/",
        f"/members/{people.zhang.pk}/",
        "/members/export.xlsx",
        f"/org/{people.branch_a.pk}/children/",
    ]


@pytest.mark.parametrize("who", list(PAGES))
def test_each_administrator_opens_only_their_own_pages(client, people, who):
    client.force_login(getattr(people, who))
    for owner, urls in PAGES.items():
        for url in urls:
            expected = 200 if owner == who else 403
            assert client.get(url).status_code == expected, (who, url)
    for url, readers in SHARED.items():
        assert client.get(url).status_code == (200 if who in readers else 403), (who, url)


@pytest.mark.parametrize("who", list(PAGES))
def test_no_administrator_sees_party_data(client, people, who):
    client.force_login(getattr(people, who))
    for url in _party_pages(people):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/members/{people.zhang.pk}/reveal/").status_code == 403


@pytest.mark.parametrize("who", ["sysadmin", "auditor"])
def test_only_the_security_admin_changes_roles_and_permissions(client, people, who):
    client.force_login(getattr(people, who))
    target = people.secretary_a
    assert (
        client.post(f"/accounts/security/users/{target.pk}/", {"role": "office"}).status_code == 403
    )
    assert (
        client.post(f"/accounts/security/users/{target.pk}/reveal/", {"allowed": "1"}).status_code
        == 403
    )
    assert client.post("/accounts/security/unlock/", {"username": "member"}).status_code == 403
    target.refresh_from_db()
    assert target.role == Role.secretary and not target.may_reveal_personal_data


@pytest.mark.parametrize("who", ["secadmin", "auditor"])
def test_only_the_system_admin_creates_party_accounts(client, people, who):
    client.force_login(getattr(people, who))
    response = client.post(
        "/accounts/users/new/",
        {"username": "x1", "display_name": "某", "role": "office", "org": people.root.pk},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="x1").exists()


def test_only_the_audit_admin_verifies_the_trail(client, people):
    for who in ("sysadmin", "secadmin"):
        client.force_login(getattr(people, who))
        assert client.post("/accounts/audit/verify/").status_code == 403


def test_the_system_admin_cannot_grant_an_administrator_role(client, people):
    client.force_login(people.sysadmin)
    for role in ADMIN_ROLES:
        response = client.post(
            "/accounts/users/new/", {"username": f"new_{role}", "display_name": "某", "role": role}
        )
        assert response.status_code == 200
        assert "不在可用的选项中" in response.content.decode()
        assert not User.objects.filter(username=f"new_{role}").exists()


def test_the_system_admin_cannot_touch_administrator_accounts(client, people):
    client.force_login(people.sysadmin)
    for admin in (people.secadmin, people.auditor, people.sysadmin):
        assert client.get(f"/accounts/users/{admin.pk}/").status_code == 403
        assert (
            client.post(f"/accounts/users/{admin.pk}/active/", {"active": "0"}).status_code == 403
        )
        assert client.post(f"/accounts/users/{admin.pk}/password/").status_code == 403
    people.auditor.refresh_from_db()
    assert people.auditor.is_active


def test_the_security_admin_cannot_change_their_own_role(client, people):
    client.force_login(people.secadmin)
    response = client.post(
        f"/accounts/security/users/{people.secadmin.pk}/", {"role": "audit_admin"}
    )
    assert "不能修改自己的角色" in response.content.decode()
    people.secadmin.refresh_from_db()
    assert people.secadmin.role == Role.security_admin


def test_one_role_per_user_by_construction():
    field = User._meta.get_field("role")
    assert not field.many_to_many and field.max_length  # one value, not a set of roles


def test_the_permission_table_gives_no_admin_role_anothers_permission():
    admin_permissions = {"accounts.manage", "rules.manage", "security.manage", "audit.view"}
    for permission, roles in PERMISSIONS.items():
        held = roles & ADMIN_ROLES
        if permission == "rules.view":
            assert held == {Role.system_admin, Role.security_admin}
        elif permission in admin_permissions:
            assert len(held) == 1, permission
        else:
            assert not held, permission  # Party data: no administrator
    owners = {
        next(iter(PERMISSIONS[p] & ADMIN_ROLES))
        for p in ("accounts.manage", "security.manage", "audit.view")
    }
    assert owners == set(ADMIN_ROLES)


def test_administrator_roles_have_no_org_scope(client, people):
    client.force_login(people.secadmin)
    client.post(
        f"/accounts/security/users/{people.office.pk}/",
        {"role": "audit_admin", "org": people.root.pk},
    )
    people.office.refresh_from_db()
    assert people.office.role == Role.audit_admin
    assert people.office.org_id is None and not people.office.may_reveal_personal_data
    assert people.office.scope_path() is None


def test_a_refusal_is_itself_audited(client, people):
    client.force_login(people.sysadmin)
    client.get("/accounts/audit/")
    entry = AuditEntry.objects.filter(action="access.denied").latest("seq")
    assert entry.username == "admin" and entry.result == "denied"
    assert entry.detail["permission"] == "audit.view"


def test_the_menu_shows_each_administrator_only_their_own_entry(client, people):
    labels = {"sysadmin": "账户管理", "secadmin": "安全管理", "auditor": "审计日志"}
    for who, mine in labels.items():
        client.force_login(getattr(people, who))
        body = client.get("/").content.decode()
        sidebar = body[body.index("tj-sidebar") : body.index("</nav>")]
        for label in labels.values():
            assert (label in sidebar) == (label == mine), (who, label)
        assert "党员名册" not in sidebar

"""安全管理: roles, the personal-data permission, unlocking and second factors; every change
audited (SECURITY.md items 9–11)."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tiejun.accounts.models import User
from tiejun.accounts.roles import Role
from tiejun.accounts.tests.helpers import confirmed_device, last_entry, log_in, queries_for
from tiejun.testing import make_member, make_user


@pytest.fixture
def sec_client(client, people):
    client.force_login(people.secadmin)
    return client


def test_the_page_lists_roles_permissions_and_second_factors(sec_client, people):
    confirmed_device(people.auditor)
    body = sec_client.get("/accounts/security/").content.decode()
    assert "共 7 条" in body
    assert "已绑定" in body and "待绑定" in body and "可查看" in body


def test_the_page_costs_the_same_number_of_queries_for_more_accounts(sec_client, people):
    small = queries_for(sec_client, "/accounts/security/")
    for n in range(30):
        user = make_user(f"extra{n}", Role.office, people.root)
        confirmed_device(user)
    assert queries_for(sec_client, "/accounts/security/") == small
    assert queries_for(sec_client, "/accounts/security/", role="office", page=2) == small


def test_it_makes_an_org_user_an_administrator_and_audits_it(sec_client, people):
    target = people.office
    response = sec_client.post(f"/accounts/security/users/{target.pk}/", {"role": "system_admin"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.system_admin
    assert target.org is None and not target.may_reveal_personal_data
    entry = last_entry("account.role_change")
    assert entry.username == "security" and entry.object_id == str(target.pk)
    assert (
        entry.detail["before"]["role"] == "office"
        and entry.detail["after"]["role"] == "system_admin"
    )


def test_an_org_role_needs_an_org_and_a_member_role_a_member_record(sec_client, people):
    target = people.sysadmin
    page = sec_client.post(
        f"/accounts/security/users/{target.pk}/", {"role": "secretary"}
    ).content.decode()
    assert "须指定管理范围" in page
    page = sec_client.post(
        f"/accounts/security/users/{target.pk}/", {"role": "member"}
    ).content.decode()
    assert "须关联党员档案" in page
    member = make_member(people.branch_b, "钱多")
    sec_client.post(
        f"/accounts/security/users/{people.office.pk}/",
        {"role": "member", "member_id_number": member.id_number()},
    )
    people.office.refresh_from_db()
    assert people.office.role == Role.member and people.office.member == member


def test_the_last_holder_of_an_administrator_role_stays(sec_client, people):
    page = sec_client.post(
        f"/accounts/security/users/{people.auditor.pk}/", {"role": "office", "org": people.root.pk}
    ).content.decode()
    assert "只剩这一名在用账户" in page
    people.auditor.refresh_from_db()
    assert people.auditor.role == Role.audit_admin
    make_user("auditor2", Role.audit_admin)
    sec_client.post(
        f"/accounts/security/users/{people.auditor.pk}/", {"role": "office", "org": people.root.pk}
    )
    people.auditor.refresh_from_db()
    assert people.auditor.role == Role.office


def test_it_grants_and_revokes_the_personal_data_permission(sec_client, people):
    url = f"/accounts/security/users/{people.secretary_a.pk}/reveal/"
    sec_client.post(url, {"allowed": "1"})
    people.secretary_a.refresh_from_db()
    assert people.secretary_a.may_reveal_personal_data
    assert last_entry("account.reveal_grant").object_id == str(people.secretary_a.pk)
    sec_client.post(url, {"allowed": "0"})
    people.secretary_a.refresh_from_db()
    assert not people.secretary_a.may_reveal_personal_data
    assert last_entry("account.reveal_revoke").object_id == str(people.secretary_a.pk)


@pytest.mark.parametrize("who", ["member_a", "auditor"])
def test_the_permission_goes_to_org_roles_only(sec_client, people, who):
    target = getattr(people, who)
    response = sec_client.post(
        f"/accounts/security/users/{target.pk}/reveal/", {"allowed": "1"}, follow=True
    )
    assert "只有党委管理员、支部书记、支部委员" in response.content.decode()
    target.refresh_from_db()
    assert not target.may_reveal_personal_data


def test_it_unlocks_an_account_and_audits_it(sec_client, people, client):
    other = client.__class__()
    for _ in range(5):
        log_in(other, "member", "Wrong-password-1")
    assert log_in(other, "member").status_code == 429
    sec_client.post("/accounts/security/unlock/", {"username": "member"})
    entry = last_entry("account.unlock")
    assert entry.object_id == str(people.member_a.pk) and entry.detail["cleared"] >= 1
    assert log_in(other, "member").status_code == 302


def test_it_manages_the_other_administrators_accounts(sec_client, people):
    target = people.sysadmin
    make_user("admin2", Role.system_admin)  # the role keeps a holder
    sec_client.post(f"/accounts/users/{target.pk}/active/", {"active": "0"})
    target.refresh_from_db()
    assert not target.is_active
    response = sec_client.post(f"/accounts/users/{target.pk}/password/")
    assert response.status_code == 200 and "临时口令" in response.content.decode()
    assert last_entry("account.password_reset").object_id == str(target.pk)


def test_it_does_not_reset_party_accounts_passwords(sec_client, people):
    assert sec_client.post(f"/accounts/users/{people.member_a.pk}/password/").status_code == 403


def test_it_cannot_act_on_its_own_account(sec_client, people):
    me = people.secadmin
    assert sec_client.post(f"/accounts/users/{me.pk}/active/", {"active": "0"}).status_code == 403
    assert sec_client.post(f"/accounts/users/{me.pk}/password/").status_code == 403
    confirmed_device(me)
    sec_client.post(f"/accounts/security/users/{me.pk}/otp/")
    assert TOTPDevice.objects.filter(user=me).exists()
    page = sec_client.get(f"/accounts/security/users/{me.pk}/").content.decode()
    assert "不能修改自己的角色和权限" in page


def test_it_refuses_disabling_the_last_active_administrator_of_a_role(sec_client, people):
    response = sec_client.post(
        f"/accounts/users/{people.auditor.pk}/active/", {"active": "0"}, follow=True
    )
    assert "只剩这一名在用账户" in response.content.decode()
    assert User.objects.get(pk=people.auditor.pk).is_active

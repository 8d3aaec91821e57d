"""账户管理: the system administrator lists, creates, edits, disables and resets Party accounts;
every change is audited (SECURITY.md items 1 and 11)."""

from __future__ import annotations

import pytest

from tiejun.accounts.models import AuditEntry, User
from tiejun.accounts.roles import Role
from tiejun.accounts.tests.helpers import last_entry, log_in, queries_for, temporary_password
from tiejun.testing import make_member, make_user


@pytest.fixture
def admin_client(client, people):
    client.force_login(people.sysadmin)
    return client


def test_it_lists_accounts_with_filters(admin_client, people):
    body = admin_client.get("/accounts/users/").content.decode()
    assert "共 7 条" in body and "secretary" in body
    body = admin_client.get("/accounts/users/", {"role": "secretary"}).content.decode()
    assert "共 1 条" in body
    body = admin_client.get("/accounts/users/", {"org": people.root.pk}).content.decode()
    assert "共 1 条" in body and ">office<" in body
    body = admin_client.get("/accounts/users/", {"q": "member"}).content.decode()
    assert "共 2 条" in body
    User.objects.filter(pk=people.member_b.pk).update(is_active=False)
    body = admin_client.get("/accounts/users/", {"active": "0"}).content.decode()
    assert "共 1 条" in body and "member_b" in body


def test_the_list_shows_no_party_data(admin_client, people):
    body = admin_client.get("/accounts/users/").content.decode()
    assert "张海冰" not in body and people.zhang.id_masked not in body
    assert "已关联党员档案" in body


def test_the_list_answers_htmx_with_the_table_only(admin_client, people):
    body = admin_client.get("/accounts/users/", HTTP_HX_REQUEST="true").content.decode()
    assert "<table" in body and "<html" not in body


def test_the_list_costs_the_same_number_of_queries_for_more_accounts(admin_client, people):
    small = queries_for(admin_client, "/accounts/users/")
    for n in range(30):
        make_user(f"extra{n}", Role.secretary, people.branch_a)
    assert queries_for(admin_client, "/accounts/users/") == small
    assert queries_for(admin_client, "/accounts/users/", page=2) == small


def test_it_creates_an_org_account_with_a_one_time_password(admin_client, people):
    response = admin_client.post(
        "/accounts/users/new/",
        {
            "username": "wang",
            "display_name": "王芳",
            "role": "secretary",
            "org": people.branch_b.pk,
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = temporary_password(response)
    user = User.objects.get(username="wang")
    assert user.role == Role.secretary and user.org == people.branch_b
    assert user.must_change_password and user.check_password(password)
    assert password not in str(AuditEntry.objects.values_list("detail", flat=True))
    entry = last_entry("account.create")
    assert entry.username == "admin" and entry.object_id == str(user.pk)
    admin_client.logout()
    assert log_in(admin_client, "wang", password).status_code == 302


def test_it_links_a_member_account_by_id_number(admin_client, people):
    member = make_member(people.branch_a, "赵敏")
    response = admin_client.post(
        "/accounts/users/new/",
        {
            "username": "zhaomin",
            "display_name": "赵敏",
            "role": "member",
            "member_id_number": member.id_number().lower(),
        },
    )
    assert response.status_code == 200
    assert User.objects.get(username="zhaomin").member == member


def test_creation_errors_are_explained_next_to_the_field(admin_client, people):
    cases = [
        ({"username": "OFFICE", "role": "office", "org": people.root.pk}, "该用户名已被使用"),
        ({"username": "n1", "role": "office"}, "须指定管理范围"),
        ({"username": "n2", "role": "member"}, "须关联党员档案"),
        (
            {"username": "n3", "role": "member", "member_id_number": "110101199003070000"},
            "未找到该身份证号对应的党员档案",
        ),
        (
            {"username": "n4", "role": "member", "member_id_number": people.zhang.id_number()},
            "该党员已有账户",
        ),
        ({"username": "bad name!", "role": "office", "org": people.root.pk}, "用户名"),
    ]
    for data, message in cases:
        response = admin_client.post("/accounts/users/new/", {"display_name": "某", **data})
        assert response.status_code == 200
        assert message in response.content.decode(), message
    assert User.objects.count() == 7


def test_it_edits_name_and_scope_but_not_the_role(admin_client, people):
    target = people.secretary_a
    response = admin_client.post(
        f"/accounts/users/{target.pk}/",
        {
            "display_name": "新名字",
            "org": people.branch_b.pk,
            "role": "office",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.display_name == "新名字" and target.org == people.branch_b
    assert target.role == Role.secretary
    entry = last_entry("account.update")
    assert entry.detail["changed"]["org"] == [people.branch_a.pk, people.branch_b.pk]


def test_it_disables_and_enables_an_account(admin_client, people, client):
    target = people.member_a
    response = admin_client.post(f"/accounts/users/{target.pk}/active/", {"active": "0"})
    assert response["Location"] == f"/accounts/users/{target.pk}/"
    target.refresh_from_db()
    assert not target.is_active
    assert last_entry("account.disable").object_id == str(target.pk)
    other = client.__class__()
    assert log_in(other, "member").status_code == 200  # refused, same words as a bad password
    admin_client.post(f"/accounts/users/{target.pk}/active/", {"active": "1"})
    target.refresh_from_db()
    assert target.is_active
    assert last_entry("account.enable").object_id == str(target.pk)


def test_disabling_ends_the_accounts_open_sessions(admin_client, people, client):
    other = client.__class__()
    other.force_login(people.member_a)
    assert other.get("/").status_code == 200
    admin_client.post(f"/accounts/users/{people.member_a.pk}/active/", {"active": "0"})
    assert other.get("/").status_code == 302


def test_a_reset_ends_the_old_password_and_is_audited(admin_client, people):
    response = admin_client.post(f"/accounts/users/{people.member_a.pk}/password/")
    password = temporary_password(response)
    people.member_a.refresh_from_db()
    assert people.member_a.check_password(password) and people.member_a.must_change_password
    entry = last_entry("account.password_reset")
    assert entry.username == "admin" and entry.object_id == str(people.member_a.pk)


def test_writes_are_post_only(admin_client, people):
    assert admin_client.get(f"/accounts/users/{people.member_a.pk}/password/").status_code == 405
    assert admin_client.get(f"/accounts/users/{people.member_a.pk}/active/").status_code == 405


def test_an_unknown_account_is_404(admin_client, people):
    assert admin_client.get("/accounts/users/999999/").status_code == 404

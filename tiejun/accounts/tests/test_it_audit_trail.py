"""SECURITY.md item 11: what is logged, and that each entry names time, user, IP, action,
object and result."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tiejun.accounts.models import AuditEntry
from tiejun.accounts.tests.helpers import last_entry, log_in
from tiejun.testing import make_id_number

IP = "10.20.30.40"


def _assert_complete(entry: AuditEntry, *, username: str, action: str, result: str = "ok") -> None:
    assert entry.action == action
    assert entry.username == username
    assert entry.ip == IP
    assert entry.result == result
    assert abs(timezone.now() - entry.at) < dt.timedelta(minutes=1)


def test_login_and_logout_are_logged(client, people):
    log_in(client, "member", REMOTE_ADDR=IP)
    _assert_complete(last_entry("login"), username="member", action="login")
    assert last_entry("login").user == people.member_a
    client.post("/accounts/logout/", REMOTE_ADDR=IP)
    _assert_complete(last_entry("logout"), username="member", action="logout")


def test_a_failed_login_is_logged_with_the_name_tried(client, people):
    log_in(client, "member", "Wrong-password-1", REMOTE_ADDR=IP)
    _assert_complete(
        last_entry("login_failed"), username="member", action="login_failed", result="failed"
    )
    log_in(client, "no-such-user", "x", REMOTE_ADDR=IP)
    assert last_entry("login_failed").username == "no-such-user"
    assert last_entry("login_failed").user is None


def test_a_lockout_is_logged(client, people):
    for _ in range(5):
        log_in(client, "member", "Wrong-password-1", REMOTE_ADDR=IP)
    _assert_complete(last_entry("lockout"), username="member", action="lockout", result="denied")


def test_a_role_change_names_the_actor_the_object_and_both_roles(client, people):
    client.force_login(people.secadmin)
    client.post(
        f"/accounts/security/users/{people.secretary_a.pk}/",
        {"role": "committee_member", "org": people.branch_a.pk},
        REMOTE_ADDR=IP,
    )
    entry = last_entry("account.role_change")
    _assert_complete(entry, username="security", action="account.role_change")
    assert entry.object_type == "accounts.user" and entry.object_id == str(people.secretary_a.pk)
    assert entry.object_repr == str(people.secretary_a)
    assert entry.detail["before"]["role"] == "secretary"
    assert entry.detail["after"]["role"] == "committee_member"


def test_a_permission_change_is_logged(client, people):
    client.force_login(people.secadmin)
    client.post(
        f"/accounts/security/users/{people.secretary_a.pk}/reveal/",
        {"allowed": "1"},
        REMOTE_ADDR=IP,
    )
    _assert_complete(
        last_entry("account.reveal_grant"), username="security", action="account.reveal_grant"
    )


def _member_form(people, **changes):
    number = make_id_number(dt.date(1988, 5, 6), 321)
    data = {
        "name": "孙立",
        "gender": "",
        "ethnicity": "汉族",
        "birth_date": "",
        "id_number": number,
        "education": "大学本科",
        "joined_on": "2012-07-01",
        "full_on": "2013-07-01",
        "category": "full",
        "org": people.branch_a.pk,
        "post": "科员",
        "phone": "13900000000",
    }
    data.update(changes)
    return data


def test_member_create_and_update_are_logged(client, people):
    from tiejun.org.models import Member

    client.force_login(people.office)
    response = client.post("/members/new/", _member_form(people), REMOTE_ADDR=IP)
    assert response.status_code == 302, response.content.decode()[:2000]
    member = Member.objects.get(name="孙立")
    created = last_entry("member.create")
    _assert_complete(created, username="office", action="member.create")
    assert created.object_type == "org.member" and created.object_id == str(member.pk)

    edit = _member_form(
        people,
        post="副处长",
        id_number="",
        version=member.version,
        status="active",
        reason="职务调整",
    )
    response = client.post(f"/members/{member.pk}/edit/", edit, REMOTE_ADDR=IP)
    assert response.status_code == 302, response.content.decode()[:2000]
    _assert_complete(last_entry("member.update"), username="office", action="member.update")


def test_no_entry_holds_a_password_or_a_full_id_number(client, people):
    log_in(client, "member", REMOTE_ADDR=IP)
    log_in(client, "member", "Wrong-password-1", REMOTE_ADDR=IP)
    everything = str(list(AuditEntry.objects.values()))
    assert "Wrong-password-1" not in everything
    assert people.zhang.id_number() not in everything


def test_behind_a_trusted_proxy_the_forwarded_address_is_logged(client, people, settings):
    settings.TIEJUN_TRUSTED_PROXIES = ["10.0.0.2"]
    log_in(client, "member", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="forged, 172.16.5.9")
    assert last_entry("login").ip == "172.16.5.9"


def test_a_forwarded_header_from_anyone_else_is_ignored(client, people, settings):
    settings.TIEJUN_TRUSTED_PROXIES = ["10.0.0.2"]
    log_in(client, "member", REMOTE_ADDR=IP, HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert last_entry("login").ip == IP


def test_a_garbled_forwarded_hop_falls_back_to_the_proxy_address(client, people, settings):
    settings.TIEJUN_TRUSTED_PROXIES = ["10.0.0.2"]
    log_in(client, "member", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4:5678")
    assert last_entry("login").ip == "10.0.0.2"

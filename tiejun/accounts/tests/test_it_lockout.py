"""SECURITY.md item 4: five failures lock the account for the cool-off; the message never tells
whether the account exists; the lock ends after the cool-off or when the security admin
unlocks it."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.utils import timezone

from tiejun.accounts.tests.helpers import log_in
from tiejun.testing import PASSWORD, override_rule

LOCKED = "登录失败次数过多，请稍后再试。"


def _fail(client, username: str, times: int):
    response = None
    for _ in range(times):
        response = log_in(client, username, "Wrong-password-1")
    return response


def test_five_failures_lock_the_account_even_with_the_right_password(client, people):
    fourth = _fail(client, "member", 4)
    assert fourth.status_code == 200
    assert "用户名或口令不正确" in fourth.content.decode()
    fifth = _fail(client, "member", 1)
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    refused = log_in(client, "member", PASSWORD)
    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()


def test_the_lockout_answer_is_the_same_for_an_unknown_username(client, people):
    known = _fail(client, "member", 5)
    unknown = _fail(client, "nobody-here", 5)
    assert known.status_code == unknown.status_code == 429

    def message(response):
        body = response.content.decode()
        return body[body.index('role="alert"') :].split("</div>")[0]

    assert message(known) == message(unknown)
    # Before the lock too: a wrong password and an unknown name read alike.
    assert message(log_in(client, "office", "bad")) == message(log_in(client, "nobody2", "bad"))


def test_the_lock_ends_after_the_cool_off(client, people):
    _fail(client, "member", 5)
    assert log_in(client, "member").status_code == 429
    AccessAttempt.objects.filter(username="member").update(
        attempt_time=timezone.now() - dt.timedelta(minutes=31)
    )
    assert log_in(client, "member").status_code == 302


def test_the_lock_lasts_within_the_cool_off(client, people):
    _fail(client, "member", 5)
    AccessAttempt.objects.filter(username="member").update(
        attempt_time=timezone.now() - dt.timedelta(minutes=29)
    )
    assert log_in(client, "member").status_code == 429


def test_the_security_admin_sees_and_lifts_the_lock(client, people):
    _fail(client, "member", 5)
    admin = client.__class__()
    admin.force_login(people.secadmin)
    page = admin.get("/accounts/security/").content.decode()
    assert "已锁定" in page and ">member <" in page
    response = admin.post("/accounts/security/unlock/", {"username": "member"})
    assert response.status_code == 302
    assert "当前没有被锁定的账户" in admin.get("/accounts/security/").content.decode()
    assert log_in(client, "member").status_code == 302


def test_a_lock_does_not_spread_to_other_accounts(client, people):
    _fail(client, "member", 5)
    assert log_in(client, "office").status_code == 302


def test_the_failure_limit_follows_the_rules_table(client, people):

    override_rule("security.login.max_failures", 3)
    assert _fail(client, "member", 3).status_code == 429

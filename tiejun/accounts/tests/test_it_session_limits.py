"""SECURITY.md item 5: idle timeout, absolute limit, a new session id at login, the session row
deleted at logout."""

from __future__ import annotations

import time

from django.contrib.sessions.models import Session

from tiejun.accounts.middleware import LOGIN_AT, SEEN_AT
from tiejun.accounts.models import AuditEntry
from tiejun.accounts.tests.helpers import log_in


def _shift(client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_an_idle_session_ends_after_the_idle_timeout(client, people):
    log_in(client, "member")
    key = client.session.session_key
    _shift(client, SEEN_AT, 31 * 60)
    response = client.get("/")
    assert response["Location"] == "/accounts/login/?expired=1"
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEntry.objects.filter(action="session_expired", username="member").exists()
    assert "长时间未操作" in client.get(response["Location"]).content.decode()


def test_a_session_used_within_the_idle_timeout_continues(client, people):
    log_in(client, "member")
    _shift(client, SEEN_AT, 29 * 60)
    assert client.get("/").status_code == 200


def test_activity_moves_the_idle_clock(client, people):
    log_in(client, "member")
    _shift(client, SEEN_AT, 20 * 60)
    client.get("/")
    assert time.time() - client.session[SEEN_AT] < 5


def test_even_an_active_session_ends_at_the_absolute_limit(client, people):
    log_in(client, "member")
    _shift(client, LOGIN_AT, 8 * 3600 + 60)
    assert client.get("/")["Location"] == "/accounts/login/?expired=1"


def test_the_cookie_does_not_outlive_the_absolute_limit(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_login_issues_a_new_session_id(client, people):
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    log_in(client, "member")
    after = client.session.session_key
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_logout_deletes_the_session_row(client, people):
    log_in(client, "member")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_logout_is_post_only(client, people):
    log_in(client, "member")
    assert client.get("/accounts/logout/").status_code == 405

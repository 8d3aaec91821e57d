"""SECURITY.md item 22: login attempts per IP address are limited (rules table
security.login.rate_per_ip per security.login.rate_window_minutes); the answer is 429."""

from __future__ import annotations

import time
from unittest import mock

import pytest

from tiejun.accounts.models import AuditEntry
from tiejun.accounts.tests.helpers import log_in
from tiejun.testing import override_rule

TOO_MANY = "登录尝试过于频繁，请稍后再试。"


@pytest.fixture
def limit_of_three(db):
    override_rule("security.login.rate_per_ip", 3, source="测试")


def test_the_defaults_come_from_the_rules_table():
    from tiejun.rules.registry import default

    assert default("security.login.rate_per_ip") == 30
    assert default("security.login.rate_window_minutes") == 5


def test_attempts_past_the_limit_are_refused_with_429(client, people, limit_of_three):
    for n in range(3):
        assert log_in(client, f"guess{n}", "x", REMOTE_ADDR="10.9.9.9").status_code == 200
    refused = log_in(client, "office", REMOTE_ADDR="10.9.9.9")  # even the right password
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()


def test_other_addresses_are_not_affected(client, people, limit_of_three):
    for n in range(4):
        log_in(client, f"guess{n}", "x", REMOTE_ADDR="10.9.9.9")
    assert log_in(client, "office", REMOTE_ADDR="10.9.9.10").status_code == 302


def test_the_limit_lifts_in_the_next_window(client, people, limit_of_three):
    for n in range(4):
        log_in(client, f"guess{n}", "x", REMOTE_ADDR="10.9.9.9")
    later = time.time() + 5 * 60
    with mock.patch("tiejun.accounts.ratelimit.time.time", return_value=later):
        assert log_in(client, "office", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_a_flood_leaves_one_audit_entry_per_window(client, people, limit_of_three):
    for n in range(10):
        log_in(client, f"guess{n}", "x", REMOTE_ADDR="10.9.9.9")
    entries = AuditEntry.objects.filter(action="login_rate_limited")
    assert entries.count() == 1
    assert entries.get().ip == "10.9.9.9" and entries.get().result == "denied"


def test_viewing_the_login_page_does_not_count(client, people, limit_of_three):
    for _ in range(10):
        client.get("/accounts/login/", REMOTE_ADDR="10.9.9.9")
    assert log_in(client, "office", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_behind_the_proxy_each_client_has_its_own_limit(client, people, limit_of_three, settings):
    settings.TIEJUN_TRUSTED_PROXIES = ["10.0.0.2"]
    for n in range(4):
        log_in(client, f"guess{n}", "x", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="172.16.0.7")
    blocked = log_in(client, "office", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="172.16.0.7")
    assert blocked.status_code == 429
    other = log_in(client, "office", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="172.16.0.8")
    assert other.status_code == 302

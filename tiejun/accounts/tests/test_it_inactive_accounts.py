"""SECURITY.md item 1: accounts unused for security.account.inactive_days are disabled by a
command that is safe to run twice."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from tiejun.accounts.models import AuditEntry, User
from tiejun.testing import override_rule


def _last_login(user: User, days_ago: int | None, joined_days_ago: int = 1000) -> None:
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(
        last_login=None if days_ago is None else now - dt.timedelta(days=days_ago),
        date_joined=now - dt.timedelta(days=joined_days_ago),
    )


def test_it_disables_accounts_unused_past_the_limit_and_keeps_the_rest(people, capsys):
    _last_login(people.member_a, 91)
    _last_login(people.member_b, 89)
    _last_login(people.secretary_a, None)  # never logged in, account created long ago
    call_command("disable_inactive_accounts")
    active = dict(User.objects.values_list("username", "is_active"))
    assert active["member"] is False and active["secretary"] is False
    assert active["member_b"] is True
    assert "已停用 2 个" in capsys.readouterr().out


def test_a_new_account_that_has_not_logged_in_yet_is_kept(people):
    _last_login(people.member_a, None, joined_days_ago=5)
    call_command("disable_inactive_accounts")
    people.member_a.refresh_from_db()
    assert people.member_a.is_active


def test_each_disabling_is_audited_once_even_when_run_twice(people):
    _last_login(people.member_a, 200)
    call_command("disable_inactive_accounts")
    call_command("disable_inactive_accounts")
    entries = AuditEntry.objects.filter(action="account.disable_inactive")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.object_id == str(people.member_a.pk)
    assert entry.username == "manage.py disable_inactive_accounts"


def test_the_period_comes_from_the_rules_table(people):
    override_rule("security.account.inactive_days", 30)
    _last_login(people.member_b, 31)
    call_command("disable_inactive_accounts")
    people.member_b.refresh_from_db()
    assert not people.member_b.is_active

"""SECURITY.md item 3: change forced at first login, after an admin reset, and past max age."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tiejun.accounts.models import User
from tiejun.accounts.tests.helpers import log_in, temporary_password
from tiejun.testing import PASSWORD, override_rule


def _change(client, old: str, new: str = "Qz7#mLp2-new"):
    return client.post(
        "/accounts/password/",
        {
            "old_password": old,
            "new_password1": new,
            "new_password2": new,
        },
    )


def test_a_new_account_must_change_its_password_before_anything_else(client, people):
    User.objects.filter(pk=people.member_a.pk).update(must_change_password=True)
    assert log_in(client, "member").status_code == 302
    response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"
    assert "首次登录或口令被重置后" in client.get("/accounts/password/").content.decode()
    assert _change(client, PASSWORD).status_code == 302
    assert client.get("/members/").status_code == 200
    people.member_a.refresh_from_db()
    assert people.member_a.must_change_password is False


def test_after_an_admin_reset_the_temporary_password_must_be_changed(client, people):
    client.force_login(people.sysadmin)
    temporary = temporary_password(client.post(f"/accounts/users/{people.member_a.pk}/password/"))
    client.logout()

    assert log_in(client, "member", PASSWORD).status_code == 200  # the old password is gone
    assert log_in(client, "member", temporary).status_code == 302
    assert client.get("/").status_code == 302
    assert _change(client, temporary).status_code == 302
    assert client.get("/").status_code == 200


def test_a_password_older_than_the_maximum_age_must_be_changed(client, people):
    User.objects.filter(pk=people.member_a.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=91)
    )
    client.force_login(people.member_a)
    assert client.get("/")["Location"] == "/accounts/password/"


def test_a_password_younger_than_the_maximum_age_is_fine(client, people):
    User.objects.filter(pk=people.member_a.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=89)
    )
    client.force_login(people.member_a)
    assert client.get("/").status_code == 200


def test_the_maximum_age_comes_from_the_rules_table_and_zero_switches_it_off(client, people):

    override_rule("security.password.max_age_days", 0)
    User.objects.filter(pk=people.member_a.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=400)
    )
    client.force_login(people.member_a)
    assert client.get("/").status_code == 200


def test_logout_stays_reachable_while_a_change_is_due(client, people):
    User.objects.filter(pk=people.member_a.pk).update(must_change_password=True)
    client.force_login(people.member_a)
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"

"""The session and password rules answer the API in JSON, not with HTML redirects."""

from __future__ import annotations

import time

import pytest
from django.core.management import CommandError, call_command

from tiejun.accounts.middleware import SEEN_AT
from tiejun.accounts.models import User


def test_an_expired_session_gets_a_401_from_the_api(client, people):
    client.force_login(people.office)
    session = client.session
    session["tiejun_login_at"] = time.time() - 60
    session[SEEN_AT] = time.time() - 24 * 3600
    session.save()
    response = client.get("/api/v1/members")
    assert response.status_code == 401
    assert "会话已过期" in response.json()["detail"]


def test_a_session_that_must_change_its_password_gets_no_api_data(client, people):
    User.objects.filter(pk=people.office.pk).update(must_change_password=True)
    client.force_login(people.office)
    response = client.get("/api/v1/members")
    assert response.status_code == 403
    assert "修改口令" in response.json()["detail"]


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_no_api_token_for_the_three_administrators(people, who):
    with pytest.raises(CommandError, match="三员"):
        call_command("issue_token", getattr(people, who).username, name="脚本")

"""Bearer tokens and session authentication of the JSON API, and the issue_token command."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tiejun.accounts.models import ApiToken, AuditEntry
from tiejun.testing import make_id_number

MEMBERS = "/api/v1/members"


@pytest.fixture(autouse=True)
def _quick_password_hashes(settings):
    # The shared cast has seven accounts: full-strength PBKDF2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _new_member(people: Any) -> dict[str, Any]:
    return {
        "name": "孙新",
        "id_number": make_id_number(dt.date(1991, 2, 3), 311),
        "joined_on": "2016-07-01",
        "full_on": "2017-07-01",
        "category": "full",
        "org_id": people.branch_a.pk,
    }


def test_it_reads_with_a_bearer_token(client, people):
    _token, key = ApiToken.issue(people.secretary_a, "同步脚本")
    response = client.get(MEMBERS, headers=_bearer(key))
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["张海冰"]


def test_it_notes_when_a_token_was_last_used(client, people):
    token, key = ApiToken.issue(people.secretary_a, "同步脚本")
    client.get(MEMBERS, headers=_bearer(key))
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)


def test_it_refuses_requests_without_credentials(client, db):
    response = client.get(MEMBERS)
    assert response.status_code == 401
    assert "接口令牌" in response.json()["detail"]
    assert client.post(MEMBERS, data="{}", content_type="application/json").status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer tj_not-a-real-key", "Bearer ", "Basic dXNlcjpwYXNz", "tj_x"]
)
def test_it_refuses_a_wrong_token(client, people, header):
    response = client.get(MEMBERS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_it_refuses_a_revoked_token(client, people):
    token, key = ApiToken.issue(people.secretary_a, "同步脚本")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert client.get(MEMBERS, headers=_bearer(key)).status_code == 401


def test_it_refuses_the_token_of_a_disabled_account(client, people):
    _token, key = ApiToken.issue(people.secretary_a, "同步脚本")
    people.secretary_a.is_active = False
    people.secretary_a.save(update_fields=["is_active"])
    assert client.get(MEMBERS, headers=_bearer(key)).status_code == 401


def test_a_session_write_without_the_csrf_token_is_refused(people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.secretary_a)
    response = browser.post(MEMBERS, data=_new_member(people), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not people.branch_a.members.filter(name="孙新").exists()


def test_a_session_write_with_the_csrf_token_is_accepted(people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.secretary_a)
    browser.get("/members/")  # a page sets the CSRF cookie, as in the browser
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        MEMBERS, data=_new_member(people), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.content


def test_a_session_read_needs_no_csrf_token(people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.secretary_a)
    assert browser.get(MEMBERS).status_code == 200


def test_a_bearer_write_needs_no_csrf_token(people):
    _token, key = ApiToken.issue(people.secretary_a, "同步脚本")
    script = Client(enforce_csrf_checks=True)
    response = script.post(
        MEMBERS, data=_new_member(people), content_type="application/json", headers=_bearer(key)
    )
    assert response.status_code == 201, response.content
    audit = AuditEntry.objects.get(action="member.create", object_id=str(response.json()["id"]))
    assert audit.username == "secretary"  # the token's user is the actor


def test_issue_token_prints_a_key_that_works_once_stored(client, people):
    out, err = StringIO(), StringIO()
    call_command("issue_token", "secretary", "--name", "年报同步", stdout=out, stderr=err)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=people.secretary_a)
    assert token.name == "年报同步"
    assert key.startswith(token.prefix)
    assert key not in token.digest  # only the digest is stored
    assert "无法再次查看" in err.getvalue()
    assert client.get(MEMBERS, headers=_bearer(key)).status_code == 200
    entry = AuditEntry.objects.get(action="api_token.issue")
    assert entry.detail == {"for": "secretary", "name": "年报同步"}


def test_issue_token_refuses_an_unknown_or_disabled_user(people):
    with pytest.raises(CommandError, match="不存在"):
        call_command("issue_token", "nobody", "--name", "x", stdout=StringIO())
    people.member_b.is_active = False
    people.member_b.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="停用"):
        call_command("issue_token", "member_b", "--name", "x", stdout=StringIO())
    with pytest.raises(CommandError, match="用途"):
        call_command("issue_token", "secretary", "--name", "  ", stdout=StringIO())
    assert not ApiToken.objects.exists()

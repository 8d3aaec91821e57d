"""SECURITY.md item 6: the three administrator roles need a TOTP code after the password."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tiejun.accounts.models import AuditEntry
from tiejun.accounts.tests.helpers import code_for, confirmed_device, log_in


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.TIEJUN_REQUIRE_ADMIN_OTP = True


def _wait_out_throttle() -> None:
    """django-otp makes the next try wait 2^(n-1) seconds after n failures; pretend we waited."""
    TOTPDevice.objects.update(throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=1))


def test_it_is_on_by_default():
    import tiejun.settings

    assert tiejun.settings.TIEJUN_REQUIRE_ADMIN_OTP is True


@pytest.mark.parametrize("who", ["admin", "security", "auditor"])
def test_an_administrator_without_a_device_is_sent_to_enrol(client, people, who):
    log_in(client, who)
    response = client.get("/accounts/users/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/setup/?next=")


def test_enrolment_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(client, people):
    log_in(client, "admin")
    page = client.get("/accounts/otp/setup/").content.decode()
    device = TOTPDevice.objects.get(user=people.sysadmin)
    assert not device.confirmed
    qr = re.search(r'<img[^>]+src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert qr and b"<svg" in base64.b64decode(qr.group(1))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret[:4] + " " + secret[4:8] in page
    assert "style=" not in page and "<script>" not in page  # the CSP forbids inline code

    wrong = client.post("/accounts/otp/setup/", {"token": "000000"})
    assert wrong.status_code == 200 and "动态口令不正确" in wrong.content.decode()
    _wait_out_throttle()
    response = client.post(
        "/accounts/otp/setup/", {"token": code_for(device), "next": "/accounts/users/"}
    )
    assert response["Location"] == "/accounts/users/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/accounts/users/").status_code == 200
    assert AuditEntry.objects.filter(action="otp.enrol", result="ok", username="admin").exists()
    assert AuditEntry.objects.filter(action="otp.enrol", result="failed").exists()


def test_an_administrator_with_a_device_enters_a_code_before_any_page(client, people):
    device = confirmed_device(people.auditor)
    log_in(client, "auditor")
    response = client.get("/accounts/audit/")
    assert response["Location"] == "/accounts/otp/?next=/accounts/audit/"
    assert client.get("/accounts/otp/setup/")["Location"].startswith("/accounts/otp/")
    refused = client.post("/accounts/otp/", {"token": "123456"})
    assert "动态口令不正确" in refused.content.decode()
    assert client.get("/accounts/audit/").status_code == 302
    _wait_out_throttle()
    accepted = client.post(
        "/accounts/otp/", {"token": code_for(device), "next": "/accounts/audit/"}
    )
    assert accepted["Location"] == "/accounts/audit/"
    assert client.get("/accounts/audit/").status_code == 200
    assert AuditEntry.objects.filter(
        action="otp.verify", result="failed", username="auditor"
    ).exists()


def test_guessing_is_throttled(client, people):
    device = confirmed_device(people.auditor)
    log_in(client, "auditor")
    client.post("/accounts/otp/", {"token": "000000"})
    right_but_too_soon = client.post("/accounts/otp/", {"token": code_for(device)})
    assert "尝试次数过多" in right_but_too_soon.content.decode()
    assert client.get("/accounts/audit/").status_code == 302


def test_a_code_is_good_only_once(client, people):
    device = confirmed_device(people.auditor)
    code = code_for(device)
    log_in(client, "auditor")
    client.post("/accounts/otp/", {"token": code})
    client.post("/accounts/logout/")
    log_in(client, "auditor")
    replay = client.post("/accounts/otp/", {"token": code})
    assert replay.status_code == 200
    assert client.get("/accounts/audit/").status_code == 302


def test_a_new_login_asks_for_a_code_again(client, people):
    device = confirmed_device(people.secadmin)
    log_in(client, "security")
    client.post("/accounts/otp/", {"token": code_for(device)})
    assert client.get("/accounts/security/").status_code == 200
    client.post("/accounts/logout/")
    log_in(client, "security")
    assert client.get("/accounts/security/").status_code == 302
    client.post("/accounts/otp/", {"token": code_for(device, steps_ahead=1)})
    assert client.get("/accounts/security/").status_code == 200


def test_logout_static_files_and_the_health_check_stay_reachable(client, people):
    log_in(client, "admin")
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/tiejun.css").status_code in (200, 404)  # not redirected
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_the_api_answers_403_in_json_until_the_code_is_entered(client, people):
    log_in(client, "admin")
    response = client.get("/api/v1/orgs")
    assert response.status_code == 403
    assert "动态口令" in response.json()["detail"]


def test_party_users_are_never_asked(client, people):
    log_in(client, "secretary")
    assert client.get("/members/").status_code == 200
    assert client.get("/accounts/otp/setup/")["Location"] == "/accounts/otp/"


def test_the_second_factor_comes_before_a_due_password_change(client, people):
    from tiejun.accounts.models import User

    User.objects.filter(pk=people.sysadmin.pk).update(must_change_password=True)
    device = confirmed_device(people.sysadmin)
    log_in(client, "admin")
    assert client.get("/accounts/password/")["Location"].startswith("/accounts/otp/")
    client.post("/accounts/otp/", {"token": code_for(device)})
    assert client.get("/accounts/users/")["Location"] == "/accounts/password/"
    assert client.get("/accounts/password/").status_code == 200


def test_the_setting_switches_it_off_for_development(client, people, settings):
    settings.TIEJUN_REQUIRE_ADMIN_OTP = False
    log_in(client, "admin")
    assert client.get("/accounts/users/").status_code == 200


def test_the_security_admin_resets_a_lost_device(client, people):
    confirmed_device(people.auditor)
    from tiejun.accounts.tests.helpers import verified_login

    verified_login(client, people.secadmin)
    response = client.post(f"/accounts/security/users/{people.auditor.pk}/otp/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=people.auditor).exists()
    assert AuditEntry.objects.filter(
        action="account.otp_reset", object_id=str(people.auditor.pk)
    ).exists()
    other = client.__class__()
    log_in(other, "auditor")
    assert other.get("/accounts/audit/")["Location"].startswith("/accounts/otp/setup/")


def test_passing_the_second_factor_issues_a_new_session_id(client, people):
    device = confirmed_device(people.auditor)
    log_in(client, "auditor")
    before = client.session.session_key
    client.post("/accounts/otp/", {"token": code_for(device)})
    assert client.session.session_key != before
    assert client.get("/accounts/audit/").status_code == 200

"""Small helpers shared by the accounts tests."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tiejun.accounts.models import AuditEntry
from tiejun.testing import PASSWORD

LOGIN_URL = "/accounts/login/"


def log_in(client: Any, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The device's code now, or `steps_ahead` 30-second steps later (a code is good once)."""
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
    )
    return f"{code:0{device.digits}d}"


def confirmed_device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="铁军", confirmed=True)


def verified_login(client: Any, user: Any) -> TOTPDevice:
    """force_login plus a verified second factor, as after a real TOTP step."""
    device = confirmed_device(user)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return device


def queries_for(client: Any, url: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return len(captured)


def last_entry(action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).order_by("-seq").first()
    assert entry is not None, f"no audit entry {action!r}"
    return entry


def temporary_password(response: Any) -> str:
    """The one-time password on the page shown after creating or resetting an account."""
    found = re.search(r'id="temporary-password">([^<]+)<', response.content.decode())
    assert found, "no temporary password on the page"
    return found.group(1)

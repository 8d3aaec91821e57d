"""The three administrators' screens in a real browser: TOTP enrolment under the CSP, the
one-time password, the audit list; screenshots go to var/screenshots for a person to look at."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser import login, shot
from tiejun.accounts.tests.helpers import code_for
from tiejun.testing import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.TIEJUN_REQUIRE_ADMIN_OTP = True


def _csp_violations(page) -> list[str]:
    messages: list[str] = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return messages


def test_the_system_admin_enrols_totp_and_creates_an_account(page, people):
    violations = _csp_violations(page)
    login(page, "admin", PASSWORD)
    page.wait_for_selector("text=绑定动态口令")
    assert page.locator("img[alt='动态口令二维码']").evaluate("img => img.naturalWidth") > 0
    shot(page, "otp-setup")
    device = TOTPDevice.objects.get(user=people.sysadmin)
    page.fill("#id_token", code_for(device))
    page.click("button:has-text('确认绑定')")
    page.wait_for_selector("text=账户管理")
    page.click("nav >> text=账户管理")
    page.wait_for_selector("h1:has-text('账户管理')")
    shot(page, "user-list")
    page.click("text=新建账户")
    page.fill("#id_username", "wangfang")
    page.fill("#id_display_name", "王芳")
    page.select_option("#id_role", "secretary")
    page.select_option("#id_org", str(people.branch_b.pk))
    page.click("main button[type=submit]")
    page.wait_for_selector("#temporary-password")
    assert re.fullmatch(r"\S{16}", page.inner_text("#temporary-password"))
    shot(page, "password-once")
    assert violations == []


def test_the_security_and_audit_admins_screens(page, people):
    violations = _csp_violations(page)
    for username, user, url, name in [
        ("security", people.secadmin, "/accounts/security/", "security"),
        ("auditor", people.auditor, "/accounts/audit/", "audit-list"),
    ]:
        device = TOTPDevice.objects.create(user=user, name="铁军", confirmed=True)
        login(page, username, PASSWORD)
        page.wait_for_selector("text=动态口令验证")
        page.fill("#id_token", code_for(device))
        page.click("button:has-text('验证')")
        page.goto(url)
        page.wait_for_selector("h1")
        shot(page, name)
        if username == "security":
            page.goto(f"/accounts/security/users/{people.secretary_a.pk}/")
            shot(page, "security-user")
        if username == "auditor":
            page.click("button:has-text('校验完整性')")
            page.wait_for_selector("text=校验通过")
            shot(page, "audit-verified")
        page.goto("/")
        page.click(".tj-topbar-user button")
        page.click("text=退出登录")
        page.wait_for_selector("#id_username")
    assert violations == []

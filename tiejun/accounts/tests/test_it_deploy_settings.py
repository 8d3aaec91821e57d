"""SECURITY.md items 15, 23 and 9: production settings pass `check --deploy`; DEBUG is off,
SECRET_KEY and ALLOWED_HOSTS come from the environment, cookies are Secure/HttpOnly/SameSite,
HSTS is on; a superuser or a switched-off second factor fails the check."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tiejun.accounts import checks
from tiejun.accounts.models import User

BASE_DIR = django_settings.BASE_DIR


def _production_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TIEJUN_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "djb.example.gov.cn",
        "TIEJUN_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tiejun.settings",
    }
    env.update(extra)
    return {key: value for key, value in env.items() if value != ""}


def _manage(tmp_path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=_production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "ALLOWED_HOSTS", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "TIEJUN_REQUIRE_ADMIN_OTP"]}))
"""


def _production_settings(tmp_path, **extra: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=BASE_DIR,
        env=_production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_switch_on_the_checklist(tmp_path):
    values = _production_settings(tmp_path)
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["djb.example.gov.cn"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["TIEJUN_REQUIRE_ADMIN_OTP"] is True


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage(tmp_path, "check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_has_no_default_allowed_hosts(tmp_path):
    assert _production_settings(tmp_path, ALLOWED_HOSTS="")["ALLOWED_HOSTS"] == []
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", ALLOWED_HOSTS="")
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr


def test_debug_switched_on_in_production_fails_the_check(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", DEBUG="1")
    assert result.returncode != 0 and "tiejun.E003" in result.stderr


def test_the_second_factor_switched_off_in_production_fails_the_check(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", TIEJUN_REQUIRE_ADMIN_OTP="0")
    assert result.returncode != 0 and "tiejun.E002" in result.stderr


def test_a_superuser_in_production_is_an_error(settings, db):
    settings.PRODUCTION = True
    assert checks.no_superuser_in_production(None) == []
    User.objects.create_superuser("root", password="Qz7#mLp2-root")
    errors = checks.no_superuser_in_production(None)
    assert [error.id for error in errors] == ["tiejun.E001"]
    with pytest.raises(SystemCheckError, match=r"tiejun\.E001"):
        call_command("check", "--deploy", "--tag", "security")


def test_a_disabled_superuser_is_tolerated(settings, db):
    settings.PRODUCTION = True
    User.objects.create_superuser("root", password="Qz7#mLp2-root", is_active=False)
    assert checks.no_superuser_in_production(None) == []


def test_development_runs_without_secrets_on_local_hosts_only(tmp_path):
    values = _production_settings(tmp_path, TIEJUN_PRODUCTION="0", SECRET_KEY="", ALLOWED_HOSTS="")
    assert values["DEBUG"] is False  # on only when asked for with DEBUG=1
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "testserver"]

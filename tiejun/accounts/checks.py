"""Deployment checks: `manage.py check --deploy` fails on what 等保 forbids."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.security, deploy=True)
def no_superuser_in_production(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from tiejun.accounts.models import User

    if not getattr(settings, "PRODUCTION", False):
        return []
    try:
        if User.objects.filter(is_superuser=True, is_active=True).exists():
            return [checks.Error("生产环境不得存在超级用户（三员分立）。", id="tiejun.E001")]
    except DatabaseError:
        return []
    return []


@checks.register(checks.Tags.security, deploy=True)
def admin_second_factor_in_production(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if getattr(settings, "PRODUCTION", False) and not settings.TIEJUN_REQUIRE_ADMIN_OTP:
        return [
            checks.Error(
                "生产环境不得关闭三员的动态口令（TIEJUN_REQUIRE_ADMIN_OTP）。", id="tiejun.E002"
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def no_debug_in_production(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    # Django only warns (security.W018); a stack trace on a government intranet is an error.
    if getattr(settings, "PRODUCTION", False) and settings.DEBUG:
        return [checks.Error("生产环境不得开启 DEBUG。", id="tiejun.E003")]
    return []

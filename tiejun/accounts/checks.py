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

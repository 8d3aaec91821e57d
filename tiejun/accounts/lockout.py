"""Lockout numbers for django-axes, read from the rules table on each use (SECURITY.md item 4).

Settings name these callables instead of fixed numbers, so a deployment's override of
security.login.* in the rules table takes effect without a restart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.models import AccessAttempt
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone

from tiejun import rules


def failure_limit(request: HttpRequest | None = None, credentials: Any = None) -> int:
    return int(rules.get("security.login.max_failures"))


def cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    return dt.timedelta(minutes=rules.get("security.login.lockout_minutes"))


def locked_accounts() -> list[dict[str, Any]]:
    """Usernames whose failures within the cool-off reach the limit: what axes refuses now."""
    since = timezone.now() - cool_off()
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=since, username__isnull=False)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=failure_limit())
        .order_by("-last_attempt")
    )
    return [{**row, "unlocks_at": row["last_attempt"] + cool_off()} for row in rows]

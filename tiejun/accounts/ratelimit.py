"""A fixed-window counter in Django's cache (SECURITY.md item 22).

Fixed windows let a client spend up to twice the limit across a window boundary; that is
acceptable for slowing password guessing, and it costs one cache increment per attempt.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.http import HttpRequest

from tiejun import rules
from tiejun.accounts.audit import client_ip

if TYPE_CHECKING:
    from tiejun.accounts.models import User


def count_attempt(key: str, window_seconds: int) -> int:
    """Add one attempt to `key`'s current window; the number of attempts in it so far."""
    bucket = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{key}:{bucket}"
    # add() is a no-op when the key exists, so concurrent first attempts do not reset the count.
    cache.add(cache_key, 0, timeout=window_seconds + 1)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=window_seconds + 1)
        return 1


def login_attempts_over_limit(request: HttpRequest) -> int:
    """0 while the address may still try to log in; else how far over the limit it is."""
    limit = rules.get("security.login.rate_per_ip")
    window = rules.get("security.login.rate_window_minutes") * 60
    attempts = count_attempt(f"login:{client_ip(request) or 'unknown'}", window)
    return max(0, attempts - limit)


def user_over_limit(user: User, action: str) -> bool:
    """Counts one `action` ("export", "search") of the user; True once past the rules table's
    security.<action>.rate_per_user in security.<action>.rate_window_minutes."""
    limit = rules.get(f"security.{action}.rate_per_user")
    window = rules.get(f"security.{action}.rate_window_minutes") * 60
    return count_attempt(f"{action}:{user.pk}", window) > limit

"""The rules table: every number a regulation sets, with its source.

`rules.get(key)` answers the rule in force on a date: the newest deployment override whose
`effective_from` has come, else the national default from `national.toml`.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from tiejun.rules.registry import Rule, UnknownRule, default, defaults

__all__ = ["Rule", "UnknownRule", "all_rules", "defaults", "get", "invalidate"]

_CACHE_KEY = "rules:overrides:v1"
# Overrides change a few times a year; other processes see a change within this many seconds.
_CACHE_SECONDS = 60
# And each process keeps what it read for this long: a loop asking a rule for every row of an
# import would otherwise ask the shared cache (and unpickle the overrides) every time.
_LOCAL_SECONDS = 1.0
_Overrides = dict[str, list[tuple[dt.date, Any]]]
_local: tuple[float, _Overrides | None] = (0.0, None)


def _overrides() -> _Overrides:
    global _local
    read_until, found = _local
    now = time.monotonic()
    if found is None or now >= read_until:
        found = _shared_overrides()
        _local = (now + _LOCAL_SECONDS, found)
    return found


def _shared_overrides() -> _Overrides:
    from django.core.cache import cache

    found = cache.get(_CACHE_KEY)
    if found is None:
        from tiejun.rules.models import RuleOverride

        found = {}
        rows = RuleOverride.objects.order_by("key", "-effective_from", "-id")
        for key, effective_from, value in rows.values_list("key", "effective_from", "value"):
            found.setdefault(key, []).append((effective_from, value))
        cache.set(_CACHE_KEY, found, _CACHE_SECONDS)
    return found


def get(key: str, on: dt.date | None = None) -> Any:
    base = default(key)  # raises UnknownRule for a key that does not exist
    on = on or dt.date.today()
    for effective_from, value in _overrides().get(key, ()):
        if effective_from <= on:
            return value
    return base


def invalidate() -> None:
    global _local
    from django.core.cache import cache

    cache.delete(_CACHE_KEY)
    _local = (0.0, None)


def all_rules() -> list[Rule]:
    return sorted(defaults().values(), key=lambda rule: rule.key)

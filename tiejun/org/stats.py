"""The few numbers the home page shows for the user's org subtree."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q

from tiejun.accounts.models import User
from tiejun.org.models import Member, Org


def home_numbers(user: User) -> dict[str, int]:
    """Members and orgs of the user's subtree, shared by everyone with the same scope.

    Counting a ministry's 500,000 members takes about a third of a second (bench/), on the page
    everyone opens first; a count a few minutes old says as much, so it is cached per subtree.
    """
    scope = user.scope_path()
    if scope is None or user.is_member_only:
        return {}
    key = f"home:numbers:v1:{scope}"
    numbers: dict[str, int] | None = cache.get(key)
    if numbers is None:
        numbers = _count(user)
        cache.set(key, numbers, settings.TIEJUN_HOME_NUMBERS_SECONDS)
    return numbers


def _count(user: User) -> dict[str, Any]:
    members = (
        Member.objects.visible_to(user)
        .filter(status=Member.Status.active)
        .aggregate(
            total=Count("id"),
            probationary=Count("id", filter=Q(category=Member.Category.probationary)),
        )
    )
    orgs = (
        Org.objects.visible_to(user)
        .active()
        .aggregate(
            branches=Count("id", filter=Q(kind__in=[Org.Kind.branch, Org.Kind.temporary_branch])),
            orgs=Count("id"),
        )
    )
    return {**members, **orgs}

"""The few numbers the home page shows for the user's org subtree."""

from __future__ import annotations

from django.db.models import Count, Q

from tiejun.accounts.models import User
from tiejun.org.models import Member, Org


def home_numbers(user: User) -> dict[str, int]:
    if user.scope_path() is None or user.is_member_only:
        return {}
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

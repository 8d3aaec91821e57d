"""The one place pages and the API turn an id from a request into an object (or a 404)."""

from __future__ import annotations

from django.http import Http404

from tiejun.accounts.models import User
from tiejun.org.models import Member, Org


def get_org_for_user(user: User, pk: object) -> Org:
    try:
        return Org.objects.visible_to(user).select_related("parent", "unit").get(pk=int(str(pk)))
    except (Org.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_member_for_user(user: User, pk: object) -> Member:
    try:
        return Member.objects.visible_to(user).select_related("org").get(pk=int(str(pk)))
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def scope_root(user: User) -> Org | None:
    """The top org of what the user may see: their org, or the member's own branch."""
    if user.is_member_only:
        return user.member.org if user.member else None
    return user.org if user.scope_path() is not None else None


MEMBER_HOLDING_KINDS = (
    Org.Kind.branch,
    Org.Kind.temporary_branch,
    Org.Kind.general_branch,
    Org.Kind.committee,
)

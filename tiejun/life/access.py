"""The one place pages and the API turn a meeting id or sign-in token into a meeting (or a 404)."""

from __future__ import annotations

from django.http import Http404

from tiejun.accounts.models import User
from tiejun.life.models import Meeting


def get_meeting_for_user(user: User, pk: object) -> Meeting:
    try:
        return (
            Meeting.objects.visible_to(user)
            .select_related("org", "host", "recorder", "lecturer", "cycle")
            .get(pk=int(str(pk)))
        )
    except (Meeting.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def get_meeting_by_token(user: User, token: str) -> Meeting:
    """A scanned code: the meeting behind it, if the user's scope reaches it."""
    try:
        return Meeting.objects.visible_to(user).select_related("org").get(sign_in_token=token)
    except Meeting.DoesNotExist:
        raise Http404 from None

"""What pages read: a user's inbox, its size, and one reminder by id within the user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from tiejun.accounts.models import User
from tiejun.reminders.models import Reminder, ReminderQuerySet

# The home page shows this many; the rest are one click away on /reminders/.
HOME_LIMIT = 8


@dataclass
class Inbox:
    items: list[Reminder]
    more: bool


def can_have_reminders(user: User) -> bool:
    return user.is_authenticated and user.can("reminder.view")


def inbox_queryset(user: User) -> ReminderQuerySet:
    if not can_have_reminders(user):
        return Reminder.objects.none()
    return Reminder.objects.for_user(user).select_related("org").in_inbox_order()


def inbox_for(user: User, limit: int = HOME_LIMIT) -> Inbox:
    """The first `limit` open reminders, overdue first: one query (one more row says "more")."""
    items = list(inbox_queryset(user)[: limit + 1])
    return Inbox(items=items[:limit], more=len(items) > limit)


def count_for(user: User) -> int:
    if not can_have_reminders(user):
        return 0
    return Reminder.objects.for_user(user).count()


def get_reminder_for_user(user: User, pk: object) -> Reminder:
    """Open or resolved, but only one this user must act on; anything else is a 404."""
    if not can_have_reminders(user):
        raise Http404
    try:
        return Reminder.objects.visible_to(user).get(pk=int(str(pk)))
    except (Reminder.DoesNotExist, ValueError, TypeError):
        raise Http404 from None

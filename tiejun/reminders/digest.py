"""E-mail digests: one message per person listing the reminders not yet e-mailed.

Reminders are claimed with a conditional update (emailed_at IS NULL → now) before anything is
sent, so two runs at once never send the same reminder twice; what no message reached is
released again for the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tiejun.accounts.models import User
from tiejun.accounts.roles import PERMISSIONS, Role
from tiejun.org.models import SEGMENT_WIDTH
from tiejun.reminders.models import BRANCH_ROLES, STAGE_RANK, Reminder

log = logging.getLogger(__name__)


def _claim(now: dt.datetime) -> list[Reminder]:
    Reminder.objects.open().filter(emailed_at__isnull=True).update(emailed_at=now)
    # Only what this run stamped: a concurrent run's rows carry its own timestamp.
    claimed = Reminder.objects.open().filter(emailed_at=now).select_related("org")
    return sorted(claimed, key=lambda r: (STAGE_RANK.get(r.stage, 9), r.due_on, r.pk))


def _recipients() -> Iterable[User]:
    roles = PERMISSIONS["reminder.view"]
    return (
        User.objects.filter(is_active=True, role__in=roles)
        .exclude(email="")
        .select_related("org", "member")
        .order_by("pk")
    )


class _Index:
    """Claimed reminders by every ancestor path of their org and by member, so each person's
    share is a dictionary lookup, not a scan of all reminders."""

    def __init__(self, reminders: list[Reminder]) -> None:
        self.by_path: dict[str, list[Reminder]] = defaultdict(list)
        self.by_member: dict[int, list[Reminder]] = defaultdict(list)
        for reminder in reminders:
            path = reminder.org_path
            for end in range(SEGMENT_WIDTH, len(path) + 1, SEGMENT_WIDTH):
                self.by_path[path[:end]].append(reminder)
            if reminder.member_id:
                self.by_member[reminder.member_id].append(reminder)

    def for_user(self, user: User) -> list[Reminder]:
        """The same audience as ReminderQuerySet.visible_to, in memory."""
        scope = user.scope_path()
        if scope is None:
            return []
        found = list(self.by_member.get(user.member_id, [])) if user.member_id else []
        for reminder in self.by_path.get(scope, []):
            if (user.role == Role.office and reminder.notify_office) or (
                user.role in BRANCH_ROLES and reminder.notify_branch
            ):
                found.append(reminder)
        unique = {r.pk: r for r in found}.values()
        return sorted(unique, key=lambda r: (STAGE_RANK.get(r.stage, 9), r.due_on, r.pk))


def _message(user: User, reminders: list[Reminder]) -> EmailMessage:
    body = render_to_string(
        "reminders/email/digest.txt",
        {"user": user, "reminders": reminders, "site": settings.TIEJUN_SITE_URL},
    )
    subject = _("【铁军】您有 %(n)s 项新的待办") % {"n": len(reminders)}
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def send_digests(*, now: dt.datetime | None = None) -> int:
    """Send one digest per person with reminders not yet e-mailed; the number of messages sent."""
    now = now or timezone.now()
    claimed = _claim(now)
    if not claimed:
        return 0
    try:
        delivered, failed, sent = _send_all(_Index(claimed))
    except Exception:
        # The mail server could not be reached at all: nothing went out, nothing stays claimed.
        _release({r.pk for r in claimed}, now)
        raise
    _release(failed - delivered, now)
    return sent


def _send_all(index: _Index) -> tuple[set[int], set[int], int]:
    delivered: set[int] = set()
    failed: set[int] = set()
    sent = 0
    with get_connection() as connection:
        for user in _recipients():
            share = index.for_user(user)
            if not share:
                continue
            ids = {r.pk for r in share}
            try:
                connection.send_messages([_message(user, share)])
            except Exception:  # SMTP refused one address; the others still get theirs
                log.exception("reminder digest to user %s failed", user.pk)
                failed |= ids
                continue
            delivered |= ids
            sent += 1
    return delivered, failed, sent


def _release(ids: set[int], now: dt.datetime) -> None:
    """Reminders whose every message failed go back to the queue for the next run."""
    if ids:
        Reminder.objects.filter(pk__in=ids, emailed_at=now).update(emailed_at=None)

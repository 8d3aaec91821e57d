"""E-mail digests: one message per person, each reminder sent once, sent again when it worsens."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command

from tiejun.accounts.models import User
from tiejun.accounts.roles import Role
from tiejun.reminders.digest import send_digests
from tiejun.reminders.models import Reminder
from tiejun.reminders.tests.helpers import TODAY, make_committee, run
from tiejun.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailboxes(people):
    User.objects.filter(pk=people.office.pk).update(email="office@example.org")
    User.objects.filter(pk=people.secretary_a.pk).update(email="secretary@example.org")
    User.objects.filter(pk=people.auditor.pk).update(email="auditor@example.org")
    make_user("secretary_b", Role.secretary, people.branch_b, email="b@example.org")
    make_committee(people.branch_a, expires_on=dt.date(2026, 10, 31))
    make_committee(people.branch_b, expires_on=dt.date(2027, 1, 20))
    run(TODAY)


def _to(address: str) -> mail.EmailMessage:
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


def test_it_sends_one_digest_per_person_once(people, mailboxes, settings):
    settings.TIEJUN_SITE_URL = "https://dj.example.org"
    out = StringIO()
    rules = ["--rule", "reelection", "--rule", "probation"]
    call_command("reminders", "--today", f"{TODAY}", *rules, "--email", stdout=out)
    assert "已发送待办邮件 3 封" in out.getvalue()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "b@example.org",
        "office@example.org",
        "secretary@example.org",
    ]
    office = _to("office@example.org")
    assert office.subject == "【铁军】您有 2 项新的待办"
    assert office.body.index("[已逾期]") < office.body.index("[即将到期]")
    ours = Reminder.objects.get(org=people.branch_a)
    assert f"https://dj.example.org/reminders/{ours.pk}/" in _to("secretary@example.org").body
    assert "2027-01-20" not in _to("secretary@example.org").body
    mail.outbox.clear()
    assert send_digests() == 0 and mail.outbox == []
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 0


def test_it_sends_a_reminder_again_when_it_becomes_overdue(people, mailboxes):
    send_digests()
    mail.outbox.clear()
    run(dt.date(2027, 1, 21))
    assert send_digests() == 2  # the office and branch B; branch A's reminder has not changed
    assert "已于2027-01-20届满" in _to("b@example.org").body


def test_it_releases_the_claim_when_the_mail_server_is_down(people, mailboxes):
    down = mock.patch("tiejun.reminders.digest.get_connection", side_effect=OSError("refused"))
    with down, pytest.raises(OSError):
        send_digests()
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 2
    assert send_digests() == 3


def test_it_keeps_unsent_what_no_message_delivered(people, mailboxes):
    real = mail.get_connection()

    class Picky:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_messages(self, messages):
            if messages[0].to == ["b@example.org"]:
                raise OSError("mailbox full")
            return real.send_messages(messages)

    with mock.patch("tiejun.reminders.digest.get_connection", return_value=Picky()):
        assert send_digests() == 2
    # Branch B's reminder reached the office, so it counts as sent; nothing is left pending.
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 0

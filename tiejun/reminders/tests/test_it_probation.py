"""转正提醒: within the reminder days before probation ends, overdue after; full resolves it."""

from __future__ import annotations

import datetime as dt

import pytest

from tiejun import rules
from tiejun.org.models import Member
from tiejun.reminders.models import Reminder, Stage
from tiejun.reminders.tests.helpers import TODAY, open_keys, run
from tiejun.rules.models import RuleOverride
from tiejun.testing import make_member

pytestmark = pytest.mark.django_db


def _probationary(org, joined_on: dt.date, name: str = "王晓明", **fields) -> Member:
    return make_member(
        org, name, category=Member.Category.probationary, joined_on=joined_on, **fields
    )


def test_it_reminds_from_thirty_days_before_the_probation_ends(people):
    outside = _probationary(people.branch_a, dt.date(2025, 12, 24), "周一")  # ends in 31 days
    inside = _probationary(people.branch_a, dt.date(2025, 12, 23), "吴二")  # ends in 30 days
    run(TODAY, "probation")
    reminder = Reminder.objects.open().get()
    assert reminder.key == f"member:{inside.pk}"
    assert (reminder.stage, reminder.due_on) == (Stage.due_soon, dt.date(2026, 12, 23))
    assert reminder.member_id == inside.pk and reminder.org == people.branch_a
    assert reminder.url == f"/members/{inside.pk}/"
    assert "吴二预备期将于2026-12-23期满" in reminder.title
    assert outside.pk != inside.pk


def test_it_turns_overdue_in_place_when_the_probation_has_ended(people):
    member = _probationary(people.branch_a, dt.date(2025, 11, 30))
    run(dt.date(2026, 11, 23), "probation")
    first = Reminder.objects.open().get()
    Reminder.objects.filter(pk=first.pk).update(emailed_at=first.created_at)
    counts = run(dt.date(2026, 12, 1), "probation")["probation"]
    assert (counts.created, counts.kept, counts.resolved) == (0, 1, 0)
    again = Reminder.objects.open().get()
    assert again.pk == first.pk and again.stage == Stage.overdue
    assert "尚未办理转正" in again.title
    assert again.emailed_at is None  # more pressing: e-mailed again
    assert member.pk == again.member_id


def test_it_resolves_the_reminder_when_the_member_becomes_full(people):
    member = _probationary(people.branch_a, dt.date(2025, 11, 1))
    run(TODAY, "probation")
    assert open_keys("probation") == [f"member:{member.pk}"]
    Member.objects.filter(pk=member.pk).update(
        category=Member.Category.full, full_on=dt.date(2026, 11, 20)
    )
    assert run(TODAY, "probation")["probation"].resolved == 1
    assert open_keys() == []


def test_it_skips_members_no_longer_on_the_roll(people):
    _probationary(people.branch_a, dt.date(2025, 11, 1), status=Member.Status.transferred_out)
    run(TODAY, "probation")
    assert open_keys() == []


def test_it_reads_the_window_and_the_probation_from_the_rules_table(people):
    member = _probationary(people.branch_a, dt.date(2025, 12, 23) + dt.timedelta(days=20))
    run(TODAY, "probation")
    assert open_keys() == []
    RuleOverride.objects.create(
        key="development.probation.remind_days_before",
        value=60,
        source="本单位规定",
        effective_from=dt.date(2026, 1, 1),
    )
    rules.invalidate()
    run(TODAY, "probation")
    assert open_keys() == [f"member:{member.pk}"]

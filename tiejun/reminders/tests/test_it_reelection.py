"""换届提醒: 6, 3, 1 months before the term ends, then overdue; a new committee resolves it."""

from __future__ import annotations

import datetime as dt

import pytest

from tiejun import rules
from tiejun.lib.dates import add_months
from tiejun.org.models import Committee
from tiejun.reminders.models import Reminder, Stage
from tiejun.reminders.tests.helpers import TODAY, make_committee, open_keys, run
from tiejun.rules.models import RuleOverride

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("expires_on", "step", "stage"),
    [
        (dt.date(2027, 5, 24), None, None),  # six months and a day: not yet
        (dt.date(2027, 5, 23), "6m", Stage.due_soon),  # exactly six months
        (dt.date(2027, 2, 24), "6m", Stage.due_soon),
        (dt.date(2027, 2, 23), "3m", Stage.due_soon),
        (dt.date(2026, 12, 24), "3m", Stage.due_soon),
        (dt.date(2026, 12, 23), "1m", Stage.due),
        (dt.date(2026, 11, 23), "1m", Stage.due),  # ends today: still in time
        (dt.date(2026, 11, 22), "overdue", Stage.overdue),
        (dt.date(2024, 1, 1), "overdue", Stage.overdue),
    ],
)
def test_it_steps_through_six_three_one_months_and_overdue(people, expires_on, step, stage):
    committee = make_committee(people.branch_a, expires_on=expires_on)
    run(TODAY, "reelection")
    if step is None:
        assert open_keys() == []
        return
    reminder = Reminder.objects.open().get()
    assert reminder.key == f"committee:{committee.pk}:{step}"
    assert (reminder.stage, reminder.due_on) == (stage, committee.expires_on)
    assert reminder.org == people.branch_a
    assert reminder.url == f"/org/?org={people.branch_a.pk}"
    assert "第2届委员会" in reminder.title and f"{expires_on:%Y-%m-%d}" in reminder.title


def test_it_keeps_one_open_reminder_as_the_steps_pass(people):
    committee = make_committee(people.branch_a, expires_on=dt.date(2027, 5, 1))
    seen = []
    for day in (
        dt.date(2026, 11, 1),
        dt.date(2027, 2, 1),
        dt.date(2027, 4, 1),
        dt.date(2027, 5, 2),
    ):
        run(day, "reelection")
        seen.append(open_keys())
    base = f"committee:{committee.pk}"
    assert seen == [[f"{base}:6m"], [f"{base}:3m"], [f"{base}:1m"], [f"{base}:overdue"]]
    assert Reminder.objects.filter(resolved_at__isnull=False).count() == 3


def test_it_resolves_the_reminder_when_the_new_committee_is_elected(people):
    old = make_committee(people.branch_a, expires_on=dt.date(2026, 10, 1))
    assert run(TODAY, "reelection")["reelection"].created == 1
    Committee.objects.filter(pk=old.pk).update(ended_on=dt.date(2026, 11, 20))
    make_committee(people.branch_a, expires_on=dt.date(2029, 11, 20), number=3)
    counts = run(TODAY, "reelection")["reelection"]
    assert (counts.created, counts.kept, counts.resolved) == (0, 0, 1)
    assert open_keys() == []
    assert Reminder.objects.get().resolved_at is not None


def test_it_ignores_orgs_without_terms_and_dissolved_orgs(people):
    make_committee(people.branch_a, expires_on=dt.date(2026, 12, 1), term_years=0)
    make_committee(people.branch_b, expires_on=dt.date(2026, 12, 1))
    people.branch_b.dissolved_on = dt.date(2026, 6, 1)
    people.branch_b.save(update_fields=["dissolved_on"])
    run(TODAY, "reelection")
    assert open_keys() == []


def test_it_reads_the_months_from_the_rules_table(people):
    make_committee(people.branch_a, expires_on=add_months(TODAY, 8))
    run(TODAY, "reelection")
    assert open_keys() == []
    RuleOverride.objects.create(
        key="org.reelection.remind_months_before",
        value=[12, 2],
        source="本省规定",
        effective_from=dt.date(2026, 1, 1),
    )
    rules.invalidate()
    run(TODAY, "reelection")
    assert [k.rsplit(":", 1)[1] for k in open_keys()] == ["12m"]

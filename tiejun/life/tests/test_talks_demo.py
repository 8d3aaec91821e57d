"""The demo year of talks: most branches cover most pairs, some lag; 必谈 open and answered."""

from __future__ import annotations

from tiejun.life import talks
from tiejun.life.demo import build_demo_talks
from tiejun.life.models import LifeEvent, Talk
from tiejun.life.talk_reminder_rules import MustTalkRule
from tiejun.life.tests.helpers import seat
from tiejun.org.models import Org
from tiejun.reminders.models import Stage
from tiejun.testing import make_member, make_org


def _branches(people, count: int) -> list[Org]:
    orgs = []
    for index in range(count):
        org = make_org(f"第{index + 1}党支部", Org.Kind.branch, people.root)
        for n in range(6):
            member = make_member(org, f"党员{index}_{n}")
            if n < 3:
                seat(org, member, ("secretary", "organization", "publicity")[n])
        orgs.append(org)
    return orgs


def test_most_branches_cover_most_pairs_and_some_lag(people, today):
    branches = _branches(people, 12)
    year = today.year - 1  # a whole year, whatever the month today
    made = build_demo_talks(year=year, seed=3)
    assert made == Talk.objects.count() > 12 * 5
    assert Talk.objects.filter(kind=Talk.Kind.integrity).exists()
    shares = [talks.baseline(org=org, year=year, today=today).share for org in branches]
    assert max(shares) >= 0.8 and min(shares) < 0.5


def test_it_leaves_one_must_talk_overdue_and_one_due(people, today):
    _branches(people, 3)
    build_demo_talks(year=today.year, seed=3)
    assert not Talk.objects.filter(held_on__gt=today).exists()
    assert LifeEvent.objects.count() == 5
    stages = {due.title.split("（")[0]: due.stage for due in MustTalkRule().evaluate(today=today)}
    assert sorted(stages.values()) == sorted([Stage.overdue, Stage.due])
    assert any("生病住院" in title for title in stages)
    assert build_demo_talks(year=today.year + 1, seed=3) == 0  # the future is not yet held

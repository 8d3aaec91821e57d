"""The demo year of meetings: realistic, varied across branches, consistent with the rules."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from tiejun.life.demo import build_demo_meetings
from tiejun.life.models import Attendance, Meeting, Topic
from tiejun.life.tests.helpers import seat
from tiejun.org.models import Org
from tiejun.testing import make_member, make_org


def _branches(people, count: int) -> list[Org]:
    orgs = []
    for index in range(count):
        org = make_org(f"第{index + 1}党支部", Org.Kind.branch, people.root, theme_day=10)
        for n in range(3):
            member = make_member(org, f"党员{index}_{n}")
            if n == 0:
                seat(org, member, "secretary")
        orgs.append(org)
    return orgs


def test_it_builds_a_year_that_is_realistic_and_varied(people, today):
    branches = _branches(people, 12)
    total = build_demo_meetings(year=today.year, seed=7)
    assert total == Meeting.objects.count() > 12 * 10
    assert not Meeting.objects.filter(held_on__gt=today).exists()
    committees = dict(
        Meeting.objects.filter(org__in=branches, kind="committee")
        .values_list("org")
        .annotate(n=Count("id"))
    )
    months = len([m for m in range(1, 13) if dt.date(today.year, m, 28) <= today])
    assert max(committees.values()) >= months  # the diligent hold one every month
    assert min(committees.values()) < months  # and some branches skipped months
    theme_days = Meeting.objects.filter(org__in=branches, kind="theme_day")
    assert theme_days.filter(held_on__day=10).count() > theme_days.count() * 0.7
    assert Meeting.objects.filter(kind="dispatch", org=people.root).exists()


def test_the_demo_is_consistent_with_the_rules(people, today):
    _branches(people, 4)
    build_demo_meetings(year=today.year, seed=3)
    for meeting in Meeting.objects.all()[:40]:
        rows = Attendance.objects.filter(meeting=meeting, is_observer=False)
        assert meeting.expected == rows.count()
        assert meeting.present == rows.filter(status="present").count()
    late = Topic.objects.filter(meeting__kind="committee", kind="decision").exclude(
        registered_on__isnull=False
    )
    assert not late.exists()  # 支委会 topics were all registered beforehand
    for topic in Topic.objects.filter(kind="decision", outcome="passed").select_related("meeting"):
        assert topic.meeting is not None and topic.meeting.quorum_met()


def test_it_is_deterministic(people, today):
    _branches(people, 3)
    first = build_demo_meetings(year=today.year, seed=11)
    titles = list(
        Meeting.objects.order_by("org_id", "held_on", "kind").values_list("title", "held_on")
    )
    Meeting.objects.all().delete()
    assert build_demo_meetings(year=today.year, seed=11) == first
    assert (
        list(Meeting.objects.order_by("org_id", "held_on", "kind").values_list("title", "held_on"))
        == titles
    )


def test_a_future_year_builds_nothing(people, today):
    _branches(people, 1)
    assert build_demo_meetings(year=today.year + 1, seed=1) == 0

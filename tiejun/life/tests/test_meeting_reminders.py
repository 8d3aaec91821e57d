"""Meeting reminders from the compliance engine: created, kept on a second run, resolved when
the meeting is recorded, at a fixed query cost."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiejun.life import services
from tiejun.life.reminder_rules import LifeReviewRule, RequiredMeetingRule, ThemeDayRule
from tiejun.life.tests.helpers import make_meeting, seat
from tiejun.org.models import Org
from tiejun.reminders import engine
from tiejun.reminders.models import Reminder, Stage
from tiejun.testing import make_member, make_org


def held(org: Org, kind: str, day: dt.date) -> None:
    services.hold_meeting(meeting=make_meeting(org, kind, day), by=None)


def run(rule: str, today: dt.date) -> engine.Counts:
    return engine.run(today=today, codes=[rule])[rule]


def open_reminders(rule: str) -> dict[str, str]:
    return dict(Reminder.objects.open().filter(rule=rule).values_list("key", "stage"))


def test_a_meeting_due_this_period_and_one_missed_last_period(people):
    a, g = people.branch_a.pk, people.group_a.pk
    counts = run("meeting_required", dt.date(2025, 9, 25))
    found = open_reminders("meeting_required")
    assert found[f"org:{a}:theme_day:2025-09"] == Stage.due
    assert found[f"org:{a}:general_assembly:2025-Q3"] == Stage.due
    assert found[f"org:{a}:theme_day:2025-08"] == Stage.overdue
    assert found[f"org:{a}:lecture:2025-Q2"] == Stage.overdue
    assert found[f"org:{g}:group:2025-08"] == Stage.overdue
    assert f"org:{a}:theme_day:2025-07" not in found  # two months back is not "last period"
    assert not any(":committee:" in key for key in found)  # no committee, no 支委会
    assert counts.created == len(found)
    reminder = Reminder.objects.get(key=f"org:{a}:theme_day:2025-08")
    assert reminder.title == "2025年8月应召开的主题党日未召开"
    assert reminder.notify_office and reminder.notify_branch
    assert reminder.org_path == people.branch_a.path
    assert reminder.url == f"/compliance/calendar/?org={a}&period=2025"

    again = run("meeting_required", dt.date(2025, 9, 25))
    assert (again.created, again.kept, again.resolved) == (0, len(found), 0)

    held(people.branch_a, "theme_day", dt.date(2025, 9, 20))
    held(people.branch_a, "theme_day", dt.date(2025, 8, 28))  # recorded late, still August's
    after = run("meeting_required", dt.date(2025, 9, 25))
    assert after.resolved == 2
    assert f"org:{a}:theme_day:2025-09" not in open_reminders("meeting_required")


def test_nothing_is_due_while_the_period_end_is_far(people):
    run("meeting_required", dt.date(2025, 9, 10))
    stages = set(open_reminders("meeting_required").values())
    assert stages == {Stage.overdue}


def test_a_committee_meeting_missed_last_month(people):
    seat(people.branch_b, people.li, "secretary")
    held(people.branch_b, "committee", dt.date(2025, 7, 8))
    run("meeting_required", dt.date(2025, 9, 2))
    found = open_reminders("meeting_required")
    assert found[f"org:{people.branch_b.pk}:committee:2025-08"] == Stage.overdue
    assert f"org:{people.branch_b.pk}:committee:2025-07" not in found


def test_the_theme_day_is_reminded_by_the_orgs_own_day(people):
    Org.objects.filter(pk=people.branch_a.pk).update(theme_day=15)
    key = f"org:{people.branch_a.pk}:theme_day:2025-09"
    run("theme_day", dt.date(2025, 9, 11))
    assert open_reminders("theme_day") == {}
    run("theme_day", dt.date(2025, 9, 12))
    assert open_reminders("theme_day") == {key: Stage.due}
    run("theme_day", dt.date(2025, 9, 16))
    assert open_reminders("theme_day") == {key: Stage.overdue}
    assert Reminder.objects.get(key=key).title == "本月主题党日固定在2025-09-15，尚未开展"
    # The month-end rule leaves an org with a fixed day to this one.
    run("meeting_required", dt.date(2025, 9, 25))
    assert key not in open_reminders("meeting_required")
    held(people.branch_a, "theme_day", dt.date(2025, 9, 16))
    assert run("theme_day", dt.date(2025, 9, 17)).resolved == 1


def test_the_life_review_from_the_fourth_quarter_on(people):
    a, b = people.branch_a.pk, people.branch_b.pk
    held(people.branch_a, "life_review", dt.date(2025, 6, 20))
    run("life_review", dt.date(2025, 9, 30))
    # Nothing held in 2024 either: overdue until this year's fourth quarter takes over.
    assert open_reminders("life_review") == {
        f"org:{a}:life_review:2024": Stage.overdue,
        f"org:{b}:life_review:2024": Stage.overdue,
    }
    run("life_review", dt.date(2025, 10, 1))
    assert open_reminders("life_review") == {f"org:{b}:life_review:2025": Stage.due_soon}
    run("life_review", dt.date(2025, 12, 28))
    assert open_reminders("life_review") == {f"org:{b}:life_review:2025": Stage.due}
    run("life_review", dt.date(2026, 2, 1))
    assert open_reminders("life_review") == {f"org:{b}:life_review:2025": Stage.overdue}
    assert f"org:{a}:life_review:2025" not in open_reminders("life_review")
    run("life_review", dt.date(2026, 10, 2))
    found = open_reminders("life_review")
    assert found == {
        f"org:{a}:life_review:2026": Stage.due_soon,
        f"org:{b}:life_review:2026": Stage.due_soon,
    }


def test_the_rules_cost_the_same_queries_however_many_branches(people):
    today = dt.date(2025, 10, 28)
    Org.objects.filter(pk=people.branch_a.pk).update(theme_day=28)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for rule in (RequiredMeetingRule(), ThemeDayRule(), LifeReviewRule()):
                list(rule.evaluate(today=today))
        return len(ctx.captured_queries)

    before = count()
    for n in range(4):
        branch = make_org(f"第{n}党支部", Org.Kind.branch, people.root, theme_day=10)
        seat(branch, make_member(branch, f"党员{n}"), "secretary")
        make_org(f"第{n}党支部第一党小组", Org.Kind.group, branch)
    assert count() == before

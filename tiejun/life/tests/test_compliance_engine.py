"""The compliance table on cases built by hand: what is required, held, missing, late, not due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiejun import rules
from tiejun.life import compliance, services
from tiejun.life.compliance import Status, compute, parse_period
from tiejun.life.models import Attendance, Meeting
from tiejun.life.tests.helpers import make_meeting, seat
from tiejun.org.models import Member, Org
from tiejun.rules.models import RuleOverride
from tiejun.testing import make_member, make_org

Q3 = parse_period("2025-Q3")
AFTER_Q3 = dt.date(2025, 11, 1)


def held(org: Org, kind: str, day: dt.date) -> Meeting:
    meeting = make_meeting(org, kind, day)
    return services.hold_meeting(meeting=meeting, by=None)


def statuses(table: compliance.ComplianceTable, org: Org, kind: str) -> list[str]:
    return [i.status for i in table.orgs[org.pk].items if i.kind == kind]


def q3(people, today: dt.date = AFTER_Q3) -> compliance.ComplianceTable:
    return compute(period=Q3, orgs=Org.objects.subtree_of(people.root), today=today)


@pytest.mark.parametrize(
    ("text", "per", "start", "end"),
    [
        ("2026-Q3", "quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026-q1", "quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2026-07", "month", dt.date(2026, 7, 1), dt.date(2026, 7, 31)),
        ("2026-2", "month", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (" 2026 ", "year", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_it_parses_a_period(text, per, start, end):
    period = parse_period(text)
    assert (period.per, period.start, period.end) == (per, start, end)


@pytest.mark.parametrize(
    "text", ["", "2026-Q5", "2026-13", "2026-00", "26-Q3", "1999", "Q3", "2026/07"]
)
def test_it_refuses_a_bad_period_in_chinese(text):
    with pytest.raises(compliance.PeriodError, match=r"期间|年份|月份"):
        parse_period(text)


def test_it_labels_periods_in_chinese():
    assert Q3.label == "2025年第三季度"
    assert parse_period("2026-07").label == "2026年7月"
    assert parse_period("2026").code == "2026"


def test_a_branch_without_committee_needs_no_committee_meeting(people):
    table = q3(people)
    kinds = {item.kind for item in table.orgs[people.branch_a.pk].items}
    assert kinds == {"general_assembly", "lecture", "theme_day"}
    assert statuses(table, people.branch_a, "committee") == []


def test_a_branch_with_a_committee_that_missed_august(people):
    seat(people.branch_b, people.li, "secretary")
    held(people.branch_b, "committee", dt.date(2025, 7, 8))
    held(people.branch_b, "committee", dt.date(2025, 9, 9))
    table = q3(people)
    assert statuses(table, people.branch_b, "committee") == ["held", "missing", "held"]
    totals = table.orgs[people.branch_b.pk].totals("committee")
    assert (totals.held, totals.due, totals.missing, totals.status) == (2, 3, 1, Status.missing)
    assert totals.rate == Decimal("66.7")


def test_a_meeting_counts_for_the_month_it_is_held_in(people):
    seat(people.branch_b, people.li, "secretary")
    held(people.branch_b, "committee", dt.date(2025, 7, 8))
    held(people.branch_b, "committee", dt.date(2025, 7, 28))  # meant for August: still July's
    held(people.branch_b, "committee", dt.date(2025, 9, 9))
    assert statuses(q3(people), people.branch_b, "committee") == ["held", "missing", "held"]


def test_a_theme_day_on_the_wrong_day_is_marked(people):
    Org.objects.filter(pk=people.branch_a.pk).update(theme_day=15)
    held(people.branch_a, "theme_day", dt.date(2025, 7, 15))
    held(people.branch_a, "theme_day", dt.date(2025, 8, 20))
    held(people.branch_a, "theme_day", dt.date(2025, 9, 15))
    table = q3(people)
    assert statuses(table, people.branch_a, "theme_day") == ["held", "off_day", "held"]
    totals = table.orgs[people.branch_a.pk].totals("theme_day")
    # It was held: it counts, and the cell says 日期不符 on an amber tag.
    assert (totals.held, totals.due, totals.status) == (3, 3, Status.off_day)
    assert str(compliance.STATUS_LABELS[Status.off_day]) == "日期不符"


def test_a_theme_day_fixed_on_a_holiday_moves_to_the_next_working_day():
    # 2025-10-01 is 国庆; 10-02..08 too; 10-09 is the first working day, 09-30 is September.
    assert compliance.theme_day_window(2025, 10, 1) == {dt.date(2025, 10, 1), dt.date(2025, 10, 9)}
    # 2025-11-15 is a Saturday: Friday the 14th or Monday the 17th.
    assert compliance.theme_day_window(2025, 11, 15) == {
        dt.date(2025, 11, 14),
        dt.date(2025, 11, 15),
        dt.date(2025, 11, 17),
    }


def test_any_day_will_do_without_a_fixed_day(people):
    held(people.branch_a, "theme_day", dt.date(2025, 8, 20))
    assert statuses(q3(people), people.branch_a, "theme_day") == ["missing", "held", "missing"]


def test_a_quarter_still_running_is_not_yet_due(people):
    seat(people.branch_b, people.li, "secretary")
    held(people.branch_b, "committee", dt.date(2025, 8, 5))
    table = q3(people, today=dt.date(2025, 8, 10))
    assert statuses(table, people.branch_b, "committee") == ["missing", "held", "not_due"]
    assert statuses(table, people.branch_b, "general_assembly") == ["not_due"]
    totals = table.orgs[people.branch_b.pk].totals()
    # Due so far: July's 支委会 and 主题党日 (over) and August's 支委会 (met early).
    assert (totals.held, totals.due) == (1, 3)
    assert totals.rate == Decimal("33.3")


def test_subtree_rates_sum_held_over_due(people):
    make_member(people.branch_a, "王强")
    for org in (people.branch_a, people.branch_b):
        held(org, "general_assembly", dt.date(2025, 8, 12))
        held(org, "lecture", dt.date(2025, 9, 3))
    held(people.group_a, "group", dt.date(2025, 7, 20))
    table = q3(people)
    # A: 大会 1, 党课 1, 主题党日 0/3 → 2/5; its 党小组 1/3; B: 2/5. Subtree: 5/13.
    assert table.subtree(people.branch_a.path).held == 3
    assert table.subtree(people.branch_a.path).due == 8
    root = table.subtree(people.root.path)
    assert (root.held, root.due, root.rate) == (5, 13, Decimal("38.5"))
    assert table.subtree(people.root.path, "group").due == 3
    # The 机关党委 itself needs nothing in a quarter (its 党课 is yearly).
    assert table.orgs[people.root.pk].items == []


def test_an_org_without_members_needs_nothing(people):
    empty = make_org("新成立党支部", Org.Kind.branch, people.root)
    group = make_org("新成立党支部第一党小组", Org.Kind.group, empty)
    table = q3(people)
    for org in (empty, group):
        assert table.orgs[org.pk].items == []
        assert table.orgs[org.pk].note == "期初无党员"
    assert table.subtree(empty.path).rate is None


def test_a_member_who_joined_mid_quarter_counts_from_the_next_month(people):
    late = make_org("九月新建党支部", Org.Kind.branch, people.root)
    make_member(late, "赵新", joined_on=dt.date(2009, 1, 1), effective_on=dt.date(2025, 8, 20))
    table = q3(people)
    assert [i.slot.start.month for i in table.orgs[late.pk].items if i.kind == "theme_day"] == [9]


def test_a_dissolved_org_needs_nothing_after_it_ends(people):
    Org.objects.filter(pk=people.branch_b.pk).update(dissolved_on=dt.date(2025, 8, 15))
    table = q3(people)
    assert [i.slot.start.month for i in table.orgs[people.branch_b.pk].items] == [7]


def test_a_rule_override_changes_the_count(people):
    RuleOverride.objects.create(
        key="meeting.lecture.branch_per_quarter",
        value=3,
        source="本省规定每月一次党课",
        effective_from=dt.date(2025, 1, 1),
    )
    rules.invalidate()
    held(people.branch_a, "lecture", dt.date(2025, 7, 10))
    held(people.branch_a, "lecture", dt.date(2025, 8, 10))
    item = next(i for i in q3(people).orgs[people.branch_a.pk].items if i.kind == "lecture")
    assert (item.required, item.held, item.status) == (3, 2, Status.missing)


def test_a_general_assembly_needs_more_than_half_the_voting_members(people):
    """A 预备党员 attends without a vote: two present of three is not a quorum of two voters."""
    wang = make_member(people.branch_a, "王强")
    probationer = make_member(
        people.branch_a,
        "钱程",
        category=Member.Category.probationary,
        joined_on=dt.date(2025, 3, 1),
    )
    meeting = make_meeting(people.branch_a, "general_assembly", dt.date(2025, 8, 12))
    assert (meeting.expected, meeting.voting) == (3, 2)
    for member in (people.zhang, probationer):
        services.record_attendance(
            meeting=meeting, member_id=member.pk, status=Attendance.Status.present, by=None
        )
    services.hold_meeting(meeting=meeting, by=None)
    assert statuses(q3(people), people.branch_a, "general_assembly") == [Status.no_quorum]
    services.record_attendance(
        meeting=meeting, member_id=wang.pk, status=Attendance.Status.present, by=None
    )
    assert statuses(q3(people), people.branch_a, "general_assembly") == [Status.held]


def test_a_draft_meeting_does_not_count(people):
    make_meeting(people.branch_a, "lecture", dt.date(2025, 9, 3))
    assert statuses(q3(people), people.branch_a, "lecture") == [Status.missing]


def test_the_yearly_life_review_shows_in_the_fourth_quarter_only(people):
    held(people.branch_a, "life_review", dt.date(2025, 6, 20))
    q4 = compute(period=parse_period("2025-Q4"), orgs=Org.objects.all(), today=dt.date(2025, 11, 1))
    assert statuses(q4, people.branch_a, "life_review") == [Status.held]
    assert statuses(q4, people.branch_b, "life_review") == [Status.not_due]
    assert statuses(q3(people), people.branch_a, "life_review") == []
    year = compute(period=parse_period("2025"), orgs=Org.objects.all(), today=dt.date(2026, 2, 1))
    assert statuses(year, people.branch_b, "life_review") == [Status.missing]
    assert statuses(year, people.root, "lecture") == [Status.missing]  # 党委书记讲党课


def test_a_quarter_costs_the_same_queries_however_many_branches(people):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            compute(period=Q3, orgs=Org.objects.all(), today=AFTER_Q3)
        return len(ctx.captured_queries)

    before = count()
    for n in range(5):
        branch = make_org(f"第{n}党支部", Org.Kind.branch, people.root)
        make_member(branch, f"党员{n}")
        seat(branch, Member.objects.get(name=f"党员{n}"))
        held(branch, "committee", dt.date(2025, 7, 3))
    assert count() == before


def test_a_group_alone_takes_its_members_from_its_branch(people):
    table = compute(period=Q3, orgs=Org.objects.filter(pk=people.group_a.pk), today=AFTER_Q3)
    assert statuses(table, people.group_a, "group") == [Status.missing] * 3

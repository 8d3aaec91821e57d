"""The roster of a meeting: the org's members on the meeting day, who votes, and the counts."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from tiejun import rules
from tiejun.life import services
from tiejun.life.models import Attendance, Meeting
from tiejun.life.tests.helpers import make_meeting, seat
from tiejun.org import services as org_services
from tiejun.org.models import DualLife, Member
from tiejun.rules.models import RuleOverride
from tiejun.testing import make_member


def _names(meeting: Meeting) -> list[str]:
    return sorted(meeting.attendances.values_list("member__name", flat=True))


def test_it_lists_the_members_on_the_meeting_day_not_today(people):
    make_member(people.branch_a, "王新来", joined_on=dt.date(2025, 3, 1))
    meeting = make_meeting(people.branch_a, held_on=dt.date(2024, 6, 1))
    assert _names(meeting) == ["张海冰"]
    later = make_meeting(people.branch_a, held_on=dt.date(2025, 6, 1))
    assert _names(later) == ["张海冰", "王新来"]


def test_it_keeps_a_member_who_moved_away_after_the_day(people):
    moved = make_member(people.branch_a, "赵迁出")
    data = org_services.MemberData(
        **{
            **{f: getattr(moved, f) for f in org_services.EDITABLE_FIELDS},
            "id_number": moved.id_number(),
            "org": people.branch_b,
        }
    )
    org_services.update_member(
        member_id=moved.pk,
        data=data,
        expected_version=moved.version,
        by=None,
        effective_on=dt.date(2025, 1, 1),
    )
    assert "赵迁出" in _names(make_meeting(people.branch_a, held_on=dt.date(2024, 12, 31)))
    assert "赵迁出" not in _names(make_meeting(people.branch_a, held_on=dt.date(2025, 1, 2)))


def test_it_gives_probationary_members_no_vote(people):
    make_member(
        people.branch_a,
        "钱预备",
        category=Member.Category.probationary,
        joined_on=dt.date(2026, 1, 5),
    )
    meeting = make_meeting(people.branch_a, held_on=dt.date(2026, 3, 1))
    votes = dict(meeting.attendances.values_list("member__name", "has_vote"))
    assert votes == {"张海冰": True, "钱预备": False}
    assert (meeting.expected, meeting.voting) == (2, 1)


def test_it_lists_dual_life_leaders_as_expected_without_a_vote(people):
    leader = make_member(people.root, "孙厅长")
    DualLife.objects.create(member=leader, org=people.branch_a, since=dt.date(2020, 1, 1))
    meeting = make_meeting(people.branch_a, held_on=dt.date(2026, 3, 1))
    row = meeting.attendances.get(member=leader)
    assert (row.is_dual_life, row.has_vote, row.is_observer) == (True, False, False)
    assert (meeting.expected, meeting.voting) == (2, 1)


def test_a_committee_meeting_lists_the_committee_in_office(people):
    wang = make_member(people.branch_a, "王书记")
    seat(people.branch_a, wang, "secretary")
    meeting = make_meeting(people.branch_a, Meeting.Kind.committee, held_on=dt.date(2026, 3, 1))
    assert _names(meeting) == ["王书记"]
    before = make_meeting(people.branch_a, Meeting.Kind.committee, held_on=dt.date(2023, 3, 1))
    assert _names(before) == []


def test_a_group_meeting_lists_the_branch_and_the_recorder_keeps_the_group(people):
    other = make_member(people.branch_a, "周其他组")
    meeting = make_meeting(people.group_a, Meeting.Kind.group, held_on=dt.date(2026, 3, 1))
    assert set(_names(meeting)) == {"周其他组", "张海冰"}
    services.remove_from_roster(meeting=meeting, member_id=other.pk, by=None)
    meeting.refresh_from_db()
    assert (_names(meeting), meeting.expected) == (["张海冰"], 1)


def test_the_quorum_is_more_than_the_share_in_the_rules_table(people):
    second = make_member(people.branch_a, "吴二")
    meeting = make_meeting(people.branch_a, held_on=dt.date(2026, 3, 1))
    services.record_attendance(
        meeting=meeting, member_id=people.zhang.pk, status="present", by=None
    )
    meeting.refresh_from_db()
    assert (meeting.voting_present, meeting.voting) == (1, 2)
    assert meeting.quorum_share() == Fraction(1, 2)
    assert not meeting.quorum_met()  # one of two is not more than half
    services.record_attendance(meeting=meeting, member_id=second.pk, status="present", by=None)
    meeting.refresh_from_db()
    assert meeting.quorum_met()


def test_the_quorum_share_follows_an_override(people):
    RuleOverride.objects.create(
        key="vote.quorum.share_exceeds",
        value="1/3",
        source="测试",
        effective_from=dt.date(2026, 1, 1),
    )
    rules.invalidate()
    make_member(people.branch_a, "吴二")
    make_member(people.branch_a, "吴三")
    meeting = make_meeting(people.branch_a, held_on=dt.date(2026, 3, 1))
    services.record_attendance(
        meeting=meeting, member_id=people.zhang.pk, status="present", by=None
    )
    meeting.refresh_from_db()
    assert meeting.quorum_share() == Fraction(1, 3)
    assert not meeting.quorum_met()  # 1 of 3 is not more than a third
    other = meeting.attendances.exclude(member=people.zhang).get(member__name="吴二")
    services.record_attendance(
        meeting=meeting, member_id=other.member_id, status="present", by=None
    )
    meeting.refresh_from_db()
    assert meeting.quorum_met()


def test_leave_and_absence_keep_their_reason_and_observers_are_not_counted(people):
    meeting = make_meeting(people.branch_a, held_on=dt.date(2026, 3, 1))
    services.record_attendance(
        meeting=meeting, member_id=people.zhang.pk, status="leave", reason="出差", by=None
    )
    services.add_observer(meeting=meeting, member=people.li, by=None)
    meeting.refresh_from_db()
    row = meeting.attendances.get(member=people.zhang)
    assert (row.status, row.reason) == (Attendance.Status.leave, "出差")
    assert (meeting.expected, meeting.present) == (1, 0)
    assert meeting.attendances.get(member=people.li).is_observer


def test_a_dispatch_meeting_lists_the_office_committee_and_the_branch_secretaries(people):
    chief = make_member(people.root, "机关党委书记")
    seat(people.root, chief, "secretary")
    sec_a = make_member(people.branch_a, "甲支部书记")
    seat(people.branch_a, sec_a, "secretary")
    sec_b = make_member(people.branch_b, "乙支部书记")
    seat(people.branch_b, sec_b, "secretary")
    meeting = make_meeting(people.root, Meeting.Kind.dispatch, held_on=dt.date(2026, 3, 5))
    assert _names(meeting) == sorted(["机关党委书记", "甲支部书记", "乙支部书记"])

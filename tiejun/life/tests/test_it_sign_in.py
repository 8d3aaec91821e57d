"""Phone sign-in by the meeting's code: the right member, once, on the meeting day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tiejun.life import services
from tiejun.life.models import Attendance, Meeting
from tiejun.life.tests.helpers import make_meeting


def test_it_signs_in_the_member_behind_the_account(people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    row = services.sign_in(meeting=meeting, user=people.member_a)
    assert (row.member, row.status, row.via) == (people.zhang, "present", Attendance.Via.qr)
    meeting.refresh_from_db()
    assert (meeting.present, meeting.voting_present) == (1, 1)


def test_signing_in_twice_keeps_the_first_time(people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    first = services.sign_in(meeting=meeting, user=people.member_a).signed_in_at
    second = services.sign_in(meeting=meeting, user=people.member_a).signed_in_at
    assert first == second
    meeting.refresh_from_db()
    assert meeting.present == 1


def test_a_member_not_on_the_roster_is_told_so(people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    with pytest.raises(services.SignInRefused, match="不在本次会议的参会名单中"):
        services.sign_in(meeting=meeting, user=people.member_b)
    assert not meeting.attendances.filter(member=people.li).exists()


def test_it_refuses_another_day(people, today):
    meeting = make_meeting(people.branch_a, held_on=today - dt.timedelta(days=1))
    with pytest.raises(services.SignInRefused, match="只能在会议当天"):
        services.sign_in(meeting=meeting, user=people.member_a)


def test_a_secretary_marking_leave_clears_the_sign_in(people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    services.sign_in(meeting=meeting, user=people.member_a)
    services.record_attendance(
        meeting=meeting, member_id=people.zhang.pk, status="leave", reason="临时公出", by=None
    )
    row = meeting.attendances.get(member=people.zhang)
    assert (row.status, row.signed_in_at, row.reason) == ("leave", None, "临时公出")
    assert Meeting.objects.get(pk=meeting.pk).present == 0


def test_sign_in_time_is_aware(people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    row = services.sign_in(meeting=meeting, user=people.member_a)
    assert row.signed_in_at is not None and timezone.is_aware(row.signed_in_at)


def test_a_dual_life_leader_signs_in_at_the_branch_they_attend(people, today):
    from tiejun.accounts.roles import Role
    from tiejun.life.models import Meeting
    from tiejun.org.models import DualLife
    from tiejun.testing import make_member, make_user

    leader = make_member(people.root, "孙厅长")
    DualLife.objects.create(member=leader, org=people.branch_a, since=dt.date(2020, 1, 1))
    account = make_user("leader", Role.member, member=leader)
    meeting = make_meeting(people.branch_a, held_on=today)
    assert Meeting.objects.visible_to(account).filter(pk=meeting.pk).exists()
    row = services.sign_in(meeting=meeting, user=account)
    assert row.status == "present" and not row.has_vote

"""议事决策制度: a 支委会 takes only topics registered before it meets, unless the rules allow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tiejun import rules
from tiejun.accounts.models import AuditEntry
from tiejun.life import services
from tiejun.life.models import Meeting, Topic
from tiejun.life.tests.helpers import make_meeting
from tiejun.rules.models import RuleOverride

DAY = dt.date(2026, 3, 10)


def _register(people, title="研究三月份党员发展工作", on=dt.date(2026, 3, 1)):
    return services.register_topic(
        org=people.branch_a,
        title=title,
        proposer=people.zhang,
        registered_on=on,
        by=people.secretary_a,
    )


def test_it_takes_a_topic_registered_beforehand(people):
    topic = _register(people)
    meeting = make_meeting(people.branch_a, Meeting.Kind.committee, held_on=DAY)
    services.add_topic(meeting=meeting, registered=topic, by=people.secretary_a)
    topic.refresh_from_db()
    assert (topic.meeting, topic.order, topic.proposer) == (meeting, 1, people.zhang)


def test_it_refuses_an_unregistered_topic_and_says_why(people):
    meeting = make_meeting(people.branch_a, Meeting.Kind.committee, held_on=DAY)
    with pytest.raises(ValidationError) as refused:
        services.add_topic(meeting=meeting, title="临时动议：调整活动经费", by=people.secretary_a)
    message = refused.value.message_dict["title"][0]
    assert "未在会前预登记" in message and "临时动议" in message
    assert not Topic.objects.filter(meeting=meeting).exists()
    assert AuditEntry.objects.filter(action="meeting.topic_add", result="denied").exists()


def test_it_refuses_a_topic_registered_after_the_meeting_day(people):
    topic = _register(people, on=DAY + dt.timedelta(days=1))
    meeting = make_meeting(people.branch_a, Meeting.Kind.committee, held_on=DAY)
    with pytest.raises(ValidationError):
        services.add_topic(meeting=meeting, registered=topic, by=people.secretary_a)


def test_it_refuses_another_orgs_registered_topic(people):
    topic = services.register_topic(
        org=people.branch_b,
        title="乙支部议题",
        proposer=None,
        registered_on=dt.date(2026, 3, 1),
        by=None,
    )
    meeting = make_meeting(people.branch_a, Meeting.Kind.committee, held_on=DAY)
    with pytest.raises(ValidationError, match="不属于本组织"):
        services.add_topic(meeting=meeting, registered=topic, by=people.secretary_a)


def test_an_override_in_the_rules_table_allows_unregistered_topics(people):
    RuleOverride.objects.create(
        key="meeting.committee.allow_unregistered_topics",
        value=True,
        source="本厅议事规则",
        effective_from=dt.date(2026, 1, 1),
    )
    rules.invalidate()
    meeting = make_meeting(people.branch_a, Meeting.Kind.committee, held_on=DAY)
    topic = services.add_topic(meeting=meeting, title="临时动议：调整活动经费", by=None)
    assert topic.registered_on is None and topic.meeting == meeting


def test_other_kinds_take_topics_added_at_the_meeting(people):
    meeting = make_meeting(people.branch_a, Meeting.Kind.general_assembly, held_on=DAY)
    topic = services.add_topic(
        meeting=meeting,
        title="学习习近平总书记重要讲话精神",
        kind=Topic.Kind.first_topic,
        directive_ref="2026年3月重要讲话",
        by=None,
    )
    assert topic.kind == Topic.Kind.first_topic


def test_a_decision_without_a_quorum_is_refused(people):
    meeting = make_meeting(people.branch_a, Meeting.Kind.general_assembly, held_on=DAY)
    topic = services.add_topic(
        meeting=meeting, title="接收预备党员", kind=Topic.Kind.decision, by=None
    )
    with pytest.raises(ValidationError, match="未超过"):
        services.decide_topic(topic=topic, outcome=Topic.Outcome.passed, by=None)
    services.record_attendance(
        meeting=meeting, member_id=people.zhang.pk, status="present", by=None
    )
    services.decide_topic(topic=topic, outcome=Topic.Outcome.passed, by=None)
    topic.refresh_from_db()
    assert topic.outcome == Topic.Outcome.passed


def test_an_archived_meeting_takes_no_more_topics(people):
    meeting = make_meeting(people.branch_a, Meeting.Kind.general_assembly, held_on=DAY)
    services.hold_meeting(meeting=meeting, by=None)
    services.archive_meeting(meeting=meeting, by=None)
    with pytest.raises(ValidationError, match="已归档"):
        services.add_topic(meeting=meeting, title="补充议题", by=None)
    assert list(meeting.events.values_list("from_status", "to_status")) == [
        ("", "draft"),
        ("draft", "held"),
        ("held", "archived"),
    ]


def test_the_status_moves_only_along_the_transitions(people):
    meeting = make_meeting(people.branch_a, held_on=DAY)
    with pytest.raises(ValidationError, match="不能改为"):
        services.archive_meeting(meeting=meeting, by=None)
    future = make_meeting(people.branch_a, held_on=dt.date.today() + dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="还没到"):
        services.hold_meeting(meeting=future, by=None)


def test_dispatch_reporters_rotate(people):
    meeting = make_meeting(people.root, Meeting.Kind.dispatch, held_on=dt.date(2026, 2, 5))
    first = services.next_reporters(org=people.root, count=1)
    services.add_topic(
        meeting=meeting, title="工作汇报", kind=Topic.Kind.report, reporting_org=first[0], by=None
    )
    second = services.next_reporters(org=people.root, count=1)
    assert first != second and {first[0], second[0]} == {people.branch_a, people.branch_b}

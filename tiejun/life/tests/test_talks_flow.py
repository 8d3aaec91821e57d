"""必谈: a life event puts a talk in the secretary's inbox; recording the talk removes it; the
rules table decides the trigger list and the days; the reminders command creates no duplicates."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from tiejun.life import talks
from tiejun.life.models import LifeEvent, Talk
from tiejun.life.tests.helpers import seat
from tiejun.reminders.inbox import inbox_for
from tiejun.reminders.models import Reminder, Stage
from tiejun.rules import invalidate
from tiejun.rules.models import RuleOverride
from tiejun.testing import make_member


@pytest.fixture
def wang(people):
    """王书记, the secretary of branch A (the account `secretary_a` works there)."""
    member = make_member(people.branch_a, "王书记")
    seat(people.branch_a, member, "secretary")
    return member


def _reminders(today: dt.date | None = None) -> str:
    out = StringIO()
    args = ["reminders", "--rule", "must_talk"]
    if today:
        args += ["--today", today.isoformat()]
    call_command(*args, stdout=out)
    return out.getvalue()


def _talk(people, wang, held_on, **fields) -> Talk:
    talk = Talk(
        org=people.branch_a,
        talker=wang,
        talkee=fields.pop("talkee", people.zhang),
        held_on=held_on,
        topic=fields.pop("topic", "住院慰问谈心"),
        **fields,
    )
    return talks.record_talk(talk=talk, by=people.secretary_a)


def test_it_puts_the_talk_in_the_secretarys_inbox_and_the_talk_removes_it(people, wang, today):
    event = talks.record_life_event(
        member=people.zhang, kind="生病住院", happened_on=today, by=people.secretary_a
    )
    _reminders()
    items = inbox_for(people.secretary_a).items
    assert [r.title for r in items] == [
        f"张海冰生病住院（{today:%Y-%m-%d}），请于{event.due_on():%Y-%m-%d}前开展谈心谈话"
    ]
    assert items[0].stage == Stage.due and items[0].url.endswith(f"?event={event.pk}")
    _reminders()
    assert Reminder.objects.filter(rule="must_talk").count() == 1  # no duplicate
    assert inbox_for(people.member_a).items == []  # not to the member himself
    assert inbox_for(people.office).items == []  # not yet overdue: the branch's work
    _talk(people, wang, today)
    _reminders()
    assert inbox_for(people.secretary_a).items == []
    assert Reminder.objects.get(rule="must_talk").resolved_at is not None


def test_it_goes_overdue_and_up_to_the_office(people, wang, today):
    talks.record_life_event(
        member=people.zhang, kind="家庭重大变故", happened_on=today, by=people.secretary_a
    )
    _reminders(today + dt.timedelta(days=8))
    item = Reminder.objects.get(rule="must_talk")
    assert item.stage == Stage.overdue and "已逾期" in item.title
    assert [r.pk for r in inbox_for(people.office).items] == [item.pk]
    assert inbox_for(people.member_b).items == []


def test_the_talk_answers_the_event_it_names_or_the_oldest_open_one(people, wang, today):
    older = talks.record_life_event(
        member=people.zhang,
        kind="婚丧嫁娶",
        happened_on=today - dt.timedelta(days=3),
        by=None,
    )
    newer = talks.record_life_event(
        member=people.zhang, kind="生病住院", happened_on=today, by=None
    )
    named = _talk(people, wang, today, life_event=newer)
    assert named.life_event == newer
    plain = _talk(people, wang, today, topic="婚礼后谈心")
    assert plain.life_event == older
    assert not LifeEvent.objects.open().exists()
    # An integrity talk never answers an event by itself.
    talks.record_life_event(member=people.zhang, kind="受到批评处分", happened_on=today, by=None)
    integrity = _talk(people, wang, today, kind=Talk.Kind.integrity, topic="廉政提醒")
    assert integrity.life_event is None and LifeEvent.objects.open().count() == 1


def test_an_event_answered_once_cannot_be_answered_again(people, wang, today):
    event = talks.record_life_event(
        member=people.zhang, kind="生病住院", happened_on=today, by=None
    )
    _talk(people, wang, today, life_event=event)
    with pytest.raises(ValidationError, match="该必谈事由已有谈话记录"):
        _talk(people, wang, today, life_event=event)


def test_a_kind_not_on_the_list_is_refused_in_chinese(people):
    with pytest.raises(ValidationError) as refused:
        talks.record_life_event(
            member=people.zhang, kind="出国旅游", happened_on=dt.date(2026, 1, 5), by=None
        )
    assert "“出国旅游”不在本地必谈事由清单中" in refused.value.message_dict["kind"][0]
    assert not LifeEvent.objects.exists()


def test_dates_and_people_are_checked(people, wang, today):
    with pytest.raises(ValidationError, match="发生日期不能晚于今天"):
        talks.record_life_event(
            member=people.zhang, kind="生病住院", happened_on=today + dt.timedelta(1), by=None
        )
    with pytest.raises(ValidationError, match="谈话日期不能晚于今天"):
        _talk(people, wang, today + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="谈话人和谈话对象不能是同一人"):
        _talk(people, wang, today, talkee=wang)
    with pytest.raises(ValidationError, match="谈话对象须是本组织的党员"):
        _talk(people, wang, today, talkee=people.li)
    event = talks.record_life_event(
        member=people.zhang, kind="生病住院", happened_on=today, by=None
    )
    with pytest.raises(ValidationError, match="不能早于必谈事由的发生日期"):
        _talk(people, wang, today - dt.timedelta(days=1), life_event=event)


def test_a_local_trigger_list_and_deadline_change_the_behaviour(people, wang, today):
    for key, value in (
        ("talk.must_talk.triggers", ["生病住院", "岗位调整"]),
        ("talk.must_talk.within_days", 30),
    ):
        RuleOverride.objects.create(
            key=key, value=value, source="本地谈心谈话制度", effective_from=dt.date(2020, 1, 1)
        )
    invalidate()
    event = talks.record_life_event(
        member=people.zhang, kind="岗位调整", happened_on=today, by=None
    )
    assert event.due_on() == today + dt.timedelta(days=30)
    with pytest.raises(ValidationError, match="不在本地必谈事由清单中"):
        talks.record_life_event(member=people.zhang, kind="婚丧嫁娶", happened_on=today, by=None)
    _reminders(today + dt.timedelta(days=20))
    assert Reminder.objects.get(rule="must_talk").stage == Stage.due  # 7 days would be overdue


def test_the_rule_costs_one_query_whatever_the_number_of_events(
    people, today, django_assert_num_queries
):
    from tiejun.life.talk_reminder_rules import MustTalkRule

    for index in range(6):
        member = make_member(people.branch_a, f"党员{index}")
        talks.record_life_event(member=member, kind="生病住院", happened_on=today, by=None)
    with django_assert_num_queries(1):
        assert len(list(MustTalkRule().evaluate(today=today))) == 6

"""A year of realistic meetings for the demo: every branch in the database holds its 三会一课,
主题党日 and 组织生活会, some diligently and some not, with attendance, topics and minutes.

Written in bulk (a handful of queries per org, not per meeting) so a demo of hundreds of
branches builds in seconds. Deterministic for a given seed. The demo command calls
`build_demo_meetings`; only meetings up to today are created (the future is not yet held).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tiejun import rules
from tiejun.life.models import (
    Attendance,
    LectureCycle,
    LifeEvent,
    Meeting,
    MeetingEvent,
    Talk,
    Topic,
)
from tiejun.life.services import RosterEntry, committee_on, roster_for
from tiejun.org.models import Member, Org

THEMES = [
    "学习贯彻党的二十届四中全会精神",
    "深入打好污染防治攻坚战",
    "以美丽中国建设全面推进人与自然和谐共生",
    "弘扬伟大建党精神",
    "加强党的纪律建设",
    "落实中央八项规定精神",
    "推进生态环境领域改革",
    "筑牢生态安全屏障",
    "我为群众办实事",
    "强化作风建设",
    "学习新修订的纪律处分条例",
    "守护蓝天碧水净土",
]
DECISIONS = [
    "研究确定入党积极分子",
    "讨论本季度党费收缴情况",
    "研究主题党日活动方案",
    "研究年度民主评议工作安排",
    "讨论支部标准化建设自查情况",
    "研究结对帮扶工作",
    "讨论支部学习计划",
    "研究推荐优秀共产党员人选",
]
FIRST_TOPICS = [
    "学习习近平总书记关于生态文明建设的重要论述",
    "传达学习习近平总书记重要讲话精神",
    "学习习近平总书记重要指示批示精神",
    "学习《习近平生态文明思想学习纲要》有关章节",
]
LEAVE_REASONS = ["出差", "参加培训", "病假", "赴基层督查", "休假"]
ABSENT_REASONS = ["临时公务", "外出执法", "未说明原因"]


@dataclass
class Plan:
    """What one org holds in the year, before it is written."""

    org: Org
    last: dt.date
    meetings: list[Meeting] = field(default_factory=list)
    topics: list[list[Topic]] = field(default_factory=list)


@dataclass
class Habits:
    """How diligent an org is: compliant orgs hold every meeting the rules ask for."""

    compliant: bool
    skipped_months: frozenset[int]
    fixed_day_kept: bool
    holds_life_review: bool


def build_demo_meetings(*, year: int, seed: int) -> int:
    """Create the year's meetings of every branch and group in the database; return how many."""
    rng = random.Random(seed)
    today = timezone.localdate()
    last = min(dt.date(year, 12, 31), today)
    if last < dt.date(year, 1, 1):
        return 0
    holders = Org.objects.filter(
        kind__in=[Org.Kind.branch, Org.Kind.temporary_branch], dissolved_on__isnull=True
    ).order_by("path")
    total = 0
    for org in holders:
        total += _build_org_year(org, year=year, last=last, rng=rng)
    for org in Org.objects.filter(kind=Org.Kind.committee).order_by("path"):
        total += _build_dispatches(org, year=year, last=last, rng=rng)
    return total


def _habits(rng: random.Random) -> Habits:
    compliant = rng.random() < 0.8
    skipped = frozenset() if compliant else frozenset(rng.sample(range(1, 13), rng.randint(2, 5)))
    return Habits(
        compliant,
        skipped,
        fixed_day_kept=rng.random() < 0.9,
        holds_life_review=compliant or rng.random() < 0.5,
    )


def _months(year: int, last: dt.date) -> Iterator[int]:
    yield from (m for m in range(1, 13) if dt.date(year, m, 1) <= last)


@transaction.atomic
def _build_org_year(org: Org, *, year: int, last: dt.date, rng: random.Random) -> int:
    habits = _habits(rng)
    plan = Plan(org, last)
    theme_day = org.theme_day or 15
    groups = list(org.children.filter(kind=Org.Kind.group).order_by("sort_order", "code"))
    for month in _months(year, last):
        if month % 3 != 2 and month not in habits.skipped_months:
            for group in groups:
                _add(
                    plan,
                    Meeting.Kind.group,
                    dt.date(year, month, rng.randint(13, 26)),
                    rng,
                    org=group,
                    title=f"{group.name}{month}月党小组会",
                )
        if month not in habits.skipped_months:
            _add(
                plan,
                Meeting.Kind.committee,
                dt.date(year, month, rng.randint(3, 12)),
                rng,
                title=f"{month}月份支委会",
            )
        day = theme_day if habits.fixed_day_kept or rng.random() < 0.7 else rng.randint(1, 28)
        if month not in habits.skipped_months or rng.random() < 0.5:
            _add(
                plan,
                Meeting.Kind.theme_day,
                dt.date(year, month, day),
                rng,
                title=f"{month}月主题党日：{THEMES[(month - 1) % len(THEMES)]}",
            )
        if month % 3 == 0 and (habits.compliant or rng.random() < 0.6):
            _add(
                plan,
                Meeting.Kind.general_assembly,
                dt.date(year, month, rng.randint(15, 25)),
                rng,
                title=f"{year}年第{month // 3}季度支部党员大会",
            )
        if month % 3 == 2 and (habits.compliant or rng.random() < 0.5):
            _lecture_cycle(plan, year, month, rng)
    # 组织生活会: usually in the quarter the rules name, in its last two months.
    quarter_end = 3 * int(rules.get("meeting.life_review.usual_quarter", on=last))
    life_review_day = dt.date(year, quarter_end - rng.randint(0, 1), rng.randint(5, 25))
    if habits.holds_life_review and life_review_day <= last:
        _add(
            plan,
            Meeting.Kind.life_review,
            life_review_day,
            rng,
            title=f"{year}年度组织生活会和民主评议党员",
        )
    return _write(plan, rng, last)


def _add(
    plan: Plan,
    kind: str,
    day: dt.date,
    rng: random.Random,
    *,
    title: str,
    org: Org | None = None,
    cycle: LectureCycle | None = None,
) -> Meeting:
    start = dt.datetime.combine(day, dt.time(rng.choice([9, 10, 14, 15]), rng.choice([0, 30])))
    meeting = Meeting(
        org=org or plan.org,
        kind=kind,
        held_on=day,
        title=title,
        cycle=cycle,
        starts_at=start.time(),
        ends_at=(start + dt.timedelta(minutes=90)).time(),
        place=rng.choice(["党员活动室", "二楼会议室", "三楼报告厅", "支部会议室"]),
    )
    if day <= plan.last:  # the future is not yet held
        plan.meetings.append(meeting)
        plan.topics.append(_topics_for(meeting, rng))
    return meeting


def _lecture_cycle(plan: Plan, year: int, month: int, rng: random.Random) -> None:
    """一月一主题: 教育准备会 → 党课 → 党小组讨论, linked by the month's theme."""
    theme = THEMES[(month + rng.randint(0, 5)) % len(THEMES)]
    cycle, _created = LectureCycle.objects.get_or_create(
        org=plan.org, month=dt.date(year, month, 1), defaults={"theme": theme}
    )
    _add(
        plan,
        Meeting.Kind.lecture_prep,
        dt.date(year, month, 5),
        rng,
        title=f"{month}月党课教育准备会",
        cycle=cycle,
    )
    _add(
        plan,
        Meeting.Kind.lecture,
        dt.date(year, month, 12),
        rng,
        title=f"党课：{cycle.theme}",
        cycle=cycle,
    )
    for group in plan.org.children.filter(kind=Org.Kind.group).order_by("sort_order", "code"):
        # The group discussion of the month's 党课 is that month's 党小组会.
        _add(
            plan,
            Meeting.Kind.group,
            dt.date(year, month, 19),
            rng,
            org=group,
            cycle=cycle,
            title=f"{group.name}{month}月党课专题讨论",
        )


def _topics_for(meeting: Meeting, rng: random.Random) -> list[Topic]:
    topics = [Topic(org=meeting.org, title=rng.choice(FIRST_TOPICS), kind=Topic.Kind.first_topic)]
    if meeting.kind in (Meeting.Kind.committee, Meeting.Kind.general_assembly):
        for title in rng.sample(DECISIONS, rng.randint(1, 2)):
            # 支委会 topics were registered a few days before (议事决策制度).
            topics.append(
                Topic(
                    org=meeting.org,
                    title=title,
                    kind=Topic.Kind.decision,
                    registered_on=meeting.held_on - dt.timedelta(days=rng.randint(2, 10)),
                    outcome=Topic.Outcome.passed,
                )
            )
    return topics


def _write(plan: Plan, rng: random.Random, last: dt.date) -> int:
    if not plan.meetings:
        return 0
    archive_before = last - dt.timedelta(days=60)
    rosters = _RosterCache()
    hosts: dict[int, int | None] = {}
    for meeting in plan.meetings:
        if meeting.org_id not in hosts:
            committee = committee_on(meeting.org, meeting.held_on)
            seat = committee.seats.filter(position="secretary").first() if committee else None
            # Without a committee (a small branch) the first full member chairs.
            voters = [e.member_id for e in rosters.get(meeting) if e.has_vote]
            hosts[meeting.org_id] = seat.member_id if seat else next(iter(voters), None)
        meeting.host_id = meeting.recorder_id = hosts[meeting.org_id]
        if meeting.kind == Meeting.Kind.lecture:
            meeting.lecturer_id = meeting.host_id
            meeting.lesson_notes = f"一、{meeting.title}的意义\n二、主要内容\n三、结合工作抓落实"
        meeting.status = (
            Meeting.Status.archived if meeting.held_on < archive_before else Meeting.Status.held
        )
    Meeting.objects.bulk_create(plan.meetings)
    rows: list[Attendance] = []
    for meeting in plan.meetings:
        rows += _attendance(meeting, rosters.get(meeting), rng)
    Attendance.objects.bulk_create(rows, batch_size=2000)
    _counts(plan.meetings, rows)
    _topics_and_events(plan)
    return len(plan.meetings)


class _RosterCache:
    """Rosters per org, kind and month: members rarely change within a month."""

    def __init__(self) -> None:
        self.found: dict[tuple[int, str, int], list[RosterEntry]] = {}

    def get(self, meeting: Meeting) -> list[RosterEntry]:
        key = (meeting.org_id, meeting.kind, meeting.held_on.month)
        if key not in self.found:
            entries = roster_for(meeting.org, meeting.kind, meeting.held_on)
            self.found[key] = _own_group(meeting.org, entries)
        return self.found[key]


def _own_group(org: Org, entries: list[RosterEntry]) -> list[RosterEntry]:
    """A 党小组会 lists the whole branch; the recorder keeps the group's share of it (here: the
    branch's members dealt out to its groups in turn)."""
    if org.kind != Org.Kind.group or org.parent is None:
        return entries
    groups = list(
        org.parent.children.filter(kind=Org.Kind.group)
        .order_by("sort_order", "code")
        .values_list("pk", flat=True)
    )
    place = groups.index(org.pk)
    return [e for i, e in enumerate(entries) if i % len(groups) == place]


def _attendance(
    meeting: Meeting, roster: list[RosterEntry], rng: random.Random
) -> list[Attendance]:
    rows = []
    for index, entry in enumerate(roster):
        draw = rng.random()
        status, reason = Attendance.Status.present, ""
        if draw > 0.95:
            status, reason = Attendance.Status.absent, rng.choice(ABSENT_REASONS)
        elif draw > 0.85:
            status, reason = Attendance.Status.leave, rng.choice(LEAVE_REASONS)
        signed = None
        if status == Attendance.Status.present and meeting.starts_at:
            start = timezone.make_aware(dt.datetime.combine(meeting.held_on, meeting.starts_at))
            signed = start - dt.timedelta(minutes=rng.randint(0, 15))
        rows.append(
            Attendance(
                meeting=meeting,
                member_id=entry.member_id,
                has_vote=entry.has_vote,
                is_dual_life=entry.is_dual_life,
                status=status,
                reason=reason,
                signed_in_at=signed,
                via=(
                    rng.choice([Attendance.Via.qr, Attendance.Via.qr, Attendance.Via.secretary])
                    if signed
                    else ""
                ),
                sort_order=index,
            )
        )
    return rows


def _counts(meetings: list[Meeting], rows: list[Attendance]) -> None:
    by_meeting: dict[int, list[Attendance]] = {}
    for row in rows:
        by_meeting.setdefault(row.meeting_id, []).append(row)
    for meeting in meetings:
        mine = [r for r in by_meeting.get(meeting.pk, []) if not r.is_observer]
        here = [r for r in mine if r.status == Attendance.Status.present]
        meeting.expected, meeting.present = len(mine), len(here)
        meeting.voting = sum(r.has_vote for r in mine)
        meeting.voting_present = sum(r.has_vote for r in here)
        meeting.minutes = (
            f"会议由{meeting.host or '支部书记'}主持，应到{meeting.expected}人，"
            f"实到{meeting.present}人。与会党员围绕议题进行了认真学习和讨论。"
        )
    Meeting.objects.bulk_update(
        meetings, ["expected", "present", "voting", "voting_present", "minutes"], batch_size=500
    )


def _topics_and_events(plan: Plan) -> None:
    topics, events = [], []
    for meeting, planned in zip(plan.meetings, plan.topics, strict=True):
        quorum = not meeting.is_voting_kind or meeting.quorum_met()
        for order, topic in enumerate(planned, 1):
            topic.meeting, topic.order, topic.org = meeting, order, meeting.org
            if topic.kind == Topic.Kind.decision and not quorum:
                topic.outcome = Topic.Outcome.deferred  # no quorum, no decision
            topics.append(topic)
        at = timezone.make_aware(dt.datetime.combine(meeting.held_on, dt.time(18, 0)))
        events.append(
            MeetingEvent(
                meeting=meeting, to_status=Meeting.Status.draft, at=at - dt.timedelta(days=7)
            )
        )
        events.append(
            MeetingEvent(
                meeting=meeting,
                from_status=Meeting.Status.draft,
                to_status=Meeting.Status.held,
                at=at,
            )
        )
        if meeting.status == Meeting.Status.archived:
            events.append(
                MeetingEvent(
                    meeting=meeting,
                    from_status=Meeting.Status.held,
                    to_status=Meeting.Status.archived,
                    at=at + dt.timedelta(days=30),
                )
            )
    Topic.objects.bulk_create(topics, batch_size=2000)
    MeetingEvent.objects.bulk_create(events, batch_size=2000)


@transaction.atomic
def _build_dispatches(org: Org, *, year: int, last: dt.date, rng: random.Random) -> int:
    """The monthly 党建重点工作调度会 of a 机关党委: branches report in rotation."""
    children = list(org.children.exclude(kind=Org.Kind.group).order_by("sort_order", "code"))
    if not children:
        return 0
    per_meeting = min(len(children), rules.get("meeting.dispatch.reporters_per_meeting"))
    plan = Plan(org, last)
    turn = 0
    for month in _months(year, last):
        day = dt.date(year, month, rng.randint(1, 6))
        if day > last:
            break
        _add(plan, Meeting.Kind.dispatch, day, rng, title=f"{month}月党建重点工作调度会")
        plan.topics[-1] = [
            Topic(
                org=org,
                title=f"{child.name}党建重点工作汇报",
                kind=Topic.Kind.report,
                reporting_org=child,
            )
            for child in (children[(turn + i) % len(children)] for i in range(per_meeting))
        ]
        turn += per_meeting
    return _write(plan, rng, last)


# ---- 谈心谈话 ----

HEART_TOPICS = [
    "思想工作情况交流",
    "工作压力与家庭情况",
    "对支部工作的意见建议",
    "落实岗位职责情况",
    "学习贯彻情况与思想认识",
    "职业发展与业务学习",
]
INTEGRITY_TOPICS = ["节日期间廉洁提醒", "执法检查廉洁纪律提醒", "新任岗位廉政谈话"]
FOLLOW_UPS = ["", "", "协调解决子女入学咨询", "推荐参加业务培训", "下季度再次谈心"]


def build_demo_talks(*, year: int, seed: int) -> int:
    """Create the year's talks of every branch with a committee (most branches cover most of
    their pairs, some are far behind), a few 廉政谈话, and a handful of 必谈事由: some
    answered, one 生病住院 overdue and one 受到评优表彰 still due. Returns the talks made."""
    from tiejun.life.talks import leaders_on, own_members

    rng = random.Random(seed)
    last = min(dt.date(year, 12, 31), timezone.localdate())
    if last < dt.date(year, 1, 1):
        return 0
    rows: list[Talk] = []
    branches = Org.objects.filter(
        kind__in=[Org.Kind.branch, Org.Kind.temporary_branch], dissolved_on__isnull=True
    ).order_by("path")
    staffed: list[Staffed] = []
    for org in branches:
        leaders = leaders_on(org, last)
        if leaders:
            members = list(own_members(org).order_by("name", "id"))
            staffed.append((org, leaders, members))
            rows += _branch_talks(org, leaders, members, year=year, last=last, rng=rng)
    with transaction.atomic():
        Talk.objects.bulk_create(rows, batch_size=1000)
        made = len(rows) + _demo_life_events(staffed, last=last, rng=rng)
    return made


def _day(year: int, last: dt.date, rng: random.Random) -> dt.date:
    start = dt.date(year, 1, 1)
    return start + dt.timedelta(days=rng.randint(0, (last - start).days))


Staffed = tuple[Org, list[Member], list[Member]]


def _branch_talks(
    org: Org,
    leaders: list[Member],
    members: list[Member],
    *,
    year: int,
    last: dt.date,
    rng: random.Random,
) -> list[Talk]:
    # Most branches keep up with the yearly baseline; about one in six is far behind.
    share = rng.uniform(0.15, 0.45) if rng.random() < 0.17 else rng.uniform(0.85, 1.0)
    share *= min(1.0, ((last - dt.date(year, 1, 1)).days + 1) / 300)
    seen: set[frozenset[int]] = set()
    rows = []
    for leader in leaders:
        for other in [*leaders, *members]:
            key = frozenset((leader.pk, other.pk))
            if other.pk == leader.pk or key in seen:
                continue
            seen.add(key)
            if rng.random() > share:
                continue
            # Now and then the member asks for the talk.
            talker, talkee = (other, leader) if rng.random() < 0.15 else (leader, other)
            rows.append(
                Talk(
                    org=org,
                    kind=Talk.Kind.heart,
                    talker=talker,
                    talkee=talkee,
                    held_on=_day(year, last, rng),
                    place=rng.choice(["支部活动室", "处长办公室", "小会议室", ""]),
                    topic=rng.choice(HEART_TOPICS),
                    follow_up=rng.choice(FOLLOW_UPS),
                )
            )
    for talkee in rng.sample(members, min(len(members), rng.randint(0, 3))):
        if talkee.pk != leaders[0].pk:
            rows.append(
                Talk(
                    org=org,
                    kind=Talk.Kind.integrity,
                    talker=leaders[0],
                    talkee=talkee,
                    held_on=_day(year, last, rng),
                    topic=rng.choice(INTEGRITY_TOPICS),
                )
            )
    return rows


def _demo_life_events(staffed: list[Staffed], *, last: dt.date, rng: random.Random) -> int:
    """A handful of 必谈事由 spread over the first branches; returns the answering talks made."""
    within = int(rules.get("talk.must_talk.within_days", last))
    plan = [
        ("婚丧嫁娶", 60, True),
        ("家庭重大变故", 35, True),
        ("受到批评处分", 20, True),
        ("生病住院", within + 12, False),  # overdue: the inbox shows it red
        ("受到评优表彰", 2, False),  # due: amber, still within the days
    ]
    made = 0
    for index, (kind, days_ago, answered) in enumerate(plan):
        if not staffed:
            break
        org, leaders, members = staffed[index % len(staffed)]
        others = [m for m in members if m.pk not in {x.pk for x in leaders}] or members
        member = rng.choice(others)
        happened = last - dt.timedelta(days=days_ago)
        event = LifeEvent.objects.create(member=member, org=org, kind=kind, happened_on=happened)
        if answered and member.pk != leaders[0].pk:
            Talk.objects.create(
                org=org,
                kind=Talk.Kind.heart,
                talker=leaders[0],
                talkee=member,
                held_on=happened + dt.timedelta(days=rng.randint(1, within)),
                topic=f"{kind}谈心谈话",
                follow_up="支部持续关注，必要时协调帮助",
                life_event=event,
            )
            made += 1
    return made

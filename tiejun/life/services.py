"""Workflows of organizational life: create a meeting with its roster, register and add topics
under the agenda rule, record attendance and phone sign-ins, decide topics, move the status.

Each is keyword-only, atomic and audited. Counts on the meeting (应到/实到/有表决权) are rewritten
from the Attendance rows by `_recount` inside the same transaction, under the meeting's row lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tiejun import rules
from tiejun.accounts import audit
from tiejun.accounts.models import User
from tiejun.life.models import Attendance, Meeting, MeetingEvent, Topic, member_categories_on
from tiejun.org.models import Committee, DualLife, Member, MemberChange, Org
from tiejun.org.services import StaleEdit

# Kinds whose roster is a leadership body (the committee of the org), not all its members.
COMMITTEE_ROSTER_KINDS = frozenset(
    {
        Meeting.Kind.committee,
        Meeting.Kind.democratic_life,
        Meeting.Kind.study_center,
        Meeting.Kind.lecture_prep,
    }
)


@dataclass(frozen=True)
class RosterEntry:
    member_id: int
    has_vote: bool
    is_dual_life: bool = False


def committee_on(org: Org, day: dt.date) -> Committee | None:
    """The committee of `org` in office on `day` (elected by then, not yet replaced)."""
    return (
        org.committees.filter(elected_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .order_by("-elected_on")
        .first()
    )


def _org_member_ids(org: Org, day: dt.date) -> list[int]:
    """The org's members on `day` from the history chain; a 党小组 holds no members of its own
    (members are registered with the branch), so a group meeting lists its branch's members."""
    holder = org.parent if org.kind == Org.Kind.group and org.parent else org
    rows = MemberChange.objects.as_of(day).filter(org=holder, status=Member.Status.active)
    return list(rows.order_by("member__name", "member_id").values_list("member_id", flat=True))


def roster_for(org: Org, kind: str, day: dt.date) -> list[RosterEntry]:
    """Who is expected at a meeting of `kind` held by `org` on `day`, and who may vote.

    Committee-type meetings list the committee in office; the monthly 调度会 adds the
    secretaries of the orgs directly below. Everything else lists the org's members on that day
    plus the leaders who keep 双重组织生活 there (expected, but voting in their own org).
    预备党员 have no vote.
    """
    if kind in COMMITTEE_ROSTER_KINDS or kind == Meeting.Kind.dispatch:
        committee = committee_on(org, day)
        ids = list(committee.seats.values_list("member_id", flat=True)) if committee else []
        if kind == Meeting.Kind.dispatch:
            ids += _child_secretaries(org, day)
        ids = list(dict.fromkeys(ids))
        dual: list[int] = []
    else:
        ids = _org_member_ids(org, day)
        holder = org.parent if org.kind == Org.Kind.group and org.parent else org
        dual = list(
            DualLife.objects.filter(org=holder, since__lte=day)
            .filter(Q(until__isnull=True) | Q(until__gte=day))
            .exclude(member_id__in=ids)
            .values_list("member_id", flat=True)
        )
    categories = member_categories_on(ids, day)
    entries = [RosterEntry(pk, categories.get(pk) == Member.Category.full) for pk in ids]
    return entries + [RosterEntry(pk, False, is_dual_life=True) for pk in dual]


def _child_secretaries(org: Org, day: dt.date) -> list[int]:
    from tiejun.org.models import CommitteeSeat

    seats = CommitteeSeat.objects.filter(
        committee__org__parent=org,
        committee__elected_on__lte=day,
        position=CommitteeSeat.Position.secretary,
    ).filter(Q(committee__ended_on__isnull=True) | Q(committee__ended_on__gt=day))
    return list(
        seats.order_by("committee__org__sort_order", "committee__org__code").values_list(
            "member_id", flat=True
        )
    )


def _recount(meeting: Meeting) -> None:
    counted = Attendance.objects.filter(meeting=meeting, is_observer=False)
    present = Q(status=Attendance.Status.present)
    totals = counted.aggregate(
        expected=Count("id"),
        present=Count("id", filter=present),
        voting=Count("id", filter=Q(has_vote=True)),
        voting_present=Count("id", filter=Q(has_vote=True) & present),
    )
    for name, value in totals.items():
        setattr(meeting, name, value)
    meeting.save(update_fields=[*totals.keys(), "updated_at"])


def _locked(meeting_id: int) -> Meeting:
    # Every write to a meeting's roster or counts goes through this row lock, so two sign-ins
    # at the same second cannot both recount from a state that misses the other.
    return Meeting.objects.select_for_update().get(pk=meeting_id)


def _require_editable(meeting: Meeting) -> None:
    if not meeting.is_editable:
        raise ValidationError(_("会议已归档，不能再修改。"))


@transaction.atomic
def create_meeting(
    *, meeting: Meeting, by: User | None, request: Any = None, extra_observers: Iterable[int] = ()
) -> Meeting:
    """Save a new meeting and list its roster as of the meeting day."""
    meeting.full_clean(exclude=["sign_in_token"])
    meeting.created_by = by
    meeting.save()
    entries = roster_for(meeting.org, meeting.kind, meeting.held_on)
    rows = [
        Attendance(
            meeting=meeting,
            member_id=e.member_id,
            has_vote=e.has_vote,
            is_dual_life=e.is_dual_life,
            sort_order=index,
        )
        for index, e in enumerate(entries)
    ]
    listed = {e.member_id for e in entries}
    rows += [
        Attendance(meeting=meeting, member_id=pk, is_observer=True, sort_order=len(rows) + i)
        for i, pk in enumerate(pk for pk in extra_observers if pk not in listed)
    ]
    Attendance.objects.bulk_create(rows)
    _recount(meeting)
    MeetingEvent.objects.create(meeting=meeting, to_status=meeting.status, by=by)
    audit.record(
        "meeting.create",
        request=request,
        user=by,
        obj=meeting,
        detail={"kind": meeting.kind, "roster": len(rows)},
    )
    return meeting


@transaction.atomic
def update_meeting(
    *, meeting: Meeting, expected_version: int, by: User | None, request: Any = None
) -> Meeting:
    """Save edits made against `expected_version`; the roster stays as it was listed."""
    current = _locked(meeting.pk)
    if current.version != expected_version:
        raise StaleEdit
    _require_editable(current)
    relist = current.held_on != meeting.held_on or current.org_id != meeting.org_id
    # The roster is "members on the meeting day": another day or org is another roster.
    if relist and Attendance.objects.filter(meeting=current, signed_in_at__isnull=False).exists():
        raise ValidationError({"held_on": _("已有人签到，不能再更改会议日期或组织。")})
    meeting.full_clean(exclude=["sign_in_token"])
    meeting.version = current.version + 1
    meeting.save()
    if relist:
        _relist(meeting)
    audit.record("meeting.update", request=request, user=by, obj=meeting)
    return meeting


def _relist(meeting: Meeting) -> None:
    Attendance.objects.filter(meeting=meeting, is_observer=False).delete()
    entries = roster_for(meeting.org, meeting.kind, meeting.held_on)
    observers = set(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True))
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            member_id=e.member_id,
            has_vote=e.has_vote,
            is_dual_life=e.is_dual_life,
            sort_order=index,
        )
        for index, e in enumerate(entries)
        if e.member_id not in observers
    )
    _recount(meeting)


@transaction.atomic
def register_topic(
    *,
    org: Org,
    title: str,
    proposer: Member | None,
    registered_on: dt.date,
    kind: str = Topic.Kind.ordinary,
    directive_ref: str = "",
    by: User | None,
    request: Any = None,
) -> Topic:
    """议题预登记: a topic an org means to discuss, recorded with its proposer and date."""
    topic = Topic(
        org=org,
        title=title.strip(),
        proposer=proposer,
        registered_on=registered_on,
        kind=kind,
        directive_ref=directive_ref,
        registered_by=by,
    )
    topic.full_clean()
    topic.save()
    audit.record(
        "meeting.topic_register", request=request, user=by, obj=topic, detail={"org": org.pk}
    )
    return topic


def agenda_refusal(
    meeting: Meeting, topic: Topic | None, title: str, kind: str = Topic.Kind.ordinary
) -> str | None:
    """Why the agenda rule refuses `title` on `meeting`, or None when it may be taken.

    议事决策制度: a 支委会 discusses only topics registered before it meets (no 临时动议),
    unless the rules table allows unregistered ones for this deployment. The 第一议题 (studying
    the latest instructions) is a standing item of every meeting, not a matter for decision, so
    it needs no registration.
    """
    if meeting.kind != Meeting.Kind.committee:
        return None
    if topic is not None and topic.registered_before(meeting.held_on):
        return None
    if (topic.kind if topic is not None else kind) == Topic.Kind.first_topic:
        return None
    if rules.get("meeting.committee.allow_unregistered_topics", on=meeting.held_on):
        return None
    return _(
        "议题“%(title)s”未在会前预登记。按照议事决策制度，支委会只研究会前登记的议题，"
        "不安排临时动议；请先登记议题，再列入下次会议。"
    ) % {"title": title}


def add_topic(
    *,
    meeting: Meeting,
    by: User | None,
    registered: Topic | None = None,
    title: str = "",
    kind: str = Topic.Kind.ordinary,
    directive_ref: str = "",
    material_ref: str = "",
    reporting_org: Org | None = None,
    request: Any = None,
) -> Topic:
    """Put a topic on the agenda: a pre-registered one of the org, or a new one if allowed."""
    if registered is not None and (registered.org_id != meeting.org_id or registered.meeting_id):
        raise ValidationError(_("该议题不属于本组织的待议议题。"))
    shown = registered.title if registered is not None else title.strip()
    refusal = agenda_refusal(meeting, registered, shown, kind)
    if refusal:
        # Outside the transaction: the refused attempt stays in the audit trail.
        audit.record(
            "meeting.topic_add",
            request=request,
            user=by,
            obj=meeting,
            result="denied",
            detail={"title": shown[:100]},
        )
        raise ValidationError({"title": refusal})
    topic = registered or Topic(
        org=meeting.org,
        title=shown,
        kind=kind,
        directive_ref=directive_ref,
        material_ref=material_ref,
        reporting_org=reporting_org,
    )
    if registered is not None and material_ref:
        topic.material_ref = material_ref
    return _put_on_agenda(meeting_id=meeting.pk, topic=topic, by=by, request=request)


@transaction.atomic
def _put_on_agenda(*, meeting_id: int, topic: Topic, by: User | None, request: Any) -> Topic:
    meeting = _locked(meeting_id)
    _require_editable(meeting)
    topic.meeting = meeting
    topic.order = meeting.topics.count() + 1
    topic.full_clean()
    topic.save()
    audit.record(
        "meeting.topic_add", request=request, user=by, obj=meeting, detail={"topic": topic.pk}
    )
    return topic


@transaction.atomic
def decide_topic(*, topic: Topic, outcome: str, by: User | None, request: Any = None) -> Topic:
    """Record the vote on a decision topic; a vote without a quorum decides nothing."""
    meeting = _locked(topic.meeting_id) if topic.meeting_id else None
    if meeting is None:
        raise ValidationError(_("议题尚未列入会议。"))
    _require_editable(meeting)
    if outcome == Topic.Outcome.passed and meeting.is_voting_kind and not meeting.quorum_met():
        raise ValidationError(
            _(
                "到会有表决权的党员（%(p)s 人）未超过应到会有表决权党员（%(v)s 人）的%(share)s，"
                "不能作出决定。"
            )
            % {"p": meeting.voting_present, "v": meeting.voting, "share": _share_words(meeting)}
        )
    topic.outcome = outcome
    topic.save(update_fields=["outcome"])
    audit.record(
        "meeting.topic_decide",
        request=request,
        user=by,
        obj=meeting,
        detail={"topic": topic.pk, "outcome": outcome},
    )
    return topic


def _share_words(meeting: Meeting) -> str:
    share = meeting.quorum_share()
    return _("半数") if share == share.__class__(1, 2) else f"{share.numerator}/{share.denominator}"


@transaction.atomic
def record_attendance(
    *,
    meeting: Meeting,
    member_id: int,
    status: str,
    reason: str = "",
    by: User | None,
    request: Any = None,
) -> Attendance:
    """The recorder marks one person 出席/请假/缺席 (with the reason for leave or absence)."""
    meeting = _locked(meeting.pk)
    _require_editable(meeting)
    row = Attendance.objects.filter(meeting=meeting, member_id=member_id).first()
    if row is None:
        raise Http404
    row.status = status
    row.reason = "" if status == Attendance.Status.present else reason.strip()[:200]
    if status == Attendance.Status.present:
        if row.signed_in_at is None:
            row.signed_in_at, row.via = timezone.now(), Attendance.Via.secretary
    else:
        # Not there after all: a later scan of the code may sign them in again.
        row.signed_in_at, row.via = None, ""
    row.save(update_fields=["status", "reason", "signed_in_at", "via"])
    _recount(meeting)
    audit.record(
        "meeting.attendance",
        request=request,
        user=by,
        obj=meeting,
        detail={"member": member_id, "status": status},
    )
    return row


@transaction.atomic
def add_observer(
    *, meeting: Meeting, member: Member, by: User | None, request: Any = None
) -> Attendance:
    """列席: someone who attends without being counted or voting."""
    meeting = _locked(meeting.pk)
    _require_editable(meeting)
    row, created = Attendance.objects.get_or_create(
        meeting=meeting,
        member=member,
        defaults={"is_observer": True, "sort_order": 10_000},
    )
    if not created and not row.is_observer:
        raise ValidationError(_("该党员已在本次会议的应到名单中。"))
    audit.record(
        "meeting.observer_add", request=request, user=by, obj=meeting, detail={"member": member.pk}
    )
    return row


@transaction.atomic
def remove_from_roster(
    *, meeting: Meeting, member_id: int, by: User | None, request: Any = None
) -> None:
    """Take someone off the list: a 党小组会 lists the whole branch and the recorder keeps only
    the group's members; an observer added by mistake."""
    meeting = _locked(meeting.pk)
    _require_editable(meeting)
    deleted, _rows = Attendance.objects.filter(
        meeting=meeting, member_id=member_id, signed_in_at__isnull=True
    ).delete()
    if not deleted:
        raise ValidationError(_("已签到的人员不能移出名单。"))
    _recount(meeting)
    audit.record(
        "meeting.roster_remove", request=request, user=by, obj=meeting, detail={"member": member_id}
    )


class SignInRefused(Exception):
    """A phone sign-in that cannot count, with the reason to show the member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def sign_in(*, meeting: Meeting, user: User, request: Any = None) -> Attendance:
    """The member scanning the meeting's code signs themselves in; a second scan changes nothing
    and keeps the first time."""
    member_id = user.member_id
    meeting = _locked(meeting.pk)
    if not meeting.is_editable:
        raise SignInRefused(_("会议已归档，签到已结束。"))
    if timezone.localdate() != meeting.held_on:
        raise SignInRefused(
            _("只能在会议当天（%(day)s）签到。") % {"day": f"{meeting.held_on:%Y年%m月%d日}"}
        )
    row = (
        Attendance.objects.filter(meeting=meeting, member_id=member_id).first()
        if member_id is not None
        else None
    )
    if row is None:
        raise SignInRefused(_("您不在本次会议的参会名单中。如需参会，请联系会议记录人。"))
    # Conditional update: of two scans racing, only one finds signed_in_at empty.
    claimed = Attendance.objects.filter(pk=row.pk, signed_in_at__isnull=True).update(
        status=Attendance.Status.present,
        reason="",
        signed_in_at=timezone.now(),
        via=Attendance.Via.qr,
    )
    row.refresh_from_db()
    if claimed:
        _recount(meeting)
        audit.record(
            "meeting.sign_in", request=request, user=user, obj=meeting, detail={"member": member_id}
        )
    return row


@transaction.atomic
def set_status(
    *, meeting: Meeting, status: str, by: User | None, note: str = "", request: Any = None
) -> Meeting:
    """Move a meeting along draft → held → archived, writing the event row."""
    meeting = _locked(meeting.pk)
    if not meeting.can_move_to(status):
        raise ValidationError(
            _("会议当前为“%(now)s”，不能改为“%(to)s”。")
            % {"now": meeting.get_status_display(), "to": Meeting.Status(status).label}
        )
    if status == Meeting.Status.held and meeting.held_on > timezone.localdate():
        raise ValidationError(_("会议日期还没到，不能登记为已召开。"))
    before = meeting.status
    meeting.status = status
    meeting.version += 1
    meeting.save(update_fields=["status", "version", "updated_at"])
    MeetingEvent.objects.create(
        meeting=meeting, from_status=before, to_status=status, by=by, note=note[:200]
    )
    audit.record(
        "meeting.status",
        request=request,
        user=by,
        obj=meeting,
        detail={"from": before, "to": status},
    )
    return meeting


def hold_meeting(*, meeting: Meeting, by: User | None, request: Any = None) -> Meeting:
    return set_status(meeting=meeting, status=Meeting.Status.held, by=by, request=request)


def archive_meeting(*, meeting: Meeting, by: User | None, request: Any = None) -> Meeting:
    return set_status(meeting=meeting, status=Meeting.Status.archived, by=by, request=request)


@transaction.atomic
def save_minutes(
    *,
    meeting: Meeting,
    minutes: str,
    decisions: str,
    expected_version: int,
    by: User | None,
    request: Any = None,
) -> Meeting:
    """The recorder writes the minutes and decisions; a stale form is refused, not merged."""
    current = _locked(meeting.pk)
    if current.version != expected_version:
        raise StaleEdit
    _require_editable(current)
    current.minutes, current.decisions = minutes, decisions
    current.version += 1
    current.save(update_fields=["minutes", "decisions", "version", "updated_at"])
    audit.record("meeting.minutes", request=request, user=by, obj=current)
    return current


def next_reporters(*, org: Org, count: int) -> list[Org]:
    """调度会 in rotation: the orgs directly below `org` that reported longest ago (or never)."""
    from django.db.models import Max

    children = list(Org.objects.filter(parent=org).active())
    last_report = dict(
        Topic.objects.filter(
            meeting__org=org, meeting__kind=Meeting.Kind.dispatch, reporting_org__isnull=False
        )
        .values("reporting_org")
        .annotate(last=Max("meeting__held_on"))
        .values_list("reporting_org", "last")
    )
    ordered = sorted(
        children, key=lambda o: (last_report.get(o.pk) or dt.date.min, o.sort_order, o.code)
    )
    return ordered[:count]

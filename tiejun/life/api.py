"""JSON endpoints for meetings under /api/v1/meetings: the same access helpers, forms and
services as the pages. Errors are raised and tiejun.api answers them in Chinese JSON."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator

from tiejun.accounts.models import User
from tiejun.life import services, talks
from tiejun.life.access import get_meeting_by_token, get_meeting_for_user
from tiejun.life.forms import MeetingForm, TalkForm
from tiejun.life.models import Attendance, LifeEvent, Meeting, Talk, Topic
from tiejun.openapi import inline_choices
from tiejun.org.access import get_member_for_user, get_org_for_user
from tiejun.org.api import Pagination
from tiejun.org.models import subtree_q
from tiejun.org.schemas import ERRORS, WRITE_ERRORS, Day, Id


def _naive_time(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("时间请填写当地时间（如 09:30），不带时区")
    return value


# Meeting times are wall-clock times of the meeting's place: a time with a zone is refused.
LocalTime = Annotated[dt.time, AfterValidator(_naive_time)]

# Enum field types with their schema inline (tiejun/openapi.py says why).
TopicKind = Annotated[Topic.Kind, inline_choices(Topic.Kind)]
MeetingKind = Annotated[Meeting.Kind, inline_choices(Meeting.Kind)]
MeetingStatus = Annotated[Meeting.Status, inline_choices(Meeting.Status)]
AttendanceStatus = Annotated[Attendance.Status, inline_choices(Attendance.Status)]
TalkKind = Annotated[Talk.Kind, inline_choices(Talk.Kind)]

router = Router(tags=["组织生活"])


class TopicOut(Schema):
    id: int
    order: int
    title: str
    kind: TopicKind
    proposer_id: int | None
    registered_on: dt.date | None = Field(..., description="会前预登记日期；空表示会上提出")
    directive_ref: str
    material_ref: str
    reporting_org_id: int | None
    outcome: Topic.Outcome


class MeetingOut(Schema):
    id: int
    org_id: int
    org_name: str
    kind: MeetingKind
    kind_display: str
    title: str
    held_on: dt.date
    starts_at: dt.time | None
    ends_at: dt.time | None
    place: str
    host_id: int | None
    recorder_id: int | None
    status: MeetingStatus
    expected: int = Field(..., description="应到")
    present: int = Field(..., description="实到")
    voting: int = Field(..., description="有表决权应到")
    voting_present: int = Field(..., description="有表决权实到")
    quorum_met: bool | None = Field(..., description="表决人数是否达到；不表决的会议为 null")
    version: int = Field(..., description="修改时原样带回，用于发现他人已修改")

    @staticmethod
    def resolve_org_name(obj: Meeting) -> str:
        return obj.org.name

    @staticmethod
    def resolve_kind_display(obj: Meeting) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_quorum_met(obj: Meeting) -> bool | None:
        return obj.quorum_met() if obj.is_voting_kind else None


class MeetingDetailOut(MeetingOut):
    minutes: str
    decisions: str
    topics: list[TopicOut]

    @staticmethod
    def resolve_topics(obj: Meeting) -> list[Topic]:
        return list(obj.topics.all())


class MeetingIn(Schema):
    org_id: Id
    kind: MeetingKind
    title: str = Field(..., max_length=200)
    held_on: Day
    starts_at: LocalTime | None = None
    ends_at: LocalTime | None = None
    place: str = Field("", max_length=100)
    host_id: Id | None = None
    recorder_id: Id | None = None
    registered_topic_ids: list[Id] = Field([], description="本组织已预登记的议题")
    first_topic: str = Field("", max_length=200, description="第一议题（学习传达指示批示）")
    new_topics: list[str] = Field([], description="会上提出的议题；支委会默认不允许")


class MeetingFilters(Schema):
    org: Id | None = Field(None, description="党组织 id（含下级）")
    kind: MeetingKind | None = None
    start: Day | None = None
    end: Day | None = None


class AttendanceOut(Schema):
    member_id: int
    member_name: str
    status: AttendanceStatus
    reason: str
    signed_in_at: dt.datetime | None
    via: str
    is_observer: bool
    has_vote: bool

    @staticmethod
    def resolve_member_name(obj: Attendance) -> str:
        return obj.member.name


class AttendanceIn(Schema):
    status: AttendanceStatus
    reason: str = Field("", max_length=200)


class TopicIn(Schema):
    registered_id: Id | None = Field(None, description="已预登记议题的 id")
    title: str = Field("", max_length=200)
    kind: TopicKind = Topic.Kind.ordinary
    directive_ref: str = Field("", max_length=300)
    material_ref: str = Field("", max_length=300, description="学习材料名称或文号")


class StatusIn(Schema):
    status: MeetingStatus


def _user_with(request: HttpRequest, permission: str) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not user.can(permission):
        raise PermissionDenied
    return user


def _form_errors(form: MeetingForm) -> ValidationError:
    names = {
        "org": "org_id",
        "host": "host_id",
        "recorder": "recorder_id",
        "registered_topics": "registered_topic_ids",
    }
    return ValidationError(
        {
            names.get(field, field): [ValidationError(e["message"]) for e in errors]
            for field, errors in form.errors.get_json_data().items()
        }
    )


@router.get("", response={200: list[MeetingOut], **ERRORS}, summary="会议列表")
@paginate(Pagination)
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> QuerySet[Meeting]:
    user = _user_with(request, "meeting.view")
    meetings = Meeting.objects.visible_to(user).select_related("org")
    if filters.org is not None:
        meetings = meetings.for_org(get_org_for_user(user, filters.org), subtree=True)
    if filters.kind:
        meetings = meetings.filter(kind=filters.kind)
    if filters.start:
        meetings = meetings.filter(held_on__gte=filters.start)
    if filters.end:
        meetings = meetings.filter(held_on__lte=filters.end)
    return meetings.order_by("-held_on", "-id")


@router.get("/{int:meeting_id}", response={200: MeetingDetailOut, **ERRORS}, summary="会议详情")
def get_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return get_meeting_for_user(_user_with(request, "meeting.view"), meeting_id)


@router.post("", response={201: MeetingDetailOut, **WRITE_ERRORS}, summary="登记会议")
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status[Meeting]:
    user = _user_with(request, "meeting.manage")
    org = get_org_for_user(user, payload.org_id)
    data: dict[str, Any] = {
        "org": org.pk,
        "kind": payload.kind.value,
        "title": payload.title,
        "held_on": payload.held_on,
        "starts_at": payload.starts_at,
        "ends_at": payload.ends_at,
        "place": payload.place,
        "host": payload.host_id,
        "recorder": payload.recorder_id,
        "registered_topics": payload.registered_topic_ids,
        "first_topic": payload.first_topic,
        "new_topics": "\n".join(payload.new_topics),
    }
    form = MeetingForm({k: v for k, v in data.items() if v is not None}, user=user, org=org)
    if not form.is_valid():
        raise _form_errors(form)
    with transaction.atomic():
        meeting = services.create_meeting(meeting=form.save(commit=False), by=user, request=request)
        if payload.first_topic:
            services.add_topic(
                meeting=meeting,
                title=payload.first_topic,
                kind=Topic.Kind.first_topic,
                by=user,
                request=request,
            )
        for topic in form.cleaned_data["registered_topics"]:
            services.add_topic(meeting=meeting, registered=topic, by=user, request=request)
        for title in form.new_topic_titles():
            services.add_topic(meeting=meeting, title=title, by=user, request=request)
    return Status(201, get_meeting_for_user(user, meeting.pk))


@router.post(
    "/{int:meeting_id}/topics",
    response={201: TopicOut, **WRITE_ERRORS},
    summary="列入议题（支委会只收预登记议题）",
)
def add_topic(request: HttpRequest, meeting_id: int, payload: TopicIn) -> Status[Topic]:
    user = _user_with(request, "meeting.manage")
    meeting = get_meeting_for_user(user, meeting_id)
    registered = None
    if payload.registered_id is not None:
        registered = Topic.objects.filter(
            pk=payload.registered_id, org=meeting.org, meeting__isnull=True
        ).first()
        if registered is None:
            raise Http404
    elif not payload.title.strip():
        raise ValidationError({"title": [ValidationError("请选择已登记的议题，或填写新议题。")]})
    topic = services.add_topic(
        meeting=meeting,
        registered=registered,
        title=payload.title,
        kind=payload.kind.value,
        directive_ref=payload.directive_ref,
        material_ref=payload.material_ref,
        by=user,
        request=request,
    )
    return Status(201, topic)


@router.get(
    "/{int:meeting_id}/attendance",
    response={200: list[AttendanceOut], **ERRORS},
    summary="参会名单与出席情况",
)
def list_attendance(request: HttpRequest, meeting_id: int) -> QuerySet[Attendance]:
    meeting = get_meeting_for_user(_user_with(request, "meeting.view"), meeting_id)
    return meeting.attendances.select_related("member")


@router.put(
    "/{int:meeting_id}/attendance/{int:member_id}",
    response={200: AttendanceOut, **WRITE_ERRORS},
    summary="登记出席/请假/缺席",
)
def mark_attendance(
    request: HttpRequest, meeting_id: int, member_id: int, payload: AttendanceIn
) -> Attendance:
    user = _user_with(request, "meeting.manage")
    meeting = get_meeting_for_user(user, meeting_id)
    return services.record_attendance(
        meeting=meeting,
        member_id=member_id,
        status=payload.status.value,
        reason=payload.reason,
        by=user,
        request=request,
    )


@router.post(
    "/{int:meeting_id}/status",
    response={200: MeetingOut, **WRITE_ERRORS},
    summary="变更会议状态（筹备中 → 已召开 → 已归档）",
)
def change_status(request: HttpRequest, meeting_id: int, payload: StatusIn) -> Meeting:
    user = _user_with(request, "meeting.manage")
    meeting = get_meeting_for_user(user, meeting_id)
    services.set_status(meeting=meeting, status=payload.status.value, by=user, request=request)
    return get_meeting_for_user(user, meeting_id)


@router.post(
    "/sign-in/{token}", response={200: AttendanceOut, **WRITE_ERRORS}, summary="扫码签到（本人）"
)
def sign_in(request: HttpRequest, token: str) -> Attendance:
    user = _user_with(request, "meeting.view")
    meeting = get_meeting_by_token(user, token)
    try:
        return services.sign_in(meeting=meeting, user=user, request=request)
    except services.SignInRefused as refused:
        raise ValidationError(refused.message) from None


# ---- 谈心谈话 / 必谈事由, mounted at /api/v1/ (paths /talks and /life-events) ----

talk_router = Router(tags=["谈心谈话"])


class TalkOut(Schema):
    id: int
    org_id: int
    kind: TalkKind
    kind_display: str
    talker_id: int
    talker_name: str
    talkee_id: int
    talkee_name: str
    held_on: dt.date
    place: str
    topic: str
    content: str
    follow_up: str = Field(..., description="后续跟进")
    life_event_id: int | None = Field(..., description="答复的必谈事由")

    @staticmethod
    def resolve_kind_display(obj: Talk) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_talker_name(obj: Talk) -> str:
        return obj.talker.name

    @staticmethod
    def resolve_talkee_name(obj: Talk) -> str:
        return obj.talkee.name


class TalkIn(Schema):
    org_id: Id
    kind: TalkKind = Talk.Kind.heart
    talker_id: Id
    talkee_id: Id
    held_on: Day
    place: str = Field("", max_length=100)
    topic: str = Field(..., max_length=200)
    content: str = ""
    follow_up: str = ""
    life_event_id: Id | None = Field(
        None, description="答复的必谈事由；谈心谈话不填时自动答复谈话对象最早的未谈事由"
    )


class TalkFilters(Schema):
    org: Id | None = Field(None, description="党组织 id（含下级）")
    kind: TalkKind | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    member: Id | None = Field(None, description="谈话人或谈话对象的党员 id")


class LifeEventOut(Schema):
    id: int
    member_id: int
    member_name: str
    org_id: int
    kind: str
    happened_on: dt.date
    note: str
    due_on: dt.date = Field(..., description="应谈期限")
    answered: bool = Field(..., description="是否已谈")

    @staticmethod
    def resolve_member_name(obj: LifeEvent) -> str:
        return obj.member.name

    @staticmethod
    def resolve_due_on(obj: LifeEvent) -> dt.date:
        return obj.due_on()

    @staticmethod
    def resolve_answered(obj: LifeEvent) -> bool:
        return bool(getattr(obj, "is_answered", False))


class LifeEventIn(Schema):
    member_id: Id
    kind: str = Field(..., max_length=40, description="须为规则表中的必谈事由之一")
    happened_on: Day
    note: str = Field("", max_length=300)


def _talk_errors(form: TalkForm) -> ValidationError:
    names = {"talker": "talker_id", "talkee": "talkee_id", "life_event": "life_event_id"}
    return ValidationError(
        {
            names.get(field, field): [ValidationError(e["message"]) for e in errors]
            for field, errors in form.errors.get_json_data().items()
        }
    )


@talk_router.get("/talks", response={200: list[TalkOut], **ERRORS}, summary="谈话记录列表")
@paginate(Pagination)
def list_talks(request: HttpRequest, filters: Query[TalkFilters]) -> QuerySet[Talk]:
    user = _user_with(request, "talk.view")
    rows = Talk.objects.visible_to(user).select_related("talker", "talkee")
    if filters.org is not None:
        org = get_org_for_user(user, filters.org)
        rows = rows.filter(subtree_q("org__path", org.path))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.year:
        rows = rows.in_year(filters.year)
    if filters.member:
        rows = rows.filter(Q(talker_id=filters.member) | Q(talkee_id=filters.member))
    return rows.order_by("-held_on", "-id")


@talk_router.get("/talks/{int:talk_id}", response={200: TalkOut, **ERRORS}, summary="谈话记录")
def get_talk(request: HttpRequest, talk_id: int) -> Talk:
    return talks.get_talk_for_user(_user_with(request, "talk.view"), talk_id)


@talk_router.post("/talks", response={201: TalkOut, **WRITE_ERRORS}, summary="记录谈话")
def create_talk(request: HttpRequest, payload: TalkIn) -> Status[Talk]:
    user = _user_with(request, "talk.manage")
    org = get_org_for_user(user, payload.org_id)
    if payload.life_event_id is not None:
        talks.get_life_event_for_user(user, payload.life_event_id)
    data = {
        "kind": payload.kind.value,
        "talker": payload.talker_id,
        "talkee": payload.talkee_id,
        "held_on": payload.held_on,
        "place": payload.place,
        "topic": payload.topic,
        "content": payload.content,
        "follow_up": payload.follow_up,
        "life_event": payload.life_event_id,
    }
    form = TalkForm({k: v for k, v in data.items() if v is not None}, user=user, org=org)
    if not form.is_valid():
        raise _talk_errors(form)
    talk = talks.record_talk(talk=form.save(commit=False), by=user, request=request)
    return Status(201, talk)


@talk_router.get(
    "/life-events", response={200: list[LifeEventOut], **ERRORS}, summary="必谈事由列表"
)
@paginate(Pagination)
def list_life_events(request: HttpRequest, open_only: bool = False) -> QuerySet[LifeEvent]:
    user = _user_with(request, "talk.manage")
    answered = Talk.objects.filter(life_event=OuterRef("pk"))
    rows = (
        LifeEvent.objects.visible_to(user)
        .select_related("member")
        .annotate(is_answered=Exists(answered))
    )
    if open_only:
        rows = rows.filter(is_answered=False)
    return rows.order_by("-happened_on", "-id")


@talk_router.post(
    "/life-events", response={201: LifeEventOut, **WRITE_ERRORS}, summary="登记必谈事由"
)
def create_life_event(request: HttpRequest, payload: LifeEventIn) -> Status[LifeEvent]:
    user = _user_with(request, "talk.manage")
    member = get_member_for_user(user, payload.member_id)
    event = talks.record_life_event(
        member=member,
        kind=payload.kind,
        happened_on=payload.happened_on,
        note=payload.note,
        by=user,
        request=request,
    )
    return Status(201, event)

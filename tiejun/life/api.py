"""JSON endpoints for meetings under /api/v1/meetings: the same access helpers, forms and
services as the pages. Errors are raised and tiejun.api answers them in Chinese JSON."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tiejun.accounts.models import User
from tiejun.life import services
from tiejun.life.access import get_meeting_by_token, get_meeting_for_user
from tiejun.life.forms import MeetingForm
from tiejun.life.models import Attendance, Meeting, Topic
from tiejun.org.access import get_org_for_user
from tiejun.org.api import Pagination
from tiejun.org.schemas import ERRORS, WRITE_ERRORS, Day, Id

router = Router(tags=["组织生活"])


class TopicOut(Schema):
    id: int
    order: int
    title: str
    kind: Topic.Kind
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
    kind: Meeting.Kind
    kind_display: str
    title: str
    held_on: dt.date
    starts_at: dt.time | None
    ends_at: dt.time | None
    place: str
    host_id: int | None
    recorder_id: int | None
    status: Meeting.Status
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
    kind: Meeting.Kind
    title: str = Field(..., max_length=200)
    held_on: Day
    starts_at: dt.time | None = None
    ends_at: dt.time | None = None
    place: str = Field("", max_length=100)
    host_id: Id | None = None
    recorder_id: Id | None = None
    registered_topic_ids: list[Id] = Field([], description="本组织已预登记的议题")
    first_topic: str = Field("", max_length=200, description="第一议题（学习传达指示批示）")
    new_topics: list[str] = Field([], description="会上提出的议题；支委会默认不允许")


class MeetingFilters(Schema):
    org: Id | None = Field(None, description="党组织 id（含下级）")
    kind: Meeting.Kind | None = None
    start: Day | None = None
    end: Day | None = None


class AttendanceOut(Schema):
    member_id: int
    member_name: str
    status: Attendance.Status
    reason: str
    signed_in_at: dt.datetime | None
    via: str
    is_observer: bool
    has_vote: bool

    @staticmethod
    def resolve_member_name(obj: Attendance) -> str:
        return obj.member.name


class AttendanceIn(Schema):
    status: Attendance.Status
    reason: str = Field("", max_length=200)


class TopicIn(Schema):
    registered_id: Id | None = Field(None, description="已预登记议题的 id")
    title: str = Field("", max_length=200)
    kind: Topic.Kind = Topic.Kind.ordinary
    directive_ref: str = Field("", max_length=300)
    material_ref: str = Field("", max_length=300, description="学习材料名称或文号")


class StatusIn(Schema):
    status: Meeting.Status


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

"""Pages of organizational life: the meeting list and ledger, the meeting form, the detail tabs,
attendance marking, the QR code and the phone sign-in, topic registration, the 党课 cycle."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tiejun.accounts import audit
from tiejun.accounts.decorators import current_user, rate_limited, require
from tiejun.accounts.models import User
from tiejun.lib.xlsx import XLSX_TYPE
from tiejun.life import documents, services
from tiejun.life.access import get_meeting_by_token, get_meeting_for_user
from tiejun.life.forms import (
    AgendaTopicForm,
    AttachmentForm,
    AttendanceForm,
    LectureCycleForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
    ObserverForm,
    TopicRegistrationForm,
)
from tiejun.life.models import Attachment, Attendance, LectureCycle, Meeting, Topic
from tiejun.life.qr import svg_data_url
from tiejun.org.access import get_org_for_user, scope_root
from tiejun.org.models import Member, Org
from tiejun.org.services import StaleEdit
from tiejun.paging import page_of, querystring_without_page

PAGE_SIZE = 20
FORM_BODY = "life/partials/meeting_form_body.html"
TABS = ("info", "topics", "attendance", "minutes", "attachments")


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _errors_to_form(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _to_tab(meeting: Meeting, tab: str) -> HttpResponse:
    return redirect(reverse("life:meeting_detail", args=[meeting.pk]) + f"?tab={tab}")


def _filtered(user: User, form: MeetingFilterForm) -> QuerySet[Meeting]:
    data = form.cleaned_data if form.is_valid() else {}
    rows = Meeting.objects.visible_to(user).select_related("org", "host")
    if data.get("org"):
        rows = rows.for_org(data["org"], subtree=True)
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("start"):
        rows = rows.filter(held_on__gte=data["start"])
    if data.get("end"):
        rows = rows.filter(held_on__lte=data["end"])
    return rows.order_by("-held_on", "-starts_at", "-id")


@require("meeting.view")
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = MeetingFilterForm(request.GET or None, user=user)
    rows = _filtered(user, form)
    context = {
        "form": form,
        "page": page_of(request, rows, PAGE_SIZE),
        "querystring_no_page": querystring_without_page(request),
        "can_manage": user.can("meeting.manage"),
        "year": timezone.localdate().year,
        "ledger_org": form.cleaned_data.get("org") if form.is_valid() else None,
    }
    template = "life/partials/meeting_table.html" if _is_htmx(request) else "life/meeting_list.html"
    return render(request, template, context)


@require("meeting.view")
@rate_limited("export")
def ledger_export(request: HttpRequest) -> HttpResponse:
    """The yearly ledger of one org's meetings (and its sub-orgs') as .xlsx."""
    user = current_user(request)
    org = get_org_for_user(user, request.GET.get("org") or getattr(scope_root(user), "pk", ""))
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    meetings = (
        Meeting.objects.visible_to(user)
        .for_org(org, subtree=True)
        .in_period(dt.date(year, 1, 1), dt.date(year, 12, 31))
        .select_related("org", "host", "recorder")
        .prefetch_related("topics")
        .order_by("org__path", "held_on", "id")
    )
    audit.record("meeting.ledger_export", request=request, obj=org, detail={"year": year})
    content = documents.ledger_xlsx(org=org, year=year, meetings=meetings)
    return _download(content, f"{org.name}{year}年组织生活台账.xlsx", XLSX_TYPE)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _form_org(request: HttpRequest, user: User, meeting: Meeting | None) -> Org | None:
    """The org the form is about: the one chosen (also mid-edit), else the meeting's, else home."""
    chosen = request.POST.get("org") or request.GET.get("org")
    if chosen:
        return get_org_for_user(user, chosen)
    if meeting is not None:
        return meeting.org
    return scope_root(user)


@require("meeting.manage")
def meeting_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    org = _form_org(request, user, None)
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(
        data, user=user, org=org, initial=_typed_so_far(request, org), refresh_url=request.path
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = _create_with_topics(request, form, user)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("已登记会议，参会名单按会议当日的党员名册生成。"))
            return redirect("life:meeting_detail", pk=meeting.pk)
    template = FORM_BODY if _is_htmx(request) else "life/meeting_form.html"
    return render(request, template, {"form": form})


def _typed_so_far(request: HttpRequest, org: Org | None) -> dict[str, Any]:
    """When the form reloads for another org or kind, what was typed stays (UI.md)."""
    typed: dict[str, Any] = {"org": org}
    if _is_htmx(request):
        typed.update({k: v for k, v in request.GET.items() if k != "csrfmiddlewaretoken"})
    elif request.GET.get("kind"):
        typed["kind"] = request.GET["kind"]
    return typed


def _create_with_topics(request: HttpRequest, form: MeetingForm, user: User) -> Meeting:
    from django.db import transaction

    data = form.cleaned_data
    with transaction.atomic():
        meeting = services.create_meeting(meeting=form.save(commit=False), by=user, request=request)
        if data.get("first_topic"):
            services.add_topic(
                meeting=meeting,
                title=data["first_topic"],
                kind=Topic.Kind.first_topic,
                directive_ref=data.get("directive_ref", ""),
                by=user,
                request=request,
            )
        for topic in data.get("registered_topics") or []:
            services.add_topic(meeting=meeting, registered=topic, by=user, request=request)
        for title in form.new_topic_titles():
            services.add_topic(meeting=meeting, title=title, by=user, request=request)
    return meeting


@require("meeting.manage")
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    meeting = get_meeting_for_user(user, pk)
    org = _form_org(request, user, meeting)
    form = MeetingForm(
        request.POST or None,
        instance=meeting,
        user=user,
        org=org,
        initial=_typed_so_far(request, org),
        refresh_url=request.path,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(
                meeting=form.save(commit=False),
                by=user,
                request=request,
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit as stale:
            form.add_error(None, stale.message)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("life:meeting_detail", pk=meeting.pk)
    template = FORM_BODY if _is_htmx(request) else "life/meeting_form.html"
    return render(request, template, {"form": form, "meeting": meeting})


@require("meeting.view")
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    meeting = get_meeting_for_user(user, pk)
    tab = request.GET.get("tab", "info")
    tab = tab if tab in TABS else "info"
    can_manage = user.can("meeting.manage") and meeting.is_editable
    context: dict[str, Any] = {
        "meeting": meeting,
        "tab": tab,
        "can_manage": can_manage,
        "manager": user.can("meeting.manage"),
    }
    context.update(_tab_context(meeting, tab, can_manage))
    return render(request, "life/meeting_detail.html", context)


def _tab_context(meeting: Meeting, tab: str, can_manage: bool) -> dict[str, Any]:
    if tab == "topics":
        topics = meeting.topics.select_related("proposer", "reporting_org")
        return {"topics": topics, "topic_form": AgendaTopicForm(meeting=meeting)}
    if tab == "attendance":
        return _attendance_context(meeting)
    if tab == "minutes":
        return {
            "minutes_form": MinutesForm(
                initial={
                    "minutes": meeting.minutes,
                    "decisions": meeting.decisions,
                    "version": meeting.version,
                }
            )
        }
    if tab == "attachments":
        return {"attachments": meeting.attachments.all(), "attachment_form": AttachmentForm()}
    return {
        "events": meeting.events.select_related("by"),
        "topics": meeting.topics.select_related("proposer"),
    }


def _attendance_context(meeting: Meeting, form: ObserverForm | None = None) -> dict[str, Any]:
    rows = meeting.attendances.select_related("member")
    return {"rows": rows, "observer_form": form or ObserverForm()}


@require("meeting.manage")
@require_POST
def observer_add(request: HttpRequest, pk: int) -> HttpResponse:
    """列席: found by name among the members the user may see."""
    user = current_user(request)
    meeting = get_meeting_for_user(user, pk)
    form = ObserverForm(request.POST)
    if form.is_valid():
        found = list(
            Member.objects.visible_to(user)
            .filter(name=form.cleaned_data["name"].strip(), status=Member.Status.active)
            .select_related("org")[:5]
        )
        if len(found) == 1:
            try:
                services.add_observer(meeting=meeting, member=found[0], by=user, request=request)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                return _to_tab(meeting, "attendance")
        elif found:
            where = "、".join(f"{m.name}（{m.org.name}）" for m in found)
            form.add_error("name", _("找到多名同名党员：%(w)s，请联系管理员处理。") % {"w": where})
        else:
            form.add_error("name", _("您的管理范围内没有这名在册党员。"))
    context = {
        "meeting": meeting,
        "tab": "attendance",
        "can_manage": meeting.is_editable,
        "manager": True,
        **_attendance_context(meeting, form),
    }
    return render(request, "life/meeting_detail.html", context)


@require("meeting.manage")
@require_POST
def attendance_mark(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = current_user(request)
    meeting = get_meeting_for_user(user, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("出席情况无效。"), status=422)
    try:
        services.record_attendance(
            meeting=meeting,
            member_id=member_pk,
            by=user,
            request=request,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=409)
    meeting.refresh_from_db()
    if _is_htmx(request):
        row = get_object_or_404(meeting.attendances.select_related("member"), member_id=member_pk)
        return render(
            request,
            "life/partials/attendance_row.html",
            {"meeting": meeting, "row": row, "can_manage": True, "oob_counts": True},
        )
    return _to_tab(meeting, "attendance")


@require("meeting.manage")
@require_POST
def attendance_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = current_user(request)
    meeting = get_meeting_for_user(user, pk)
    try:
        services.remove_from_roster(meeting=meeting, member_id=member_pk, by=user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _to_tab(meeting, "attendance")


@require("meeting.manage")
@require_POST
def topic_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    meeting = get_meeting_for_user(user, pk)
    form = AgendaTopicForm(request.POST, meeting=meeting)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_topic(
                meeting=meeting,
                registered=data["registered"],
                title=data["title"],
                kind=data["kind"],
                directive_ref=data["directive_ref"],
                material_ref=data["material_ref"],
                reporting_org=data["reporting_org"],
                by=user,
                request=request,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("已列入议程。"))
            return _to_tab(meeting, "topics")
    topics = meeting.topics.select_related("proposer", "reporting_org")
    return render(
        request,
        "life/meeting_detail.html",
        {
            "meeting": meeting,
            "tab": "topics",
            "can_manage": True,
            "manager": True,
            "topics": topics,
            "topic_form": form,
        },
    )


@require("meeting.manage")
@require_POST
def topic_decide(request: HttpRequest, pk: int, topic_pk: int) -> HttpResponse:
    user = current_user(request)
    meeting = get_meeting_for_user(user, pk)
    topic = get_object_or_404(Topic, pk=topic_pk, meeting=meeting)
    outcome = request.POST.get("outcome", "")
    if outcome not in Topic.Outcome.values:
        raise Http404
    try:
        services.decide_topic(topic=topic, outcome=outcome, by=user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _to_tab(meeting, "topics")


@require("meeting.manage")
@require_POST
def meeting_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    meeting = get_meeting_for_user(user, pk)
    status = request.POST.get("status", "")
    if status not in Meeting.Status.values:
        raise Http404
    try:
        services.set_status(meeting=meeting, status=status, by=user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        label = Meeting.Status(status).label
        messages.success(request, _("会议状态已改为“%(s)s”。") % {"s": label})
    return redirect("life:meeting_detail", pk=meeting.pk)


@require("meeting.manage")
@require_POST
def minutes_save(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    meeting = get_meeting_for_user(user, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.save_minutes(
                meeting=meeting,
                minutes=data["minutes"],
                decisions=data["decisions"],
                by=user,
                request=request,
                expected_version=data["version"],
            )
        except StaleEdit as stale:
            form.add_error(None, stale.message)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("纪要已保存。"))
            return _to_tab(meeting, "minutes")
    return render(
        request,
        "life/meeting_detail.html",
        {
            "meeting": meeting,
            "tab": "minutes",
            "can_manage": True,
            "manager": True,
            "minutes_form": form,
        },
    )


@require("meeting.manage")
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    meeting = get_meeting_for_user(user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid() and meeting.is_editable:
        upload = form.cleaned_data["file"]
        attachment = Attachment.objects.create(
            meeting=meeting,
            kind=form.cleaned_data["kind"],
            file=upload,
            name=upload.name[:200],
            content_type=upload.checked_content_type,
            size=upload.size,
            uploaded_by=user,
        )
        audit.record(
            "meeting.attachment_add",
            request=request,
            obj=meeting,
            detail={"attachment": attachment.pk, "name": attachment.name},
        )
        messages.success(request, _("附件已上传。"))
        return _to_tab(meeting, "attachments")
    return render(
        request,
        "life/meeting_detail.html",
        {
            "meeting": meeting,
            "tab": "attachments",
            "can_manage": meeting.is_editable,
            "manager": True,
            "attachments": meeting.attachments.all(),
            "attachment_form": form,
        },
    )


@require("meeting.view")
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    meeting = get_meeting_for_user(current_user(request), pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, meeting=meeting)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        # Photos open in the page; documents download (never rendered by the browser).
        as_attachment=not attachment.content_type.startswith("image/"),
        filename=attachment.name,
    )
    return response


@require("meeting.view")
def minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(current_user(request), pk)
    audit.record("meeting.minutes_export", request=request, obj=meeting)
    filename = f"{meeting.held_on:%Y%m%d}{meeting.title}纪要.docx"
    return _download(documents.minutes_docx(meeting), filename, documents.DOCX_TYPE)


@require("meeting.view")
def sign_sheet_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(current_user(request), pk)
    audit.record("meeting.sign_sheet_export", request=request, obj=meeting)
    return _download(
        documents.sign_sheet_docx(meeting),
        f"{meeting.held_on:%Y%m%d}{meeting.title}签到表.docx",
        documents.DOCX_TYPE,
    )


@require("meeting.manage")
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(current_user(request), pk)
    url = request.build_absolute_uri(reverse("life:sign_in", args=[meeting.sign_in_token]))
    context = {"meeting": meeting, "url": url, "qr": svg_data_url(url)}
    if _is_htmx(request):
        return render(request, "life/partials/qr_counts.html", context)
    return render(request, "life/meeting_qr.html", context)


@login_required
def sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """The page a phone opens from the code: the meeting, and one big 签到 button."""
    user = current_user(request)
    if not user.can("meeting.view"):
        raise PermissionDenied
    meeting = get_meeting_by_token(user, token)
    row = meeting.attendances.filter(member_id=user.member_id).first() if user.member_id else None
    refusal = ""
    if request.method == "POST":
        try:
            services.sign_in(meeting=meeting, user=user, request=request)
        except services.SignInRefused as refused:
            refusal = refused.message
        else:
            # Post/redirect/get: reloading the phone's page does not post again.
            return redirect("life:sign_in", token=token)
    elif row is None:
        refusal = _("您不在本次会议的参会名单中。如需参会，请联系会议记录人。")
    return render(
        request,
        "life/sign_in.html",
        {
            "meeting": meeting,
            "row": row,
            "refusal": refusal,
            "signed": row is not None
            and row.signed_in_at is not None
            and row.status == Attendance.Status.present,
        },
    )


@require("meeting.manage")
def topic_registrations(request: HttpRequest) -> HttpResponse:
    """议题预登记: the org's topics waiting for a meeting, and the form to register one."""
    user = current_user(request)
    org = _form_org(request, user, None)
    if org is None:
        raise PermissionDenied
    form = TopicRegistrationForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.register_topic(
            org=org,
            title=data["title"],
            proposer=data["proposer"],
            registered_on=data["registered_on"],
            kind=data["kind"],
            directive_ref=data["directive_ref"],
            by=user,
            request=request,
        )
        messages.success(request, _("议题已登记。"))
        return redirect(reverse("life:topic_registrations") + f"?org={org.pk}")
    waiting = Topic.objects.filter(org=org, meeting__isnull=True).select_related("proposer")
    taken = (
        Topic.objects.filter(org=org, meeting__isnull=False, registered_on__isnull=False)
        .select_related("proposer", "meeting")
        .order_by("-registered_on", "-id")[:20]
    )
    orgs = Org.objects.visible_to(user).order_by("path")[:500]
    return render(
        request,
        "life/topic_registrations.html",
        {
            "org": org,
            "form": form,
            "waiting": waiting.order_by("registered_on", "id"),
            "taken": taken,
            "orgs": orgs,
        },
    )


@require("meeting.view")
def lecture_cycles(request: HttpRequest) -> HttpResponse:
    """党课 一月一主题: each month's theme with its three stages side by side."""
    user = current_user(request)
    org = _form_org(request, user, None)
    if org is None:
        raise PermissionDenied
    can_manage = user.can("meeting.manage")
    form = LectureCycleForm(request.POST or None)
    if request.method == "POST" and can_manage and form.is_valid():
        cycle = form.save(commit=False)
        cycle.org = org
        try:
            cycle.validate_constraints()
        except ValidationError as error:
            form.add_error("month", error)
        else:
            cycle.save()
            audit.record("meeting.cycle_create", request=request, obj=cycle)
            return redirect(reverse("life:lecture_cycles") + f"?org={org.pk}")
    cycles = (
        LectureCycle.objects.filter(org=org)
        .order_by("-month")
        .prefetch_related("meetings__org")[:24]
    )
    return render(
        request,
        "life/lecture_cycles.html",
        {"org": org, "cycles": cycles, "form": form, "can_manage": can_manage},
    )

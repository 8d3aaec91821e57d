"""Pages of talks: the talk list and its .xlsx export, the talk form (prefilled from a 必谈事由),
a talk's record, the 必谈事由 page (register one, the open ones with their tags) and the yearly
谈心谈话 baseline of an org."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tiejun.accounts import audit
from tiejun.accounts.decorators import current_user, rate_limited, require
from tiejun.accounts.models import User
from tiejun.lib.xlsx import XLSX_TYPE
from tiejun.life import talks
from tiejun.life.forms import LifeEventForm, TalkFilterForm, TalkForm
from tiejun.life.models import LifeEvent, Talk, within_days_on
from tiejun.life.talks import get_life_event_for_user, get_talk_for_user
from tiejun.life.views import (
    PAGE_SIZE,
    _download,
    _errors_to_form,
    _is_htmx,
)
from tiejun.org.access import get_org_for_user, scope_root
from tiejun.org.models import Org, subtree_q
from tiejun.paging import page_of, querystring_without_page
from tiejun.reminders.models import STAGE_TAG, Stage

EXPORT_HEADERS = [
    "序号",
    "谈话日期",
    "谈话类型",
    "党组织",
    "谈话人",
    "谈话对象",
    "谈话主题",
    "谈话地点",
    "必谈事由",
    "后续跟进",
]


def _filtered(user: User, form: TalkFilterForm) -> QuerySet[Talk]:
    data = form.cleaned_data if form.is_valid() else {}
    rows = Talk.objects.visible_to(user).select_related("org", "talker", "talkee", "life_event")
    if data.get("org"):
        rows = rows.filter(subtree_q("org__path", data["org"].path))
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("year"):
        rows = rows.in_year(data["year"])
    if data.get("member"):
        name = data["member"].strip()
        rows = rows.filter(Q(talker__name__contains=name) | Q(talkee__name__contains=name))
    return rows.order_by("-held_on", "-id")


def _page_org(request: HttpRequest, user: User) -> Org:
    """The org a page is about: the one chosen, else the user's own."""
    chosen = request.POST.get("org") or request.GET.get("org")
    org = get_org_for_user(user, chosen) if chosen else scope_root(user)
    if org is None:
        raise PermissionDenied
    return org


@require("talk.view")
def talk_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = TalkFilterForm(request.GET or None, user=user)
    can_manage = user.can("talk.manage")
    context: dict[str, Any] = {
        "form": form,
        "page": page_of(request, _filtered(user, form), PAGE_SIZE),
        "querystring_no_page": querystring_without_page(request),
        "querystring": request.GET.urlencode(),
        "can_manage": can_manage,
        "open_events": LifeEvent.objects.visible_to(user).open().count() if can_manage else 0,
    }
    template = "life/partials/talk_table.html" if _is_htmx(request) else "life/talk_list.html"
    return render(request, template, context)


@require("talk.view")
@rate_limited("export")
def talk_export(request: HttpRequest) -> HttpResponse:
    """Exactly what the list's filters show, as .xlsx."""
    user = current_user(request)
    form = TalkFilterForm(request.GET or None, user=user)
    rows = _filtered(user, form)
    audit.record("talk.export", request=request, detail={"filters": request.GET.dict()})
    return _download(_talks_xlsx(rows), _("谈话记录.xlsx"), XLSX_TYPE)


def _talks_xlsx(rows: QuerySet[Talk]) -> bytes:
    from tiejun.lib import xlsx

    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, in_memory=True)
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "font_name": "宋体"})
    cell = book.add_format({"border": 1, "font_name": "宋体", "valign": "top", "text_wrap": True})
    sheet = book.add_worksheet(_("谈话记录"))
    sheet.write_row(0, 0, [_(h) for h in EXPORT_HEADERS], head)
    for index, talk in enumerate(rows.iterator(chunk_size=2000), 1):
        event = talk.life_event
        values = [
            index,
            f"{talk.held_on:%Y-%m-%d}",
            talk.get_kind_display(),
            talk.org.name,
            talk.talker.name,
            talk.talkee.name,
            talk.topic,
            talk.place,
            f"{event.kind}（{event.happened_on:%Y-%m-%d}）" if event else "",
            talk.follow_up,
        ]
        sheet.write_row(index, 0, values, cell)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 5, 14)
    sheet.set_column(6, 9, 30)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def _prefill(request: HttpRequest, user: User) -> tuple[Org, dict[str, Any]]:
    """Opened from a 必谈事由 (?event=) or a missing baseline pair (?talker=&talkee=)."""
    event_id = request.GET.get("event") or request.POST.get("life_event")
    if event_id:
        event = get_life_event_for_user(user, event_id)
        org = get_org_for_user(user, request.POST.get("org") or event.org_id)
        initial = {
            "life_event": event.pk,
            "talkee": event.member_id,
            "kind": Talk.Kind.heart,
            "topic": _("%(kind)s谈心谈话") % {"kind": event.kind},
        }
    else:
        org = _page_org(request, user)
        initial = {k: request.GET[k] for k in ("talker", "talkee", "kind") if request.GET.get(k)}
    if "talker" not in initial and user.member_id:
        initial["talker"] = user.member_id
    return org, initial


@require("talk.manage")
def talk_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    org, initial = _prefill(request, user)
    data = request.POST if request.method == "POST" else None
    form = TalkForm(data, user=user, org=org, initial=initial)
    if data is not None and form.is_valid():
        try:
            talk = talks.record_talk(talk=form.save(commit=False), by=user, request=request)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("谈话记录已保存。"))
            if talk.life_event_id:
                messages.info(request, _("对应的必谈提醒将在下次提醒运行时消除。"))
            return redirect("life:talk_detail", pk=talk.pk)
    orgs = Org.objects.visible_to(user).order_by("path")[:500]
    return render(request, "life/talk_form.html", {"form": form, "org": org, "orgs": orgs})


@require("talk.view")
def talk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    talk = get_talk_for_user(current_user(request), pk)
    return render(request, "life/talk_detail.html", {"talk": talk})


def _open_items(user: User, org: Org, today: dt.date) -> list[dict[str, Any]]:
    """The org's unanswered 必谈事由 with the day each talk is due and its tag."""
    within = within_days_on(today)
    events = (
        LifeEvent.objects.visible_to(user)
        .open()
        .filter(subtree_q("org__path", org.path))
        .select_related("member", "org")
        .order_by("happened_on", "id")[:200]
    )
    items = []
    for event in events:
        due_on = event.due_on(within)
        stage = Stage.overdue if today > due_on else Stage.due
        items.append(
            {"event": event, "due_on": due_on, "label": stage.label, "tag": STAGE_TAG[stage]}
        )
    return items


@require("talk.manage")
def life_events(request: HttpRequest) -> HttpResponse:
    """必谈事由: register one for a member of the org, and the open ones awaiting a talk."""
    user = current_user(request)
    org = _page_org(request, user)
    form = LifeEventForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            talks.record_life_event(
                member=data["member"],
                kind=data["kind"],
                happened_on=data["happened_on"],
                note=data["note"],
                by=user,
                request=request,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("必谈事由已登记，支部须按期开展谈话。"))
            return redirect(reverse("life:life_events") + f"?org={org.pk}")
    today = timezone.localdate()
    answered = (
        Talk.objects.visible_to(user)
        .filter(subtree_q("org__path", org.path), life_event__isnull=False)
        .select_related("life_event", "talker", "talkee")
        .order_by("-held_on", "-id")[:20]
    )
    context = {
        "org": org,
        "orgs": Org.objects.visible_to(user).order_by("path")[:500],
        "form": form,
        "items": _open_items(user, org, today),
        "answered": answered,
        "within_days": within_days_on(today),
    }
    return render(request, "life/life_events.html", context)


@require("talk.manage")
def talk_baseline(request: HttpRequest) -> HttpResponse:
    """谈心谈话全覆盖: each committee member with each member of the org this year."""
    user = current_user(request)
    org = _page_org(request, user)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= today.year:
        raise Http404
    result = talks.baseline(org=org, year=year, today=today)
    context = {
        "org": org,
        "orgs": Org.objects.visible_to(user).order_by("path")[:500],
        "year": year,
        "years": list(range(today.year, today.year - 5, -1)),
        "baseline": result,
        "share": f"{result.share * 100:.1f}",
    }
    return render(request, "life/talk_baseline.html", context)

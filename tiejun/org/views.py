from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tiejun.accounts import audit
from tiejun.accounts.decorators import current_user, rate_limited, require, too_often
from tiejun.accounts.models import User
from tiejun.accounts.ratelimit import user_over_limit
from tiejun.jobs.models import Job
from tiejun.org import services
from tiejun.org.access import get_member_for_user, get_org_for_user, scope_root
from tiejun.org.forms import (
    CommitteeForm,
    DualLifeForm,
    MemberFilterForm,
    MemberForm,
    OrgForm,
    SeatForm,
)
from tiejun.org.member_query import filtered_members, members_to_export
from tiejun.org.models import CommitteeSeat, DualLife, Member
from tiejun.org.timeline import timeline_for
from tiejun.paging import count_upto, page_of, querystring_without_page

PAGE_SIZE = 20


def _page(
    request: HttpRequest, queryset: QuerySet[Any], *, cap: int | None = None, ordered: bool = False
) -> Any:
    return page_of(request, queryset, PAGE_SIZE, cap=cap, ordered=ordered)


@require("org.view")
def tree(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    root = scope_root(user)
    if root is None:
        raise PermissionDenied
    selected = get_org_for_user(user, request.GET["org"]) if request.GET.get("org") else root
    members = (
        Member.objects.visible_to(user)
        .filter(org=selected)
        .select_related("org")
        .order_by("name", "id")
    )
    committee = selected.current_committee()
    context = {
        "root": root,
        "selected": selected,
        "ancestors": selected.ancestors().filter(path__gte=root.path),
        "children": selected.children.order_by("sort_order", "code"),
        "page": _page(request, members),
        "querystring_no_page": querystring_without_page(request),
        "committee": committee,
        "seats": committee.seats.select_related("member") if committee else [],
        "dual_members": selected.dual_members.filter(until__isnull=True).select_related(
            "member__org"
        ),
        "can_manage": user.can("org.manage"),
    }
    template = (
        "org/partials/org_pane.html" if request.headers.get("HX-Request") else "org/tree.html"
    )
    return render(request, template, context)


@require("org.view")
def tree_children(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_org_for_user(current_user(request), pk)
    children = org.children.order_by("sort_order", "code")
    return render(request, "org/partials/tree_children.html", {"children": children})


@require("org.manage")
def org_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    initial = {}
    if request.GET.get("parent"):
        initial["parent"] = get_org_for_user(user, request.GET["parent"])
    form = OrgForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        org = services.create_org(org=form.save(commit=False), by=user, request=request)
        messages.success(request, _("已新增党组织“%(name)s”。") % {"name": org.name})
        return redirect(f"/org/?org={org.pk}")
    return render(request, "org/org_form.html", {"form": form})


@require("org.manage")
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    org = get_org_for_user(user, pk)
    form = OrgForm(request.POST or None, instance=org, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_org(
                org=form.save(commit=False),
                by=user,
                request=request,
                expected_version=form.cleaned_data["version"] or 0,
            )
        except services.StaleEdit as stale:
            form.add_error(None, stale.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(f"/org/?org={org.pk}")
    return render(request, "org/org_form.html", {"form": form, "org": org})


@require("org.manage")
def committee_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    org = get_org_for_user(user, pk)
    form = CommitteeForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # The new committee replaces the current one: 换届 ends the old term that day.
            org.committees.filter(ended_on__isnull=True).update(
                ended_on=form.cleaned_data["elected_on"]
            )
            committee = form.save(commit=False)
            committee.org = org
            committee.save()
            audit.record("committee.create", request=request, obj=committee)
        messages.success(request, _("已登记新一届委员会，请添加委员。"))
        return redirect(f"/org/?org={org.pk}")
    return render(request, "org/committee_form.html", {"form": form, "org": org})


@require("org.manage")
def seat_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    org = get_org_for_user(user, pk)
    committee = org.current_committee()
    if committee is None:
        messages.error(request, _("请先登记委员会。"))
        return redirect(f"/org/?org={org.pk}")
    form = SeatForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        seat = form.save(commit=False)
        seat.committee = committee
        try:
            seat.validate_constraints()
            seat.save()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            audit.record("committee.seat_add", request=request, obj=seat)
            return redirect(f"/org/?org={org.pk}")
    return render(request, "org/seat_form.html", {"form": form, "org": org, "committee": committee})


@require("org.manage")
@require_POST
def seat_delete(request: HttpRequest, pk: int, seat_pk: int) -> HttpResponse:
    org = get_org_for_user(current_user(request), pk)
    seat = get_object_or_404(CommitteeSeat, pk=seat_pk, committee__org=org)
    audit.record("committee.seat_remove", request=request, obj=seat)
    seat.delete()
    return redirect(f"/org/?org={org.pk}")


@require("member.view")
def member_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = MemberFilterForm(request.GET or None)
    rows, org, as_of = filtered_members(user, form)
    searching = form.is_valid() and bool(form.cleaned_data.get("q"))
    if searching and user_over_limit(user, "search"):
        return too_often(request, "search")
    cap = settings.TIEJUN_SEARCH_COUNT_CAP if searching else None
    context = {
        "form": form,
        "org": org,
        "as_of": as_of,
        # Counted along the member index, unless a search or a past date filters otherwise.
        "page": _page(request, rows, cap=cap, ordered=not searching and as_of is None),
        "querystring_no_page": querystring_without_page(request),
        "can_manage": user.can("member.manage"),
        "can_export": user.can("member.export"),
        "can_import": user.can("member.import"),
    }
    template = (
        "org/partials/member_table.html"
        if request.headers.get("HX-Request")
        else "org/member_list.html"
    )
    return render(request, template, context)


@require("member.export")
@rate_limited("export")
def member_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered list as a workbook: at once when small, else built by the worker."""
    from tiejun.org.exchange import export_response

    user = current_user(request)
    params = request.GET.dict()
    rows = members_to_export(user, params)  # an org outside the scope is a 404 here, at once
    limit = settings.TIEJUN_EXPORT_DIRECT_ROWS
    background = count_upto(rows, limit) > limit
    reveal = user.may_reveal_personal_data  # masked exports are for reading, not re-import
    audit.record(
        "member.export",
        request=request,
        detail={"filters": params, "masked": not reveal, "background": background},
    )
    if not background:
        return export_response(rows, reveal=reveal)
    return redirect("jobs:detail", _queue_export(user, params).pk)


def _queue_export(user: User, params: dict[str, str]) -> Job:
    from tiejun.org.tasks import export_members

    stamp = dt.date.today().strftime("%Y%m%d")
    job = Job.objects.create(
        kind=Job.Kind.member_export, user=user, params=params, file_name=f"党员名册-{stamp}.xlsx"
    )
    # After the commit: the worker must find the job row when it picks the task up.
    transaction.on_commit(lambda: export_members.enqueue(str(job.pk)))
    return job


def _member_page(request: HttpRequest, member: Member, revealed_id: str = "") -> HttpResponse:
    user = current_user(request)
    context = {
        "member": member,
        "timeline": timeline_for(member),
        "seats": member.seats.select_related("committee__org"),
        "dual_lives": member.dual_lives.select_related("org"),
        "can_manage": user.can("member.manage"),
        "can_manage_orgs": user.can("org.manage"),
        "can_reveal": user.may_reveal_personal_data,
        "revealed_id": revealed_id,
        "tab": request.GET.get("tab", "info"),
    }
    return render(request, "org/member_detail.html", context)


@require("member.view")
@never_cache
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(current_user(request), pk)
    # Opening a record shows personal data (SECURITY.md item 11); lists show it masked only.
    audit.record("member.view", request=request, obj=member)
    return _member_page(request, member)


@require("member.view")
@require_POST
@never_cache  # the full number must not stay in a browser or proxy cache
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    member = get_member_for_user(user, pk)
    if not user.may_reveal_personal_data:
        audit.record("member.reveal", request=request, obj=member, result="denied")
        raise PermissionDenied
    audit.record(
        "member.reveal", request=request, obj=member, detail={"fields": ["id_number", "phone"]}
    )
    if request.headers.get("HX-Request"):
        return render(
            request,
            "org/partials/revealed.html",
            {"member": member, "id_number": member.id_number()},
        )
    return _member_page(request, member, revealed_id=member.id_number())


@require("member.manage")
def member_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    initial = {}
    if request.GET.get("org"):
        initial["org"] = get_org_for_user(user, request.GET["org"])
    form = MemberForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.create_member(data=form.member_data(), by=user, request=request)
        except (ValidationError, IntegrityError) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已新增党员“%(name)s”。") % {"name": member.name})
            return redirect("org:member_detail", pk=member.pk)
    return render(request, "org/member_form.html", {"form": form})


@require("member.manage")
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    member = get_member_for_user(user, pk)
    form = MemberForm(request.POST or None, instance=member, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_member(
                member_id=member.pk,
                data=form.member_data(),
                by=user,
                request=request,
                expected_version=form.cleaned_data.get("version") or 0,
                effective_on=form.cleaned_data.get("effective_on"),
                reason=form.cleaned_data.get("reason", ""),
            )
        except services.StaleEdit as stale:
            form.add_error(None, stale.message)
        except (ValidationError, IntegrityError) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("已保存，变更已记入历史。"))
            return redirect("org:member_detail", pk=member.pk)
    return render(request, "org/member_form.html", {"form": form, "member": member})


@require("org.manage")
def dual_life_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a leader to a branch as an ordinary member (双重组织生活)."""
    user = current_user(request)
    member = get_member_for_user(user, pk)
    form = DualLifeForm(request.POST or None, user=user, member=member)
    if request.method == "POST" and form.is_valid():
        dual = form.save()
        audit.record("member.dual_life_add", request=request, obj=dual)
        messages.success(request, _("已登记双重组织生活。"))
        return redirect("org:member_detail", pk=member.pk)
    return render(request, "org/dual_life_form.html", {"form": form, "member": member})


@require("org.manage")
@require_POST
def dual_life_end(request: HttpRequest, pk: int, dual_pk: int) -> HttpResponse:
    member = get_member_for_user(current_user(request), pk)
    dual = get_object_or_404(DualLife, pk=dual_pk, member=member, until__isnull=True)
    dual.until = dt.date.today()
    dual.save(update_fields=["until"])
    audit.record("member.dual_life_end", request=request, obj=dual)
    return redirect("org:member_detail", pk=member.pk)


def _form_error(form: Any, error: Exception) -> None:
    if isinstance(error, IntegrityError):
        form.add_error("id_number", _("该身份证号已登记在另一名党员的档案中。"))
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():  # type: ignore[union-attr]
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from tiejun.org.stats import home_numbers
    from tiejun.reminders.inbox import inbox_for

    user = current_user(request)
    context = {
        "numbers": home_numbers(user),
        "root": scope_root(user),
        "inbox": inbox_for(user),
        # Loaded after the page (hx-trigger="load"): over a big tree it takes a while.
        "show_compliance": user.can("meeting.view") and not user.is_member_only,
    }
    return render(request, "home.html", context)

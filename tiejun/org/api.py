"""JSON endpoints for orgs and members: the same access helpers, forms and services as the pages.

Errors are raised, not returned, and tiejun.api turns them into JSON: PermissionDenied → 403,
Http404 → 404, StaleEdit → 409, django ValidationError → 422 with one message per field.

No `from __future__ import annotations` here: ninja must see `Query[...]` as a real type when it
builds the OpenAPI document, and a string annotation breaks /api/v1/openapi.json.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Q, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import Throttled
from ninja.pagination import LimitOffsetPagination, paginate

from tiejun.accounts import audit
from tiejun.accounts.models import User
from tiejun.accounts.ratelimit import user_over_limit
from tiejun.lib.chinese import fold_name
from tiejun.org import services
from tiejun.org.access import get_member_for_user, get_org_for_user
from tiejun.org.forms import MemberForm, OrgForm
from tiejun.org.models import Member, Org
from tiejun.org.schemas import (
    ERRORS,
    WRITE_ERRORS,
    MemberFilters,
    MemberIn,
    MemberOut,
    MemberUpdate,
    OrgFilters,
    OrgIn,
    OrgOut,
    OrgUpdate,
)
from tiejun.paging import count_upto

router = Router()

# The forms name foreign keys after the relation, the API after the column.
API_FIELD = {"org": "org_id", "parent": "parent_id", "unit": "unit_id"}
FORM_FIELD = {api: form for form, api in API_FIELD.items()}
FormT = TypeVar("FormT", bound=BaseForm)
DUPLICATE_ID = gettext_lazy("该身份证号已登记在另一名党员的档案中。")


class Pagination(LimitOffsetPagination):
    """limit/offset with `items`, `count` and `count_exact`; limit capped by
    NINJA_PAGINATION_MAX_LIMIT. `count` stops at TIEJUN_LIST_COUNT_CAP + 1 (then `count_exact` is
    false): counting a whole 500,000-member scope on every request costs more than the page."""

    class Output(Schema):
        items: list[Any]
        count: int
        count_exact: bool

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["count_exact"] = page["count"] <= settings.TIEJUN_LIST_COUNT_CAP
        return page

    def _items_count(self, queryset: Any) -> int:
        return count_upto(queryset, settings.TIEJUN_LIST_COUNT_CAP)

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        # An unbounded offset reaches the database as an out-of-range integer (a 500).
        offset: int = Field(0, ge=0, le=2**31 - 1)


class MemberPagination(Pagination):
    """Members come in the member index's order: counted along it, unless a name search
    filters on what the index does not hold (see count_upto)."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        filters = params.get("filters")
        ordered = not (filters and filters.q)
        count = count_upto(queryset, settings.TIEJUN_LIST_COUNT_CAP, ordered=ordered)
        start = pagination.offset
        return {
            "items": queryset[start : start + pagination.limit],
            "count": count,
            "count_exact": count <= settings.TIEJUN_LIST_COUNT_CAP,
        }


def _user_with(request: HttpRequest, permission: str) -> User:
    # request.auth is the User that BearerToken or Session authenticated.
    user: User = request.auth  # type: ignore[attr-defined]
    if not user.can(permission):
        raise PermissionDenied
    return user


def _form_data(payload: Schema) -> dict[str, Any]:
    data = payload.model_dump()
    return {
        FORM_FIELD.get(name, name): value.value if isinstance(value, Enum) else value
        for name, value in data.items()
    }


def _api_errors(errors: dict[str, list[str]]) -> ValidationError:
    return ValidationError(
        {
            API_FIELD.get(field, field): [ValidationError(m) for m in messages]
            for field, messages in errors.items()
        }
    )


def _validated(form: FormT) -> FormT:
    if not form.is_valid():
        raise _api_errors(
            {f: [e["message"] for e in errs] for f, errs in form.errors.get_json_data().items()}
        )
    return form


@contextmanager
def _service_errors(field: str, duplicate: Any) -> Iterator[None]:
    """A service's own checks (effective dates, moves) answered like form errors. A unique column
    the form cannot check (the ID number's digest) or that a concurrent writer filled after the
    form checked it (an org code) answers `duplicate` on `field`."""
    try:
        yield
    except IntegrityError:
        raise _api_errors({field: [duplicate]}) from None
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise _api_errors(error.message_dict) from None


# --- orgs --------------------------------------------------------------------------------


@router.get("/orgs", response={200: list[OrgOut], **ERRORS}, tags=["党组织"], summary="党组织列表")
@paginate(Pagination)
def list_orgs(request: HttpRequest, filters: Query[OrgFilters]) -> QuerySet[Org]:
    user = _user_with(request, "org.view")
    orgs = Org.objects.visible_to(user).select_related("unit")
    if filters.parent is not None:
        orgs = orgs.filter(parent=get_org_for_user(user, filters.parent))
    if filters.kind:
        orgs = orgs.filter(kind=filters.kind)
    if filters.q:
        text = filters.q.replace("\x00", "")
        orgs = orgs.filter(
            Q(name_folded__contains=fold_name(text)) | Q(code__icontains=text.strip())
        )
    return orgs.order_by("path")


@router.get(
    "/orgs/{int:org_id}", response={200: OrgOut, **ERRORS}, tags=["党组织"], summary="党组织详情"
)
def get_org(request: HttpRequest, org_id: int) -> Org:
    return get_org_for_user(_user_with(request, "org.view"), org_id)


@router.post("/orgs", response={201: OrgOut, **WRITE_ERRORS}, tags=["党组织"], summary="新增党组织")
def create_org(request: HttpRequest, payload: OrgIn) -> Status[Org]:
    user = _user_with(request, "org.manage")
    form = _validated(OrgForm(_form_data(payload), user=user))
    with _service_errors("code", _("该组织代码已被使用。")):
        org = services.create_org(org=form.save(commit=False), by=user, request=request)
    return Status(201, org)


@router.put(
    "/orgs/{int:org_id}",
    response={200: OrgOut, **WRITE_ERRORS},
    tags=["党组织"],
    summary="修改党组织（含调整上级）",
)
def update_org(request: HttpRequest, org_id: int, payload: OrgUpdate) -> Org:
    user = _user_with(request, "org.manage")
    org = get_org_for_user(user, org_id)
    form = _validated(OrgForm(_form_data(payload), instance=org, user=user))
    with _service_errors("code", _("该组织代码已被使用。")):
        return services.update_org(
            org=form.save(commit=False),
            expected_version=payload.version,
            by=user,
            request=request,
        )


# --- members -----------------------------------------------------------------------------


@router.get(
    "/members", response={200: list[MemberOut], **ERRORS}, tags=["党员"], summary="党员列表"
)
@paginate(MemberPagination)
def list_members(request: HttpRequest, filters: Query[MemberFilters]) -> QuerySet[Member]:
    user = _user_with(request, "member.view")
    members = Member.objects.visible_to(user).select_related("org")
    if filters.org is not None:
        org = get_org_for_user(user, filters.org)
        members = members.in_subtree(org) if filters.subtree else members.filter(org=org)
    if filters.category:
        members = members.filter(category=filters.category)
    if filters.status:
        members = members.filter(status=filters.status)
    if filters.q:
        if user_over_limit(user, "search"):
            raise Throttled(wait=60)
        members = members.search(filters.q.replace("\x00", ""))
    return members.order_by("org_path", "name", "id")


@router.get(
    "/members/{int:member_id}",
    response={200: MemberOut, **ERRORS},
    tags=["党员"],
    summary="党员详情",
)
def get_member(request: HttpRequest, member_id: int) -> Member:
    member = get_member_for_user(_user_with(request, "member.view"), member_id)
    audit.record("member.view", request=request, user=request.auth, obj=member)  # type: ignore[attr-defined]
    return member


@router.post(
    "/members", response={201: MemberOut, **WRITE_ERRORS}, tags=["党员"], summary="新增党员"
)
def create_member(request: HttpRequest, payload: MemberIn) -> Status[Member]:
    user = _user_with(request, "member.manage")
    form = _validated(MemberForm(_form_data(payload), user=user))
    with _service_errors("id_number", DUPLICATE_ID):
        member = services.create_member(data=form.member_data(), by=user, request=request)
    return Status(201, member)


@router.put(
    "/members/{int:member_id}",
    response={200: MemberOut, **WRITE_ERRORS},
    tags=["党员"],
    summary="修改党员信息（记入历史）",
)
def update_member(request: HttpRequest, member_id: int, payload: MemberUpdate) -> Member:
    user = _user_with(request, "member.manage")
    member = get_member_for_user(user, member_id)
    form = _validated(MemberForm(_form_data(payload), instance=member, user=user))
    with _service_errors("id_number", DUPLICATE_ID):
        return services.update_member(
            member_id=member.pk,
            data=form.member_data(),
            expected_version=payload.version,
            by=user,
            effective_on=payload.effective_on,
            reason=form.cleaned_data.get("reason", ""),
            request=request,
        )

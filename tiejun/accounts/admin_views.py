"""The three administrators' screens (三员分立, SECURITY.md item 9).

账户管理 is the system administrator's (accounts.manage), 安全管理 the security administrator's
(security.manage), 审计日志 the audit administrator's (audit.view); none sees the others' pages
or Party data. Every change goes through tiejun.accounts.services, which audits it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from tiejun.accounts import audit, lockout, services
from tiejun.accounts.audit_log import filtered_entries, xlsx_response
from tiejun.accounts.decorators import deny, rate_limited, require
from tiejun.accounts.forms import (
    AccountCreateForm,
    AccountEditForm,
    AuditFilterForm,
    RoleForm,
    UserFilterForm,
)
from tiejun.accounts.models import User
from tiejun.accounts.roles import ADMIN_ROLES, ORG_ROLES
from tiejun.paging import page_of, querystring_without_page

USERS_PER_PAGE = 20
ENTRIES_PER_PAGE = 50


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _page(request: HttpRequest, rows: QuerySet[Any], size: int) -> Any:
    return page_of(request, rows, size)


def _get_user(pk: int) -> User:
    try:
        return User.objects.select_related("org").get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None


def _filtered_users(form: UserFilterForm) -> QuerySet[User]:
    rows = User.objects.select_related("org").order_by("username")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q"):
        rows = rows.filter(Q(username__icontains=data["q"]) | Q(display_name__icontains=data["q"]))
    if data.get("role"):
        rows = rows.filter(role=data["role"])
    if data.get("org"):
        rows = rows.filter(org=data["org"])
    if data.get("active"):
        rows = rows.filter(is_active=data["active"] == "1")
    return rows


def _list_context(
    request: HttpRequest, rows: QuerySet[Any], form: Any, size: int
) -> dict[str, Any]:
    return {
        "form": form,
        "page": _page(request, rows, size),
        "querystring_no_page": querystring_without_page(request),
    }


# ---- 账户管理 (system administrator) ----


@require("accounts.manage")
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    context = _list_context(request, _filtered_users(form), form, USERS_PER_PAGE)
    context["admin_roles"] = ADMIN_ROLES
    htmx = request.headers.get("HX-Request")
    return render(
        request, "accounts/partials/user_table.html" if htmx else "accounts/user_list.html", context
    )


def _password_once(
    request: HttpRequest, account: User, password: str, created: bool
) -> HttpResponse:
    """The one-time password, shown once: not stored, not put in a message, not cached."""
    back = (
        reverse("accounts:security_user", args=[account.pk])
        if account.role in ADMIN_ROLES
        else reverse("accounts:user_list")
    )
    response = render(
        request,
        "accounts/password_once.html",
        {"account": account, "password": password, "created": created, "back": back},
    )
    response["Cache-Control"] = "no-store"
    return response


@require("accounts.manage")
def user_create(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, password = services.create_account(
                by=_actor(request),
                request=request,
                username=data["username"],
                display_name=data["display_name"],
                role=data["role"],
                org=data.get("org"),
                member=data.get("member"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _password_once(request, account, password, created=True)
    return render(request, "accounts/user_form.html", {"form": form})


@require("accounts.manage")
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_user(pk)
    if account.role in ADMIN_ROLES:
        deny(request, "security.manage")  # administrators' accounts are the security admin's
    form = AccountEditForm(
        request.POST or None,
        account=account,
        initial={"display_name": account.display_name, "org": account.org},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_account(
                by=_actor(request),
                request=request,
                user=account,
                display_name=data["display_name"],
                org=data.get("org"),
                member=data.get("member"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("账户信息已保存。"))
            return redirect("accounts:user_list")
    context = {
        "form": form,
        "account": account,
        "may_administer": services.may_administer(_actor(request), account),
    }
    return render(request, "accounts/user_form.html", context)


def _administered(request: HttpRequest, pk: int) -> User:
    account = _get_user(pk)
    if not services.may_administer(_actor(request), account):
        deny(request, "accounts.manage/security.manage")
    return account


def _account_page(account: User) -> HttpResponse:
    if account.role in ADMIN_ROLES:
        return redirect("accounts:security_user", pk=account.pk)
    return redirect("accounts:user_edit", pk=account.pk)


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = _administered(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_account_active(
            by=_actor(request), request=request, user=account, active=active
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("账户已启用。") if active else _("账户已停用。"))
    return _account_page(account)


@login_required
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = _administered(request, pk)
    password = services.reset_password(by=_actor(request), request=request, user=account)
    return _password_once(request, account, password, created=False)


# ---- 安全管理 (security administrator) ----


def _with_second_factor(rows: QuerySet[User]) -> QuerySet[User]:
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return rows.annotate(has_otp=Exists(confirmed))


@require("security.manage")
def security(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    rows = _with_second_factor(_filtered_users(form))
    context = _list_context(request, rows, form, USERS_PER_PAGE)
    context.update({"admin_roles": ADMIN_ROLES, "locked": lockout.locked_accounts()})
    htmx = request.headers.get("HX-Request")
    template = "accounts/partials/security_table.html" if htmx else "accounts/security.html"
    return render(request, template, context)


@require("security.manage")
def security_user(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_user(pk)
    form = RoleForm(
        request.POST or None, account=account, initial={"role": account.role, "org": account.org}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_role(
                by=_actor(request),
                request=request,
                user=account,
                role=data["role"],
                org=data.get("org"),
                member=data.get("member"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("角色已变更。"))
            return redirect("accounts:security_user", pk=account.pk)
    context = {
        "form": form,
        "account": account,
        "is_self": account.pk == request.user.pk,
        "org_role": account.role in ORG_ROLES,
        "has_otp": TOTPDevice.objects.filter(user=account).exists(),
        "may_administer": services.may_administer(_actor(request), account),
    }
    return render(request, "accounts/security_user.html", context)


def _security_action(request: HttpRequest, action: Any, success: str, **kwargs: Any) -> None:
    try:
        action(by=_actor(request), request=request, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        deny(request, "security.manage")
    else:
        messages.success(request, success)


@require("security.manage")
@require_POST
def security_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_user(pk)
    allowed = request.POST.get("allowed") == "1"
    _security_action(
        request, services.set_reveal_permission, _("权限已更新。"), user=account, allowed=allowed
    )
    return redirect("accounts:security_user", pk=account.pk)


@require("security.manage")
@require_POST
def security_otp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    account = _get_user(pk)
    _security_action(
        request,
        services.reset_second_factor,
        _("动态口令已重置，该用户下次登录时重新绑定。"),
        user=account,
    )
    return redirect("accounts:security_user", pk=account.pk)


@require("security.manage")
@require_POST
def security_unlock(request: HttpRequest) -> HttpResponse:
    username = request.POST.get("username", "")[:150]
    if username:
        _security_action(
            request,
            services.unlock_account,
            _("已解除“%(name)s”的锁定。") % {"name": username},
            username=username,
        )
    return redirect("accounts:security")


# ---- 审计日志 (audit administrator) ----


@require("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    # Recorded first, so the count and the rows of the page read the same trail.
    audit.record("audit.view", request=request, detail={"filters": request.GET.dict()})
    form = AuditFilterForm(request.GET or None)
    context = _list_context(request, filtered_entries(form), form, ENTRIES_PER_PAGE)
    htmx = request.headers.get("HX-Request")
    template = "accounts/partials/audit_table.html" if htmx else "accounts/audit_list.html"
    return render(request, template, context)


@require("audit.view")
@rate_limited("export")
def audit_export(request: HttpRequest) -> HttpResponseBase:
    form = AuditFilterForm(request.GET or None)
    rows = filtered_entries(form)
    response = xlsx_response(rows)
    audit.record("audit.export", request=request, detail={"filters": request.GET.dict()})
    return response


@require("audit.view")
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    check = audit.verify_chain()
    if check.first_broken is None:
        messages.success(
            request, _("校验通过：共 %(n)s 条记录，链式摘要完整。") % {"n": check.checked}
        )
    else:
        messages.error(
            request,
            _("校验未通过：第 %(seq)s 号记录异常（%(reason)s），此前 %(n)s 条完整。")
            % {"seq": check.first_broken, "reason": check.reason, "n": check.checked},
        )
    audit.record(
        "audit.verify",
        request=request,
        result="ok" if check.first_broken is None else "failed",
        detail={"checked": check.checked, "first_broken": check.first_broken},
    )
    return redirect("accounts:audit_list")

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from tiejun.accounts import audit, second_factor
from tiejun.accounts.forms import ChangePasswordForm, LoginForm, TokenForm
from tiejun.accounts.models import User
from tiejun.accounts.ratelimit import login_attempts_over_limit


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        over = login_attempts_over_limit(request)
        if over:
            if over == 1:  # one entry per address and window, not one per request of a flood
                audit.record(
                    "login_rate_limited",
                    request=request,
                    result="denied",
                    username=str(request.POST.get("username", ""))[:150],
                )
            return _login_refused(request, _("登录尝试过于频繁，请稍后再试。"))
        return super().post(request, *args, **kwargs)


def _login_refused(request: HttpRequest, message: str) -> HttpResponse:
    # An unbound form takes no add_error(); the refusal goes to the template on its own.
    context = {"form": LoginForm(request), "refusal": message}
    return render(request, "accounts/login.html", context, status=429)


def locked_out(
    request: HttpRequest, credentials: dict | None = None, *args: object, **kwargs: object
) -> HttpResponse:
    # Same wording whether or not the account exists (SECURITY.md item 4).
    return _login_refused(request, _("登录失败次数过多，请稍后再试。"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _("页面已过期或请求来源无法验证，请刷新页面后重试。")
    return render(request, "error.html", {"status": 403, "message": message}, status=403)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the session row (SECURITY.md item 5)
    return redirect("accounts:login")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ChangePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        update_session_auth_hash(request, form.user)  # a new session key, same login
        audit.record("password_change", request=request)
        messages.success(request, _("口令已修改。"))
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return "/"


def _second_factor_passed(request: HttpRequest, device: Any) -> None:
    # A step up in privilege gets a new session key, as the password login did (fixation).
    request.session.cycle_key()
    otp_login(request, device)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code (or type the secret), confirm with one code."""
    user: User = request.user  # type: ignore[assignment]
    if not second_factor.needs_second_factor(user) or second_factor.confirmed_device(user):
        return redirect("accounts:otp_verify")
    device = second_factor.pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            _second_factor_passed(request, device)
            audit.record("otp.enrol", request=request)
            return redirect(_next_url(request))
        audit.record("otp.enrol", request=request, result="failed")
        form.add_error("token", _("动态口令不正确，请核对手机时间后重新输入。"))
    context = {
        "form": form,
        "next": _next_url(request),
        "secret": second_factor.secret_for_manual_entry(device),
        "qr": second_factor.qr_data_uri(device.config_url),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not second_factor.needs_second_factor(user) or user.is_verified():
        return redirect(_next_url(request))
    device = second_factor.confirmed_device(user)
    if device is None:
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _reason = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            _second_factor_passed(request, device)
            audit.record("otp.verify", request=request)
            return redirect(_next_url(request))
        audit.record("otp.verify", request=request, result="failed")
        form.add_error(
            "token", _("动态口令不正确。") if allowed else _("尝试次数过多，请稍后再试。")
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})

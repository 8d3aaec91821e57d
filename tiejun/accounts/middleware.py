"""Session limits and password policy enforced on every request (SECURITY.md items 3 and 5)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tiejun import rules

LOGIN_AT = "tiejun_login_at"
SEEN_AT = "tiejun_seen_at"


class SessionLimitsMiddleware:
    """Ends a session idle too long, or older than the absolute limit, whatever it does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and LOGIN_AT in request.session:
            now = time.time()
            idle = rules.get("security.session.idle_minutes") * 60
            absolute = rules.get("security.session.absolute_hours") * 3600
            seen = request.session.get(SEEN_AT, now)
            if now - seen > idle or now - request.session[LOGIN_AT] > absolute:
                from tiejun.accounts import audit

                audit.record("session_expired", request=request)
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("会话已过期，请重新登录。")}, status=401)
                return redirect(f"{reverse('accounts:login')}?expired=1")
            # Write the timestamp at most once a minute: no session write on every request.
            if now - seen > 60:
                request.session[SEEN_AT] = now
        return self.get_response(request)


class PasswordPolicyMiddleware:
    """Sends a user who must change the password (first login, reset, too old) to that page."""

    # The second-factor pages come first for administrators (AdminSecondFactorMiddleware).
    ALLOWED = (
        "accounts:password_change",
        "accounts:logout",
        "accounts:otp_setup",
        "accounts:otp_verify",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith("/static/")
            and password_change_due(user)
            and request.path not in {reverse(n) for n in self.ALLOWED}
        ):
            # A session that must change its password gets no data by the API either.
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("请先在页面上修改口令。")}, status=403)
            return redirect("accounts:password_change")
        return self.get_response(request)


def password_change_due(user) -> bool:  # type: ignore[no-untyped-def]
    if user.must_change_password:
        return True
    max_age = rules.get("security.password.max_age_days")
    changed = user.password_changed_at
    return bool(max_age and changed and timezone.now() - changed > dt.timedelta(days=max_age))

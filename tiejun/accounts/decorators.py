"""One place that turns a permission into a 403 for pages, and writes the refusal down; and the
per-user rate limits of exports and searches (SECURITY.md item 22)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy

from tiejun.accounts.ratelimit import user_over_limit

if TYPE_CHECKING:
    from tiejun.accounts.models import User


def deny(request: HttpRequest, permission: str) -> NoReturn:
    """Refuse with 403 and audit the attempt: 越权访问 is itself an event (SECURITY.md item 11)."""
    from tiejun.accounts import audit

    audit.record(
        "access.denied",
        request=request,
        result="denied",
        detail={"permission": permission, "path": request.path[:200]},
    )
    raise PermissionDenied


def require(
    permission: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.can(permission):  # type: ignore[union-attr]
                deny(request, permission)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def current_user(request: HttpRequest) -> User:
    """request.user inside a view that `require` guards: logged in, so a User."""
    return request.user  # type: ignore[return-value]


TOO_OFTEN = {
    "export": gettext_lazy("导出过于频繁，请稍后再试。"),
    "search": gettext_lazy("搜索过于频繁，请稍后再试。"),
}


def too_often(request: HttpRequest, action: str) -> HttpResponse:
    """The 429 answer to a user past the rate limit of `action` (SECURITY.md item 22); to htmx
    a fragment for the part of the page it replaces (base.html lets htmx swap a 429 in)."""
    from django.shortcuts import render

    from tiejun.errors import answer

    message = str(TOO_OFTEN[action])
    if request.headers.get("HX-Request"):
        return render(request, "partials/too_often.html", {"message": message}, status=429)
    return answer(request, 429, message)


def rate_limited(
    action: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Inside `require`: each call counts against the user's limit for `action`."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if user_over_limit(current_user(request), action):
                return too_often(request, action)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

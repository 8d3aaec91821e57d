"""One place that turns a permission into a 403 for pages, and writes the refusal down."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

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

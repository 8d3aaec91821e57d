"""Error pages in Chinese; no stack trace ever reaches a user (DEBUG is off in production)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def answer(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return answer(request, 400, _("请求有误，请检查后重试。"))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return answer(request, 403, _("您没有权限进行此操作。"))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return answer(request, 404, _("页面不存在，或不在您的管理范围内。"))


def server_error(request: HttpRequest) -> HttpResponse:
    return answer(request, 500, _("系统出现错误，已记录，请稍后重试或联系管理员。"))


class MethodNotAllowedMiddleware:
    """A 405 comes out of Django and django-ninja with an empty or English body; it gets the
    Chinese page (or JSON) every other error has, keeping the Allow header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405:
            return response
        message = _("此地址不能这样打开，请回到上一页，用页面上的按钮操作。")
        answered = answer(request, 405, message)
        if response.has_header("Allow"):
            answered["Allow"] = response["Allow"]
        return answered

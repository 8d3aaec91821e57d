"""Error pages in Chinese; no stack trace ever reaches a user (DEBUG is off in production)."""

from __future__ import annotations

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

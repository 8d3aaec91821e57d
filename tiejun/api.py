"""The JSON API under /api/v1/: session or bearer-token authentication, the same scoping as pages.

Every error answers JSON with Chinese text: {"detail": "…"} for 401/403/404/409, and
{"detail": [{"field": …, "message": "…"}]} for 422, whether ninja's schema or a form refused it.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as FormValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth
from ninja.types import DictStrAny
from ninja.utils import check_csrf

from tiejun.accounts.models import ApiToken
from tiejun.life.api import router as life_router
from tiejun.org.api import router as org_router
from tiejun.org.services import StaleEdit
from tiejun.reminders.api import router as reminders_router


class BearerToken(HttpBearer):
    """Authorization: Bearer <key>, for scripts. Browsers never send it by themselves, so it
    needs no CSRF token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The logged-in browser session; unsafe methods need the CSRF token, as pages' forms do.

    Unlike ninja's SessionAuth it checks CSRF only for a logged-in user, so a request with no
    credentials answers 401 rather than a CSRF 403.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if check_csrf(request):
            raise HttpError(403, _("CSRF 校验失败，请刷新页面后重试。"))
        return request.COOKIES.get(self.param_name)


class StrictJsonParser(Parser):
    """JSON allows lone surrogates ("\\ud800"); no database stores them, so refuse them here (400)
    rather than fail at the save (500)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = super().parse_body(request)
        json.dumps(data, ensure_ascii=False).encode()
        return data


api = NinjaAPI(
    title="铁军 党建业务融合平台 API",
    version="1",
    description="会话（浏览器，写操作须带 CSRF 令牌）或 Bearer 接口令牌认证；数据范围与页面相同。",
    urls_namespace="api",
    auth=[BearerToken(), Session()],
    parser=StrictJsonParser(),
    # Swagger UI would load its scripts from a CDN; intranets have none. The OpenAPI document
    # at /api/v1/openapi.json is what clients and generators use.
    docs_url=None,
)
api.add_router("/", org_router)
api.add_router("/meetings", life_router)
api.add_router("/", reminders_router)
api.add_router("/", "tiejun.life.api.talk_router")


def _detail(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": message}, status=status)


def _field_errors(request: HttpRequest, errors: list[tuple[str | None, str]]) -> HttpResponse:
    detail = [{"field": field, "message": message} for field, message in errors]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _detail(
        request, _("请先登录，或在 Authorization 头中提供有效的接口令牌（Bearer）。"), 401
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _detail(request, _("您没有权限进行此操作。"), 403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _detail(request, _("记录不存在，或不在您的管理范围内。"), 404)


@api.exception_handler(StaleEdit)
def stale_edit(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
    return _detail(request, str(exc.message), 409)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return _detail(request, _("请求过于频繁，请稍后再试。"), 429)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's only 400 is "Cannot parse request body".
    message = _("请求体不是有效的 JSON。") if exc.status_code == 400 else str(exc)
    return _detail(request, message, exc.status_code)


@api.exception_handler(FormValidationError)
def form_invalid(request: HttpRequest, exc: FormValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        pairs = [
            (None if field == NON_FIELD_ERRORS else field, message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        pairs = [(None, message) for message in exc.messages]
    return _field_errors(request, pairs)


@api.exception_handler(ValidationError)
def schema_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _field_errors(request, [(_error_field(e), _error_message(e)) for e in exc.errors])


def _error_field(error: dict[str, Any]) -> str | None:
    """("body", "payload", "org_id") → "org_id"; ("query", "limit") → "limit"."""
    source, *rest = error.get("loc") or ("",)
    if source == "body":
        rest = rest[1:]
    return ".".join(str(part) for part in rest) or None


# pydantic's error types, in Chinese. Unknown types fall back to a general message.
_MESSAGES = {
    "missing": "此项为必填项。",
    "int": "请输入整数。",
    "bool": "请输入 true 或 false。",
    "date": "请输入有效日期，格式为 YYYY-MM-DD。",
    "string_type": "请输入文本。",
    "enum": "取值无效，可选：{expected}。",
    "literal_error": "取值无效，可选：{expected}。",
    "greater_than_equal": "不能小于 {ge}。",
    "less_than_equal": "不能大于 {le}。",
    "string_too_long": "最多 {max_length} 个字符。",
    "model_attributes_type": "请求体应为 JSON 对象。",
    "dict_type": "请求体应为 JSON 对象。",
}


def _error_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    key = next((k for k in ("int", "bool", "date") if kind.startswith(k)), kind)
    template = _MESSAGES.get(key)
    if template is None:
        return _("输入有误。")
    context = {k: str(v).replace(" or ", ", ") for k, v in (error.get("ctx") or {}).items()}
    try:
        return _(template).format(**context)
    except (KeyError, IndexError):
        return _("输入有误。")

"""The JSON API under /api/v1/: session or bearer-token authentication, the same scoping as pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from tiejun.accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="铁军 党建业务融合平台 API",
    version="1",
    urls_namespace="api",
    auth=[django_auth, BearerToken()],
)

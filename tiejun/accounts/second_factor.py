"""TOTP second factor for the three administrator roles (SECURITY.md item 6).

After the password, an administrator without a confirmed authenticator enrols one; one with an
authenticator enters a code. Until then every page but these two, logout and static files
answers with a redirect (or 403 for the API). TIEJUN_REQUIRE_ADMIN_OTP switches this off for
development only: `check --deploy` refuses it in production.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tiejun.accounts.roles import ADMIN_ROLES

DEVICE_NAME = "铁军"
_EXEMPT_PREFIXES = ("/static/", "/healthz")
_EXEMPT_URL_NAMES = ("accounts:otp_setup", "accounts:otp_verify", "accounts:logout")


def needs_second_factor(user: Any) -> bool:
    return bool(
        settings.TIEJUN_REQUIRE_ADMIN_OTP and user.is_authenticated and user.role in ADMIN_ROLES
    )


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled; the same one across reloads of the page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_for_manual_entry(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (the CSP allows data: images, not inline script)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _exempt(path: str) -> bool:
    return path.startswith(_EXEMPT_PREFIXES) or path in {reverse(n) for n in _EXEMPT_URL_NAMES}


class AdminSecondFactorMiddleware:
    """Holds an administrator at the second-factor pages until a TOTP code is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if needs_second_factor(user) and not user.is_verified() and not _exempt(request.path):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("管理员须先完成动态口令验证。")}, status=403)
            name = "accounts:otp_verify" if confirmed_device(user) else "accounts:otp_setup"
            return redirect(f"{reverse(name)}?next={quote(request.get_full_path())}")
        return self.get_response(request)

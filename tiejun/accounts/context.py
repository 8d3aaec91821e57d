"""The sidebar and top bar: what this user may open, and the org they work in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

MENU = [
    # (label, url name, permission)
    ("首页", "home", None),
    ("组织与党员", "org:tree", "org.view"),
    ("党员名册", "org:member_list", "member.view"),
    ("规则表", "rules:list", "rules.manage"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    items = [
        {"label": _(label), "url": reverse(name), "active": request.path == reverse(name)}
        for label, name, permission in MENU
        if permission is None or user.can(permission)
    ]
    return {"menu": items}

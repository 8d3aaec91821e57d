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
    ("组织生活", "life:meeting_list", "meeting.view"),
    ("三会一课合规", "life:compliance", "meeting.view"),
    ("谈心谈话", "life:talk_list", "talk.view"),
    ("党员导入", "org:import", "member.import"),
    ("我的导出", "jobs:list", "member.export"),  # big exports finish here, in the background
    ("规则表", "rules:list", "rules.view"),
    ("账户管理", "accounts:user_list", "accounts.manage"),
    ("安全管理", "accounts:security", "security.manage"),
    ("审计日志", "accounts:audit_list", "audit.view"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    entries = [
        (_(label), reverse(name))
        for label, name, permission in MENU
        if permission is None or user.can(permission)
    ]
    # A page below an entry (a user's edit page under 账户管理) keeps the entry lit; of entries
    # nested in one another (党员名册 /members/, 党员导入 /members/import/) the deepest wins.
    under = [url for _label, url in entries if request.path.startswith(url) and url != "/"]
    lit = max(under, key=len) if under else request.path
    items = [{"label": label, "url": url, "active": url == lit} for label, url in entries]
    return {"menu": items}

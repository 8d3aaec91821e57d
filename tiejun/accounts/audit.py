"""Writing and checking the audit trail (SECURITY.md items 11–13)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tiejun.accounts.models import AuditEntry, User, append_audit, append_audit_many


def command_actor(command: str) -> str:
    """Who an entry names when a management command (cron, the console) acted, not a person."""
    return f"manage.py {command}"


# Chinese names of the actions, for the audit list and its export; unknown codes show as they are.
ACTION_LABELS: dict[str, Any] = {
    "login": _("登录"),
    "logout": _("退出登录"),
    "login_failed": _("登录失败"),
    "login_rate_limited": _("登录过于频繁被拒"),
    "lockout": _("账户锁定"),
    "session_expired": _("会话超时退出"),
    "password_change": _("修改口令"),
    "otp.enrol": _("绑定动态口令"),
    "otp.verify": _("动态口令验证"),
    "access.denied": _("越权访问被拒"),
    "account.create": _("新建账户"),
    "account.update": _("修改账户"),
    "account.enable": _("启用账户"),
    "account.disable": _("停用账户"),
    "account.disable_inactive": _("停用长期未用账户"),
    "account.password_reset": _("重置口令"),
    "account.role_change": _("变更角色"),
    "account.reveal_grant": _("授予查看完整个人信息权限"),
    "account.reveal_revoke": _("撤销查看完整个人信息权限"),
    "account.unlock": _("解除锁定"),
    "account.otp_reset": _("重置动态口令"),
    "audit.view": _("查看审计日志"),
    "audit.export": _("导出审计日志"),
    "audit.verify": _("校验审计日志完整性"),
    "audit.prune": _("清理到期审计日志"),
    "backup.create": _("数据备份"),
    "backup.restore": _("数据恢复"),
    "data_key.rotate": _("轮换数据密钥"),
    "rules.override": _("修改规则表"),
    "api_token.issue": _("签发接口令牌"),
    "member.create": _("新增党员"),
    "member.update": _("修改党员信息"),
    "member.reveal": _("查看完整身份证号和手机号"),
    "member.export": _("导出党员信息"),
    "org.create": _("新增党组织"),
    "org.update": _("修改党组织"),
    "committee.create": _("登记委员会"),
    "committee.seat_add": _("添加委员"),
    "committee.seat_remove": _("移除委员"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind reverse proxies named in TIEJUN_TRUSTED_PROXIES, the last
    X-Forwarded-For hop that is not one of them; never a header a client could simply forge."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(getattr(settings, "TIEJUN_TRUSTED_PROXIES", ()))
    if remote not in trusted:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        if hop not in trusted:
            return _valid_ip(hop) or remote  # the column is an IP type in PostgreSQL
    return remote


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def entry_fields(
    action: str,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    obj: models.Model | None = None,
    result: str = AuditEntry.Result.ok,
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> dict[str, Any]:
    """The columns of one entry; `record` appends one, `record_many` appends a batch."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user  # type: ignore[assignment]
    return {
        "user": user,
        "username": username or (user.username if user else ""),
        "ip": client_ip(request),
        "action": action,
        **object_fields(obj),
        "result": result,
        "detail": detail or {},
    }


def object_fields(obj: models.Model | None) -> dict[str, str]:
    """The columns naming what an entry is about; a batch of entries that differ only in the
    object (an import's, one a member) takes entry_fields() once and these for each."""
    if obj is None:
        return {"object_type": "", "object_id": "", "object_repr": ""}
    return {
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
    }


def record_many(rows: list[dict[str, Any]]) -> int:
    return append_audit_many(rows)


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    obj: models.Model | None = None,
    result: str = AuditEntry.Result.ok,
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEntry:
    return append_audit(
        **entry_fields(
            action,
            request=request,
            user=user,
            obj=obj,
            result=result,
            detail=detail,
            username=username,
        )
    )


@dataclass
class ChainCheck:
    checked: int
    first_broken: int | None
    reason: str = ""


def verify_chain(batch: int = 5000) -> ChainCheck:
    """Walk the chain in order; name the first entry whose digest or link does not hold."""
    previous: str | None = None
    checked = 0
    last_seq = 0
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not rows:
            return ChainCheck(checked, None)
        for entry in rows:
            if previous is not None and entry.prev_digest != previous:
                return ChainCheck(
                    checked, entry.seq, gettext("上一条记录的摘要与本条记录的链接不符")
                )
            if entry.compute_digest() != entry.digest:
                return ChainCheck(checked, entry.seq, gettext("记录内容与摘要不符（被修改过）"))
            previous = entry.digest
            checked += 1
            last_seq = entry.seq

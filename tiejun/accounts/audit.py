"""Writing and checking the audit trail (SECURITY.md items 11–13)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import HttpRequest

from tiejun.accounts.models import AuditEntry, User, append_audit, append_audit_many


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": str(obj)[:200] if obj is not None else "",
        "result": result,
        "detail": detail or {},
    }


def record_many(rows: list[dict[str, Any]]) -> list[AuditEntry]:
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
        **entry_fields(action, request=request, user=user, obj=obj, result=result,
                       detail=detail, username=username)
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
                return ChainCheck(checked, entry.seq, "上一条记录的摘要与本条记录的链接不符")
            if entry.compute_digest() != entry.digest:
                return ChainCheck(checked, entry.seq, "记录内容与摘要不符（被修改过）")
            previous = entry.digest
            checked += 1
            last_seq = entry.seq

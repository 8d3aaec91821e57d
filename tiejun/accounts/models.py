from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiejun.accounts.roles import ADMIN_ROLES, ORG_ROLES, Role, allows
from tiejun.bulk_sql import insert_values
from tiejun.choices import ChoiceLabels


class User(AbstractUser):
    """An account: one role, and for org roles the org whose subtree it works in."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.member)
    org = models.ForeignKey(
        "org.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("管理范围"),
    )
    member = models.OneToOneField(
        "org.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account",
        verbose_name=_("对应党员"),
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    may_reveal_personal_data = models.BooleanField(_("可查看完整身份证号和手机号"), default=False)
    must_change_password = models.BooleanField(default=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        if self.role in ORG_ROLES and not self.org_id:
            raise ValidationError({"org": _("该角色须指定管理范围（党组织）。")})
        if self.role == Role.member and not self.member_id:
            raise ValidationError({"member": _("党员角色须关联党员档案。")})
        if self.role in ADMIN_ROLES and (self.org_id or self.may_reveal_personal_data):
            raise ValidationError(_("三员不管理党组织和党员数据，不能指定管理范围。"))

    def can(self, permission: str) -> bool:
        return self.is_active and allows(self.role, permission)

    @property
    def is_member_only(self) -> bool:
        return self.role == Role.member

    def scope_path(self) -> str | None:
        """The org path whose subtree this user works in; None when it sees no Party data."""
        if self.role in ORG_ROLES and self.org is not None:
            return self.org.path
        if self.role == Role.member and self.member is not None:
            return self.member.org_path
        return None


class PasswordHistory(models.Model):
    """A user's earlier password hashes, so the last few cannot be reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


def _token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        key = "tj_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=_token_digest(key), prefix=key[:8])
        return token, key

    @classmethod
    def authenticate(cls, key: str) -> User | None:
        token = (
            cls.objects.select_related("user__org", "user__member")
            .filter(digest=_token_digest(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user


class AuditHead(models.Model):
    """The single row holding the chain's tip; appenders lock it so the chain never forks."""

    seq = models.BigIntegerField(default=0)
    digest = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.seq} {self.digest[:12]}"


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Refuses bulk rewrites: the trail is append-only through the ORM as well as per row."""

    def update(self, **kwargs: Any) -> int:
        raise ValidationError("审计记录只能追加，不能修改。")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise ValidationError("审计记录只能追加，不能修改。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError("审计记录只能由保存期限到期清理命令删除。")


class AuditEntry(ChoiceLabels, models.Model):
    """One audited event. Append-only and hash-chained: each digest covers the previous one."""

    class Result(models.TextChoices):
        ok = "ok", _("成功")
        denied = "denied", _("拒绝")
        failed = "failed", _("失败")

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    # PROTECT, not SET_NULL: nulling user_id would rewrite entries and break their digests.
    # Accounts that have acted are disabled, never deleted.
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    username = models.CharField(_("用户"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=50, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    object_id = models.CharField(_("对象"), max_length=50, blank=True)
    object_repr = models.CharField(_("对象名称"), max_length=200, blank=True)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, default=Result.ok)
    detail = models.JSONField(default=dict, blank=True)
    algorithm = models.CharField(max_length=10)
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An integrity guard, not business logic: entries are written once by audit.record().
        if self.pk is not None:
            raise ValidationError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError("审计记录只能由保存期限到期清理命令删除。")

    def payload(self) -> bytes:
        return audit_payload({name: getattr(self, name) for name in PAYLOAD_FIELDS})

    def compute_digest(self) -> str:
        return audit_digest(self.algorithm, self.payload())


# The columns an entry's digest covers (by attname), and the name each has in the payload.
PAYLOAD_FIELDS = {
    "seq": "seq", "at": "at", "user_id": "user", "username": "username", "ip": "ip",
    "action": "action", "object_type": "object_type", "object_id": "object_id",
    "object_repr": "object_repr", "result": "result", "detail": "detail", "prev_digest": "prev",
}  # fmt: skip


# json.dumps with options builds an encoder per call; an import digests a row per member.
_PAYLOAD_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)


def audit_payload(columns: dict[str, Any]) -> bytes:
    """The bytes an entry's digest is taken of, from its columns (entry or row to be written)."""
    body = {key: columns[name] for name, key in PAYLOAD_FIELDS.items()}
    body["at"] = body["at"].isoformat()
    return _PAYLOAD_JSON.encode(body).encode()


def audit_digest(algorithm: str, payload: bytes) -> str:
    return hashlib.new(algorithm, payload).hexdigest()


def audit_algorithm() -> str:
    wanted = getattr(settings, "TIEJUN_AUDIT_HASH", "sm3")
    return wanted if wanted in hashlib.algorithms_available else "sha256"


def append_audit(**fields: Any) -> AuditEntry:
    """Append one entry to the chain (used by tiejun.accounts.audit); it keeps its primary key."""
    with transaction.atomic():
        head = _locked_head()
        (row,) = _chained(head, [fields])
        entry = AuditEntry(**row)
        entry.save()
        _advance(head, row)
    return entry


def append_audit_many(rows: list[dict[str, Any]]) -> int:
    """Append entries in order under one lock of the chain's head, written as one bulk INSERT
    without model objects (an import appends one per member); returns how many."""
    if not rows:
        return 0
    with transaction.atomic():
        head = _locked_head()
        chained = _chained(head, rows)
        insert_values(AuditEntry, chained)
        _advance(head, chained[-1])
    return len(chained)


def _locked_head() -> AuditHead:
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    return head


# What entry_fields() may leave out of a row: the columns' defaults.
_ENTRY_DEFAULTS: dict[str, Any] = {
    "user_id": None, "username": "", "ip": None, "object_type": "", "object_id": "",
    "object_repr": "", "result": AuditEntry.Result.ok, "detail": {},
}  # fmt: skip


def _chained(head: AuditHead, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as columns, numbered on from the head and each linked to the one before."""
    at, algorithm = timezone.now(), audit_algorithm()
    seq, digest = head.seq, head.digest
    chained = []
    for fields in rows:
        seq += 1
        row = {**_ENTRY_DEFAULTS, **fields, "seq": seq, "at": at, "algorithm": algorithm,
               "prev_digest": digest}  # fmt: skip
        user = row.pop("user", None)
        if user is not None:
            row["user_id"] = user.pk
        row["digest"] = digest = audit_digest(algorithm, audit_payload(row))
        chained.append(row)
    return chained


def _advance(head: AuditHead, last: dict[str, Any]) -> None:
    AuditHead.objects.filter(pk=head.pk).update(seq=last["seq"], digest=last["digest"])

"""Account administration: each change is one audited action (SECURITY.md items 1, 9, 11).

Who may act on whom is decided here, not in the views: the system administrator manages the
accounts of Party users, the security administrator roles, personal-data permission, lockouts,
second factors and the accounts of the three administrators; nobody administers themselves.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from axes.utils import reset as axes_reset
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tiejun import rules
from tiejun.accounts import audit
from tiejun.accounts.models import User
from tiejun.accounts.roles import ADMIN_ROLES, CREATABLE_ROLES, ORG_ROLES, Role

# Long enough to outlast any min_length a deployment sets, short enough to read out on the phone.
TEMPORARY_PASSWORD_LENGTH = 16
_TEMPORARY_ALPHABETS = (
    "ABCDEFGHJKLMNPQRSTUVWXYZ",  # no I/O: they read as 1/0
    "abcdefghijkmnpqrstuvwxyz",  # no l
    "23456789",
    "-_!#%+=",
)


def temporary_password() -> str:
    """A random password of every character class, for the user to replace at first login."""
    length = max(TEMPORARY_PASSWORD_LENGTH, rules.get("security.password.min_length"))
    chars = [secrets.choice(alphabet) for alphabet in _TEMPORARY_ALPHABETS]
    everything = "".join(_TEMPORARY_ALPHABETS)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def may_administer(actor: User, target: User) -> bool:
    """Whether `actor` may disable, enable or reset the password of `target`."""
    if actor.pk == target.pk:
        return False
    if target.role in ADMIN_ROLES:
        return actor.can("security.manage")
    return actor.can("accounts.manage")


def _require_administer(actor: User, target: User) -> None:
    if not may_administer(actor, target):
        raise PermissionDenied


def _check_scope(role: str, org: Any, member: Any) -> None:
    if role in ORG_ROLES and org is None:
        raise ValidationError({"org": _("该角色须指定管理范围（党组织）。")})
    if role == Role.member and member is None:
        raise ValidationError({"member_id_number": _("党员角色须关联党员档案。")})


def _check_role_keeps_a_holder(user: User, *, new_role: str, active: bool) -> None:
    """Never leave an administrator role without an active holder: nobody could do that work."""
    if user.role not in ADMIN_ROLES or (new_role == user.role and active):
        return
    holders = User.objects.select_for_update().filter(role=user.role, is_active=True)
    if not holders.exclude(pk=user.pk).exists():
        raise ValidationError(
            _("%(role)s只剩这一名在用账户，不能撤销或停用。") % {"role": user.get_role_display()}
        )


@transaction.atomic
def create_account(
    *,
    by: User,
    request: HttpRequest | None,
    username: str,
    display_name: str,
    role: str,
    org: Any = None,
    member: Any = None,
) -> tuple[User, str]:
    """A new Party-side account with a one-time password the user must change at first login."""
    if not by.can("accounts.manage") or role not in CREATABLE_ROLES:
        raise PermissionDenied
    _check_scope(role, org, member)
    password = temporary_password()
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        org=org if role in ORG_ROLES else None,
        member=member if role == Role.member else None,
        must_change_password=True,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(
        "account.create",
        request=request,
        user=by,
        obj=user,
        detail={"role": role, "org": user.org_id, "member": user.member_id},
    )
    return user, password


@transaction.atomic
def update_account(
    *,
    by: User,
    request: HttpRequest | None,
    user: User,
    display_name: str,
    org: Any = None,
    member: Any = None,
) -> User:
    """Name and scope of a Party-side account; the role itself is the security admin's."""
    if not by.can("accounts.manage") or user.role in ADMIN_ROLES:
        raise PermissionDenied
    _check_scope(user.role, org, member)
    before = {"display_name": user.display_name, "org": user.org_id, "member": user.member_id}
    user.display_name = display_name
    user.org = org if user.role in ORG_ROLES else None
    user.member = member if user.role == Role.member else None
    user.full_clean()
    user.save(update_fields=["display_name", "org", "member"])
    after = {"display_name": user.display_name, "org": user.org_id, "member": user.member_id}
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    audit.record("account.update", request=request, user=by, obj=user, detail={"changed": changed})
    return user


@transaction.atomic
def set_account_active(*, by: User, request: HttpRequest | None, user: User, active: bool) -> None:
    _require_administer(by, user)
    if active == user.is_active:
        return
    _check_role_keeps_a_holder(user, new_role=user.role, active=active)
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.is_active = active
    audit.record(
        "account.enable" if active else "account.disable", request=request, user=by, obj=user
    )


@transaction.atomic
def reset_password(*, by: User, request: HttpRequest | None, user: User) -> str:
    """A new one-time password; the old one and every session of the user stop working."""
    _require_administer(by, user)
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit.record("account.password_reset", request=request, user=by, obj=user)
    return password


@transaction.atomic
def set_role(
    *,
    by: User,
    request: HttpRequest | None,
    user: User,
    role: str,
    org: Any = None,
    member: Any = None,
) -> User:
    """Give `user` exactly one role (三员分立 holds by construction: one field, one value)."""
    if not by.can("security.manage"):
        raise PermissionDenied
    if by.pk == user.pk:
        raise ValidationError(_("不能修改自己的角色。"))
    _check_scope(role, org, member)
    _check_role_keeps_a_holder(user, new_role=role, active=user.is_active)
    before = {"role": user.role, "org": user.org_id, "member": user.member_id}
    user.role = role
    user.org = org if role in ORG_ROLES else None
    user.member = member if role == Role.member else None
    if role not in ORG_ROLES:
        user.may_reveal_personal_data = False  # the permission belongs to org roles only
    user.full_clean()
    user.save(update_fields=["role", "org", "member", "may_reveal_personal_data"])
    after = {"role": user.role, "org": user.org_id, "member": user.member_id}
    audit.record(
        "account.role_change",
        request=request,
        user=by,
        obj=user,
        detail={"before": before, "after": after},
    )
    return user


@transaction.atomic
def set_reveal_permission(
    *, by: User, request: HttpRequest | None, user: User, allowed: bool
) -> None:
    """Grant or withdraw the permission to see full ID-card and phone numbers (item 10)."""
    if not by.can("security.manage"):
        raise PermissionDenied
    if by.pk == user.pk:
        raise ValidationError(_("不能修改自己的权限。"))
    if allowed and user.role not in ORG_ROLES:
        raise ValidationError(
            _("只有党委管理员、支部书记、支部委员可被授予查看完整个人信息的权限。")
        )
    if allowed == user.may_reveal_personal_data:
        return
    User.objects.filter(pk=user.pk).update(may_reveal_personal_data=allowed)
    user.may_reveal_personal_data = allowed
    audit.record(
        "account.reveal_grant" if allowed else "account.reveal_revoke",
        request=request,
        user=by,
        obj=user,
    )


def unlock_account(*, by: User, request: HttpRequest | None, username: str) -> int:
    """Clear django-axes' failures for `username` (which may not even be an account)."""
    if not by.can("security.manage"):
        raise PermissionDenied
    cleared = axes_reset(username=username)
    target = User.objects.filter(username=username).first()
    audit.record(
        "account.unlock",
        request=request,
        user=by,
        obj=target,
        detail={"username": username, "cleared": cleared},
    )
    return cleared


@transaction.atomic
def reset_second_factor(*, by: User, request: HttpRequest | None, user: User) -> int:
    """Remove a lost authenticator; the user enrols a new one at the next login."""
    if not by.can("security.manage"):
        raise PermissionDenied
    if by.pk == user.pk:
        raise ValidationError(_("不能重置自己的动态口令。"))
    removed, _kinds = TOTPDevice.objects.filter(user=user).delete()
    audit.record(
        "account.otp_reset", request=request, user=by, obj=user, detail={"devices": removed}
    )
    return removed


def disable_inactive_accounts(*, now: dt.datetime | None = None) -> list[User]:
    """Disable accounts unused for security.account.inactive_days (SECURITY.md item 1).

    Each account is switched off by a conditional update, so two runs at once disable and
    audit it once.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=rules.get("security.account.inactive_days"))
    candidates = User.objects.filter(is_active=True).filter(_unused_since(cutoff)).order_by("pk")
    disabled = []
    for user in candidates.iterator():
        with transaction.atomic():
            if User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
                audit.record(
                    "account.disable_inactive",
                    user=None,
                    obj=user,
                    username=audit.command_actor("disable_inactive_accounts"),
                    detail={"last_login": _iso(user.last_login), "cutoff": cutoff.isoformat()},
                )
                disabled.append(user)
    return disabled


def _unused_since(cutoff: dt.datetime) -> Q:
    # Never logged in: the account's age counts, so a fresh account is not disabled at once.
    return Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None

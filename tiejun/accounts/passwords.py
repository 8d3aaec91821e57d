"""Password rules of 等保 level 3 (SECURITY.md item 2); the numbers come from the rules table."""

from __future__ import annotations

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tiejun import rules

_CLASSES = (
    set(string.ascii_uppercase),
    set(string.ascii_lowercase),
    set(string.digits),
)


def character_classes(password: str) -> int:
    found = sum(1 for chars in _CLASSES if any(ch in chars for ch in password))
    has_other = any(not ch.isalnum() for ch in password) or any(
        ch.isalpha() and not ch.isascii() for ch in password
    )
    return found + (1 if has_other else 0)


class ComplexityValidator:
    def validate(self, password: str, user: object = None) -> None:
        min_length = rules.get("security.password.min_length")
        min_classes = rules.get("security.password.min_classes")
        if len(password) < min_length:
            raise ValidationError(_("口令至少 %(n)s 位。") % {"n": min_length}, code="too_short")
        if character_classes(password) < min_classes:
            raise ValidationError(
                _("口令须包含大写字母、小写字母、数字、符号中的至少 %(n)s 类。")
                % {"n": min_classes},
                code="too_simple",
            )
        username = getattr(user, "username", "")
        if username and username.lower() in password.lower():
            raise ValidationError(_("口令不能包含用户名。"), code="contains_username")

    def get_help_text(self) -> str:
        return _(
            "至少 %(n)s 位，包含大写字母、小写字母、数字、符号中的至少 %(c)s 类，不含用户名。"
        ) % {
            "n": rules.get("security.password.min_length"),
            "c": rules.get("security.password.min_classes"),
        }


class HistoryValidator:
    def validate(self, password: str, user: object = None) -> None:
        if user is None or getattr(user, "pk", None) is None:
            return
        keep = rules.get("security.password.history")
        history = list(user.password_history.values_list("password", flat=True)[:keep])  # type: ignore[attr-defined]
        # The history already holds the current hash when it was set through set_password();
        # counting it twice would let the fifth-newest password through.
        earlier = [user.password, *(h for h in history if h != user.password)][:keep]  # type: ignore[attr-defined]
        if any(encoded and check_password(password, encoded) for encoded in earlier):
            raise ValidationError(
                _("不能使用最近 %(n)s 次用过的口令。") % {"n": keep}, code="reused"
            )

    def password_changed(self, password: str, user: object = None) -> None:
        """Called by Django after set_password(); remembers the new hash."""
        from django.utils import timezone

        from tiejun.accounts.models import PasswordHistory

        if user is None or getattr(user, "pk", None) is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)  # type: ignore[attr-defined, misc]
        type(user).objects.filter(pk=user.pk).update(password_changed_at=timezone.now())  # type: ignore[attr-defined]

    def get_help_text(self) -> str:
        return _("不能与最近几次用过的口令相同。")

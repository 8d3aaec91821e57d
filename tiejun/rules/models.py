from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiejun.rules.registry import defaults


class RuleOverride(models.Model):
    """A deployment's own value for one rule from a date on, with the local source that sets it."""

    key = models.CharField(_("规则"), max_length=100, db_index=True)
    value = models.JSONField(_("取值"))
    source = models.CharField(_("依据"), max_length=300)
    effective_from = models.DateField(_("生效日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("规则覆盖")
        verbose_name_plural = _("规则覆盖")
        ordering = ["key", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} ({self.effective_from})"

    def clean(self) -> None:
        if self.key not in defaults():
            raise ValidationError({"key": _("规则表中没有这一项。")})
        rule = defaults()[self.key]
        default = rule.value
        if type(default) is not type(self.value) and not (
            isinstance(default, int | float) and isinstance(self.value, int | float)
        ):
            raise ValidationError({"value": _("取值类型须与国家默认值一致。")})
        if rule.floor is not None and self.value < rule.floor:
            raise ValidationError(
                {"value": _("取值不得低于 %(n)s（%(s)s）。") % {"n": rule.floor, "s": rule.source}}
            )
        if rule.ceiling is not None and self.value > rule.ceiling:
            raise ValidationError(
                {
                    "value": _("取值不得高于 %(n)s（%(s)s）。")
                    % {"n": rule.ceiling, "s": rule.source}
                }
            )

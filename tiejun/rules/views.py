from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiejun import rules
from tiejun.accounts import audit
from tiejun.accounts.decorators import require
from tiejun.accounts.models import User
from tiejun.rules.models import RuleOverride


class OverrideForm(forms.ModelForm):
    value = forms.CharField(
        label=gettext_lazy("取值（JSON）"), help_text=gettext_lazy('如 2、"1/2"、[6, 3, 1]')
    )

    class Meta:
        model = RuleOverride
        fields = ["key", "value", "source", "effective_from"]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        rule = rules.defaults().get(key)
        if rule is not None and not may_override(self.user, rule):
            owner = _("安全管理员") if rule.is_security else _("系统管理员")
            raise forms.ValidationError(_("这一条由%(owner)s维护。") % {"owner": owner})
        return key

    def clean_value(self) -> object:
        try:
            return json.loads(self.cleaned_data["value"])
        except json.JSONDecodeError:
            raise forms.ValidationError(_('取值须为 JSON，如 2、"1/2"、[6, 3, 1]。')) from None


def may_override(user: User, rule: rules.Rule) -> bool:
    return user.can("security.manage") if rule.is_security else user.can("rules.manage")


@require("rules.view")
def rule_list(request: HttpRequest) -> HttpResponse:
    form = OverrideForm(request.POST or None, user=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        override = form.save(commit=False)
        override.created_by = request.user
        try:
            override.full_clean()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            override.save()
            rules.invalidate()
            audit.record(
                "rules.override",
                request=request,
                obj=override,
                detail={"key": override.key, "value": override.value},
            )
            messages.success(request, _("规则已覆盖，自生效日期起执行。"))
            return redirect("rules:list")
    rows = [(rule, rules.get(rule.key)) for rule in rules.all_rules()]
    overrides = RuleOverride.objects.select_related("created_by")[:200]
    return render(request, "rules/list.html", {"rows": rows, "overrides": overrides, "form": form})

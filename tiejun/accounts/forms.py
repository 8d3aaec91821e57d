from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from tiejun.accounts.audit import ACTION_LABELS
from tiejun.accounts.models import AuditEntry, User
from tiejun.accounts.roles import CREATABLE_ROLES, ORG_ROLES, Role


class LoginForm(AuthenticationForm):
    # One message for a wrong password, an unknown user and a disabled account alike.
    error_messages = {
        "invalid_login": _("用户名或口令不正确。"),
        "inactive": _("用户名或口令不正确。"),
    }

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("口令"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ChangePasswordForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("原口令不正确。"),
        "password_mismatch": _("两次输入的新口令不一致。"),
    }


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("动态口令"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("请输入手机验证器上显示的 6 位数字。"))
        return token


class OrgChoiceField(forms.ModelChoiceField):
    """Orgs in tree order, indented by depth, so a long list still reads as the tree."""

    def label_from_instance(self, obj: Any) -> str:
        return "　" * obj.depth + obj.name


def _org_field(
    required: bool = False, empty_label: Any = None, help_text: Any = None
) -> OrgChoiceField:
    from tiejun.org.models import Org

    return OrgChoiceField(
        label=_("管理范围"),
        required=required,
        queryset=Org.objects.order_by("path"),
        empty_label=empty_label or _("（无）"),
        help_text=_("党委管理员、支部书记、支部委员须指定") if help_text is None else help_text,
    )


def _member_id_field() -> forms.CharField:
    return forms.CharField(
        label=_("关联党员（身份证号）"),
        required=False,
        max_length=30,
        help_text=_("党员角色须填写：按身份证号关联党员档案，本页不显示党员信息"),
    )


def member_by_id_number(raw: str, account: User | None = None) -> Any:
    """The member with this ID number and no other account; a form error otherwise."""
    from tiejun.lib import crypto, idcard
    from tiejun.org.models import Member

    member = Member.objects.filter(id_digest=crypto.lookup_digest(idcard.normalize(raw))).first()
    if member is None:
        raise forms.ValidationError(_("未找到该身份证号对应的党员档案。"))
    linked = User.objects.filter(member=member)
    if account is not None:
        linked = linked.exclude(pk=account.pk)
    if linked.exists():
        raise forms.ValidationError(_("该党员已有账户，一名党员只能有一个账户。"))
    return member


class ScopeForm(forms.Form):
    """Role-dependent scope: an org for org roles, a member record for the member role."""

    account: User | None = None

    def role_value(self) -> str:
        return self.cleaned_data.get("role") or (self.account.role if self.account else "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = (data.get("member_id_number") or "").strip()
        data["member"] = None
        if self.role_value() == Role.member:
            if raw:
                try:
                    data["member"] = member_by_id_number(raw, self.account)
                except forms.ValidationError as error:
                    self.add_error("member_id_number", error)
            elif self.account is not None and self.account.member_id:
                data["member"] = self.account.member  # left blank: keep the linked record
            else:
                self.add_error("member_id_number", _("党员角色须关联党员档案。"))
        if self.role_value() in ORG_ROLES and not data.get("org"):
            self.add_error("org", _("该角色须指定管理范围（党组织）。"))
        return data


class AccountCreateForm(ScopeForm):
    username = forms.CharField(
        label=_("用户名"), max_length=150, help_text=_("字母、数字及 @ . + - _，登录时使用")
    )
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.ChoiceField(
        label=_("角色"), choices=[(role.value, role.label) for role in CREATABLE_ROLES]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"] = _org_field()
        self.fields["member_id_number"] = _member_id_field()

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        for validator in User._meta.get_field("username").validators:
            validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该用户名已被使用。"))
        return username


class AccountEditForm(ScopeForm):
    display_name = forms.CharField(label=_("姓名"), max_length=50)

    def __init__(self, *args: Any, account: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        if account.role in ORG_ROLES:
            self.fields["org"] = _org_field(required=True)
        if account.role == Role.member:
            self.fields["member_id_number"] = _member_id_field()
            self.fields["member_id_number"].help_text = _(
                "留空则保持现有关联；填写则改为关联该身份证号的党员档案"
            )


class RoleForm(ScopeForm):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)

    def __init__(self, *args: Any, account: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["org"] = _org_field()
        self.fields["member_id_number"] = _member_id_field()
        self.fields["member_id_number"].help_text = _("改为党员角色时填写；已关联的可留空")


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("用户名或姓名"), required=False)
    role = forms.ChoiceField(
        label=_("角色"), required=False, choices=[("", _("全部")), *Role.choices]
    )
    active = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("1", _("启用")), ("0", _("停用"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"] = _org_field(empty_label=_("全部"), help_text="")


class AuditFilterForm(forms.Form):
    start = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    user = forms.CharField(label=_("用户"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部")), *ACTION_LABELS.items()]
    )
    result = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部")), *AuditEntry.Result.choices]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return data

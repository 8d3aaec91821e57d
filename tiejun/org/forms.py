from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tiejun import rules
from tiejun.accounts.models import User
from tiejun.lib import chinese, idcard
from tiejun.lib.phone import normalize_phone
from tiejun.org.access import MEMBER_HOLDING_KINDS
from tiejun.org.models import Committee, CommitteeSeat, DualLife, Member, Org
from tiejun.org.services import MemberData


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """A ModelForm's foreign-key field, typed as the field it is (mypy sees forms.Field)."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("姓名"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("姓名、拼音首字母")}),
    )
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Off by default, so a bound form without the box still covers the whole subtree.
    direct = forms.BooleanField(label=_("仅本组织（不含下级）"), required=False)
    category = forms.ChoiceField(
        label=_("人员类别"), required=False, choices=[("", _("全部")), *Member.Category.choices]
    )
    status = forms.ChoiceField(
        label=_("党籍状态"), required=False, choices=[("", _("全部")), *Member.Status.choices]
    )
    as_of = forms.DateField(
        label=_("截至日期"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("留空为当前；填写则显示该日的名册"),
    )

    def clean_as_of(self) -> dt.date | None:
        day = self.cleaned_data.get("as_of")
        if day and day > dt.date.today():
            raise forms.ValidationError(_("截至日期不能晚于今天。"))
        return day


class MemberForm(forms.ModelForm):
    id_number = forms.CharField(label=_("身份证号"), max_length=30)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    effective_on = forms.DateField(
        label=_("生效日期"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("变更自哪一天起生效，留空为今天"),
    )
    reason = forms.CharField(label=_("变更原因"), required=False, max_length=200)

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "education",
            "joined_on",
            "full_on",
            "category",
            "org",
            "post",
            "phone",
            "status",
        ]
        widgets = {"birth_date": DATE_WIDGET, "joined_on": DATE_WIDGET, "full_on": DATE_WIDGET}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "org").queryset = (
            Org.objects.visible_to(user)
            .filter(kind__in=MEMBER_HOLDING_KINDS)
            .active()
            .order_by("path")
        )
        for field in self.fields.values():
            choices = getattr(field, "choices", None)
            if choices and next(iter(choices))[0] in ("", None):
                field.choices = [("", _("请选择")), *list(choices)[1:]]  # type: ignore[attr-defined]
        cast(forms.ChoiceField, self.fields["gender"]).choices = [
            ("", _("按身份证号自动判断")),
            *Member.Gender.choices,
        ]
        home = user.org
        if not self.instance.pk and home is not None and home.kind in MEMBER_HOLDING_KINDS:
            self.fields["org"].initial = self.initial.get("org", home)
        self.fields["birth_date"].required = False
        self.fields["birth_date"].help_text = _("留空则取身份证号中的出生日期")
        self.fields["gender"].required = False
        if self.instance.pk:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("不修改请留空（当前 %(m)s）") % {
                "m": self.instance.id_masked
            }
            self.fields["version"].initial = self.instance.version
        else:
            for name in ("version", "effective_on", "reason", "status"):
                self.fields.pop(name)

    def clean_name(self) -> str:
        name = chinese.clean(self.cleaned_data["name"]).replace(" ", "")
        if not name:
            raise forms.ValidationError(_("请填写姓名。"))
        return name

    def clean_phone(self) -> str:
        phone = normalize_phone(chinese.clean(self.cleaned_data.get("phone", "")))
        if phone is None:
            raise forms.ValidationError(_("手机号码应为数字，如 13800138000。"))
        return phone

    def clean_id_number(self) -> str:
        raw = self.cleaned_data.get("id_number", "")
        if self.instance.pk and not raw:
            return self.instance.id_number()
        check = idcard.validate(raw)
        if not check.ok:
            raise forms.ValidationError(check.errors)
        self.id_warnings = check.warnings
        self.id_check = check
        return check.number

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        check = getattr(self, "id_check", None) or idcard.validate(data.get("id_number", ""))
        if check.ok:
            if not data.get("birth_date"):
                data["birth_date"] = check.birth_date
            elif data["birth_date"] != check.birth_date:
                self.add_error("birth_date", _("出生日期与身份证号不一致。"))
            if not data.get("gender"):
                data["gender"] = check.gender
            elif data["gender"] != check.gender:
                self.add_error("gender", _("性别与身份证号不一致。"))
        if self.instance.pk:
            self.instance.birth_date = data.get("birth_date")
        return data

    def member_data(self) -> MemberData:
        data = self.cleaned_data
        return MemberData(
            name=data["name"],
            gender=data["gender"],
            ethnicity=data["ethnicity"],
            birth_date=data["birth_date"],
            id_number=data["id_number"],
            education=data["education"],
            joined_on=data["joined_on"],
            full_on=data["full_on"],
            category=data["category"],
            org=data["org"],
            post=data["post"],
            phone=data["phone"],
            status=data.get("status") or Member.Status.active,
        )


class OrgForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Org
        fields = [
            "code",
            "name",
            "kind",
            "parent",
            "unit",
            "sort_order",
            "theme_day",
            "starts_on",
            "ends_on",
        ]
        widgets = {"starts_on": DATE_WIDGET, "ends_on": DATE_WIDGET}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Org.objects.visible_to(user).exclude(kind=Org.Kind.group).order_by("path")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.fields["version"].initial = self.instance.version
        _model_choice(self, "parent").queryset = parents
        # Every org made here hangs inside the user's own subtree: a new root would be out of
        # everyone's scope. Roots come from the set-up (demo or import) only.
        self.fields["parent"].required = True

    def clean_name(self) -> str:
        return chinese.clean(self.cleaned_data["name"])

    def clean_code(self) -> str:
        return chinese.clean(self.cleaned_data["code"]).replace(" ", "").upper()


class CommitteeForm(forms.ModelForm):
    class Meta:
        model = Committee
        fields = ["number", "elected_on", "term_years"]
        widgets = {"elected_on": DATE_WIDGET}

    def __init__(self, *args: Any, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["term_years"].initial = org.term_years() or None
        self.fields["term_years"].help_text = _("按规则表默认：%(kind)s任期 %(n)s 年") % {
            "kind": org.get_kind_display(),
            "n": org.term_years(),
        }

    def clean_term_years(self) -> int:
        years = self.cleaned_data["term_years"]
        if not years:
            raise forms.ValidationError(_("请填写任期年限。"))
        default = self.org.term_years()
        if default and years > default + rules.get("org.term.max_extension_years"):
            raise forms.ValidationError(_("任期超过规定年限（含最长延期）。"))
        return years


class SeatForm(forms.ModelForm):
    class Meta:
        model = CommitteeSeat
        fields = ["member", "position", "sort_order"]

    def __init__(self, *args: Any, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "member").queryset = (
            Member.objects.in_subtree(org)
            .filter(status=Member.Status.active, category=Member.Category.full)
            .order_by("name")
        )
        self.fields["member"].help_text = _("委员须为本组织的正式党员")


class DualLifeForm(forms.ModelForm):
    class Meta:
        model = DualLife
        fields = ["org", "since"]
        widgets = {"since": DATE_WIDGET}
        labels = {"org": _("参加组织生活的党支部")}

    def __init__(self, *args: Any, user: User, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        _model_choice(self, "org").queryset = (
            Org.objects.visible_to(user)
            .filter(kind__in=[Org.Kind.branch, Org.Kind.temporary_branch])
            .exclude(pk=member.org_id)
            .active()
            .order_by("path")
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.instance.member = self.member
        # The form leaves `member` out, so ModelForm would skip the (member, org) constraint.
        if data.get("org") is not None:
            self.instance.org = data["org"]
            try:
                self.instance.validate_constraints()
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data

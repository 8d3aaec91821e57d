from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiejun.accounts.models import User
from tiejun.lib import chinese
from tiejun.lib.office_files import OfficeFileError, check_ooxml, is_password_protected
from tiejun.life.models import (
    ALLOWED_UPLOADS,
    OOXML_PARTS,
    Attachment,
    Attendance,
    LectureCycle,
    LifeEvent,
    Meeting,
    Talk,
    Topic,
)
from tiejun.life.services import agenda_refusal
from tiejun.org.models import Member, Org

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# Orgs that hold meetings: every kind of the tree (党小组 hold 党小组会, 党组 hold 中心组).
KIND_CHOICES = [("", _("全部")), *Meeting.Kind.choices]


def _field(form: forms.BaseForm, name: str) -> Any:
    """A form field as the choice field it is (django-stubs types them all as Field)."""
    return form.fields[name]


def _please_choose(form: forms.BaseForm) -> None:
    field: Any
    for field in form.fields.values():
        choices = getattr(field, "choices", None)
        if choices and next(iter(choices))[0] in ("", None):
            field.choices = [("", _("请选择")), *list(choices)[1:]]


def org_members(org: Org | None) -> QuerySet[Member]:
    """The people a meeting of `org` picks its host, recorder and lecturer from."""
    if org is None:
        return Member.objects.none()
    holder = org.parent if org.kind == Org.Kind.group and org.parent else org
    return Member.objects.in_subtree(holder).filter(status=Member.Status.active).order_by("name")


class MeetingFilterForm(forms.Form):
    org = forms.ModelChoiceField(
        label=_("党组织"),
        queryset=Org.objects.none(),
        required=False,
        empty_label=_("全部（含下级）"),
    )
    kind = forms.ChoiceField(label=_("会议类型"), choices=KIND_CHOICES, required=False)
    start = forms.DateField(label=_("起始日期"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("截止日期"), required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Meeting.Status.choices]
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "org").queryset = Org.objects.visible_to(user).order_by("path")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return data


class MeetingForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    registered_topics = forms.ModelMultipleChoiceField(
        label=_("已预登记的议题"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("支委会只研究会前登记的议题"),
    )
    first_topic = forms.CharField(
        label=_("第一议题"),
        max_length=200,
        required=False,
        help_text=_("学习传达习近平总书记重要讲话、重要指示批示精神，如“学习……重要讲话精神”"),
    )
    directive_ref = forms.CharField(
        label=_("所学指示批示（文号或出处）"), max_length=300, required=False
    )
    new_topics = forms.CharField(
        label=_("其他议题"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个议题"),
    )

    class Meta:
        model = Meeting
        fields = [
            "org",
            "kind",
            "title",
            "held_on",
            "starts_at",
            "ends_at",
            "place",
            "host",
            "recorder",
            "cycle",
            "lecturer",
            "lesson_notes",
        ]
        widgets = {
            "held_on": DATE_WIDGET,
            "starts_at": TIME_WIDGET,
            "ends_at": TIME_WIDGET,
            "lesson_notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(
        self, *args: Any, user: User, org: Org | None, refresh_url: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "org").queryset = Org.objects.visible_to(user).active().order_by("path")
        # Another org or kind means other people and topics to choose from: reload the form body.
        for name in ("org", "kind"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": refresh_url,
                    "hx-trigger": "change",
                    "hx-target": "#meeting-form-body",
                    "hx-select": "#meeting-form-body",
                    "hx-swap": "outerHTML",
                    "hx-include": "closest form",
                }
            )
        people = org_members(org)
        for name in ("host", "recorder", "lecturer"):
            _field(self, name).queryset = people
        _field(self, "cycle").queryset = (
            LectureCycle.objects.filter(
                org__in=[org, org.parent] if org and org.parent else [org]
            ).order_by("-month")
            if org
            else LectureCycle.objects.none()
        )
        self.fields["held_on"].initial = timezone.localdate()
        _please_choose(self)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            for name in ("registered_topics", "first_topic", "directive_ref", "new_topics"):
                self.fields.pop(name)
        else:
            self.fields.pop("version")
            _field(self, "registered_topics").queryset = (
                Topic.objects.filter(org=org, meeting__isnull=True)
                .select_related("proposer")
                .order_by("registered_on", "id")
                if org
                else Topic.objects.none()
            )
            _field(self, "registered_topics").label_from_instance = _topic_label

    def clean_title(self) -> str:
        return chinese.clean(self.cleaned_data["title"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk or not data.get("kind") or not data.get("held_on"):
            return data
        probe = Meeting(kind=data["kind"], held_on=data["held_on"])
        for topic in data.get("registered_topics") or []:
            refusal = agenda_refusal(probe, topic, topic.title)
            if refusal:
                self.add_error("registered_topics", refusal)
        for title in self.new_topic_titles():
            refusal = agenda_refusal(probe, None, title)
            if refusal:
                self.add_error("new_topics", refusal)
        return data

    def new_topic_titles(self) -> list[str]:
        text = self.cleaned_data.get("new_topics") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


def _topic_label(topic: Topic) -> str:
    return _("%(title)s（%(who)s，%(day)s 登记）") % {
        "title": topic.title,
        "who": topic.proposer or "—",
        "day": f"{topic.registered_on:%Y-%m-%d}" if topic.registered_on else "—",
    }


class TopicRegistrationForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["title", "kind", "proposer", "registered_on", "directive_ref"]
        widgets = {"registered_on": DATE_WIDGET}

    def __init__(self, *args: Any, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "kind").choices = [c for c in Topic.Kind.choices if c[0] != Topic.Kind.report]
        _field(self, "proposer").queryset = org_members(org)
        self.fields["proposer"].required = True
        self.fields["registered_on"].required = True
        self.fields["registered_on"].initial = timezone.localdate()
        _please_choose(self)

    def clean_registered_on(self) -> dt.date:
        day = self.cleaned_data["registered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("登记日期不能晚于今天。"))
        return day


class AgendaTopicForm(forms.Form):
    registered = forms.ModelChoiceField(
        label=_("已预登记的议题"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("请选择"),
    )
    title = forms.CharField(label=_("或填写新议题"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("议题类别"), choices=Topic.Kind.choices, initial=Topic.Kind.ordinary
    )
    directive_ref = forms.CharField(label=_("所学指示批示"), max_length=300, required=False)
    material_ref = forms.CharField(
        label=_("学习材料"), max_length=300, required=False, help_text=_("材料名称或文号")
    )
    reporting_org = forms.ModelChoiceField(
        label=_("汇报单位（调度会）"),
        queryset=Org.objects.none(),
        required=False,
        empty_label=_("请选择"),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "registered").queryset = Topic.objects.filter(
            org=meeting.org, meeting__isnull=True
        ).order_by("registered_on", "id")
        _field(self, "reporting_org").queryset = Org.objects.filter(parent=meeting.org).order_by(
            "sort_order", "code"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("registered") and not (data.get("title") or "").strip():
            raise forms.ValidationError(_("请选择已登记的议题，或填写新议题。"))
        return data


class ObserverForm(forms.Form):
    name = forms.CharField(
        label=_("列席人员姓名"),
        max_length=50,
        help_text=_("须为您管理范围内的党员，如上级党组织派来指导的同志"),
    )


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(choices=Attendance.Status.choices)
    reason = forms.CharField(max_length=200, required=False)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 12})
    )
    decisions = forms.CharField(
        label=_("会议决定"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class LectureCycleForm(forms.ModelForm):
    class Meta:
        model = LectureCycle
        fields = ["month", "theme"]
        widgets = {"month": forms.DateInput(attrs={"type": "month"}, format="%Y-%m")}

    month = forms.DateField(
        label=_("月份"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def clean_month(self) -> dt.date:
        return self.cleaned_data["month"].replace(day=1)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=Attachment.Kind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("照片（jpg、png）、PDF、OFD，或 Word、Excel、PowerPoint 格式的会议材料"),
        # The file picker offers only what the allow-list takes.
        widget=forms.FileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED_UPLOADS)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in ALLOWED_UPLOADS:
            raise forms.ValidationError(
                _(
                    "只能上传 jpg、png 图片，PDF、OFD，或 Word（.docx、.doc）、"
                    "Excel（.xlsx、.xls）、PowerPoint（.pptx、.ppt）文件；"
                    "WPS 文件请另存为这些格式。"
                )
            )
        if upload.size > settings.UPLOAD_MAX_BYTES:
            limit = filesizeformat(settings.UPLOAD_MAX_BYTES)
            raise forms.ValidationError(_("文件不能超过 %(limit)s。") % {"limit": limit})
        content_type, magic = ALLOWED_UPLOADS[extension]
        head = upload.read(len(magic))
        upload.seek(0)
        if head != magic:
            if is_password_protected(upload.read()):  # an .docx or .xlsx saved with a password
                raise forms.ValidationError(
                    _("文件设置了打开密码，其他人无法打开；请取消密码后重新上传。")
                )
            raise forms.ValidationError(_("文件内容与扩展名不符，请上传真实的文件。"))
        if extension in OOXML_PARTS:
            part, marker, label = OOXML_PARTS[extension]
            try:
                check_ooxml(upload, part=part, label=label, suffix=f".{extension}", marker=marker)
            except OfficeFileError as error:
                raise forms.ValidationError(error.message) from None
            upload.seek(0)
        upload.checked_content_type = content_type
        return upload


# ---- 谈心谈话 / 必谈事由 ----


def talker_choices(org: Org) -> QuerySet[Member]:
    """Who may hold a talk for `org`: its own members, and the committees in office of the org
    and of every org above it (a 机关党委 leader holds 廉政谈话 with a branch secretary)."""
    from django.db.models import Q

    from tiejun.life.talks import member_holder, own_members

    holder = member_holder(org)
    orgs = [holder.pk, *holder.ancestors().values_list("pk", flat=True)]
    seated = Member.objects.filter(
        seats__committee__org_id__in=orgs, seats__committee__ended_on__isnull=True
    ).values("pk")
    return (
        Member.objects.filter(Q(pk__in=own_members(holder).values("pk")) | Q(pk__in=seated))
        .filter(status=Member.Status.active)
        .order_by("name", "id")
    )


class TalkFilterForm(forms.Form):
    org = forms.ModelChoiceField(
        label=_("党组织"),
        queryset=Org.objects.none(),
        required=False,
        empty_label=_("全部（含下级）"),
    )
    kind = forms.ChoiceField(
        label=_("谈话类型"), required=False, choices=[("", _("全部")), *Talk.Kind.choices]
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    member = forms.CharField(
        label=_("党员"), required=False, max_length=50, help_text=_("谈话人或谈话对象姓名")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "org").queryset = Org.objects.visible_to(user).order_by("path")
        self.fields["year"].widget.attrs["class"] = "tj-year-input"


class TalkForm(forms.ModelForm):
    class Meta:
        model = Talk
        fields = [
            "kind",
            "talker",
            "talkee",
            "held_on",
            "place",
            "topic",
            "content",
            "follow_up",
            "life_event",
        ]
        widgets = {
            "held_on": DATE_WIDGET,
            "content": forms.Textarea(attrs={"rows": 4}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "follow_up": _("需要跟进解决的问题、责任人和时限"),
            "life_event": _(
                "答复后该必谈提醒即消除；谈心谈话未选择时自动答复谈话对象最早的未谈事由"
            ),
        }

    def __init__(self, *args: Any, user: User, org: Org, **kwargs: Any) -> None:
        from tiejun.life.talks import own_members

        super().__init__(*args, **kwargs)
        self.instance.org = org
        _field(self, "talker").queryset = talker_choices(org)
        _field(self, "talkee").queryset = own_members(org).order_by("name", "id")
        events = LifeEvent.objects.visible_to(user).open().filter(org=org)
        _field(self, "life_event").queryset = events.select_related("member")
        _field(self, "life_event").label_from_instance = _event_label
        _field(self, "life_event").empty_label = _("（不答复必谈事由）")
        for name in ("talker", "talkee"):
            _field(self, name).empty_label = _("请选择")
        self.fields["held_on"].initial = timezone.localdate()


def _event_label(event: LifeEvent) -> str:
    return f"{event.member.name}：{event.kind}（{event.happened_on:%Y-%m-%d}）"


class LifeEventForm(forms.Form):
    member = forms.ModelChoiceField(label=_("党员"), queryset=Member.objects.none())
    kind = forms.ChoiceField(
        label=_("事由"),
        choices=[],
        error_messages={"invalid_choice": _("“%(value)s”不在本地必谈事由清单中。")},
    )
    happened_on = forms.DateField(label=_("发生日期"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("情况说明"), max_length=300, required=False)

    def __init__(self, *args: Any, org: Org, **kwargs: Any) -> None:
        from tiejun.life.models import must_talk_triggers
        from tiejun.life.talks import own_members

        super().__init__(*args, **kwargs)
        _field(self, "member").queryset = own_members(org).order_by("name", "id")
        _field(self, "member").empty_label = _("请选择")
        kinds = must_talk_triggers(timezone.localdate())
        _field(self, "kind").choices = [("", _("请选择")), *[(k, k) for k in kinds]]
        self.fields["happened_on"].initial = timezone.localdate()

"""Organizational life: meetings of every kind, their topics, attendance, attachments, and the
党课 cycle. Compliance ("which meetings of which kind did each org hold in a period") reads
Meeting through the (org, kind, held_on) index; nothing here computes it."""

from __future__ import annotations

import datetime as dt
import secrets
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiejun import rules
from tiejun.choices import ChoiceLabels
from tiejun.lib.office_files import OLE2_MAGIC, ZIP_MAGIC
from tiejun.org.models import Member, Org, subtree_q

if TYPE_CHECKING:
    from tiejun.accounts.models import User


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(24)


class LectureCycle(models.Model):
    """一月一主题: an org's 党课 theme of a month; ties 教育准备会 → 党课 → 党小组讨论."""

    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="lecture_cycles", verbose_name=_("党组织")
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    theme = models.CharField(_("本月主题"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党课主题")
        verbose_name_plural = _("党课主题")
        ordering = ["org", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "month"],
                name="one_theme_per_org_month",
                violation_error_message=_("该组织本月已确定党课主题。"),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="cycle_month_first_day",
                violation_error_message=_("月份须为该月第一天。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.theme}"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: User) -> MeetingQuerySet:
        scope = user.scope_path()
        if scope is None:
            return self.none()
        if user.is_member_only:
            if user.member is None:
                return self.none()
            # Their own org's meetings, and any meeting that lists them (双重组织生活).
            listed = Attendance.objects.filter(meeting=OuterRef("pk"), member=user.member)
            return self.filter(Q(org_id=user.member.org_id) | Exists(listed))
        return self.filter(subtree_q("org__path", scope))

    def for_org(self, org: Org, *, subtree: bool = False) -> MeetingQuerySet:
        return self.filter(subtree_q("org__path", org.path)) if subtree else self.filter(org=org)

    def in_period(self, start: dt.date, end: dt.date) -> MeetingQuerySet:
        """Meetings held from `start` to `end`, both included."""
        return self.filter(held_on__gte=start, held_on__lte=end)

    def held(self) -> MeetingQuerySet:
        return self.exclude(status=Meeting.Status.draft)


class Meeting(models.Model):
    """One meeting an org holds: 三会一课, 主题党日, 组织生活会, 民主生活会, 中心组, 调度会 …"""

    class Kind(models.TextChoices):
        general_assembly = "general_assembly", _("支部党员大会")
        committee = "committee", _("支委会")
        group = "group", _("党小组会")
        lecture = "lecture", _("党课")
        theme_day = "theme_day", _("主题党日")
        life_review = "life_review", _("组织生活会")
        democratic_life = "democratic_life", _("民主生活会")
        study_center = "study_center", _("理论学习中心组学习")
        lecture_prep = "lecture_prep", _("教育准备会")
        dispatch = "dispatch", _("党建重点工作调度会")

    class Status(models.TextChoices):
        draft = "draft", _("筹备中")
        held = "held", _("已召开")
        archived = "archived", _("已归档")

    # Who may move a meeting where: a held meeting may be reopened to correct it; an archived
    # one is the record and stays as it is.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.draft: frozenset({Status.held}),
        Status.held: frozenset({Status.archived, Status.draft}),
        Status.archived: frozenset(),
    }
    # Kinds whose decisions are taken by vote, so the quorum rule applies to them.
    VOTING_KINDS = frozenset({Kind.general_assembly, Kind.committee})
    # Kinds that belong to one month's 党课 cycle.
    CYCLE_KINDS = frozenset({Kind.lecture_prep, Kind.lecture, Kind.group})

    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("党组织")
    )
    kind = models.CharField(_("会议类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("会议日期"))
    starts_at = models.TimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.TimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("会议地点"), max_length=100, blank=True)
    host = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主持人"),
    )
    recorder = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    decisions = models.TextField(_("会议决定"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.draft
    )
    cycle = models.ForeignKey(
        LectureCycle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("党课主题"),
    )
    lecturer = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("授课人"),
    )
    lesson_notes = models.TextField(_("讲稿（备课提纲）"), blank=True)
    # 应到 / 实到 / 有表决权应到 / 有表决权实到: written by the attendance workflows from the
    # Attendance rows, so lists and the compliance ledger read four columns, not an aggregate.
    expected = models.PositiveIntegerField(_("应到"), default=0)
    present = models.PositiveIntegerField(_("实到"), default=0)
    voting = models.PositiveIntegerField(_("有表决权"), default=0)
    voting_present = models.PositiveIntegerField(_("有表决权实到"), default=0)
    sign_in_token = models.CharField(
        max_length=40, unique=True, default=new_sign_in_token, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_on", "-starts_at", "-id"]
        indexes = [
            models.Index(fields=["org", "kind", "held_on"], name="meeting_org_kind_day"),
            models.Index(fields=["held_on", "id"], name="meeting_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("结束时间不能早于开始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(present__lte=models.F("expected"))
                & Q(voting_present__lte=models.F("voting")),
                name="meeting_present_within_expected",
                violation_error_message=_("实到人数不能多于应到人数。"),
            ),
            models.CheckConstraint(
                condition=Q(cycle__isnull=True) | Q(kind__in=["lecture_prep", "lecture", "group"]),
                name="meeting_cycle_kinds",
                violation_error_message=_("只有教育准备会、党课和党小组会属于党课主题。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def clean(self) -> None:
        if self.cycle_id and self.kind not in self.CYCLE_KINDS:
            raise ValidationError({"cycle": _("只有教育准备会、党课和党小组会属于党课主题。")})
        if self.lecturer_id and self.kind != self.Kind.lecture:
            raise ValidationError({"lecturer": _("只有党课填写授课人。")})

    @property
    def is_voting_kind(self) -> bool:
        return self.kind in self.VOTING_KINDS

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.archived

    def quorum_share(self) -> Fraction:
        return Fraction(str(rules.get("vote.quorum.share_exceeds", on=self.held_on)))

    def quorum_met(self) -> bool:
        """到会有表决权党员超过应到会有表决权党员的规定比例 (the share comes from the rules)."""
        return self.voting > 0 and Fraction(self.voting_present) > self.voting * self.quorum_share()

    def starts(self) -> dt.datetime | None:
        """The aware start, in the deployment's time zone."""
        if self.starts_at is None:
            return None
        return timezone.make_aware(dt.datetime.combine(self.held_on, self.starts_at))

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())


class MeetingEvent(models.Model):
    """A status change of a meeting: who moved it from what to what, and when."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Meeting.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Meeting.Status.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("会议状态变更")
        verbose_name_plural = _("会议状态变更")
        ordering = ["meeting", "at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.from_status}→{self.to_status}"


class Topic(models.Model):
    """议题: registered beforehand for an org (meeting empty) or on a meeting's agenda."""

    class Kind(models.TextChoices):
        ordinary = "ordinary", _("一般议题")
        first_topic = "first_topic", _("第一议题（学习传达重要指示批示）")
        decision = "decision", _("决策事项")
        report = "report", _("工作汇报（调度会）")

    class Outcome(models.TextChoices):
        pending = "pending", _("未表决")
        passed = "passed", _("通过")
        rejected = "rejected", _("未通过")
        deferred = "deferred", _("暂缓")

    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="topics", verbose_name=_("党组织")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("会议"),
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = models.CharField(_("议题"), max_length=200)
    kind = models.CharField(
        _("议题类别"), max_length=20, choices=Kind.choices, default=Kind.ordinary
    )
    proposer = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出人"),
    )
    # Set when the topic was registered before the meeting (议题预登记); empty when it was put
    # on the agenda at the meeting itself, which the 支委会 rule refuses unless allowed.
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    # Until the supervision app exists, the instruction or directive studied, as text.
    directive_ref = models.CharField(_("传达的指示批示"), max_length=300, blank=True)
    material_ref = models.CharField(_("学习材料"), max_length=300, blank=True)
    reporting_org = models.ForeignKey(
        Org,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("汇报单位"),
    )
    outcome = models.CharField(
        _("表决结果"), max_length=20, choices=Outcome.choices, default=Outcome.pending
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting", "order", "id"]
        indexes = [models.Index(fields=["org", "meeting", "registered_on"], name="topic_org_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(registered_on__isnull=False),
                name="topic_registered_or_on_agenda",
                violation_error_message=_("未列入会议的议题须有登记日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def registered_before(self, day: dt.date) -> bool:
        return self.registered_on is not None and self.registered_on <= day


class Attendance(ChoiceLabels, models.Model):
    """One person on a meeting's roster: 出席/请假/缺席, how they signed in, whether they vote."""

    class Status(models.TextChoices):
        present = "present", _("出席")
        leave = "leave", _("请假")
        absent = "absent", _("缺席")

    class Via(models.TextChoices):
        qr = "qr", _("扫码签到")
        secretary = "secretary", _("记录人登记")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("党员")
    )
    status = models.CharField(
        _("出席情况"), max_length=10, choices=Status.choices, default=Status.absent
    )
    reason = models.CharField(_("请假/缺席原因"), max_length=200, blank=True)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    via = models.CharField(_("签到方式"), max_length=10, choices=Via.choices, blank=True)
    # 列席: attends without being counted in 应到/实到 (a higher-level leader, a guest).
    is_observer = models.BooleanField(_("列席"), default=False)
    has_vote = models.BooleanField(_("有表决权"), default=False)
    is_dual_life = models.BooleanField(_("双重组织生活"), default=False)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        ordering = ["meeting", "is_observer", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                name="one_attendance_per_member",
                violation_error_message=_("该党员已在本次会议名单中。"),
            ),
            models.CheckConstraint(
                condition=~Q(is_observer=True, has_vote=True),
                name="observer_has_no_vote",
                violation_error_message=_("列席人员没有表决权。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.member_id} {self.status}"


ALLOWED_UPLOADS = {
    # extension: (content type, leading bytes a real file of that type starts with)
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "pdf": ("application/pdf", b"%PDF-"),
    # Meeting materials as offices write them (Word, Excel, WPS saving in their formats).
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP_MAGIC),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP_MAGIC),
    "doc": ("application/msword", OLE2_MAGIC),
    "xls": ("application/vnd.ms-excel", OLE2_MAGIC),
    # 党课 slides, and official documents in OFD (GB/T 33190), as they arrive from above.
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ZIP_MAGIC,
    ),
    "ppt": ("application/vnd.ms-powerpoint", OLE2_MAGIC),
    "ofd": ("application/ofd", ZIP_MAGIC),
}
# Where a zip upload's parts must live, the file that marks its kind, and its name in a refusal.
OOXML_PARTS = {
    "docx": ("word/", "[Content_Types].xml", "Word 文档"),
    "xlsx": ("xl/", "[Content_Types].xml", "Excel 工作簿"),
    "pptx": ("ppt/", "[Content_Types].xml", "PowerPoint 演示文稿"),
    "ofd": ("Doc_", "OFD.xml", "OFD 版式文件"),
}


class Attachment(models.Model):
    """A file kept with a meeting: photos, the scanned sign-in sheet, a PDF of materials."""

    class Kind(models.TextChoices):
        photo = "photo", _("会议照片")
        sign_sheet = "sign_sheet", _("签到表扫描件")
        material = "material", _("会议材料")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.photo)
    file = models.FileField(upload_to="meetings/%Y/%m/", max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)  # OOXML types run to 71 characters
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
        ordering = ["meeting", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


def member_categories_on(member_ids: list[int], day: dt.date) -> dict[int, str]:
    """Each member's category (正式/预备) in force on `day`, from the history chain."""
    from tiejun.org.models import MemberChange

    rows = MemberChange.objects.as_of(day).filter(member_id__in=member_ids)
    return dict(rows.values_list("member_id", "category"))


def must_talk_triggers(on: dt.date | None = None) -> list[str]:
    """The 必谈事由 in force on `on`: a rules-table row, so each deployment keeps its own list."""
    return [str(kind) for kind in rules.get("talk.must_talk.triggers", on)]


class LifeEventQuerySet(models.QuerySet["LifeEvent"]):
    def visible_to(self, user: User) -> LifeEventQuerySet:
        """Personal matters: only the org roles of the member's branch and the offices above.
        An ordinary member sees none, not even his own (the talk is what he sees)."""
        scope = user.scope_path()
        if scope is None or user.is_member_only:
            return self.none()
        return self.filter(subtree_q("org__path", scope))

    def open(self) -> LifeEventQuerySet:
        """Not yet answered by a talk."""
        return self.exclude(Exists(Talk.objects.filter(life_event=OuterRef("pk"))))


class LifeEvent(models.Model):
    """必谈事由: something in a member's life after which the branch must talk with them."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="life_events", verbose_name=_("党员")
    )
    # The member's org when the event was recorded: whose work the talk is, and the scope.
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="life_events", verbose_name=_("党组织")
    )
    # Stored as the text of the trigger list in force, so a later change of the list never
    # renames what was recorded.
    kind = models.CharField(_("事由"), max_length=40)
    happened_on = models.DateField(_("发生日期"))
    note = models.CharField(_("情况说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LifeEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("必谈事由")
        verbose_name_plural = _("必谈事由")
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["org", "happened_on"], name="life_event_org_day")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.happened_on:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.happened_on and self.happened_on > timezone.localdate():
            errors["happened_on"] = _("发生日期不能晚于今天。")
        if self.kind and self.kind not in must_talk_triggers(timezone.localdate()):
            errors["kind"] = _("“%(kind)s”不在本地必谈事由清单中：%(list)s。") % {
                "kind": self.kind,
                "list": "、".join(must_talk_triggers(timezone.localdate())),
            }
        if errors:
            raise ValidationError(errors)

    def due_on(self, within_days: int | None = None) -> dt.date:
        """The day the talk is due: the event's day plus the configured number of days."""
        days = within_days if within_days is not None else within_days_on(timezone.localdate())
        return self.happened_on + dt.timedelta(days=days)


def within_days_on(day: dt.date) -> int:
    return int(rules.get("talk.must_talk.within_days", day))


class TalkQuerySet(models.QuerySet["Talk"]):
    def visible_to(self, user: User) -> TalkQuerySet:
        """Org roles: the talks of their subtree. A member: only talks he held or received."""
        scope = user.scope_path()
        if scope is None:
            return self.none()
        if user.is_member_only:
            if user.member_id is None:
                return self.none()
            return self.filter(Q(talker_id=user.member_id) | Q(talkee_id=user.member_id))
        return self.filter(subtree_q("org__path", scope))

    def heart(self) -> TalkQuerySet:
        return self.filter(kind=Talk.Kind.heart)

    def in_year(self, year: int) -> TalkQuerySet:
        return self.filter(held_on__gte=dt.date(year, 1, 1), held_on__lte=dt.date(year, 12, 31))


class Talk(models.Model):
    """谈心谈话 or 廉政谈话/提醒: who talked with whom, when, about what, and what follows."""

    class Kind(models.TextChoices):
        heart = "heart", _("谈心谈话")
        integrity = "integrity", _("廉政谈话/提醒")

    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="talks", verbose_name=_("党组织")
    )
    kind = models.CharField(_("谈话类型"), max_length=20, choices=Kind.choices, default=Kind.heart)
    talker = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="talks_held", verbose_name=_("谈话人")
    )
    talkee = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="talks_received", verbose_name=_("谈话对象")
    )
    held_on = models.DateField(_("谈话日期"))
    place = models.CharField(_("谈话地点"), max_length=100, blank=True)
    topic = models.CharField(_("谈话主题"), max_length=200)
    content = models.TextField(_("谈话内容"), blank=True)
    follow_up = models.TextField(_("后续跟进"), blank=True)
    life_event = models.ForeignKey(
        LifeEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="talks",
        verbose_name=_("答复的必谈事由"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TalkQuerySet.as_manager()

    class Meta:
        verbose_name = _("谈话记录")
        verbose_name_plural = _("谈话记录")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["org", "held_on"], name="talk_org_day"),
            models.Index(fields=["talker", "held_on"], name="talk_talker_day"),
            models.Index(fields=["talkee", "held_on"], name="talk_talkee_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(talker=models.F("talkee")),
                name="talk_talker_not_talkee",
                violation_error_message=_("谈话人和谈话对象不能是同一人。"),
            ),
            models.UniqueConstraint(
                fields=["life_event"],
                condition=Q(life_event__isnull=False),
                name="one_talk_per_life_event",
                violation_error_message=_("该必谈事由已有谈话记录。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": _("谈话日期不能晚于今天。")})
        event = self.life_event
        if event is None:
            return
        if self.talkee_id and event.member_id != self.talkee_id:
            raise ValidationError({"life_event": _("必谈事由须是谈话对象本人的。")})
        if self.held_on and self.held_on < event.happened_on:
            raise ValidationError({"held_on": _("谈话日期不能早于必谈事由的发生日期。")})

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiejun.accounts.roles import Role
from tiejun.choices import ChoiceLabels
from tiejun.org.models import PATH_MAX, subtree_q

if TYPE_CHECKING:
    from tiejun.accounts.models import User


class Stage(models.TextChoices):
    """How pressing a reminder is; the inbox shows the word on an amber or red tag."""

    due_soon = "due_soon", _("即将到期")
    due = "due", _("临期")
    overdue = "overdue", _("已逾期")


STAGE_TAG: dict[str, str] = {Stage.due_soon: "amber", Stage.due: "amber", Stage.overdue: "red"}
# Overdue first, then what is nearest; the inbox sorts by this, then by the date.
STAGE_RANK: dict[str, int] = {Stage.overdue: 0, Stage.due: 1, Stage.due_soon: 2}
BRANCH_ROLES = (Role.secretary, Role.committee_member)


class ReminderQuerySet(models.QuerySet["Reminder"]):
    def open(self) -> ReminderQuerySet:
        return self.filter(resolved_at__isnull=True)

    def visible_to(self, user: User) -> ReminderQuerySet:
        """Open or resolved reminders this user must act on: one indexed filter, no loop.

        Office accounts get the office reminders of their subtree; secretaries and committee
        members the branch reminders of theirs; everyone with a member record their own
        personal ones. The three administrators hold no Party work, so they get none.
        """
        scope = user.scope_path()
        if scope is None:
            return self.none()
        audience = Q(member_id=user.member_id) if user.member_id else Q(pk__in=[])
        if user.role == Role.office:
            audience |= subtree_q("org_path", scope) & Q(notify_office=True)
        elif user.role in BRANCH_ROLES:
            audience |= subtree_q("org_path", scope) & Q(notify_branch=True)
        return self.filter(audience)

    def for_user(self, user: User) -> ReminderQuerySet:
        return self.visible_to(user).open()

    def in_inbox_order(self) -> ReminderQuerySet:
        rank = Case(
            *(When(stage=stage, then=Value(n)) for stage, n in STAGE_RANK.items()),
            default=Value(len(STAGE_RANK)),
            output_field=IntegerField(),
        )
        return self.order_by(rank, "due_on", "id")


class Reminder(ChoiceLabels, models.Model):
    """Something a person must do by a date, produced by a rule; open until the rule stops
    producing it (the condition is resolved), never closed by a click."""

    rule = models.CharField(_("规则"), max_length=40)
    # Stable identity within the rule ("reelection:committee:42:3m"): evaluation is an upsert.
    key = models.CharField(max_length=120)
    org = models.ForeignKey(
        "org.Org", on_delete=models.CASCADE, related_name="+", verbose_name=_("党组织")
    )
    # Copy of org.path, so an inbox is one range scan of one table; the engine keeps it current.
    org_path = models.CharField(max_length=PATH_MAX)
    title = models.CharField(_("事项"), max_length=200)
    due_on = models.DateField(_("期限"))
    stage = models.CharField(_("状态"), max_length=20, choices=Stage.choices)
    url = models.CharField(_("链接"), max_length=300)
    # Who must act: derived from these columns and each account's role and scope, never stored
    # per account, so a new secretary sees the open items of the branch the day they start.
    notify_office = models.BooleanField(default=True)
    notify_branch = models.BooleanField(default=True)
    member = models.ForeignKey(
        "org.Member", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(_("消除时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "key"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_reminder_per_key",
                violation_error_message=_("同一事项只能有一条未消除的提醒。"),
            )
        ]
        indexes = [
            models.Index(
                fields=["org_path", "due_on"],
                condition=Q(resolved_at__isnull=True),
                name="reminder_open_tree",
            ),
            models.Index(
                fields=["member"],
                condition=Q(resolved_at__isnull=True),
                name="reminder_open_member",
            ),
            models.Index(
                fields=["emailed_at"],
                condition=Q(resolved_at__isnull=True),
                name="reminder_open_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule}:{self.key}"

    @property
    def tag(self) -> str:
        return STAGE_TAG.get(self.stage, "grey")

    @property
    def overdue_days(self) -> int:
        """Days past the deadline while open and overdue; 0 otherwise."""
        if self.stage != Stage.overdue or self.resolved_at is not None:
            return 0
        return max((timezone.localdate() - self.due_on).days, 0)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class RuleState(models.Model):
    """The engine's row for one rule: when it last ran and what it found. Two runs of the same
    rule lock this row in turn, so the second sees what the first wrote."""

    rule = models.CharField(max_length=40, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_today = models.DateField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("提醒规则运行记录")
        verbose_name_plural = _("提醒规则运行记录")

    def __str__(self) -> str:
        return self.rule

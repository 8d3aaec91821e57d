from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tiejun import rules
from tiejun.choices import ChoiceLabels
from tiejun.lib import crypto, idcard
from tiejun.lib.dates import add_months, add_years

if TYPE_CHECKING:
    from tiejun.accounts.models import User

# A path is the chain of ancestors' segments; a segment is an org id in fixed-width base 36.
# Only [0-9A-Z] appear, so "every path that starts with P" is the range P .. P + "Z"*n in
# every collation (byte order on SQLite, glibc/ICU on PostgreSQL): an index range scan.
SEGMENT_WIDTH = 7
PATH_MAX = 255
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def path_segment(pk: int) -> str:
    out = ""
    while pk:
        pk, rem = divmod(pk, 36)
        out = _DIGITS[rem] + out
    return out.rjust(SEGMENT_WIDTH, "0")


def subtree_q(field: str, path: str) -> Q:
    return Q(**{f"{field}__gte": path, f"{field}__lte": path + "Z" * (PATH_MAX - len(path))})


class Unit(models.Model):
    """An administrative unit (司局/处室/直属单位) that orgs are built in; metrics hang on it."""

    class Kind(models.TextChoices):
        department = "department", _("厅（局）机关")
        division = "division", _("处室")
        affiliated = "affiliated", _("直属单位")
        local = "local", _("市县生态环境局")

    code = models.CharField(_("单位代码"), max_length=40, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类别"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行政单位")
        verbose_name_plural = _("行政单位")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class OrgQuerySet(models.QuerySet["Org"]):
    def visible_to(self, user: User) -> OrgQuerySet:
        scope = user.scope_path()
        if scope is None:
            return self.none()
        if user.is_member_only:
            return self.filter(pk=user.member.org_id) if user.member else self.none()
        return self.filter(subtree_q("path", scope))

    def subtree_of(self, org: Org) -> OrgQuerySet:
        return self.filter(subtree_q("path", org.path))

    def active(self, on: dt.date | None = None) -> OrgQuerySet:
        on = on or dt.date.today()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), dissolved_on__isnull=True)


class Org(ChoiceLabels, models.Model):
    """A node of the Party organization tree: 党组, 党委, 党总支, 党支部, 党小组, 临时党支部."""

    class Kind(models.TextChoices):
        party_group = "party_group", _("党组")
        committee = "committee", _("党委")
        general_branch = "general_branch", _("党总支")
        branch = "branch", _("党支部")
        group = "group", _("党小组")
        temporary_branch = "temporary_branch", _("临时党支部")

    # Which kinds may stand under which: a 党小组 only inside a branch, a branch under a
    # committee or general branch, a temporary branch wherever an inspection team is sent from.
    ALLOWED_PARENTS: dict[str, set[str | None]] = {
        Kind.party_group: {None, Kind.committee},
        Kind.committee: {None, Kind.committee, Kind.party_group},
        Kind.general_branch: {Kind.committee},
        Kind.branch: {Kind.committee, Kind.general_branch},
        Kind.temporary_branch: {Kind.committee, Kind.general_branch, Kind.party_group},
        Kind.group: {Kind.branch, Kind.temporary_branch},
    }

    code = models.CharField(_("组织代码"), max_length=40, unique=True)
    name = models.CharField(_("组织名称"), max_length=100)
    name_folded = models.CharField(max_length=100, db_index=True, editable=False)
    # The name as other sheets may write it (tiejun.org.names): how imports find it loosely.
    name_key = models.CharField(max_length=100, db_index=True, editable=False, default="")
    kind = models.CharField(_("组织类别"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级党组织"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("所在单位")
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    path = models.CharField(max_length=PATH_MAX, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    starts_on = models.DateField(_("成立日期"), null=True, blank=True)
    ends_on = models.DateField(_("撤销日期（临时党支部）"), null=True, blank=True)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    theme_day = models.PositiveSmallIntegerField(
        _("主题党日固定日期（每月几日）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("每月固定开展主题党日的日期，1–28；未填写则当月任一天均可"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["sort_order", "code"]
        indexes = [models.Index(fields=["parent", "sort_order", "code"], name="org_children")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="org_ends_after_start",
                violation_error_message=_("撤销日期不能早于成立日期。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def fold_names(self) -> None:
        """Derive the matching columns from the name (before every save that changes it)."""
        from tiejun.lib.chinese import fold_name
        from tiejun.org.names import name_key

        self.name_folded = fold_name(self.name)
        self.name_key = name_key(self.name_folded)

    def clean(self) -> None:
        parent_kind = self.parent.kind if self.parent else None
        if parent_kind not in self.ALLOWED_PARENTS.get(self.kind, set()):
            parent_label = self.parent.get_kind_display() if self.parent else _("（无上级）")
            raise ValidationError(
                {
                    "parent": _("%(kind)s不能设在%(parent)s之下。")
                    % {"kind": self.get_kind_display(), "parent": parent_label}
                }
            )
        if self.kind == self.Kind.temporary_branch and not self.starts_on:
            raise ValidationError({"starts_on": _("临时党支部须填写成立日期。")})

    def is_active(self, on: dt.date) -> bool:
        """One org's answer to OrgQuerySet.active(on): not dissolved, not past its end."""
        return self.dissolved_on is None and (self.ends_on is None or self.ends_on >= on)

    @property
    def is_temporary(self) -> bool:
        return self.kind == self.Kind.temporary_branch

    def ancestor_paths(self) -> list[str]:
        """The paths of the orgs above this one, the top first."""
        return [self.path[:end] for end in range(SEGMENT_WIDTH, len(self.path), SEGMENT_WIDTH)]

    def ancestors(self) -> models.QuerySet[Org]:
        return Org.objects.filter(path__in=self.ancestor_paths()).order_by("depth")

    def is_within(self, other: Org) -> bool:
        return self.path.startswith(other.path)

    def term_years(self) -> int:
        return int(rules.get("org.term_years").get(self.kind, 0))

    def current_committee(self) -> Committee | None:
        return self.committees.filter(ended_on__isnull=True).order_by("-elected_on").first()


class Committee(models.Model):
    """One elected committee (一届) of an org: its election date and term, and its seats."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="committees")
    number = models.PositiveSmallIntegerField(_("届次"), null=True, blank=True)
    elected_on = models.DateField(_("选举日期"))
    term_years = models.PositiveSmallIntegerField(_("任期（年）"))
    ended_on = models.DateField(_("换届日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("委员会")
        verbose_name_plural = _("委员会")
        ordering = ["org", "-elected_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["org"],
                condition=Q(ended_on__isnull=True),
                name="one_current_committee",
                violation_error_message=_("该组织已有一届未换届的委员会。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.elected_on:%Y}"

    @property
    def expires_on(self) -> dt.date:
        try:
            return self.elected_on.replace(year=self.elected_on.year + self.term_years)
        except ValueError:  # elected on 29 February
            return self.elected_on.replace(year=self.elected_on.year + self.term_years, day=28)


class CommitteeSeat(models.Model):
    """A member's position on a committee: 书记, 副书记, 组织委员, 宣传委员, 纪检委员 …"""

    class Position(models.TextChoices):
        secretary = "secretary", _("书记")
        deputy = "deputy", _("副书记")
        organization = "organization", _("组织委员")
        publicity = "publicity", _("宣传委员")
        discipline = "discipline", _("纪检委员")
        youth = "youth", _("青年委员")
        women = "women", _("妇女委员")
        member = "member", _("委员")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey("Member", on_delete=models.PROTECT, related_name="seats")
    position = models.CharField(_("职务"), max_length=20, choices=Position.choices)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "member"],
                name="one_seat_per_member",
                violation_error_message=_("该党员已在本届委员会任职。"),
            ),
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(position="secretary"),
                name="one_secretary",
                violation_error_message=_("一届委员会只有一名书记。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_position_display()} {self.member}"


EDUCATION_CHOICES = [
    ("博士研究生", "博士研究生"),
    ("硕士研究生", "硕士研究生"),
    ("大学本科", "大学本科"),
    ("大学专科", "大学专科"),
    ("中等专科", "中等专科"),
    ("高中", "高中"),
    ("初中及以下", "初中及以下"),
]


class MemberQuerySet(models.QuerySet["Member"]):
    def visible_to(self, user: User) -> MemberQuerySet:
        scope = user.scope_path()
        if scope is None:
            return self.none()
        if user.is_member_only:
            return self.filter(pk=user.member_id) if user.member_id else self.none()
        return self.filter(subtree_q("org_path", scope))

    def in_subtree(self, org: Org) -> MemberQuerySet:
        return self.filter(subtree_q("org_path", org.path))

    def search(self, text: str) -> MemberQuerySet:
        from tiejun.lib.chinese import fold_name

        key = fold_name(text)
        return self.filter(search_text__contains=key) if key else self


class Member(ChoiceLabels, models.Model):
    """A Party member's current record (一人一表); its dated history is in MemberChange."""

    class Gender(models.TextChoices):
        male = "male", _("男")
        female = "female", _("女")

    class Category(models.TextChoices):
        full = "full", _("正式党员")
        probationary = "probationary", _("预备党员")

    class Status(models.TextChoices):
        active = "active", _("在册")
        transferred_out = "transferred_out", _("转出")
        suspended = "suspended", _("停止党籍")
        deceased = "deceased", _("去世")

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"))
    id_cipher = models.TextField(editable=False)
    id_digest = models.CharField(max_length=64, unique=True, editable=False)
    id_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    education = models.CharField(_("学历"), max_length=20, choices=EDUCATION_CHOICES, blank=True)
    joined_on = models.DateField(_("入党日期"))
    full_on = models.DateField(_("转正日期"), null=True, blank=True)
    category = models.CharField(_("人员类别"), max_length=20, choices=Category.choices)
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在党组织")
    )
    # Copy of org.path: subtree filters and counts read one table and one index.
    org_path = models.CharField(max_length=PATH_MAX, editable=False)
    post = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    status = models.CharField(
        _("党籍状态"), max_length=20, choices=Status.choices, default=Status.active
    )
    search_text = models.CharField(max_length=300, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["org_path", "name", "id"]
        indexes = [
            models.Index(fields=["org_path", "name", "id"], name="member_tree_order"),
            models.Index(fields=["status", "org_path", "name", "id"], name="member_status_tree"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(full_on__isnull=True) | Q(full_on__gte=models.F("joined_on")),
                name="member_full_after_join",
                violation_error_message=_("转正日期不能早于入党日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(category="probationary") | Q(full_on__isnull=True),
                name="member_probationary_not_full",
                violation_error_message=_("预备党员不应有转正日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # Fields a change event records (the ID number is recorded masked, never in plain text).
    TRACKED_FIELDS = (
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "id_masked",
        "education",
        "joined_on",
        "full_on",
        "category",
        "org_id",
        "post",
        "phone",
        "status",
    )

    def id_number(self) -> str:
        return crypto.decrypt(self.id_cipher)

    def set_id_number(self, number: str) -> None:
        self.id_cipher = crypto.encrypt(number)
        self.id_digest = crypto.lookup_digest(number)
        self.id_masked = idcard.mask(number)

    @property
    def phone_masked(self) -> str:
        return idcard.mask_phone(self.phone)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        min_age = rules.get("development.applicant.min_age")
        if self.birth_date and self.joined_on:
            adult_on = add_years(self.birth_date, min_age)
            if self.joined_on < adult_on:
                errors["joined_on"] = _("入党时未满%(age)s周岁。") % {"age": min_age}
        if self.category == self.Category.full and self.full_on is None and self.joined_on:
            probation = rules.get("development.probation.months")
            if self.joined_on > add_months(dt.date.today(), -probation):
                errors["full_on"] = _("入党未满预备期的正式党员须填写转正日期。")
        if self.category == self.Category.probationary and self.full_on:
            errors["full_on"] = _("预备党员不应有转正日期。")
        if self.full_on and self.joined_on and self.full_on < self.joined_on:
            errors["full_on"] = _("转正日期不能早于入党日期。")
        if errors:
            raise ValidationError(errors)

    def snapshot(self) -> dict[str, Any]:
        return {name: _plain(getattr(self, name)) for name in self.TRACKED_FIELDS}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


class MemberChangeQuerySet(models.QuerySet["MemberChange"]):
    def as_of(self, day: dt.date) -> MemberChangeQuerySet:
        """The one row per member that was in force on `day`."""
        return self.filter(effective_on__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )

    def visible_to(self, user: User) -> MemberChangeQuerySet:
        scope = user.scope_path()
        if scope is None:
            return self.none()
        if user.is_member_only:
            return self.filter(member_id=user.member_id) if user.member_id else self.none()
        return self.filter(subtree_q("org_path", scope))

    def in_subtree(self, org: Org) -> MemberChangeQuerySet:
        return self.filter(subtree_q("org_path", org.path))

    def search(self, text: str) -> MemberChangeQuerySet:
        from tiejun.lib.chinese import fold_name

        key = fold_name(text)
        return self.filter(member__search_text__contains=key) if key else self


class MemberChange(ChoiceLabels, models.Model):
    """A dated change of a member's record: who, when, old → new, and the state it left.

    Rows of one member form a chain of validity intervals [effective_on, valid_to), so the
    ledger "as of" any day is one indexed filter.
    """

    class Kind(models.TextChoices):
        created = "created", _("建档")
        updated = "updated", _("信息变更")
        moved = "moved", _("组织关系变动")
        status = "status", _("党籍状态变更")
        imported = "imported", _("批量导入")

    # No index of its own: change_member_open starts with it (an import writes one row a member).
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="changes", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    effective_on = models.DateField(_("生效日期"))
    valid_to = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("变更原因"), max_length=200, blank=True)
    changes = models.JSONField(default=dict)
    state = models.JSONField(default=dict)
    # The scoping and filter columns of `state`, as columns, for the as-of ledger.
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=PATH_MAX)
    category = models.CharField(max_length=20, choices=Member.Category.choices)
    status = models.CharField(max_length=20, choices=Member.Status.choices)

    objects = MemberChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员信息变更")
        verbose_name_plural = _("党员信息变更")
        ordering = ["member", "effective_on", "id"]
        indexes = [
            models.Index(fields=["org_path", "effective_on"], name="change_tree_day"),
            models.Index(fields=["member", "valid_to"], name="change_member_open"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.effective_on} {self.kind}"


class DualLife(models.Model):
    """双重组织生活: a leader attached to a branch as an ordinary member, besides their own org."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="dual_lives")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="dual_members")
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("双重组织生活")
        verbose_name_plural = _("双重组织生活")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "org"],
                condition=Q(until__isnull=True),
                name="one_open_dual_life",
                violation_error_message=_("该党员已在此组织过双重组织生活。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.org}"

"""A member's history as a readable timeline: who changed what, when, old → new."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from tiejun.org.models import EDUCATION_CHOICES, Member, MemberChange, Org

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FIELD_LABELS: dict[str, StrOrPromise] = {
    "name": _("姓名"),
    "gender": _("性别"),
    "ethnicity": _("民族"),
    "birth_date": _("出生日期"),
    "id_masked": _("身份证号"),
    "education": _("学历"),
    "joined_on": _("入党日期"),
    "full_on": _("转正日期"),
    "category": _("人员类别"),
    "org_id": _("所在党组织"),
    "post": _("职务"),
    "phone": _("手机号码"),
    "status": _("党籍状态"),
}
# Labels are lazy: this module is imported once, the language is chosen per request.
_CHOICES: dict[str, dict[str, StrOrPromise]] = {
    "gender": dict(Member.Gender.choices),
    "category": dict(Member.Category.choices),
    "status": dict(Member.Status.choices),
    "education": dict(EDUCATION_CHOICES),
}


@dataclass
class Entry:
    change: MemberChange
    rows: list[tuple[str, str, str]]


def _show(field: str, value: Any, org_names: dict[int, str]) -> str:
    if value in (None, ""):
        return "—"
    if field == "org_id":
        return org_names.get(value, str(value))
    if field == "phone":
        from tiejun.lib.idcard import mask_phone

        return mask_phone(str(value))
    return str(_CHOICES.get(field, {}).get(value, value))


def timeline_for(member: Member) -> list[Entry]:
    changes = list(member.changes.select_related("recorded_by").order_by("-effective_on", "-id"))
    org_ids = {v for c in changes for v in c.changes.get("org_id", []) if v}
    org_names = dict(Org.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    return [
        Entry(
            change,
            [
                (
                    FIELD_LABELS.get(field, field),
                    _show(field, old, org_names),
                    _show(field, new, org_names),
                )
                for field, (old, new) in change.changes.items()
            ],
        )
        for change in changes
    ]

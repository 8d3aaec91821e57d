"""Writes that span models: members with their change chain, orgs with their paths."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from tiejun.accounts import audit
from tiejun.accounts.models import User
from tiejun.lib import chinese
from tiejun.org.models import Member, MemberChange, Org, path_segment, subtree_q


class StaleEdit(Exception):
    """Someone saved the record after this editor loaded it (SECURITY.md item 17)."""

    message = _("该记录已被他人修改，您的修改未保存。请刷新页面，核对最新内容后再修改。")


@dataclass(frozen=True)
class MemberData:
    """The editable fields of a member, already validated by a form or an importer."""

    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    id_number: str
    education: str
    joined_on: dt.date
    full_on: dt.date | None
    category: str
    org: Org
    post: str
    phone: str
    status: str = Member.Status.active


def _apply(member: Member, data: MemberData) -> None:
    for name in ("name", "gender", "ethnicity", "birth_date", "education", "joined_on",
                 "full_on", "category", "post", "phone", "status"):
        setattr(member, name, getattr(data, name))
    member.name = chinese.clean(data.name).replace(" ", "")
    member.org = data.org
    member.org_path = data.org.path
    member.search_text = chinese.search_key(member.name)
    if not member.id_cipher or member.id_number() != data.id_number:
        member.set_id_number(data.id_number)


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _change_kind(changes: dict[str, Any]) -> str:
    if "status" in changes:
        return MemberChange.Kind.status
    if "org_id" in changes:
        return MemberChange.Kind.moved
    return MemberChange.Kind.updated


def _open_change(member: Member, *, kind: str, changes: dict[str, Any], effective_on: dt.date,
                 by: User | None, reason: str) -> MemberChange:
    """Close the member's open interval at `effective_on` and open a new one."""
    last = member.changes.filter(valid_to__isnull=True).order_by("-effective_on", "-id").first()
    if last is not None:
        if effective_on < last.effective_on:
            raise ValidationError(
                {"effective_on": _("生效日期不能早于该党员上一次变更的生效日期（%(d)s）。")
                 % {"d": last.effective_on.isoformat()}}
            )
        MemberChange.objects.filter(pk=last.pk).update(valid_to=effective_on)
    return MemberChange.objects.create(
        member=member, kind=kind, effective_on=effective_on, recorded_by=by, reason=reason,
        changes=changes, state=member.snapshot(), org=member.org, org_path=member.org_path,
        category=member.category, status=member.status,
    )


@transaction.atomic
def create_member(*, data: MemberData, by: User | None, effective_on: dt.date | None = None,
                  reason: str = "", kind: str = MemberChange.Kind.created, request: Any = None) -> Member:
    member = Member()
    _apply(member, data)
    member.full_clean(exclude=["id_cipher", "id_digest", "id_masked", "search_text", "org_path"])
    member.save()
    _open_change(member, kind=kind, changes=_diff({}, member.snapshot()),
                 effective_on=effective_on or dt.date.today(), by=by, reason=reason)
    audit.record("member.create", request=request, user=by, obj=member)
    return member


@transaction.atomic
def update_member(*, member_id: int, data: MemberData, expected_version: int, by: User | None,
                  effective_on: dt.date | None = None, reason: str = "",
                  kind: str | None = None, request: Any = None) -> Member:
    """Apply an edit made against `expected_version`; refuse it if the record moved on since."""
    # The row lock makes "compare version, then write" one step: two editors cannot both pass.
    member = Member.objects.select_for_update().get(pk=member_id)
    if member.version != expected_version:
        raise StaleEdit
    before = member.snapshot()
    _apply(member, data)
    member.full_clean(exclude=["id_cipher", "id_digest", "id_masked", "search_text", "org_path"])
    changes = _diff(before, member.snapshot())
    if not changes:
        return member
    member.version += 1
    member.save()
    _open_change(member, kind=kind or _change_kind(changes), changes=changes,
                 effective_on=effective_on or dt.date.today(), by=by, reason=reason)
    audit.record("member.update", request=request, user=by, obj=member,
                 detail={"fields": sorted(changes)})
    return member


@transaction.atomic
def create_org(*, org: Org, by: User | None, request: Any = None) -> Org:
    """Save a new org (already cleaned) and give it its path under its parent."""
    org.name_folded = chinese.fold_name(org.name)
    # The path holds the org's own id, known only after the insert: a unique placeholder first.
    org.path = f"pending-{uuid.uuid4().hex}"
    org.save()
    org.path = (org.parent.path if org.parent else "") + path_segment(org.pk)
    org.depth = org.parent.depth + 1 if org.parent else 0
    org.save(update_fields=["path", "depth"])
    audit.record("org.create", request=request, user=by, obj=org)
    return org


@transaction.atomic
def update_org(*, org: Org, expected_version: int, by: User | None, request: Any = None) -> Org:
    """Save edits to an org; a new parent moves its whole subtree and the members in it."""
    current = Org.objects.select_for_update().get(pk=org.pk)
    if current.version != expected_version:
        raise StaleEdit
    org.name_folded = chinese.fold_name(org.name)
    org.version = current.version + 1
    if org.parent_id != current.parent_id:
        _move_subtree(org, current.path)
    org.save()
    audit.record("org.update", request=request, user=by, obj=org)
    return org


def _move_subtree(org: Org, old_path: str) -> None:
    if org.parent and org.parent.path.startswith(old_path):
        raise ValidationError({"parent": _("不能把党组织移到它自己的下级组织之下。")})
    new_path = (org.parent.path if org.parent else "") + path_segment(org.pk)
    depth_shift = (org.parent.depth + 1 if org.parent else 0) - org.depth
    tail = Substr(F("path"), len(old_path) + 1)
    Org.objects.subtree_of(Org(path=old_path)).update(
        path=Concat(Value(new_path), tail), depth=F("depth") + depth_shift
    )
    # Access follows today's tree, so the history rows of moved members follow it too.
    moved_tail = Substr(F("org_path"), len(old_path) + 1)
    Member.objects.in_subtree(Org(path=old_path)).update(org_path=Concat(Value(new_path), moved_tail))
    MemberChange.objects.filter(subtree_q("org_path", old_path)).update(
        org_path=Concat(Value(new_path), moved_tail)
    )
    org.path, org.depth = new_path, org.depth + depth_shift

"""Writes that span models: members with their change chain, orgs with their paths."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from tiejun.accounts import audit
from tiejun.accounts.models import User
from tiejun.bulk_sql import insert_values
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


# Columns an editor never types: they are derived from the ID number, the name and the org.
DERIVED_FIELDS = ["id_cipher", "id_digest", "id_masked", "search_text", "org_path"]
# Fields a whole-record write (an edit or an import) may change.
EDITABLE_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "joined_on",
    "full_on",
    "category",
    "post",
    "phone",
    "status",
]


# What a bulk writer still runs the field checks on: text typed freely into a cell.
FREE_TEXT_FIELDS = ("name", "post", "phone")
_ALL_FIELDS = [f.name for f in Member._meta.fields]
_FREE_TEXT = [f for f in Member._meta.concrete_fields if f.name in FREE_TEXT_FIELDS]


@lru_cache(maxsize=32768)
def _search_key(name: str) -> str:
    # pypinyin costs tens of microseconds a name; imports meet the same names again and again.
    return chinese.search_key(name)


def apply_data(member: Member, data: MemberData) -> None:
    """Copy validated data onto a member, with the columns derived from it."""
    for name in EDITABLE_FIELDS:
        setattr(member, name, getattr(data, name))
    member.name = chinese.clean(data.name).replace(" ", "")
    member.org = data.org
    member.org_path = data.org.path
    member.search_text = _search_key(member.name)
    if not member.id_cipher or member.id_number() != data.id_number:
        member.set_id_number(data.id_number)


def validate_member(member: Member, *, in_bulk: bool = False) -> None:
    """Every rule a member must meet before it is saved; raises ValidationError.

    In bulk (imports) the caller answers for what costs time per row: it maps every cell except
    the free text onto a fixed vocabulary or a date (so choices and types hold), resolves the org
    through a scoped query, looks ID digests up per batch, and the check constraints are
    mirrored by Member.clean() and enforced by the database anyway. The free-text fields still
    go through their field checks (lengths), and Member.clean() holds the cross-field rules.
    """
    if not in_bulk:
        member.full_clean(exclude=DERIVED_FIELDS)
        return
    errors: dict[str, list[ValidationError]] = {}
    steps = [member.clean]
    if free_text := _free_text_to_check(member):
        others = [name for name in _ALL_FIELDS if name not in free_text]
        steps.insert(0, lambda: member.clean_fields(exclude=others))
    for step in steps:
        try:
            step()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _free_text_to_check(member: Member) -> list[str]:
    """The free-text fields whose value a field check could refuse (empty where required, too
    long, holding a NUL): the check, with its message, runs on those; plain short text skips it."""
    return [
        field.name for field in _FREE_TEXT
        if len(value := getattr(member, field.attname)) > (field.max_length or 0)
        or "\x00" in value or (not value and not field.blank)
    ]  # fmt: skip


def member_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def change_kind(changes: dict[str, Any]) -> str:
    if "status" in changes:
        return MemberChange.Kind.status
    if "org_id" in changes:
        return MemberChange.Kind.moved
    return MemberChange.Kind.updated


def check_effective_on(last_effective_on: dt.date | None, effective_on: dt.date) -> None:
    """A new interval may not start before the member's open one: the chain stays ordered."""
    if last_effective_on is not None and effective_on < last_effective_on:
        raise ValidationError(
            {
                "effective_on": _("生效日期不能早于该党员上一次变更的生效日期（%(d)s）。")
                % {"d": last_effective_on.isoformat()}
            }
        )


class OpenInterval(NamedTuple):
    """The open history row of a member: which row, and since when."""

    pk: int
    effective_on: dt.date


def open_changes_of(member_ids: list[int]) -> dict[int, OpenInterval]:
    """Each member's open history row (the latest, should a chain ever hold two)."""
    rows = MemberChange.objects.filter(member_id__in=member_ids, valid_to__isnull=True)
    ordered = rows.order_by("member_id", "effective_on", "id")
    return {
        member_id: OpenInterval(pk, effective_on)
        for member_id, pk, effective_on in ordered.values_list("member_id", "pk", "effective_on")
    }  # later rows of a member overwrite earlier ones: the latest wins


@dataclass(frozen=True)
class ChangeEntry:
    """One member's change to record: the member as saved, the kind, and the old → new diff."""

    member: Member
    kind: str
    changes: dict[str, Any]
    state: dict[str, Any] | None = None  # member.snapshot(), when the caller has it already


def open_changes(
    entries: list[ChangeEntry],
    *,
    effective_on: dt.date,
    by: User | None,
    reason: str,
    created: bool = False,
) -> None:
    """Close each member's open interval at `effective_on` and open a new one.

    Three queries whatever the number of members, so an edit and an import share this code;
    the new rows go as one bulk INSERT. Members `created` just now have no interval to close.
    """
    last = {} if created else open_changes_of([entry.member.pk for entry in entries])
    for entry in entries:
        found = last.get(entry.member.pk)
        check_effective_on(found.effective_on if found else None, effective_on)
    if last:
        MemberChange.objects.filter(pk__in=[row.pk for row in last.values()]).update(
            valid_to=effective_on
        )
    by_id = by.pk if by is not None else None
    insert_values(MemberChange, [
        {"member_id": entry.member.pk, "kind": entry.kind, "effective_on": effective_on,
         "recorded_by_id": by_id, "reason": reason, "changes": entry.changes,
         "state": entry.state or entry.member.snapshot(), "org_id": entry.member.org_id,
         "org_path": entry.member.org_path, "category": entry.member.category,
         "status": entry.member.status}
        for entry in entries
    ])  # fmt: skip


@transaction.atomic
def create_member(
    *,
    data: MemberData,
    by: User | None,
    effective_on: dt.date | None = None,
    reason: str = "",
    kind: str = MemberChange.Kind.created,
    request: Any = None,
) -> Member:
    member = Member()
    apply_data(member, data)
    validate_member(member)
    member.save()
    open_changes(
        [ChangeEntry(member, kind, member_diff({}, member.snapshot()))],
        effective_on=effective_on or dt.date.today(),
        by=by,
        reason=reason,
        created=True,
    )
    audit.record("member.create", request=request, user=by, obj=member)
    return member


@transaction.atomic
def update_member(
    *,
    member_id: int,
    data: MemberData,
    expected_version: int,
    by: User | None,
    effective_on: dt.date | None = None,
    reason: str = "",
    kind: str | None = None,
    request: Any = None,
) -> Member:
    """Apply an edit made against `expected_version`; refuse it if the record moved on since."""
    # The row lock makes "compare version, then write" one step: two editors cannot both pass.
    member = Member.objects.select_for_update().get(pk=member_id)
    if member.version != expected_version:
        raise StaleEdit
    before = member.snapshot()
    apply_data(member, data)
    validate_member(member)
    changes = member_diff(before, member.snapshot())
    if not changes:
        return member
    member.version += 1
    member.save()
    open_changes(
        [ChangeEntry(member, kind or change_kind(changes), changes)],
        effective_on=effective_on or dt.date.today(),
        by=by,
        reason=reason,
    )
    audit.record(
        "member.update", request=request, user=by, obj=member, detail={"fields": sorted(changes)}
    )
    return member


@transaction.atomic
def create_org(*, org: Org, by: User | None, request: Any = None) -> Org:
    """Save a new org (already cleaned) and give it its path under its parent."""
    org.fold_names()
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
    org.fold_names()
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
    Member.objects.in_subtree(Org(path=old_path)).update(
        org_path=Concat(Value(new_path), moved_tail)
    )
    MemberChange.objects.filter(subtree_q("org_path", old_path)).update(
        org_path=Concat(Value(new_path), moved_tail)
    )
    org.path, org.depth = new_path, org.depth + depth_shift

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tiejun.org import services
from tiejun.org.models import Member, MemberChange
from tiejun.testing import make_member, make_org


def _data(member: Member, **changes) -> services.MemberData:
    base = services.MemberData(
        name=member.name,
        gender=member.gender,
        ethnicity=member.ethnicity,
        birth_date=member.birth_date,
        id_number=member.id_number(),
        education=member.education,
        joined_on=member.joined_on,
        full_on=member.full_on,
        category=member.category,
        org=member.org,
        post=member.post,
        phone=member.phone,
        status=member.status,
    )
    return dataclasses.replace(base, **changes)


def test_an_edit_records_who_when_and_old_to_new(people):
    member = people.zhang
    services.update_member(
        member_id=member.pk,
        data=_data(member, post="副处长"),
        expected_version=member.version,
        by=people.office,
        effective_on=dt.date(2026, 3, 1),
        reason="职务调整",
    )
    change = member.changes.order_by("-id").first()
    assert change.changes == {"post": ["科员", "副处长"]}
    assert change.recorded_by == people.office
    assert change.reason == "职务调整"
    member.refresh_from_db()
    assert member.version == 2


def test_the_ledger_as_of_a_past_day_shows_the_org_of_that_day(people):
    member = make_member(people.branch_a, "赵敏", effective_on=dt.date(2020, 1, 1))
    services.update_member(
        member_id=member.pk,
        data=_data(member, org=people.branch_b),
        expected_version=member.version,
        by=people.office,
        effective_on=dt.date(2025, 6, 1),
    )
    in_a = MemberChange.objects.as_of(dt.date(2024, 12, 31)).in_subtree(people.branch_a)
    in_b = MemberChange.objects.as_of(dt.date(2025, 6, 1)).in_subtree(people.branch_b)
    assert member.pk in set(in_a.values_list("member_id", flat=True))
    assert member.pk in set(in_b.values_list("member_id", flat=True))
    assert member.changes.filter(kind=MemberChange.Kind.moved).exists()
    assert MemberChange.objects.as_of(dt.date(2019, 12, 31)).filter(member=member).count() == 0


def test_one_row_per_member_is_in_force_on_any_day(people):
    member = people.zhang
    for post in ["一级主任科员", "副处长", "处长"]:
        member = services.update_member(
            member_id=member.pk,
            data=_data(member, post=post),
            expected_version=member.version,
            by=None,
            effective_on=dt.date(2026, 5, 1),
        )
    assert MemberChange.objects.as_of(dt.date(2026, 5, 1)).filter(member=member).count() == 1
    assert (
        MemberChange.objects.as_of(dt.date(2026, 5, 1)).get(member=member).state["post"] == "处长"
    )


def test_a_change_dated_before_the_last_one_is_refused(people):
    member = people.zhang
    with pytest.raises(ValidationError) as error:
        services.update_member(
            member_id=member.pk,
            data=_data(member, post="处长"),
            expected_version=member.version,
            by=None,
            effective_on=member.joined_on - dt.timedelta(days=1),
        )
    assert "生效日期" in str(error.value)
    member.refresh_from_db()
    assert member.post == "科员"


def test_a_stale_edit_is_refused_and_nothing_is_lost(people):
    member = people.zhang
    loaded_version = member.version
    services.update_member(
        member_id=member.pk,
        data=_data(member, post="副处长"),
        expected_version=loaded_version,
        by=people.office,
    )
    with pytest.raises(services.StaleEdit):
        services.update_member(
            member_id=member.pk,
            data=_data(member, phone="13900000000"),
            expected_version=loaded_version,
            by=people.secretary_a,
        )
    member.refresh_from_db()
    assert (member.post, member.phone) == ("副处长", people.zhang.phone)


def test_an_unchanged_save_writes_no_history(people):
    member = people.zhang
    before = member.changes.count()
    services.update_member(
        member_id=member.pk, data=_data(member), expected_version=member.version, by=None
    )
    assert member.changes.count() == before


def test_the_id_number_is_stored_encrypted_and_recorded_masked(people):
    member = Member.objects.get(pk=people.zhang.pk)
    number = member.id_number()
    assert number not in member.id_cipher
    assert member.id_masked == number[:6] + "********" + number[-4:]
    first = member.changes.first()
    assert first is not None
    assert number not in str(first.state)


def test_moving_an_org_moves_its_subtree_and_its_members(people):
    other_root = make_org("离退休干部党委", "committee", code="RET")
    moved = people.branch_a
    moved.parent = other_root
    services.update_org(org=moved, expected_version=1, by=people.office)
    people.group_a.refresh_from_db()
    people.zhang.refresh_from_db()
    assert people.group_a.path.startswith(other_root.path)
    assert people.zhang.org_path.startswith(other_root.path)
    assert people.group_a.depth == 2


def test_an_org_cannot_move_under_its_own_subtree(people):
    root = people.root
    root.parent = people.branch_a
    with pytest.raises(ValidationError):
        services.update_org(org=root, expected_version=1, by=None)

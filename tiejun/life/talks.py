"""Workflows of talks: record a 必谈事由 and record a talk (which answers the event it is about),
and the yearly 谈心谈话 baseline of an org (each committee member with each member at least the
number of times the rules table sets, either talking or talked to).

Writes are keyword-only, atomic and audited; the baseline costs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tiejun import rules
from tiejun.accounts import audit
from tiejun.accounts.models import User
from tiejun.life.models import LifeEvent, Talk
from tiejun.org.models import CommitteeSeat, Member, Org


def member_holder(org: Org) -> Org:
    """A 党小组 holds no members of its own: they are registered with its branch."""
    return org.parent if org.kind == Org.Kind.group and org.parent else org


def own_members(org: Org) -> QuerySet[Member]:
    """The org's own active members: those registered with it or with its 党小组."""
    holder = member_holder(org)
    return Member.objects.filter(
        Q(org=holder) | Q(org__parent=holder, org__kind=Org.Kind.group),
        status=Member.Status.active,
    )


def get_talk_for_user(user: User, pk: object) -> Talk:
    try:
        return (
            Talk.objects.visible_to(user)
            .select_related("org", "talker", "talkee", "life_event")
            .get(pk=int(str(pk)))
        )
    except (Talk.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def get_life_event_for_user(user: User, pk: object) -> LifeEvent:
    try:
        return (
            LifeEvent.objects.visible_to(user).select_related("org", "member").get(pk=int(str(pk)))
        )
    except (LifeEvent.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


@transaction.atomic
def record_life_event(
    *,
    member: Member,
    kind: str,
    happened_on: dt.date,
    note: str = "",
    by: User | None,
    request: Any = None,
) -> LifeEvent:
    """登记必谈事由: the kind must be on the trigger list in force (a rules-table row)."""
    event = LifeEvent(
        member=member,
        org_id=member.org_id,
        kind=kind.strip(),
        happened_on=happened_on,
        note=note,
        recorded_by=by,
    )
    event.full_clean()
    event.save()
    audit.record(
        "talk.life_event",
        request=request,
        user=by,
        obj=event,
        detail={"member": member.pk, "kind": event.kind},
    )
    return event


def _open_event_for(talkee: Member, held_on: dt.date) -> LifeEvent | None:
    """The oldest unanswered 必谈事由 of the talkee that had happened by the talk's day."""
    return (
        LifeEvent.objects.open()
        .filter(member=talkee, happened_on__lte=held_on)
        .order_by("happened_on", "id")
        .first()
    )


@transaction.atomic
def record_talk(*, talk: Talk, by: User | None, request: Any = None) -> Talk:
    """记录谈话. A 谈心谈话 that names no event answers the talkee's oldest open one, so the
    secretary who simply records the talk with a member in hospital closes that reminder."""
    if talk.life_event_id is None and talk.kind == Talk.Kind.heart and talk.talkee_id:
        talk.life_event = _open_event_for(talk.talkee, talk.held_on or timezone.localdate())
    if talk.life_event_id is not None:
        # The row lock makes a second talk about the same event wait and then fail the
        # uniqueness check, instead of both answering it.
        LifeEvent.objects.select_for_update().filter(pk=talk.life_event_id).first()
    if (
        talk.talkee_id
        and talk.org_id
        and not talk.talkee.org_path.startswith(member_holder(talk.org).path)
    ):
        raise ValidationError({"talkee": _("谈话对象须是本组织的党员。")})
    talk.recorded_by = by
    talk.full_clean()
    talk.save()
    audit.record(
        "talk.record",
        request=request,
        user=by,
        obj=talk,
        detail={"kind": talk.kind, "talkee": talk.talkee_id, "life_event": talk.life_event_id},
    )
    return talk


@dataclass
class Pair:
    """Two people the baseline wants to have talked; `leader` is the committee member."""

    leader: Member
    other: Member
    talks: int


@dataclass
class Baseline:
    """One org's 谈心谈话 coverage for one year."""

    org: Org
    year: int
    per_pair: int
    leaders: list[Member] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.pairs)

    @property
    def covered(self) -> int:
        return sum(1 for pair in self.pairs if pair.talks >= self.per_pair)

    @property
    def share(self) -> float:
        return self.covered / self.total if self.total else 1.0

    @property
    def missing(self) -> list[Pair]:
        return [pair for pair in self.pairs if pair.talks < self.per_pair]

    def missing_by_leader(self) -> list[tuple[Member, list[Pair]]]:
        return [(row.leader, row.missing) for row in self.by_leader()]

    def by_leader(self) -> list[LeaderRow]:
        """Each committee member's pairs (those counted under him): done, due, who is left."""
        rows = {m.pk: LeaderRow(leader=m) for m in self.leaders}
        for pair in self.pairs:
            row = rows[pair.leader.pk]
            row.total += 1
            if pair.talks >= self.per_pair:
                row.covered += 1
            else:
                row.missing.append(pair)
        return list(rows.values())


@dataclass
class LeaderRow:
    leader: Member
    covered: int = 0
    total: int = 0
    missing: list[Pair] = field(default_factory=list)


def leaders_on(org: Org, day: dt.date) -> list[Member]:
    """The committee in office on `day` (the year's last day, or today in the current year)."""
    seats = (
        CommitteeSeat.objects.filter(committee__org=org, committee__elected_on__lte=day)
        .filter(Q(committee__ended_on__isnull=True) | Q(committee__ended_on__gt=day))
        .select_related("member", "committee")
        .order_by("-committee__elected_on", "sort_order", "id")
    )
    found = list(seats)
    newest = found[0].committee_id if found else None
    return [seat.member for seat in found if seat.committee_id == newest]


def baseline(*, org: Org, year: int, today: dt.date | None = None) -> Baseline:
    """Pairs of (committee member × member) and (committee member × committee member) of the
    org, each with the number of 谈心谈话 between them in `year`, either way round.
    Three queries whatever the size of the branch."""
    today = today or timezone.localdate()
    day = min(dt.date(year, 12, 31), today)
    per_pair = int(rules.get("talk.heart.per_pair_per_year", day))
    leaders = leaders_on(org, day)
    members = list(own_members(org).order_by("name", "id"))
    result = Baseline(org=org, year=year, per_pair=per_pair, leaders=leaders, members=members)
    if not leaders:
        return result
    people = {m.pk: m for m in [*members, *leaders]}
    leader_ids = [m.pk for m in leaders]
    rows = (
        Talk.objects.heart()
        .in_year(year)
        .filter(Q(talker_id__in=leader_ids) | Q(talkee_id__in=leader_ids))
        .filter(talker_id__in=list(people), talkee_id__in=list(people))
        .values_list("talker_id", "talkee_id")
    )
    counts = Counter(frozenset(pair) for pair in rows)
    seen: set[frozenset[int]] = set()
    for leader in leaders:
        for other in [*leaders, *members]:
            key = frozenset((leader.pk, other.pk))
            if other.pk == leader.pk or key in seen:
                continue
            seen.add(key)
            result.pairs.append(Pair(leader=leader, other=other, talks=counts[key]))
    return result

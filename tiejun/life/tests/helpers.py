"""Builders for meeting tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tiejun.life import services
from tiejun.life.models import Meeting
from tiejun.org.models import Committee, CommitteeSeat, Member, Org


def make_meeting(
    org: Org,
    kind: str = Meeting.Kind.general_assembly,
    held_on: dt.date | None = None,
    **fields: Any,
) -> Meeting:
    held_on = held_on or timezone.localdate()
    meeting = Meeting(
        org=org,
        kind=kind,
        held_on=held_on,
        title=fields.pop("title", f"{Meeting.Kind(kind).label}"),
        **fields,
    )
    return services.create_meeting(meeting=meeting, by=None)


def seat(
    org: Org,
    member: Member,
    position: str = CommitteeSeat.Position.member,
    elected_on: dt.date = dt.date(2024, 1, 10),
) -> CommitteeSeat:
    committee = org.committees.filter(ended_on__isnull=True).first() or Committee.objects.create(
        org=org, elected_on=elected_on, term_years=3
    )
    return CommitteeSeat.objects.create(committee=committee, member=member, position=position)

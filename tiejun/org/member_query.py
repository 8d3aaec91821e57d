"""Which members a list, a search or an export shows: the filters of the member list, applied
within the user's scope. The list page, its export and the background export share this."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from tiejun.accounts.models import User
from tiejun.org.access import get_org_for_user, scope_root
from tiejun.org.forms import MemberFilterForm
from tiejun.org.models import Member, MemberChange, Org


def filtered_members(
    user: User, form: MemberFilterForm
) -> tuple[QuerySet[Any], Org | None, dt.date | None]:
    """Members (or, with 截至日期, their history rows in force that day) matching the filters."""
    data = form.cleaned_data if form.is_valid() else {}
    org = get_org_for_user(user, data["org"]) if data.get("org") else scope_root(user)
    as_of = data.get("as_of")
    if as_of:
        rows: Any = (
            MemberChange.objects.visible_to(user).as_of(as_of).select_related("org", "member")
        )
        order = ["org_path", "member__name", "member_id"]
    else:
        rows = Member.objects.visible_to(user).select_related("org")
        order = ["org_path", "name", "id"]
    if org is not None and not user.is_member_only:
        rows = rows.filter(org=org) if data.get("direct") else rows.in_subtree(org)
    if data.get("category"):
        rows = rows.filter(category=data["category"])
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("q"):
        rows = rows.search(data["q"])
    return rows.order_by(*order), org, as_of


def members_to_export(user: User, params: dict[str, Any]) -> QuerySet[Member]:
    """The members an export of the list filtered by `params` (its query string) writes: with
    截至日期, the members whose history row was in force that day."""
    rows, _org, as_of = filtered_members(user, MemberFilterForm(params or None))
    if as_of:
        rows = Member.objects.filter(pk__in=rows.values("member_id")).order_by(
            "org_path", "name", "id"
        )
    return rows.select_related("org")

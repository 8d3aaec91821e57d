"""The rules that need only the org data: 换届提醒 (committee terms) and 转正提醒 (probation).

Each reads its numbers from the rules table on the evaluation day and costs two queries at
most, however many orgs and members there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiejun import rules
from tiejun.lib.dates import add_months, add_years
from tiejun.org.models import Committee, Member
from tiejun.reminders.engine import Due, Rule, register
from tiejun.reminders.models import Stage


def _url_pattern(name: str) -> str:
    """reverse() once ("/members/{}/"), not once per row of a big evaluation."""
    marker = 987654321
    return reverse(name, args=[marker]).replace(str(marker), "{}")


def _label_date(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


@register
class ReelectionRule(Rule):
    """换届提醒: a current committee whose term ends within the first of the reminder months
    (6, 3, 1 by default), one reminder per step, then overdue until a new committee is elected."""

    code = "reelection"
    label = gettext_lazy("换届提醒")

    def evaluate(self, *, today: dt.date) -> Iterator[Due]:
        months = sorted(set(rules.get("org.reelection.remind_months_before", today)))
        if not months:
            return
        horizon = add_months(today, months[-1])
        current = Committee.objects.filter(
            ended_on__isnull=True, term_years__gt=0, org__dissolved_on__isnull=True
        )
        terms = list(current.order_by().values_list("term_years", flat=True).distinct())
        if not terms:
            return
        # Elected on or before its cutoff, a committee of that term ends by the horizon.
        near = Q()
        for term in terms:
            near |= Q(term_years=term, elected_on__lte=add_years(horizon, -term))
        rows = (
            current.filter(near)
            .order_by()
            .values_list("pk", "number", "elected_on", "term_years", "org_id", "org__path")
        )
        tree = reverse("org:tree")
        for pk, number, elected_on, term, org_id, org_path in rows.iterator(chunk_size=2000):
            expires = add_years(elected_on, term)
            step = _reelection_step(expires, months, today)
            if step is None:
                continue
            yield Due(
                key=f"committee:{pk}:{step[0]}",
                org_id=org_id,
                org_path=org_path,
                title=_reelection_title(number, expires, step[0]),
                due_on=expires,
                stage=step[1],
                url=f"{tree}?org={org_id}",
            )


def _reelection_step(expires: dt.date, months: list[int], today: dt.date) -> tuple[str, str] | None:
    """("6m" | "3m" | "1m" | "overdue", stage), or None before the first reminder month."""
    if today > expires:
        return "overdue", Stage.overdue
    # The smallest reminder month whose window today is in: 6 → 3 → 1 as expiry nears.
    month = next((m for m in months if today >= add_months(expires, -m)), None)
    if month is None:
        return None
    return f"{month}m", Stage.due if month == months[0] else Stage.due_soon


def _reelection_title(number: int | None, expires: dt.date, step: str) -> str:
    which = _("第%(n)s届委员会") % {"n": number} if number else _("本届委员会")
    date = _label_date(expires)
    if step == "overdue":
        return _("%(which)s任期已于%(date)s届满，尚未换届") % {"which": which, "date": date}
    return _("%(which)s任期将于%(date)s届满（不足%(m)s个月），请做好换届准备") % {
        "which": which,
        "date": date,
        "m": step.rstrip("m"),
    }


@register
class ProbationRule(Rule):
    """转正提醒: a probationary member whose probation ends within the reminder days, or has
    ended while 转正 is not yet recorded. Goes to the branch, the office and the member."""

    code = "probation"
    label = gettext_lazy("转正提醒")

    def evaluate(self, *, today: dt.date) -> Iterator[Due]:
        months = rules.get("development.probation.months", today)
        days = rules.get("development.probation.remind_days_before", today)
        # Joined on or before this day, the probation ends within the window (or has ended).
        cutoff = add_months(today + dt.timedelta(days=days), -months)
        # Status is checked here, not in SQL: on SQLite a status filter picks the status index
        # and visits every member on the roll, where a plain scan for probationary is faster.
        # No ORDER BY: the model's ordering walks the name index over every member.
        rows = (
            Member.objects.filter(category=Member.Category.probationary, joined_on__lte=cutoff)
            .order_by()
            .values_list("pk", "name", "joined_on", "org_id", "org_path", "status")
        )
        detail = _url_pattern("org:member_detail")
        for pk, name, joined_on, org_id, org_path, status in rows.iterator(chunk_size=2000):
            if status != Member.Status.active:
                continue
            ends = add_months(joined_on, months)
            if today > ends:
                stage = Stage.overdue
                title = _("%(name)s预备期已于%(date)s期满，尚未办理转正")
            else:
                stage = Stage.due_soon
                title = _("%(name)s预备期将于%(date)s期满，请及时讨论转正")
            yield Due(
                key=f"member:{pk}",
                org_id=org_id,
                org_path=org_path,
                title=title % {"name": name, "date": _label_date(ends)},
                due_on=ends,
                stage=stage,
                url=detail.format(pk),
                member_id=pk,
            )

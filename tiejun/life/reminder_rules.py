"""Meeting reminders, from the compliance engine (never a second definition of "required"):

- 应开会议提醒 (`meeting_required`): a required meeting of this month or quarter not yet held
  when the period ends within the configured days (临期), and one missed last month or last
  quarter (已逾期). One reminder per org, kind and period.
- 主题党日提醒 (`theme_day`): an org with a fixed day that has held no 主题党日 this month,
  from a few days before that day (临期) and after it (已逾期).
- 组织生活会提醒 (`life_review`): no 组织生活会 this year, from the start of the quarter it is
  usually held in (即将到期, 临期 near the year's end); last year's missed one stays overdue
  until that quarter comes round again.

Each rule calls `compliance.compute` once or twice: a fixed number of queries per run.
Reminders go to the org's branch roles and to the office above (both audience flags).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiejun import rules
from tiejun.life import compliance
from tiejun.life.compliance import ComplianceTable, Item, OrgResult, Slot, Status
from tiejun.org.models import Org
from tiejun.reminders.engine import Due, Rule, register
from tiejun.reminders.models import Stage

THEME_DAY = "theme_day"
LIFE_REVIEW = "life_review"


def _required_kinds(on: dt.date, *, exclude: Iterable[str] = ()) -> set[str]:
    table = rules.get("meeting.required", on)
    kinds = {row["kind"] for rows in table.values() for row in rows}
    return kinds - set(exclude)


def _url(org: OrgResult, slot: Slot) -> str:
    return f"{reverse('life:compliance_calendar')}?org={org.pk}&period={slot.start.year}"


def _due(org: OrgResult, item: Item, stage: str, title: str, due_on: dt.date) -> Due:
    return Due(
        key=f"org:{org.pk}:{item.kind}:{item.slot.code}",
        org_id=org.pk,
        org_path=org.path,
        title=title,
        due_on=due_on,
        stage=stage,
        url=_url(org, item.slot),
    )


def _items(table: ComplianceTable) -> Iterator[tuple[OrgResult, Item]]:
    for org in table.orgs.values():
        for item in org.items:
            yield org, item


@register
class RequiredMeetingRule(Rule):
    """应开会议提醒: this period's meeting not yet held as the period ends; last period's missed."""

    code = "meeting_required"
    label = gettext_lazy("应开会议提醒")

    def evaluate(self, *, today: dt.date) -> Iterator[Due]:
        days = int(rules.get("meeting.remind.days_before_period_end", today))
        kinds = _required_kinds(today, exclude=[LIFE_REVIEW])
        quarter = compliance.current_quarter(today)
        seen: set[str] = set()
        for period in (compliance.previous(quarter), quarter):
            table = compliance.compute(
                period=period, orgs=Org.objects.all(), today=today, kinds=kinds
            )
            for org, item in _items(table):
                due = self._due(org, item, today, days)
                if due is not None and due.key not in seen:
                    seen.add(due.key)
                    yield due

    def _due(self, org: OrgResult, item: Item, today: dt.date, days: int) -> Due | None:
        current = compliance.slot_of(item.slot.per, today)
        names = {"period": item.slot.label, "kind": compliance.kind_label(item.kind)}
        if item.status == Status.missing and item.slot == compliance.previous(current):
            title = _("%(period)s应召开的%(kind)s未召开") % names
            return _due(org, item, Stage.overdue, title, item.slot.end)
        if item.status != Status.not_due or item.slot != current:
            return None
        if item.kind == THEME_DAY and org.theme_day:
            return None  # the 主题党日 rule reminds by the org's own day
        if (item.slot.end - today).days > days:
            return None
        title = _("%(period)s的%(kind)s尚未召开，请于%(end)s前召开") % {
            **names,
            "end": f"{item.slot.end:%Y-%m-%d}",
        }
        return _due(org, item, Stage.due, title, item.slot.end)


@register
class ThemeDayRule(Rule):
    """主题党日提醒: no 主题党日 yet this month for an org with a fixed day, as the day nears
    and after it has passed."""

    code = "theme_day"
    label = gettext_lazy("主题党日提醒")

    def evaluate(self, *, today: dt.date) -> Iterator[Due]:
        lead = int(rules.get("meeting.theme_day.remind_days_before", today))
        month = compliance.slot_of("month", today)
        orgs = Org.objects.filter(theme_day__isnull=False)
        table = compliance.compute(period=month, orgs=orgs, today=today, kinds={THEME_DAY})
        for org, item in _items(table):
            if item.kind != THEME_DAY or item.dates or not org.theme_day:
                continue
            window = compliance.theme_day_window(month.start.year, month.start.month, org.theme_day)
            fixed = month.start.replace(day=min(org.theme_day, month.end.day))
            names = {"day": f"{fixed:%Y-%m-%d}"}
            if today > max(window):
                title = _("本月主题党日固定在%(day)s，尚未开展") % names
                yield _due(org, item, Stage.overdue, title, fixed)
            elif today >= min(window) - dt.timedelta(days=lead):
                title = _("本月主题党日固定在%(day)s，请按时开展") % names
                yield _due(org, item, Stage.due, title, fixed)


@register
class LifeReviewRule(Rule):
    """组织生活会提醒: none held this year once its usual quarter has begun; last year's missed
    one until that quarter comes round again."""

    code = "life_review"
    label = gettext_lazy("组织生活会提醒")

    def evaluate(self, *, today: dt.date) -> Iterator[Due]:
        quarter = int(rules.get("meeting.life_review.usual_quarter", today))
        days = int(rules.get("meeting.remind.days_before_period_end", today))
        begins = compliance.quarter_slot(today.year, quarter).start
        year = compliance.year_slot(today.year)
        periods = [year] if today >= begins else [compliance.previous(year)]
        for period in periods:
            table = compliance.compute(
                period=period, orgs=Org.objects.all(), today=today, kinds={LIFE_REVIEW}
            )
            for org, item in _items(table):
                if item.kind != LIFE_REVIEW or item.status not in (Status.missing, Status.not_due):
                    continue
                yield self._due(org, item, today, days)

    def _due(self, org: OrgResult, item: Item, today: dt.date, days: int) -> Due:
        names = {"year": item.slot.start.year, "end": f"{item.slot.end:%Y-%m-%d}"}
        if item.status == Status.missing:
            title = _("%(year)s年度组织生活会未召开") % names
            return _due(org, item, Stage.overdue, title, item.slot.end)
        stage = Stage.due if (item.slot.end - today).days <= days else Stage.due_soon
        title = _("%(year)s年度组织生活会尚未召开，请于%(end)s前召开") % names
        return _due(org, item, stage, title, item.slot.end)


from tiejun.life import talk_reminder_rules  # noqa: E402, F401  (registers 必谈提醒)

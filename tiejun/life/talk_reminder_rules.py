"""必谈提醒 (`must_talk`): a 必谈事由 recorded for a member makes a talk due for the branch within
the configured days (临期), then overdue (已逾期) until a talk answering it is recorded.

One reminder per event, for the branch secretary and committee of the member's org; an overdue
one goes to the office above as well. Never to the member himself: the event is a personal
matter the branch acts on. One query per run, however many events there are.
(Imported by tiejun/life/reminder_rules.py, the module the engine discovers.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiejun.life.models import LifeEvent, within_days_on
from tiejun.org.models import Member
from tiejun.reminders.engine import Due, Rule, register
from tiejun.reminders.models import Stage


@register
class MustTalkRule(Rule):
    """必谈提醒: an unanswered 必谈事由, due until its day plus N days, then overdue."""

    code = "must_talk"
    label = gettext_lazy("必谈提醒")

    def evaluate(self, *, today: dt.date) -> Iterator[Due]:
        within = dt.timedelta(days=within_days_on(today))
        url = reverse("life:talk_create")
        rows = (
            LifeEvent.objects.open()
            .filter(member__status=Member.Status.active, happened_on__lte=today)
            .order_by()
            .values_list("pk", "member__name", "kind", "happened_on", "org_id", "org__path")
        )
        for pk, name, kind, happened_on, org_id, org_path in rows.iterator(chunk_size=2000):
            due_on = happened_on + within
            names = {"name": name, "kind": kind, "day": f"{happened_on:%Y-%m-%d}"}
            overdue = today > due_on
            if overdue:
                title = _("%(name)s%(kind)s（%(day)s），必谈谈话已逾期未开展") % names
            else:
                title = _("%(name)s%(kind)s（%(day)s），请于%(due)s前开展谈心谈话") % {
                    **names,
                    "due": f"{due_on:%Y-%m-%d}",
                }
            yield Due(
                key=f"event:{pk}",
                org_id=org_id,
                org_path=org_path,
                title=title,
                due_on=due_on,
                stage=Stage.overdue if overdue else Stage.due,
                url=f"{url}?event={pk}",
                notify_office=overdue,
                notify_branch=True,
            )

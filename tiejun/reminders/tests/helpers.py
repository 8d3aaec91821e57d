"""Builders for the reminder tests: committees with hand-picked dates, a fixed evaluation day."""

from __future__ import annotations

import datetime as dt

from tiejun.org.models import Committee, Org
from tiejun.reminders import engine
from tiejun.reminders.models import Reminder

TODAY = dt.date(2026, 11, 23)


def make_committee(
    org: Org, *, expires_on: dt.date, term_years: int = 3, number: int = 2
) -> Committee:
    elected_on = expires_on.replace(year=expires_on.year - term_years)
    return Committee.objects.create(
        org=org, number=number, elected_on=elected_on, term_years=term_years
    )


# Other apps register rules too (meetings, 主题党日 …); these tests are about the org rules.
OUR_RULES = ("reelection", "probation")


def run(today: dt.date = TODAY, *codes: str) -> dict[str, engine.Counts]:
    return engine.run(today=today, codes=codes or OUR_RULES)


def open_keys(rule: str | None = None) -> list[str]:
    reminders = Reminder.objects.open()
    if rule:
        reminders = reminders.filter(rule=rule)
    return sorted(reminders.values_list("key", flat=True))

"""The rule engine: each rule says which reminders should be open today; the engine makes it so.

A rule yields `Due` records. For each rule the engine, under that rule's lock row, loads the
open reminders of the rule in one query, creates the missing ones in bulk, updates the changed
ones in bulk and resolves (resolved_at = now) the open ones the rule no longer yields. So a
second run on the same day creates nothing, and two runs at once take turns per rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from itertools import islice
from typing import TYPE_CHECKING, ClassVar, TypeVar

from django.db import transaction
from django.utils import timezone

from tiejun.reminders.models import Reminder, RuleState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BATCH = 1000
T = TypeVar("T")


@dataclass(frozen=True)
class Due:
    """One reminder that should be open now: what, where, by when, for whom, and where to go."""

    key: str
    org_id: int
    org_path: str
    title: str
    due_on: dt.date
    stage: str
    url: str
    notify_office: bool = True
    notify_branch: bool = True
    member_id: int | None = None


# The Reminder columns a Due sets; a change in any of them is written on the next run.
DUE_FIELDS = tuple(f.name for f in fields(Due) if f.name != "key")


class Rule:
    """A reminder rule. Subclass, set `code` and `label`, write `evaluate`, decorate with
    @register. `evaluate` must cost a fixed number of queries, whatever the data size."""

    code: ClassVar[str]
    label: ClassVar[StrOrPromise]

    def evaluate(self, *, today: dt.date) -> Iterable[Due]:
        raise NotImplementedError


_REGISTRY: dict[str, type[Rule]] = {}
R = TypeVar("R", bound=type[Rule])


def register(rule: R) -> R:
    existing = _REGISTRY.get(rule.code)
    if existing is not None and existing is not rule:
        raise ValueError(f"reminder rule code {rule.code!r} is already taken by {existing}")
    _REGISTRY[rule.code] = rule
    return rule


def registered() -> list[type[Rule]]:
    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


def rule_label(code: str) -> str:
    rule = _REGISTRY.get(code)
    return str(rule.label) if rule else code


@dataclass
class Counts:
    created: int = 0
    kept: int = 0
    resolved: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.created += other.created
        self.kept += other.kept
        self.resolved += other.resolved
        return self


def _chunks(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def evaluate(rule: Rule, *, today: dt.date, now: dt.datetime | None = None) -> Counts:
    """Bring the open reminders of one rule in line with what it yields today."""
    now = now or timezone.now()
    wanted = {due.key: due for due in rule.evaluate(today=today)}
    RuleState.objects.get_or_create(rule=rule.code)
    with transaction.atomic():
        # The lock row makes a concurrent run of this rule wait until this one commits, so it
        # reads the reminders written here instead of creating them again. (On SQLite the
        # IMMEDIATE transaction already serializes writers; PostgreSQL needs the row lock.)
        state = RuleState.objects.select_for_update().get(rule=rule.code)
        existing = {r.key: r for r in Reminder.objects.open().filter(rule=rule.code)}
        counts = Counts(kept=len(existing.keys() & wanted.keys()))
        counts.created = _create(rule.code, [d for k, d in wanted.items() if k not in existing])
        _update(existing, wanted)
        gone = [r.pk for k, r in existing.items() if k not in wanted]
        for chunk in _chunks(gone):
            counts.resolved += Reminder.objects.filter(
                pk__in=chunk, resolved_at__isnull=True
            ).update(resolved_at=now)
        state.last_run_at, state.last_today = now, today
        state.created, state.kept, state.resolved = counts.created, counts.kept, counts.resolved
        state.save(update_fields=["last_run_at", "last_today", "created", "kept", "resolved"])
    return counts


def _create(code: str, dues: list[Due]) -> int:
    rows = [Reminder(rule=code, key=d.key, **{f: getattr(d, f) for f in DUE_FIELDS}) for d in dues]
    # ignore_conflicts: the partial unique index is the last guard should a writer slip past
    # the lock (a rule run outside `evaluate`); a conflicting row is simply already there.
    Reminder.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def _update(existing: dict[str, Reminder], wanted: dict[str, Due]) -> None:
    changed = []
    for key, reminder in existing.items():
        due = wanted.get(key)
        if due is None:
            continue
        values = {f: getattr(due, f) for f in DUE_FIELDS}
        if all(getattr(reminder, f) == v for f, v in values.items()):
            continue
        if reminder.stage != due.stage:
            # A reminder that became more pressing is news: the next digest sends it again.
            reminder.emailed_at = None
        for name, value in values.items():
            setattr(reminder, name, value)
        reminder.updated_at = timezone.now()
        changed.append(reminder)
    update_fields = [*DUE_FIELDS, "emailed_at", "updated_at"]
    Reminder.objects.bulk_update(changed, update_fields, batch_size=BATCH)


def run(*, today: dt.date | None = None, codes: Iterable[str] | None = None) -> dict[str, Counts]:
    """Evaluate the registered rules (or the named ones); counts per rule code."""
    today = today or timezone.localdate()
    now = timezone.now()
    wanted = set(codes) if codes is not None else None
    unknown = (wanted or set()) - _REGISTRY.keys()
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    return {
        rule.code: evaluate(rule(), today=today, now=now)
        for rule in registered()
        if wanted is None or rule.code in wanted
    }

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
STAGE_AT = DUE_FIELDS.index("stage")


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
        existing = _existing(rule.code)
        counts = Counts(kept=len(existing.keys() & wanted.keys()))
        counts.created = _create(rule.code, [d for k, d in wanted.items() if k not in existing])
        _update(existing, wanted)
        gone = [pk for k, (pk, _values) in existing.items() if k not in wanted]
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


def _existing(code: str) -> dict[str, tuple[int, tuple[object, ...]]]:
    """Open reminders of a rule: key → (pk, values of DUE_FIELDS), as tuples (cheap to load)."""
    rows = Reminder.objects.open().filter(rule=code).values_list("key", "pk", *DUE_FIELDS)
    return {key: (pk, tuple(values)) for key, pk, *values in rows.iterator(chunk_size=BATCH)}


def _update(existing: dict[str, tuple[int, tuple[object, ...]]], wanted: dict[str, Due]) -> None:
    changed, worse = [], []
    now = timezone.now()
    for key, (pk, values) in existing.items():
        due = wanted.get(key)
        if due is None:
            continue
        new = tuple(getattr(due, f) for f in DUE_FIELDS)
        if new == values:
            continue
        changed.append(Reminder(pk=pk, updated_at=now, **dict(zip(DUE_FIELDS, new, strict=True))))
        if values[STAGE_AT] != due.stage:
            worse.append(pk)
    Reminder.objects.bulk_update(changed, [*DUE_FIELDS, "updated_at"], batch_size=BATCH)
    # A reminder whose stage moved on is news: the next digest sends it again.
    for chunk in _chunks(worse):
        Reminder.objects.filter(pk__in=chunk).update(emailed_at=None)


def run(*, today: dt.date | None = None, codes: Iterable[str] | None = None) -> dict[str, Counts]:
    """Evaluate the registered rules (or the named ones); counts per rule code."""
    today = today or timezone.localdate()
    now = timezone.now()
    wanted = set(codes) if codes is not None else None
    unknown = (wanted or set()) - _REGISTRY.keys()
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    results = {
        rule.code: evaluate(rule(), today=today, now=now)
        for rule in registered()
        if wanted is None or rule.code in wanted
    }
    if wanted is None:
        results.update(_resolve_retired(now))
    return results


def _resolve_retired(now: dt.datetime) -> dict[str, Counts]:
    """A rule that was removed or renamed yields nothing any more: its reminders are resolved
    too, or they would sit in inboxes for ever."""
    retired = Reminder.objects.open().exclude(rule__in=list(_REGISTRY))
    codes = set(retired.values_list("rule", flat=True).distinct())
    return {
        code: Counts(resolved=retired.filter(rule=code).update(resolved_at=now)) for code in codes
    }

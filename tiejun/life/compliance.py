"""Compliance of organizational life: which meetings the rules require of each org in a period,
which were held, which are missing, late or not yet due, and the rate of each org and subtree.

What is required is data (the rules row `meeting.required`, whose counts point at the
`meeting.*` rows); this module only reads it. `compute()` costs a constant number of queries
whatever the number of orgs: the orgs, their committees, the member counts on each month's
first day (at most twelve) and the meetings held, all as tuples; the rest is Python.

Decisions where the regulations are silent (see also the rules row's comment):
- a meeting counts for the month (quarter, year) it is held in, nothing carries over;
- a slot (a month, quarter or year) is required only if the org existed on all of it, had
  members on its first day and, for 支委会, had a committee in office on its first day;
- a 党小组 has no members of its own (they are registered with the branch): it is required
  when its branch has members;
- a slot not yet over is 未到期, not 缺; it enters the rate only once it is met or over;
- a 主题党日 held in the month but not on the org's fixed day (nor, when that day is no working
  day, on the working day just before or after it) is 日期不符; a 支部党员大会 or 支委会 whose
  voting members present were not above the quorum share is 未达法定人数. Both were held and
  count in the rate, and are shown amber.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from operator import add
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiejun import rules
from tiejun.life.models import Meeting
from tiejun.org.models import Committee, Member, MemberChange, Org

PERS = ("month", "quarter", "year")
# Orgs whose requirements lapse when they have no members: the ones members are registered in.
MEMBER_KINDS = frozenset({Org.Kind.branch, Org.Kind.temporary_branch, Org.Kind.group})
QUARTER_NAMES = ("一", "二", "三", "四")


class PeriodError(ValueError):
    """A period the user typed that is not 2026, 2026-Q3 or 2026-07; the message is Chinese."""


@dataclass(frozen=True)
class Slot:
    """One month, quarter or year for which a meeting is due."""

    per: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.per == "month":
            return _("%(y)s年%(m)s月") % {"y": self.start.year, "m": self.start.month}
        if self.per == "quarter":
            return _("%(y)s年第%(q)s季度") % {
                "y": self.start.year,
                "q": QUARTER_NAMES[(self.start.month - 1) // 3],
            }
        return _("%(y)s年") % {"y": self.start.year}

    @property
    def code(self) -> str:
        if self.per == "month":
            return f"{self.start:%Y-%m}"
        if self.per == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def month_slot(year: int, month: int) -> Slot:
    return Slot("month", dt.date(year, month, 1), dt.date(year, month, _last_day(year, month)))


def quarter_slot(year: int, quarter: int) -> Slot:
    first = 3 * quarter - 2
    return Slot("quarter", dt.date(year, first, 1), month_slot(year, first + 2).end)


def year_slot(year: int) -> Slot:
    return Slot("year", dt.date(year, 1, 1), dt.date(year, 12, 31))


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def slot_of(per: str, day: dt.date) -> Slot:
    """The month, quarter or year that holds `day`."""
    if per == "month":
        return month_slot(day.year, day.month)
    if per == "quarter":
        return quarter_slot(day.year, (day.month - 1) // 3 + 1)
    return year_slot(day.year)


_PERIOD = re.compile(r"^(\d{4})(?:-(?:[Qq]([1-4])|(\d{1,2})))?$")


def parse_period(text: str) -> Slot:
    """'2026' → the year, '2026-Q3' → the quarter, '2026-07' → the month."""
    found = _PERIOD.match((text or "").strip())
    if not found:
        raise PeriodError(
            _("期间“%(text)s”无法识别，请写成 2026（年）、2026-Q3（季度）或 2026-07（月）。")
            % {"text": text}
        )
    year = int(found.group(1))
    if not 2000 <= year <= 2100:
        raise PeriodError(_("年份须在2000至2100之间。"))
    if found.group(2):
        return quarter_slot(year, int(found.group(2)))
    if found.group(3):
        month = int(found.group(3))
        if not 1 <= month <= 12:
            raise PeriodError(_("月份须在1至12之间。"))
        return month_slot(year, month)
    return year_slot(year)


def current_quarter(today: dt.date | None = None) -> Slot:
    return slot_of("quarter", today or timezone.localdate())


def previous(slot: Slot) -> Slot:
    return slot_of(slot.per, slot.start - dt.timedelta(days=1))


@dataclass(frozen=True)
class Requirement:
    """One line of the rules row `meeting.required` for a kind of org."""

    kind: str
    per: str
    count_key: str
    when: str = ""
    fixed_day: bool = False
    shown_in_quarter: str = ""
    voting: bool = False  # decided by vote, so the quorum applies (Meeting.VOTING_KINDS)


def requirements(org_kind: str, on: dt.date) -> list[Requirement]:
    table: dict[str, list[dict[str, Any]]] = rules.get("meeting.required", on)
    return [
        Requirement(
            kind=row["kind"],
            per=row["per"],
            count_key=row["count"],
            when=row.get("when", ""),
            fixed_day=bool(row.get("fixed_day", False)),
            shown_in_quarter=row.get("shown_in_quarter", ""),
            voting=row["kind"] in Meeting.VOTING_KINDS,
        )
        for row in table.get(org_kind, [])
    ]


def slots_in(period: Slot, req: Requirement) -> list[Slot]:
    """The slots of a requirement that a table of `period` lists."""
    if req.per == period.per:
        return [period]
    if PERS.index(req.per) < PERS.index(period.per):
        # Finer slots inside the period: its months, or the quarters of a year.
        slots, day = [], period.start
        while day <= period.end:
            slots.append(slot_of(req.per, day))
            day = slots[-1].end + dt.timedelta(days=1)
        return slots
    # A yearly meeting in a quarter's table only in the quarter it is usually held in; a
    # longer slot is otherwise not the obligation of a shorter period.
    if period.per == "quarter" and req.per == "year" and req.shown_in_quarter:
        quarter = int(rules.get(req.shown_in_quarter, period.start))
        if (period.start.month - 1) // 3 + 1 == quarter:
            return [year_slot(period.start.year)]
    return []


class Status:
    held = "held"
    off_day = "off_day"
    no_quorum = "no_quorum"
    missing = "missing"
    not_due = "not_due"


STATUS_LABELS = {
    Status.held: gettext_lazy("已开"),
    Status.off_day: gettext_lazy("日期不符"),
    Status.no_quorum: gettext_lazy("未达法定人数"),
    Status.missing: gettext_lazy("缺"),
    Status.not_due: gettext_lazy("未到期"),
}
STATUS_TAGS = {
    Status.held: "green",
    Status.off_day: "amber",
    Status.no_quorum: "amber",
    Status.missing: "red",
    Status.not_due: "grey",
}
# The worst status first: a cell summing several slots shows the first one present.
STATUS_ORDER = (Status.missing, Status.off_day, Status.no_quorum, Status.not_due, Status.held)


# expected, due, held, missing, not due, off day, no quorum
Counts = tuple[int, int, int, int, int, int, int]
ZERO: Counts = (0, 0, 0, 0, 0, 0, 0)


@dataclass(slots=True)
class Item:
    """One required meeting of one org in one slot, and what was held for it."""

    kind: str
    slot: Slot
    required: int
    dates: list[dt.date]
    status: str

    @property
    def held(self) -> int:
        return min(len(self.dates), self.required)

    @property
    def kind_label(self) -> str:
        return str(Meeting.Kind(self.kind).label)

    @property
    def word(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def tag(self) -> str:
        return STATUS_TAGS[self.status]

    @property
    def counted(self) -> int:
        """How much of it enters the rate's denominator: all once over, what is met before."""
        return self.required if self.status != Status.not_due else self.held

    def counts(self) -> Counts:
        """(expected, due, held, missing, not due, off day, no quorum), for summing fast."""
        held = self.held
        status = self.status
        if status == Status.not_due:
            return (self.required, held, held, 0, self.required - held, 0, 0)
        return (
            self.required,
            self.required,
            held,
            self.required - held,
            0,
            status == Status.off_day,
            status == Status.no_quorum,
        )


@dataclass
class Totals:
    """Sums over items: the rate is held ÷ due; the rest says why it is below 100%."""

    expected: int = 0
    due: int = 0
    held: int = 0
    missing: int = 0
    not_due: int = 0
    off_day: int = 0
    no_quorum: int = 0

    def add(self, item: Item) -> None:
        self.merge_counts(item.counts())

    def merge_counts(self, counts: Counts) -> None:
        self.expected += counts[0]
        self.due += counts[1]
        self.held += counts[2]
        self.missing += counts[3]
        self.not_due += counts[4]
        self.off_day += counts[5]
        self.no_quorum += counts[6]

    @property
    def rate(self) -> Decimal | None:
        if not self.due:
            return None
        share = Decimal(self.held * 100) / Decimal(self.due)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def status(self) -> str | None:
        if not self.expected:
            return None
        if self.missing:
            return Status.missing
        if self.off_day:
            return Status.off_day
        if self.no_quorum:
            return Status.no_quorum
        return Status.not_due if self.not_due else Status.held


@dataclass
class OrgResult:
    """One org of the table: its own items and why nothing is required when nothing is."""

    pk: int
    code: str
    name: str
    kind: str
    path: str
    depth: int
    parent_id: int | None
    items: list[Item] = field(default_factory=list)
    note: str = ""
    sort_order: int = 0
    theme_day: int | None = None

    def totals(self, kind: str | None = None) -> Totals:
        totals = Totals()
        for item in self.items:
            if kind is None or item.kind == kind:
                totals.add(item)
        return totals

    @property
    def kind_label(self) -> str:
        return str(Org.Kind(self.kind).label)


@dataclass
class ComplianceTable:
    """The result for a period: per org, and sums over any subtree of the orgs given."""

    period: Slot
    today: dt.date
    orgs: dict[int, OrgResult]
    _subtree: dict[str, dict[str | None, list[int]]] | None = None

    @property
    def kinds(self) -> list[str]:
        present = {item.kind for org in self.orgs.values() for item in org.items}
        return [kind for kind in Meeting.Kind.values if kind in present]

    def subtree(self, path: str, kind: str | None = None) -> Totals:
        """Sums over the org with `path` and every org below it in the table."""
        if self._subtree is None:
            self._subtree = self._sum_subtrees()
        counts = self._subtree.get(path, {}).get(kind)
        return Totals(*counts) if counts else Totals()

    def _sum_subtrees(self) -> dict[str, dict[str | None, list[int]]]:
        # Bottom up: each org's sums (its own items, then its children's sums) are added to
        # its parent's once, deepest orgs first; one pass, no query.
        sums: dict[int, dict[str | None, list[int]]] = {}
        for org in sorted(self.orgs.values(), key=lambda o: -o.depth):
            acc = sums.setdefault(org.pk, {})
            for item in org.items:
                counts = item.counts()
                for key in (item.kind, None):
                    acc[key] = list(map(add, acc.get(key, ZERO), counts))
            if acc and org.parent_id in self.orgs:
                parent = sums.setdefault(org.parent_id, {})
                for key, values in acc.items():
                    parent[key] = list(map(add, parent.get(key, ZERO), values))
        return {org.path: sums.get(org.pk, {}) for org in self.orgs.values()}

    def rows(self) -> Iterator[OrgResult]:
        return iter(sorted(self.orgs.values(), key=lambda org: org.path))


def compute(
    *,
    period: Slot,
    orgs: QuerySet[Org],
    today: dt.date | None = None,
    kinds: Collection[str] | None = None,
) -> ComplianceTable:
    """The compliance table of `orgs` for `period`, as of `today` (what is over is over).

    `kinds` limits the meeting kinds looked at (the reminder rules need one or two)."""
    today = today or timezone.localdate()
    org_rows = list(
        orgs.order_by().values_list(
            "pk",
            "code",
            "name",
            "kind",
            "path",
            "depth",
            "parent_id",
            "theme_day",
            "starts_on",
            "ends_on",
            "dissolved_on",
            "sort_order",
        )
    )
    plans = _plans(period, {row[3] for row in org_rows}, kinds)
    result = ComplianceTable(period=period, today=today, orgs={})
    if not org_rows:
        return result
    ids = orgs.order_by().values("pk")
    committees = _committees(ids, period) if _needs(plans, "has_committee") else {}
    starts = sorted({s.start for plan in plans.values() for _r, slots in plan for s, _n in slots})
    # A 党小组's members are its branch's: count the branches of the groups asked for too.
    holders = Q(org_id__in=ids) | Q(
        org_id__in=orgs.order_by().filter(kind=Org.Kind.group).values("parent_id")
    )
    members = _member_counts(holders, starts)
    meetings = _meetings(ids, plans)
    quorum = Fraction(str(rules.get("vote.quorum.share_exceeds", period.start)))
    for row in org_rows:
        org = OrgResult(*row[:7], sort_order=row[11], theme_day=row[7])
        context = _OrgContext(row, committees.get(row[0], []), members, quorum)
        org.items, org.note = _items(org, context, plans.get(org.kind, []), meetings, today)
        result.orgs[org.pk] = org
    return result


# Per kind of org: each requirement with its slots and the count each slot requires, read
# from the rules once per slot (not once per org: 50,000 orgs share a handful of values).
Plan = list[tuple[Requirement, list[tuple[Slot, int]]]]


def _plans(
    period: Slot, org_kinds: Iterable[str], kinds: Collection[str] | None
) -> dict[str, Plan]:
    plans: dict[str, Plan] = {}
    for org_kind in org_kinds:
        plan: Plan = []
        for req in requirements(org_kind, period.start):
            if kinds is not None and req.kind not in kinds:
                continue
            slots = [(s, int(rules.get(req.count_key, s.start))) for s in slots_in(period, req)]
            if slots := [(s, n) for s, n in slots if n > 0]:
                plan.append((req, slots))
        plans[org_kind] = plan
    return plans


def _needs(plans: dict[str, Plan], condition: str) -> bool:
    return any(req.when == condition for plan in plans.values() for req, _slots in plan)


def _committees(
    ids: QuerySet[Org, Any], period: Slot
) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    rows = (
        Committee.objects.filter(org_id__in=ids, elected_on__lte=period.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=period.start))
        .order_by()
        .values_list("org_id", "elected_on", "ended_on")
    )
    found: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for org_id, elected_on, ended_on in rows:
        found[org_id].append((elected_on, ended_on))
    return found


def _member_counts(holders: Q, days: list[dt.date]) -> dict[dt.date, dict[int, int]]:
    """Members in good standing of each org on each day, from the history chain: one query
    per day (at most twelve: the first days of the months of a year)."""
    counts: dict[dt.date, dict[int, int]] = {}
    for day in days:
        rows = (
            MemberChange.objects.as_of(day)
            .filter(holders, status=Member.Status.active)
            .order_by()
            .values("org_id")
            .annotate(n=Count("id"))
            .values_list("org_id", "n")
        )
        counts[day] = dict(rows)
    return counts


MeetingKey = tuple[int, str]
Held = tuple[dt.date, int, int, int]  # held_on, voting, voting_present, present


def _meetings(ids: QuerySet[Org, Any], plans: dict[str, Plan]) -> dict[MeetingKey, list[Held]]:
    """Held (or archived) meetings of the required kinds within their slots, per (org, kind)."""
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for plan in plans.values():
        for req, slots in plan:
            low, high = spans.get(req.kind, (slots[0][0].start, slots[0][0].end))
            spans[req.kind] = (min(low, slots[0][0].start), max(high, slots[-1][0].end))
    if not spans:
        return {}
    window = Q()
    for kind, (low, high) in spans.items():
        window |= Q(kind=kind, held_on__gte=low, held_on__lte=high)
    rows = (
        Meeting.objects.held()
        .filter(window, org_id__in=ids)
        .order_by()
        .values_list("org_id", "kind", "held_on", "voting", "voting_present", "present")
    )
    found: dict[MeetingKey, list[Held]] = defaultdict(list)
    for row in rows:
        found[(row[0], row[1])].append(row[2:])
    return found


NOT_EXISTING = gettext_lazy("期间内未成立或已撤销")
NO_MEMBERS = gettext_lazy("期初无党员")
NOTHING_REQUIRED = gettext_lazy("无需召开")


class _OrgContext:
    """What decides whether a slot is required of one org; read once per org, not per slot."""

    __slots__ = (
        "bounded",
        "committees",
        "ends",
        "holder",
        "members",
        "quorum",
        "starts",
        "theme_day",
    )

    def __init__(
        self,
        row: tuple[Any, ...],
        committees: list[tuple[dt.date, dt.date | None]],
        members: dict[dt.date, dict[int, int]],
        quorum: Fraction,
    ) -> None:
        kind = row[3]
        self.theme_day: int | None = row[7]
        self.starts: dt.date | None = row[8]
        self.ends: dt.date | None = min((d for d in row[9:11] if d), default=None)
        # Members of a 党小组 are registered with its branch; a 党委, 党总支 or 党组 is judged
        # by its existence and committee alone (holder None).
        self.holder: int | None = (
            (row[6] if kind == Org.Kind.group else row[0]) if kind in MEMBER_KINDS else None
        )
        self.bounded = self.starts is not None or self.ends is not None
        self.committees = committees
        self.members = members
        self.quorum = quorum

    def exists_through(self, slot: Slot) -> bool:
        return (self.starts is None or self.starts <= slot.start) and (
            self.ends is None or self.ends >= slot.end
        )

    def has_members(self, slot: Slot) -> bool:
        if self.holder is None:
            return True
        return self.members.get(slot.start, {}).get(self.holder, 0) > 0

    def has_committee(self, slot: Slot) -> bool:
        day = slot.start
        return any(e <= day and (end is None or end > day) for e, end in self.committees)


def _items(
    org: OrgResult,
    context: _OrgContext,
    plan: Plan,
    meetings: dict[MeetingKey, list[Held]],
    today: dt.date,
) -> tuple[list[Item], str]:
    items: list[Item] = []
    reasons: set[str] = set()
    for req, slots in plan:
        held = meetings.get((org.pk, req.kind), [])
        for slot, required in slots:
            if context.bounded and not context.exists_through(slot):
                reasons.add(str(NOT_EXISTING))
                continue
            if not context.has_members(slot):
                reasons.add(str(NO_MEMBERS))
                continue
            if req.when == "has_committee" and not context.has_committee(slot):
                continue
            start, end = slot.start, slot.end
            in_slot = [h for h in held if start <= h[0] <= end]
            status = _status(req, slot, in_slot, required, context, today)
            items.append(Item(req.kind, slot, required, sorted(h[0] for h in in_slot), status))
    note = "" if items else "；".join(sorted(reasons)) or str(NOTHING_REQUIRED)
    return items, note


def _status(
    req: Requirement,
    slot: Slot,
    held: list[Held],
    required: int,
    context: _OrgContext,
    today: dt.date,
) -> str:
    if len(held) < required:
        return Status.missing if slot.end < today else Status.not_due
    if req.fixed_day and context.theme_day:
        window = theme_day_window(slot.start.year, slot.start.month, context.theme_day)
        if not any(h[0] in window for h in held):
            return Status.off_day
    if req.voting:
        # A meeting with nobody marked present (or no voters listed) had no attendance
        # recorded: it is not judged, only one whose record shows too few voters is.
        num, den = context.quorum.numerator, context.quorum.denominator
        short = [h for h in held if h[1] and h[3] and h[2] * den <= h[1] * num]
        if len(held) - len(short) < required:
            return Status.no_quorum
    return Status.held


@lru_cache(maxsize=4096)
def theme_day_window(year: int, month: int, day: int) -> frozenset[dt.date]:
    """The days a 主题党日 fixed on `day` may be held: that day, and when it is no working day
    the working days just before and after it within the month (a holiday moves it)."""
    fixed = dt.date(year, month, min(day, _last_day(year, month)))
    if is_workday(fixed):
        return frozenset({fixed})
    found = {fixed}
    for step in (-1, 1):
        probe = fixed + dt.timedelta(days=step)
        while probe.month == month and not is_workday(probe):
            probe += dt.timedelta(days=step)
        if probe.month == month:
            found.add(probe)
    return frozenset(found)


def is_workday(day: dt.date) -> bool:
    """The official schedule where published (chinesecalendar), else Monday to Friday."""
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (ImportError, NotImplementedError):
        return day.weekday() < 5


def format_rate(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate}%"


# ---- The table as shown: the page, the .xlsx export and the command print these rows. ----


@dataclass(frozen=True)
class Cell:
    """One kind of meeting in one row: the word, its tag colour, held of required."""

    status: str | None
    held: int
    expected: int

    @property
    def word(self) -> str:
        return str(STATUS_LABELS[self.status]) if self.status else "—"

    @property
    def tag(self) -> str:
        return STATUS_TAGS[self.status] if self.status else ""

    @property
    def text(self) -> str:
        return f"{self.word} {self.held}/{self.expected}" if self.status else "—"


@dataclass(frozen=True)
class Row:
    """A row of the table: an org alone (本级) or an org with everything below it."""

    org: OrgResult
    label: str
    level: int
    subtree: bool
    cells: list[Cell]
    totals: Totals

    @property
    def rate_text(self) -> str:
        if self.totals.rate is None:
            return self.org.note if not self.subtree and self.org.note else "—"
        return format_rate(self.totals.rate)

    @property
    def drill(self) -> bool:
        return self.subtree and self.level > 0


def children(table: ComplianceTable, parent: OrgResult) -> list[OrgResult]:
    found = [org for org in table.orgs.values() if org.parent_id == parent.pk]
    return sorted(found, key=lambda org: (org.sort_order, org.code))


def own_row(table: ComplianceTable, org: OrgResult, kinds: list[str]) -> Row:
    cells = [_cell(org.totals(kind)) for kind in kinds]
    return Row(org, _("%(name)s（本级）") % {"name": org.name}, 0, False, cells, org.totals())


def subtree_row(
    table: ComplianceTable, org: OrgResult, kinds: list[str], level: int, label: str = ""
) -> Row:
    cells = [_cell(table.subtree(org.path, kind)) for kind in kinds]
    return Row(org, label or org.name, level, True, cells, table.subtree(org.path))


def total_row(table: ComplianceTable, org: OrgResult, kinds: list[str]) -> Row:
    label = _("合计（%(name)s及下级）") % {"name": org.name}
    return subtree_row(table, org, kinds, 0, label)


def rows_for(table: ComplianceTable, focus: OrgResult, depth: int = 1) -> list[Row]:
    """本级, then the orgs below to `depth` levels (each with its subtree), then the total."""
    kinds = table.kinds
    rows = [own_row(table, focus, kinds)]
    stack = [(child, 1) for child in reversed(children(table, focus))]
    while stack:
        org, level = stack.pop()
        rows.append(subtree_row(table, org, kinds, level))
        if level < depth:
            stack.extend((child, level + 1) for child in reversed(children(table, org)))
    rows.append(total_row(table, focus, kinds))
    return rows


def _cell(totals: Totals) -> Cell:
    return Cell(totals.status, totals.held, totals.expected)


def kind_label(kind: str) -> str:
    return str(Meeting.Kind(kind).label)

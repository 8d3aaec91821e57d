"""The org tree of `manage.py demo`, built in memory with its final primary keys and paths:
the province's department (党组, 机关党委, a branch per 处室 and 直属单位, an inspection team's
temporary branch) and, for the benchmarks' sizes, city and county bureaus."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from tiejun import rules
from tiejun.org.demo_data import (
    AFFILIATED,
    DEPARTMENT,
    DIVISIONS,
    ENFORCEMENT,
    ENGINEERING,
    GROUP_NUMERALS,
    INSPECTION_TEAM,
    LOCAL_OFFICE,
    RETIRED,
    RETIREE_BRANCHES,
    Staffing,
    place_names,
)
from tiejun.org.models import (
    Org,
    Unit,
    path_segment,
)


@dataclass
class Holder:
    """A member-holding org of the plan and how it is staffed."""

    org: Org
    staffing: Staffing
    size: int


class Tree:
    """Units and orgs built in memory with their final primary keys and paths."""

    def __init__(self) -> None:
        self.next_org = (Org.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.next_unit = (Unit.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.orgs: list[Org] = []
        self.units: list[Unit] = []
        self.holders: list[Holder] = []
        self.by_name: dict[str, Org] = {}
        self._children: Counter[int | None] = Counter()

    def unit(self, name: str, kind: str, parent: Unit | None = None) -> Unit:
        pk = self.next_unit
        self.next_unit += 1
        unit = Unit(pk=pk, code=f"U{pk:06d}", name=name, kind=kind, parent=parent, sort_order=pk)
        self.units.append(unit)
        return unit

    def org(
        self, name: str, kind: str, parent: Org | None, unit: Unit | None = None, **fields: Any
    ) -> Org:
        pk = self.next_org
        self.next_org += 1
        parent_pk = parent.pk if parent else None
        self._children[parent_pk] += 1
        org = Org(
            pk=pk,
            code=f"SE{pk:07d}",
            name=name,
            kind=kind,
            parent=parent,
            unit=unit,
            sort_order=self._children[parent_pk],
            path=(parent.path if parent else "") + path_segment(pk),
            depth=parent.depth + 1 if parent else 0,
            **fields,
        )
        org.fold_names()
        org.clean()  # the kind may stand under the parent's kind (Org.ALLOWED_PARENTS)
        self.orgs.append(org)
        self.by_name.setdefault(name, org)
        return org

    def branch(
        self,
        name: str,
        parent: Org,
        staffing: Staffing,
        unit: Unit | None = None,
        kind: str = Org.Kind.branch,
    ) -> Org:
        org = self.org(name, kind, parent, unit)
        self.holders.append(Holder(org, staffing, staffing.size))
        for number in range(staffing.groups):
            self.org(f"{name}第{GROUP_NUMERALS[number]}党小组", Org.Kind.group, org, unit)
        return org


def build_province(tree: Tree, today: dt.date) -> Org:
    """The department itself: 党组, 机关党委, 处室 and 直属单位 branches, the inspection team."""
    department = tree.unit(DEPARTMENT, Unit.Kind.department)
    root = tree.org(f"中共{DEPARTMENT}党组", Org.Kind.party_group, None, department)
    office = tree.org(f"{DEPARTMENT}机关党委", Org.Kind.committee, root, department)
    for staffing in DIVISIONS:
        unit = tree.unit(staffing.name, Unit.Kind.division, department)
        tree.branch(f"{staffing.name}党支部", office, staffing, unit)
    for staffing in RETIREE_BRANCHES:
        tree.branch(staffing.name, office, staffing)
    for affiliated in AFFILIATED:
        unit = tree.unit(affiliated.unit, Unit.Kind.affiliated, department)
        if affiliated.kind == Org.Kind.branch:
            tree.branch(f"{affiliated.unit}党支部", office, affiliated.branches[0], unit)
            continue
        suffix = "党委" if affiliated.kind == Org.Kind.committee else "党总支"
        top = tree.org(f"{affiliated.unit}{suffix}", affiliated.kind, office, unit)
        for staffing in affiliated.branches:
            tree.branch(f"{affiliated.unit}{staffing.name}", top, staffing, unit)
    tree.org(
        INSPECTION_TEAM,
        Org.Kind.temporary_branch,
        office,
        starts_on=today - dt.timedelta(days=45),
        ends_on=today + dt.timedelta(days=45),
    )
    return root


def build_city(tree: Tree, rng: random.Random, root: Org, city: str) -> tuple[Org, Unit]:
    """A city bureau's 党委 with its office, monitoring, enforcement and retiree orgs."""
    bureau = f"{city}生态环境局"
    unit = tree.unit(bureau, Unit.Kind.local)
    top = tree.org(f"中共{bureau}委员会", Org.Kind.committee, root, unit)
    for number in range(4):
        head = ("局长", "副局长") if number == 0 else ("科长", "副科长")
        staffing = Staffing("", 0, LOCAL_OFFICE, *head, groups=rng.randint(0, 2))
        tree.branch(f"{bureau}机关第{GROUP_NUMERALS[number]}党支部", top, staffing, unit)
    staffing = Staffing("", 0, ENGINEERING, "站长", "副站长", groups=1)
    tree.branch(f"{city}生态环境监测站党支部", top, staffing, unit)
    squad_name = f"{city}生态环境保护综合行政执法支队党总支"
    squad = tree.org(squad_name, Org.Kind.general_branch, top, unit)
    for number in range(3):
        staffing = Staffing("", 0, ENFORCEMENT, "大队长", "副大队长", groups=rng.randint(0, 2))
        tree.branch(f"{city}执法支队第{GROUP_NUMERALS[number]}党支部", squad, staffing, unit)
    staffing = Staffing("", 0, RETIRED, "退休干部", "退休干部")
    tree.branch(f"{bureau}离退休干部党支部", top, staffing, unit)
    return top, unit


def build_county(
    tree: Tree, rng: random.Random, city: tuple[Org, Unit], name: str, budget: int
) -> None:
    """A county bureau's 党委: its office, an enforcement 总支, a branch per town (as many as
    `budget` orgs allow)."""
    unit = tree.unit(name, Unit.Kind.local, city[1])
    stop = len(tree.orgs) + budget
    top = tree.org(f"中共{name}委员会", Org.Kind.committee, city[0], unit)
    tree.branch(f"{name}机关党支部", top, Staffing("", 0, LOCAL_OFFICE, "局长", "副局长"), unit)
    squad = tree.org(f"{name}执法大队党总支", Org.Kind.general_branch, top, unit)
    for number in range(rng.randint(2, 4)):
        staffing = Staffing("", 0, ENFORCEMENT, "中队长", "副中队长", groups=rng.randint(0, 2))
        tree.branch(f"{name}执法大队第{GROUP_NUMERALS[number]}党支部", squad, staffing, unit)
    for town in place_names(rng, rng.randint(8, 30), "镇"):
        if len(tree.orgs) >= stop:
            return
        staffing = Staffing("", 0, LOCAL_OFFICE, "站长", "副站长", groups=rng.randint(0, 2))
        tree.branch(f"{name}{town}生态环境工作站党支部", top, staffing, unit)


ORGS_PER_CITY = 1500  # about 35 cities at 50,000 orgs: a root with a ministry's fan-out


def build_locals(tree: Tree, rng: random.Random, root: Org, *, orgs: int, members: int) -> None:
    """City and county bureaus until the tree has `orgs` orgs and room for `members` more."""
    first_local = len(tree.holders)
    room_per_branch = rules.get("org.branch.max_members") * 3 // 4
    city_names = place_names(rng, max(1, round(orgs / ORGS_PER_CITY)), "市")
    cities = [build_city(tree, rng, root, name) for name in city_names]
    counties = [iter(place_names(rng, 2000, "县")) for _ in cities]
    number = 0
    while len(tree.orgs) < orgs or (len(tree.holders) - first_local) * room_per_branch < members:
        city = number % len(cities)
        name = f"{cities[city][1].name}{next(counties[city])}分局"
        build_county(tree, rng, cities[city], name, max(20, orgs - len(tree.orgs)))
        number += 1
    local = tree.holders[first_local:]
    for holder, size in zip(local, spread(members, len(local), room_per_branch, rng), strict=True):
        holder.size = size


def spread(total: int, slots: int, cap: int, rng: random.Random) -> list[int]:
    """`total` split over `slots` unevenly (0.5–1.5 of the mean), none above `cap`."""
    if slots == 0:
        return []
    weights = [rng.uniform(0.5, 1.5) for _ in range(slots)]
    scale = total / sum(weights)
    sizes = [min(cap, int(weight * scale)) for weight in weights]
    short, index = total - sum(sizes), 0
    while short > 0:  # hand out what rounding and the cap left over, one member at a time
        if sizes[index % slots] < cap:
            sizes[index % slots] += 1
            short -= 1
        index += 1
    return sizes

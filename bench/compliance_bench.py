"""The compliance engine at ministry scale: one quarter over 50,000 orgs and 500,000 members.

Builds (once, cached by size and migrations) a throw-away SQLite file under var/bench/ with
bulk inserts and explicit ids and paths: 500 党委 under one 机关党委, branches under them, a
党小组 under every fourth branch, ten members a branch with their history row, a committee
for every branch of seven members or more, and a quarter of meetings (about one in eight
missing, one 主题党日 in ten off its fixed day). Then, in a fresh process, times
`compliance.compute()` for 2026-Q3 over the whole tree and over half of it, to show the cost
is linear, and counts the queries. Target: the whole tree within 10 s.

    .venv/bin/python bench/compliance_bench.py [--orgs 50000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.databases import migrations_digest, run_python, scratch_env, scratch_sqlite

TODAY = dt.date(2026, 11, 23)
PERIOD = "2026-Q3"
SEED = 11
COMMITTEES = 500  # 党委 under the top 机关党委
MEMBERS_PER_BRANCH = 10
BATCH = 5000


def database(orgs: int) -> Path:
    """var/bench/compliance-<size>-<hash>.sqlite3, built on first use."""
    key = migrations_digest(Path(__file__))
    return scratch_sqlite(f"compliance-{orgs}-{key}", __file__, "--orgs", str(orgs))


def _tree(orgs: int) -> list[tuple[int, int | None, str, str]]:
    """(pk, parent, kind, path): 机关党委, its 党委, branches, a 党小组 after every fourth."""
    from tiejun.org.models import Org, path_segment

    tops = min(COMMITTEES, orgs - 1)
    rows: list[tuple[int, int | None, str, str]] = []
    paths: dict[int, str] = {}
    branches: list[int] = []
    for pk in range(1, orgs + 1):
        if pk == 1:
            parent, kind = None, Org.Kind.committee
        elif pk <= tops + 1:
            parent, kind = 1, Org.Kind.committee
        elif branches and pk % 5 == 0:
            parent, kind = branches[-1], Org.Kind.group
        else:
            parent, kind = 2 + (pk % tops), Org.Kind.branch
            branches.append(pk)
        paths[pk] = (paths[parent] if parent else "") + path_segment(pk)
        rows.append((pk, parent, kind, paths[pk]))
    return rows


def _build(orgs: int) -> None:
    from django.db import transaction

    from tiejun.org.models import Org

    rng = random.Random(SEED)
    tree = _tree(orgs)
    with transaction.atomic():
        Org.objects.bulk_create(
            [
                Org(
                    pk=pk,
                    code=f"C{pk:07d}",
                    name=f"第{pk}党组织",
                    name_folded=f"第{pk}党组织",
                    kind=kind,
                    parent_id=parent,
                    path=path,
                    depth=len(path) // 7 - 1,
                    theme_day=rng.choice([None, 5, 10, 15, 20]),
                )
                for pk, parent, kind, path in tree
            ],
            batch_size=BATCH,
        )
        branches = [(pk, path) for pk, _p, kind, path in tree if kind == Org.Kind.branch]
        sizes = _members(branches, rng)
        _committees(sizes)
        _meetings(tree, sizes, rng)


def _members(branches: list[tuple[int, str]], rng: random.Random) -> dict[int, int]:
    from tiejun.org.models import Member, MemberChange

    sizes: dict[int, int] = {}
    members: list[Member] = []
    changes: list[MemberChange] = []
    pk = 0
    for org_id, path in branches:
        sizes[org_id] = rng.randint(MEMBERS_PER_BRANCH - 7, MEMBERS_PER_BRANCH + 7)
        for _n in range(sizes[org_id]):
            pk += 1
            joined = dt.date(2015, 7, 1)
            members.append(
                Member(
                    pk=pk,
                    name=f"党员{pk}",
                    gender="male",
                    birth_date=dt.date(1985, 1, 1),
                    id_cipher="-",
                    id_digest=f"{pk:064x}",
                    id_masked="-",
                    joined_on=joined,
                    full_on=dt.date(2016, 7, 1),
                    category="full",
                    org_id=org_id,
                    org_path=path,
                    search_text=f"党员{pk}",
                )
            )
            changes.append(
                MemberChange(
                    member_id=pk,
                    kind="created",
                    effective_on=joined,
                    org_id=org_id,
                    org_path=path,
                    category="full",
                    status="active",
                )
            )
        if len(members) >= BATCH:
            Member.objects.bulk_create(members)
            MemberChange.objects.bulk_create(changes)
            members, changes = [], []
    Member.objects.bulk_create(members)
    MemberChange.objects.bulk_create(changes)
    return sizes


def _committees(sizes: dict[int, int]) -> None:
    from tiejun import rules
    from tiejun.org.models import Committee

    threshold = rules.get("org.branch.committee_from_full_members")
    Committee.objects.bulk_create(
        [
            Committee(org_id=pk, number=2, elected_on=dt.date(2024, 3, 1), term_years=3)
            for pk, size in sizes.items()
            if size >= threshold
        ],
        batch_size=BATCH,
    )


def _meetings(tree: list[Any], sizes: dict[int, int], rng: random.Random) -> None:
    from tiejun import rules
    from tiejun.life.models import Meeting

    threshold = rules.get("org.branch.committee_from_full_members")
    batch: list[Meeting] = []
    for pk, _parent, kind, _path in tree:
        for meeting_kind, day in _plan(kind, sizes.get(pk, 0) >= threshold, rng):
            batch.append(
                Meeting(
                    org_id=pk,
                    kind=meeting_kind,
                    title=meeting_kind,
                    held_on=day,
                    status=Meeting.Status.held,
                )
            )
        if len(batch) >= BATCH:
            Meeting.objects.bulk_create(batch)
            batch = []
    Meeting.objects.bulk_create(batch)


def _plan(kind: str, committee: bool, rng: random.Random) -> list[tuple[str, dt.date]]:
    """A quarter's meetings of one org; about one in eight left out."""
    months = (7, 8, 9)
    wanted: list[tuple[str, dt.date]] = []
    if kind == "branch":
        wanted += [("general_assembly", dt.date(2026, 8, 12)), ("lecture", dt.date(2026, 9, 3))]
        wanted += [("theme_day", dt.date(2026, m, rng.choice([5, 10, 15, 20, 21]))) for m in months]
        if committee:
            wanted += [("committee", dt.date(2026, m, 6)) for m in months]
    elif kind == "group":
        wanted += [("group", dt.date(2026, m, 18)) for m in months]
    return [entry for entry in wanted if rng.random() > 0.125]


def _measure(orgs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tiejun.life import compliance
    from tiejun.org.models import Org

    period = compliance.parse_period(PERIOD)
    compliance.compute(period=period, orgs=Org.objects.filter(pk=1), today=TODAY)  # warm up
    result: dict[str, Any] = {"orgs": orgs}
    for label, queryset in (
        ("half", Org.objects.filter(pk__lte=orgs // 2)),
        ("full", Org.objects.all()),
    ):
        with CaptureQueriesContext(connection) as ctx:
            started, cpu = time.perf_counter(), time.process_time()
            table = compliance.compute(period=period, orgs=queryset, today=TODAY)
            rows = compliance.rows_for(table, table.orgs[1], depth=1)
            result[label] = time.perf_counter() - started
            # SQLite runs in this process: CPU time is the cost on a machine shared with others.
            result[f"{label}_cpu"] = time.process_time() - cpu
        result[f"{label}_orgs"] = len(table.orgs)
        result[f"{label}_queries"] = len(ctx.captured_queries)
        result[f"{label}_rate"] = str(rows[-1].totals.rate)
    return result


def run(orgs: int = 50_000) -> dict[str, Any]:
    """Seconds for one quarter over the whole tree and over half of it, with the query counts."""
    db = database(orgs)
    out = run_python(scratch_env(db), __file__, "--inner-measure", "--orgs", str(orgs))
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    print(
        f"compliance {PERIOD} on {result['full_orgs']:,} orgs: {result['full']:.2f} s "
        f"(CPU {result['full_cpu']:.2f} s, {result['full_queries']} queries, "
        f"rate {result['full_rate']}%); {result['half_orgs']:,} orgs: {result['half']:.2f} s "
        f"(CPU {result['half_cpu']:.2f} s, {result['half_queries']} queries)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orgs", type=int, default=50_000)
    parser.add_argument("--inner-build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inner-measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner_build or args.inner_measure:
        import django

        django.setup()
        if args.inner_build:
            _build(args.orgs)
        else:
            print(json.dumps(_measure(args.orgs)))
        return
    run(args.orgs)


if __name__ == "__main__":
    main()

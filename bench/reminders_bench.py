"""Reminder rules at ministry scale: 50,000 orgs with committees and 500,000 members.

Builds (once, cached by size and migrations) a throw-away SQLite file under var/bench/ with
bulk inserts — no encryption, no history rows: the member and committee rules read neither —
then times `engine.run()` twice in a fresh process: cold (every reminder created) and warm (the
daily case: every reminder kept). The meeting rules need member history and meetings to find
anything due, so they are timed the same way on the compliance benchmark's database (50,000
orgs, history rows, committees, a quarter of meetings with some missing).

    .venv/bin/python bench/reminders_bench.py [--orgs 50000] [--members 500000]
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
SEED = 7
COMMITTEES_PER_ROOT = 500  # 党委 under the top 党委; the rest are branches under them


def database(orgs: int, members: int) -> Path:
    """var/bench/reminders-<orgs>-<members>-<hash>.sqlite3, built on first use."""
    name = f"reminders-{orgs}-{members}-{migrations_digest()}"
    return scratch_sqlite(name, __file__, "--orgs", str(orgs), "--members", str(members))


def _build(orgs: int, members: int) -> None:
    from django.db import transaction

    from tiejun.org.models import Committee, Org, path_segment

    rng = random.Random(SEED)
    tops = min(COMMITTEES_PER_ROOT, orgs - 1)
    rows: list[Org] = []
    paths: dict[int, str] = {}
    for pk in range(1, orgs + 1):
        parent = None if pk == 1 else (1 if pk <= tops + 1 else 2 + (pk % tops))
        kind = Org.Kind.committee if pk <= tops + 1 else Org.Kind.branch
        paths[pk] = (paths[parent] if parent else "") + path_segment(pk)
        rows.append(
            Org(
                pk=pk,
                code=f"B{pk:07d}",
                name=f"第{pk}党组织",
                name_folded=f"第{pk}党组织",
                kind=kind,
                parent_id=parent,
                path=paths[pk],
                depth=len(paths[pk]) // 7 - 1,
            )
        )
    with transaction.atomic():
        Org.objects.bulk_create(rows, batch_size=5000)
        # Elected within the last three and a half years: about one committee in three is
        # within six months of its term's end or past it, as in a real ministry.
        Committee.objects.bulk_create(
            [
                Committee(
                    org_id=pk,
                    number=3,
                    term_years=5 if pk <= tops + 1 else 3,
                    elected_on=TODAY - dt.timedelta(days=rng.randrange(0, 1280)),
                )
                for pk in range(1, orgs + 1)
            ],
            batch_size=5000,
        )
        _members(members, orgs, tops, paths, rng)


def _members(count: int, orgs: int, tops: int, paths: dict[int, str], rng: random.Random) -> None:
    from tiejun.org.models import Member

    batch: list[Member] = []
    for n in range(count):
        org_id = rng.randrange(tops + 2, orgs + 1) if orgs > tops + 1 else 1
        probationary = rng.random() < 0.02
        joined = TODAY - dt.timedelta(days=rng.randrange(0, 430) if probationary else 3000)
        batch.append(
            Member(
                name=f"党员{n}",
                gender="male",
                birth_date=dt.date(1985, 1, 1),
                id_cipher="-",
                id_digest=f"{n:064x}",
                id_masked="-",
                joined_on=joined,
                full_on=None if probationary else joined + dt.timedelta(days=366),
                category="probationary" if probationary else "full",
                org_id=org_id,
                org_path=paths[org_id],
                search_text=f"党员{n}",
            )
        )
        if len(batch) == 10000:
            Member.objects.bulk_create(batch)
            batch = []
    Member.objects.bulk_create(batch)


MEETING_RULES = ("meeting_required", "theme_day", "life_review")


def _measure(codes: list[str] | None) -> dict[str, Any]:
    from django.urls import reverse

    from tiejun.reminders import engine
    from tiejun.reminders.models import Reminder

    Reminder.objects.all().delete()
    reverse("home")  # import the URL configuration now, not inside the first timing
    timings: dict[str, Any] = {}
    for label in ("cold", "warm"):
        started = time.perf_counter()
        counts = engine.run(today=TODAY, codes=codes)
        timings[label] = time.perf_counter() - started
        timings[f"{label}_counts"] = {code: vars(c) for code, c in counts.items()}
    return timings


def _timed(db: Path, *codes: str) -> dict[str, Any]:
    out = run_python(scratch_env(db), __file__, "--inner-measure", *codes)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _created(result: dict[str, Any]) -> int:
    return sum(counts["created"] for counts in result["cold_counts"].values())


def run(orgs: int = 50_000, members: int = 500_000) -> dict[str, Any]:
    """Cold and warm seconds of every rule, and of the meeting rules on the compliance tree."""
    from bench import compliance_bench

    every = _timed(database(orgs, members))
    meetings = _timed(compliance_bench.database(orgs), *MEETING_RULES)
    for label, result in (("every rule", every), ("meeting rules", meetings)):
        print(
            f"reminders, {label}, {orgs:,} orgs: cold {result['cold']:.2f} s "
            f"({_created(result):,} created), warm {result['warm']:.2f} s"
        )
    return {"every": every, "meetings": meetings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=50_000)
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--inner-build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inner-measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("codes", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner_build or args.inner_measure:
        import django

        django.setup()
        if args.inner_build:
            _build(args.orgs, args.members)
        else:
            print(json.dumps(_measure(args.codes or None)))
        return
    run(args.orgs, args.members)


if __name__ == "__main__":
    main()

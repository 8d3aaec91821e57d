"""`make bench`: the member list page and API at ministry scale, on SQLite and PostgreSQL.

For each database: build (or reuse) `manage.py demo --members N`, start the real app under
gunicorn in production mode, sign in as `office` (the whole tree) and as `secretary` (one
branch), and load each endpoint with a few client processes. Every figure stands beside the
trivial view's figure from the same server in the same run, measured in interleaved rounds, so
the ratio holds on a noisy shared machine where absolute numbers do not. Then the member import
(bench/import_bench.py) on 10,000 rows, the compliance engine over a quarter of 50,000 orgs
(bench/compliance_bench.py) and every reminder rule (bench/reminders_bench.py). The table goes
to stdout and bench/results/latest.md.

    make bench                              # 500,000 members, both databases
    make bench BENCH_ARGS="--members 50000" # a quick run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.databases import (
    PASSWORD,
    PYTHON,
    ROOT,
    Database,
    base_env,
    manage,
    postgres_database,
    postgres_reachable,
    sqlite_database,
)
from bench.load import BenchError, Sample, fetch, hammer, login
from bench.server import WORKERS, Server

TRIVIAL = "trivial view"


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    target: float | None = None  # share of the trivial view's throughput it must reach


SEARCH = urllib.parse.quote("张伟")
ENDPOINTS = (
    Endpoint(TRIVIAL, "/bench/trivial/"),
    Endpoint("member list API", "/api/v1/members?limit=20&offset=0", 0.30),
    Endpoint("member list page", "/members/", 0.15),
    Endpoint("member list page 500", "/members/?page=500"),
    Endpoint("member search 张伟", f"/members/?q={SEARCH}"),
    Endpoint("org tree page", "/org/"),
    Endpoint("home page", "/"),
)
USERS = ("office", "secretary")
P95_LIMIT_MS = 100.0


@dataclass
class Row:
    database: str
    user: str
    endpoint: Endpoint
    sample: Sample
    trivial: Sample

    @property
    def ratio(self) -> float:
        """This endpoint's requests/s over the trivial view's, from requests taking turns."""
        return self.sample.rate / self.trivial.rate if self.trivial.rate else 0.0

    @property
    def verdict(self) -> str:
        if self.endpoint.target is None:
            return ""
        met = self.ratio >= self.endpoint.target and self.sample.percentile(0.95) <= P95_LIMIT_MS
        return "met" if met and not self.sample.errors else "MISSED"


def measure_server(server: Server, database: str, args: argparse.Namespace) -> list[Row]:
    """Each endpoint in turn with the trivial view (see load.hammer), in interleaved rounds."""
    cookies = {user: login(server.port, user, PASSWORD) for user in USERS}
    trivial, *others = ENDPOINTS
    plan = [(user, endpoint) for user in USERS for endpoint in others]
    for user, endpoint in plan:
        status, _body = fetch(server.port, endpoint.path, cookies[user])
        if status != 200:
            raise BenchError(f"{endpoint.path} as {user}: HTTP {status}")
    pairs = {key: (Sample(args.clients), Sample(args.clients)) for key in plan}
    for number in range(args.rounds + 1):  # round 0 warms up: caches, connections, templates
        if number:
            print(f"[{database}] round {number} of {args.rounds}", flush=True)
        for user, endpoint in plan:
            seconds = args.seconds if number else args.warmup
            base, own = hammer(
                server.port,
                [trivial.path, endpoint.path],
                cookies[user],
                seconds=seconds,
                clients=args.clients,
            )
            if number:
                pairs[user, endpoint][0].add(base)
                pairs[user, endpoint][1].add(own)
    rows = []
    for user in USERS:
        everything = Sample(args.clients)
        for endpoint in others:
            everything.add(pairs[user, endpoint][0])
        rows.append(Row(database, user, trivial, everything, everything))
        rows += [Row(database, user, e, pairs[user, e][1], pairs[user, e][0]) for e in others]
    return rows


def row_counts(database: Database) -> tuple[int, int]:
    env = base_env(database.url)
    code = (
        "from tiejun.org.models import Org, Member;"
        "print(Org.objects.count(), Member.objects.count())"
    )
    orgs, members = manage(env, "shell", "-v", "0", "-c", code).split()[-2:]
    return int(orgs), int(members)


# The load sends hundreds of searches a minute from one account: measure the search, not the
# per-account limit that answers them with 429 (SECURITY.md item 22).
LIFT_SEARCH_LIMIT = (
    "import datetime as dt; from tiejun.rules.models import RuleOverride;"
    "RuleOverride.objects.update_or_create(key='security.search.rate_per_user',"
    " effective_from=dt.date(2000, 1, 1),"
    " defaults={'value': 10**9, 'source': 'bench: measure the search, not its limit'})"
)


def lift_search_limit(database: Database) -> None:
    manage(base_env(database.url), "shell", "-v", "0", "-c", LIFT_SEARCH_LIMIT)


def bench_database(database: Database, args: argparse.Namespace) -> tuple[list[Row], str]:
    orgs, members = row_counts(database)
    # The cached database keeps the benchmark password; this also lifts any lockout.
    manage(base_env(database.url), "demo", "--reset-passwords")
    lift_search_limit(database)
    with Server(database.url, database.label) as server:
        rows = measure_server(server, database.label, args)
    built = f"built in {database.build_seconds:.0f} s" if database.build_seconds else "cached"
    return rows, f"{database.label}: {orgs:,} orgs, {members:,} members ({built})"


IMPORT_TARGET = 7000  # validated rows per second, fresh import on SQLite


IMPORT_RUNS = 3  # the median of three: one run on a shared machine can lose a third


def import_figure(rows: int) -> str:
    """bench/import_bench.py's run(rows=…), each run in its own process and throw-away SQLite
    file; the run with the median fresh-import figure is reported, with the others' range."""
    if not (ROOT / "bench" / "import_bench.py").exists():
        return "import: bench/import_bench.py is not there yet"
    runs = []
    for _ in range(IMPORT_RUNS):
        figures = _import_run(rows)
        if isinstance(figures, str):
            return figures
        runs.append(figures)
    runs.sort(key=lambda figures: figures["fresh_rows_per_s"])
    figures = runs[len(runs) // 2]
    fresh = figures["fresh_rows_per_s"]
    verdict = "met" if fresh >= IMPORT_TARGET else "MISSED"
    others = ", ".join(
        f"{label} {figures[key]:,.0f}"
        for label, key in (
            ("check only", "check_only_rows_per_s"),
            ("as updates", "update_rows_per_s"),
            ("unchanged", "unchanged_rows_per_s"),
            ("raw bulk_create", "raw_bulk_create_rows_per_s"),
        )
    )
    others += f"; fresh per CPU-second {figures['fresh_rows_per_cpu_s']:,.0f}"
    spread = f"{runs[0]['fresh_rows_per_s']:,.0f}–{runs[-1]['fresh_rows_per_s']:,.0f}"
    return (
        f"import of {rows:,} rows (SQLite): **{fresh:,.0f} rows/s** fresh, median of "
        f"{len(runs)} runs ({spread}) (target {IMPORT_TARGET:,}: {verdict}); {others} rows/s"
    )


def _import_run(rows: int) -> dict[str, float] | str:
    """One run's figures, or the report of its failure."""
    code = f"import json; from bench.import_bench import run; print(json.dumps(run(rows={rows})))"
    skip = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")  # it makes and migrates its own file
    env = {key: value for key, value in os.environ.items() if key not in skip}
    env["PYTHONPATH"] = str(ROOT)
    with subprocess.Popen(
        [PYTHON, "-c", code],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        stdout, stderr = process.communicate()
    for leftover in (ROOT / "var" / "bench").glob(f"import-bench-{process.pid}.sqlite3*"):
        leftover.unlink()  # its throw-away database, named after its process
    if process.returncode:
        return f"import: failed\n```\n{stdout[-1500:]}{stderr[-1500:]}\n```"
    figures: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    return figures


COMPLIANCE_TARGET_S = 10.0  # one quarter over 50,000 orgs (issue: organizational life)


def compliance_figure(orgs: int) -> str:
    """bench/compliance_bench.py: one quarter over the whole tree and over half of it."""
    from bench import compliance_bench

    result = compliance_bench.run(orgs)
    verdict = "met" if result["full"] <= COMPLIANCE_TARGET_S else "MISSED"
    return (
        f"compliance {compliance_bench.PERIOD} over {result['full_orgs']:,} orgs: "
        f"**{result['full']:.2f} s** (target ≤ {COMPLIANCE_TARGET_S:g} s: {verdict}), "
        f"{result['full_queries']} queries; half the tree ({result['half_orgs']:,} orgs) "
        f"{result['half']:.2f} s, {result['half_queries']} queries"
    )


def reminders_figure(orgs: int, members: int) -> str:
    """bench/reminders_bench.py: cold (every reminder created) and warm (every one kept)."""
    from bench import reminders_bench

    result = reminders_bench.run(orgs, members)
    every, meetings = result["every"], result["meetings"]
    return (
        f"reminders over {orgs:,} orgs / {members:,} members, every rule: cold "
        f"{every['cold']:.2f} s, warm {every['warm']:.2f} s; the meeting rules on the "
        f"compliance tree: cold {meetings['cold']:.2f} s, warm {meetings['warm']:.2f} s"
    )


def render(rows: list[Row], notes: list[str], args: argparse.Namespace) -> str:
    lines = [
        f"# Tiejun benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"gunicorn: {WORKERS} sync workers, DEBUG off; load: {args.clients} client "
        f"processes, each alternating the trivial view and the endpoint, {args.rounds} rounds "
        f"× {args.seconds:g} s per endpoint; req/s = clients ÷ mean latency; "
        f"{os.cpu_count()} CPUs. Targets: API ≥ 30 % and list page ≥ 15 % of the trivial view's "
        f"requests/s, p95 ≤ {P95_LIMIT_MS:g} ms.",
        "",
        *[f"- {note}" for note in notes],
        "",
        "| database | user | endpoint | req/s | p50 ms | p95 ms | × trivial | target | |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        target = f"{row.endpoint.target:.0%}" if row.endpoint.target else ""
        errors = f" ({row.sample.errors} errors)" if row.sample.errors else ""
        lines.append(
            f"| {row.database} | {row.user} | {row.endpoint.label} | {row.sample.rate:.1f} | "
            f"{row.sample.percentile(0.5):.1f} | {row.sample.percentile(0.95):.1f} | "
            f"{row.ratio:.0%} | {target} | {row.verdict}{errors} |"
        )
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument(
        "--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres"
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=WORKERS,
        help="concurrent client connections (default: one per gunicorn worker)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="per endpoint per round")
    parser.add_argument("--warmup", type=float, default=1.0, help="per endpoint, not counted")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument(
        "--orgs", type=int, default=50_000, help="orgs of the compliance and reminder benchmarks"
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="reuse a database of this size built by older migrations or demo "
        "code, migrated forward (quick while iterating; not for reports)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    wanted = args.databases.split(",")
    reuse = args.reuse_data
    databases = [sqlite_database(args.members, reuse=reuse)] if "sqlite" in wanted else []
    notes = []
    if "postgres" in wanted:
        if postgres_reachable():
            databases.append(postgres_database(args.members, reuse=reuse))
        else:
            notes.append("PostgreSQL: not reachable, skipped")
    rows = []
    for database in databases:
        measured, note = bench_database(database, args)
        rows += measured
        notes.append(note)
    imported = import_figure(args.import_rows)
    notes.append(imported)
    compliance = compliance_figure(args.orgs)
    notes.append(compliance)
    notes.append(reminders_figure(args.orgs, args.members))
    notes.append(f"whole run: {time.monotonic() - started:.0f} s")
    report = render(rows, notes, args)
    print("\n" + report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(report, encoding="utf-8")
    missed = [
        f"{row.endpoint.label} ({row.user}, {row.database})"
        for row in rows
        if row.verdict == "MISSED"
    ]
    missed += ["import"] if "MISSED" in imported else []
    missed += ["compliance"] if "MISSED" in compliance else []
    if missed:
        print(
            f"Targets missed: {'; '.join(missed)}. Report: {results / 'latest.md'}", file=sys.stderr
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

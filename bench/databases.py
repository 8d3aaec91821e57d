"""The benchmark databases: built once by `manage.py demo --members N`, cached between runs.

A database is reused while its key (member count, seed, and a digest of every migration file
and of the demo generator, whose code is the data's shape) is unchanged. SQLite: a file under
var/bench/ named after the key, renamed into place only when complete. PostgreSQL: database
`tiejun_bench`, the key kept as the database's comment, set only when complete.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PYTHON = sys.executable
PASSWORD = "Bench-Pass-2026"  # the demo accounts' password in the benchmark databases only
SEED = 2026
PG_SERVER = os.environ.get("TIEJUN_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "tiejun_bench"


DEMO_CODE = (
    "tiejun/org/demo_data.py",
    "tiejun/org/demo_tree.py",
    "tiejun/org/management/commands/demo.py",
)


def schema_digest() -> str:
    """Changes when a migration or the demo generator changes: the cached data is stale then."""
    digest = hashlib.sha256()
    paths = [*sorted(ROOT.glob("tiejun/*/migrations/*.py")), *(ROOT / p for p in DEMO_CODE)]
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_key(members: int) -> str:
    return f"{members}-s{SEED}-{schema_digest()}"


def base_env(database_url: str) -> dict[str, str]:
    """Environment of every process of a benchmark: its database, its own var dir and key."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "TIEJUN_VAR_DIR": str(VAR),
        "TIEJUN_DATA_KEY_FILE": str(VAR / "data.key"),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "TIEJUN_DEMO_PASSWORD": PASSWORD,
        "PYTHONPATH": str(ROOT),
    }


def run_python(env: dict[str, str], *args: str) -> str:
    """A Python process in the project root; its stdout, or RuntimeError with all it printed."""
    done = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def manage(env: dict[str, str], *args: str) -> str:
    return run_python(env, "manage.py", *args)


def migrations_digest(*extra: Path) -> str:
    """Changes when a migration (or one of `extra`, the builder's own code) changes."""
    digest = hashlib.sha256()
    for path in [*sorted(ROOT.glob("tiejun/*/migrations/*.py")), *extra]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def scratch_env(db: Path) -> dict[str, str]:
    """Environment of a process on a scratch SQLite file of a benchmark (plain settings)."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "TIEJUN_VAR_DIR": str(VAR),
        "TIEJUN_DATA_KEY_FILE": str(VAR / "data.key"),
        "DJANGO_SETTINGS_MODULE": "tiejun.settings",
        "PYTHONPATH": str(ROOT),
    }


def scratch_sqlite(name: str, script: str, *build_args: str) -> Path:
    """var/bench/NAME.sqlite3, migrated and filled by `script --inner-build BUILD_ARGS` on
    first use; renamed into place only when complete, so a broken build is never reused."""
    VAR.mkdir(parents=True, exist_ok=True)
    db = VAR / f"{name}.sqlite3"
    if db.exists():
        return db
    partial = db.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    env = scratch_env(partial)
    manage(env, "migrate", "-v", "0")
    run_python(env, script, "--inner-build", *build_args)
    partial.rename(db)
    return db


@dataclass
class Database:
    """A benchmark database: how to reach it, and how long building it took (0 if cached)."""

    label: str
    url: str
    build_seconds: float


def _build(env: dict[str, str], members: int, label: str) -> float:
    started = time.monotonic()
    print(f"[{label}] building {members:,} members (cached for later runs) …", flush=True)
    manage(env, "migrate", "--noinput")
    subprocess.run(
        [PYTHON, "manage.py", "demo", "--members", str(members), "--seed", str(SEED)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return time.monotonic() - started


def sqlite_database(members: int, *, reuse: bool = False) -> Database:
    """The cached file of this key, else (with `reuse`) one of the same size migrated forward,
    else a new build."""
    VAR.mkdir(parents=True, exist_ok=True)
    key = cache_key(members)
    path = VAR / f"tiejun-{key}.sqlite3"
    url = f"sqlite:///{path}"
    older = sorted(VAR.glob(f"tiejun-{members}-s{SEED}-*.sqlite3"))
    if not path.exists() and reuse and older:
        manage(base_env(f"sqlite:///{older[-1]}"), "migrate", "--noinput")
        older[-1].rename(path)
    if path.exists():
        return Database("SQLite", url, 0.0)
    for stale in VAR.glob(f"tiejun-{members}-*.sqlite3*"):
        stale.unlink()  # an older migration state of the same size: never read again
    building = VAR / f"building-{key}.sqlite3"
    for leftover in VAR.glob(f"{building.name}*"):
        leftover.unlink()
    seconds = _build(base_env(f"sqlite:///{building}"), members, "SQLite")
    building.rename(path)  # the demo's last connection has checkpointed the WAL into the file
    return Database("SQLite", url, seconds)


def _psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", f"{PG_SERVER}/{database}", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def postgres_database(members: int, *, reuse: bool = False) -> Database:
    key = cache_key(members)
    url = f"{PG_SERVER}/{PG_NAME}"
    found = _psql(
        f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{PG_NAME}'"
    )
    if found != key and reuse and found.startswith(f"{members}-s{SEED}-"):
        manage(base_env(url), "migrate", "--noinput")
        _psql(f"COMMENT ON DATABASE {PG_NAME} IS '{key}'")
        found = key
    if found == key:
        return Database("PostgreSQL", url, 0.0)
    _psql(f"DROP DATABASE IF EXISTS {PG_NAME}")
    _psql(f"CREATE DATABASE {PG_NAME}")
    seconds = _build(base_env(url), members, "PostgreSQL")
    started = time.monotonic()
    # A freshly loaded table has no statistics and no visibility map (no index-only scans);
    # autovacuum would get there on its own, a benchmark should not wait for it.
    _psql("VACUUM ANALYZE", PG_NAME)
    _psql(f"COMMENT ON DATABASE {PG_NAME} IS '{key}'")
    return Database("PostgreSQL", url, seconds + time.monotonic() - started)


def postgres_reachable() -> bool:
    try:
        _psql("SELECT 1")
    except (OSError, subprocess.CalledProcessError):
        return False
    return True

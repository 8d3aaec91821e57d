#!/bin/sh
# The suite again on PostgreSQL (browser tests excluded: they already ran on SQLite).
# Under CI=true an unreachable PostgreSQL is a failure; elsewhere the run is skipped, loudly.
set -eu
url="${TIEJUN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if ! .venv/bin/python scripts/pg_reachable.py "$url"; then
  if [ "${CI:-}" = "true" ]; then
    echo "FAILED: PostgreSQL at $url is unreachable, and CI=true requires the PostgreSQL tests." >&2
    exit 1
  fi
  echo "SKIPPED: PostgreSQL tests — no PostgreSQL answers at $url (set TIEJUN_TEST_POSTGRES_URL)."
  exit 0
fi
echo "Running the suite on PostgreSQL ($url)"
DATABASE_URL="$url" .venv/bin/python -m pytest -p no:cacheprovider -n 2 -m "not e2e" "$@"

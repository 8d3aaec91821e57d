"""Exit 0 when the PostgreSQL server of the given URL accepts a connection."""

import sys

import dj_database_url
import psycopg

settings = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        connect_timeout=5,
    ).close()
except psycopg.Error as error:
    print(f"PostgreSQL unreachable: {error}", file=sys.stderr)
    sys.exit(1)

"""SECURITY.md item 16: a backup restored into an empty database holds every record."""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tiejun.accounts import audit
from tiejun.accounts.models import AuditEntry
from tiejun.testing import build_people

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backup")


def _django_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # table names from introspection
        return [tuple(row) for row in cursor.fetchall()]


def _sqlite_rows(path: Path, table: str) -> list[tuple]:
    # The same type conversion as Django's own SQLite connection, so values compare equal.
    db = sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    try:
        return [tuple(row) for row in db.execute(f'SELECT * FROM "{table}" ORDER BY 1')]
    finally:
        db.close()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_restores_into_an_empty_database_with_every_record(tmp_path):
    build_people()
    audit.record("member.update", username="before-backup")
    backup_file = tmp_path / "tiejun.sqlite3"
    call_command("backup", output=str(backup_file))
    assert oct(backup_file.stat().st_mode & 0o777) == "0o600"  # personal data inside

    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    call_command("restore", str(backup_file), target=str(empty))

    backup_seq = AuditEntry.objects.get(action="backup.create").seq
    tables = connection.introspection.table_names()
    assert "org_member" in tables and "accounts_auditentry" in tables
    for table in tables:
        expected = _django_rows(table)
        if table == "accounts_auditentry":  # the backup's own entry comes after the snapshot
            expected = [row for row in expected if row[1] < backup_seq]
        elif table == "accounts_audithead":
            continue
        assert _sqlite_rows(empty, table) == expected, table
    assert len(_sqlite_rows(empty, "org_member")) == 2


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_are_audited(tmp_path):
    build_people()
    backup_file = tmp_path / "b.sqlite3"
    call_command("backup", output=str(backup_file))
    call_command("restore", str(backup_file), target=str(tmp_path / "drill.sqlite3"))
    created = AuditEntry.objects.get(action="backup.create")
    assert created.detail["file"] == str(backup_file) and created.detail["bytes"] > 0
    restored = AuditEntry.objects.get(action="backup.restore")
    assert restored.detail["target"] == str(tmp_path / "drill.sqlite3")
    assert restored.username == "manage.py restore"


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_restoring_over_the_live_database_needs_yes_and_brings_the_snapshot_back(tmp_path):
    from tiejun.accounts.models import User

    build_people()
    backup_file = tmp_path / "b.sqlite3"
    call_command("backup", output=str(backup_file))
    User.objects.filter(username="member").update(display_name="备份之后改的")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(backup_file))
    call_command("restore", str(backup_file), yes=True)
    assert User.objects.get(username="member").display_name == ""
    call_command("verify_audit")  # the restore entry joins the restored chain


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_the_failure_audited(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(CommandError, match="恢复失败"):
        call_command("restore", str(junk), yes=True)
    assert AuditEntry.objects.get(action="backup.restore").result == "failed"


def _postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.mark.postgres
@pytest.mark.skipif(not _postgres(), reason="DATABASE_URL is not PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_postgres_backup_restores_into_an_empty_database_with_every_record(tmp_path):
    import psycopg

    build_people()
    backup_file = tmp_path / "tiejun.pgdump"
    call_command("backup", output=str(backup_file))
    settings = connection.settings_dict
    conninfo: dict[str, Any] = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
    }
    drill = f"tiejun_restore_drill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f'CREATE DATABASE "{drill}"')
    try:
        call_command("restore", str(backup_file), target=drill)
        backup_seq = AuditEntry.objects.get(action="backup.create").seq
        # Both sides read through psycopg, so values come back as the same Python types.
        with (
            psycopg.connect(dbname=drill, **conninfo) as restored,
            psycopg.connect(dbname=settings["NAME"], **conninfo) as live,
        ):
            for table in connection.introspection.table_names():
                if table == "accounts_audithead":
                    continue
                query = f'SELECT * FROM "{table}" ORDER BY 1'
                expected = live.execute(query).fetchall()
                if table == "accounts_auditentry":
                    expected = [row for row in expected if row[1] < backup_seq]
                assert restored.execute(query).fetchall() == expected, table
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{drill}"')

"""Backup and restore of the whole database (SECURITY.md item 16).

SQLite: the online backup API copies a consistent snapshot while the site keeps running.
PostgreSQL (and compatible): pg_dump's custom format, restored with pg_restore. A backup holds
personal data (ID numbers only encrypted; the key file is not in it), so files are 0600.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection

PG_DUMP = os.environ.get("TIEJUN_PG_DUMP", "/usr/bin/pg_dump")
PG_RESTORE = os.environ.get("TIEJUN_PG_RESTORE", "/usr/bin/pg_restore")


class BackupError(Exception):
    """A backup or restore that did not complete; the message says why, in Chinese."""


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库类型：{vendor}")
    return vendor


def _private_tmp(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    tmp.unlink(missing_ok=True)
    tmp.touch(mode=0o600)
    return tmp


def _integrity(db: sqlite3.Connection) -> str:
    # The schema may use Django's SQL functions (constraints on dates, for instance); a plain
    # connection needs them to check those constraints.
    from django.db.backends.sqlite3._functions import register

    register(db)
    return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def backup_sqlite(target: Path) -> None:
    """Copy the live database page by page; writers wait only for each short step."""
    connection.ensure_connection()
    tmp = _private_tmp(target)
    destination = sqlite3.connect(tmp)
    try:
        connection.connection.backup(destination)  # type: ignore[union-attr]
        if _integrity(destination) != "ok":
            raise BackupError("备份文件完整性检查未通过。")
    finally:
        destination.close()
    tmp.replace(target)  # the backup appears under its name only once complete


def check_sqlite_backup(source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    try:
        db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = _integrity(db) == "ok"
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"不是有效的 SQLite 备份文件：{error}") from error
    if not ok or "django_migrations" not in tables:
        raise BackupError("备份文件已损坏或不是本系统的备份。")


def restore_sqlite(source: Path, target: Path | None = None) -> None:
    """Restore into the file `target`, or over the configured database when target is None."""
    check_sqlite_backup(source)
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if target is None:
            connection.ensure_connection()
            backup.backup(connection.connection)  # type: ignore[arg-type]
            connection.close()  # drop anything the connection cached about the old contents
        else:
            destination = sqlite3.connect(target)
            try:
                backup.backup(destination)
            finally:
                destination.close()
    finally:
        backup.close()


def _pg_environment(settings_dict: dict[str, Any], database: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": database or settings_dict.get("NAME"),
    }
    env.update({key: str(value) for key, value in pairs.items() if value})
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"找不到 {command[0]}，请安装 PostgreSQL 客户端。") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{Path(command[0]).name} 失败：{error.stderr.strip()[:500]}") from error


def backup_postgres(target: Path) -> None:
    tmp = _private_tmp(target)
    env = _pg_environment(connection.settings_dict)
    _run([PG_DUMP, "--format=custom", "--no-password", f"--file={tmp}"], env)
    tmp.replace(target)


def restore_postgres(source: Path, database: str | None = None) -> None:
    """pg_restore into `database` (an empty one for a drill), or over the configured one."""
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    env = _pg_environment(connection.settings_dict, database)
    connection.close()  # our own session must not hold locks on what is being replaced
    _run(
        [
            PG_RESTORE,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--no-password",
            f"--dbname={env['PGDATABASE']}",
            str(source),
        ],
        env,
    )


def default_name(now_text: str) -> str:
    suffix = "sqlite3" if engine() == "sqlite" else "pgdump"
    return f"tiejun-{now_text}.{suffix}"

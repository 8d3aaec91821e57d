"""Restore a backup made by `manage.py backup` (SECURITY.md item 16); audited.

Without --target it replaces the configured database and needs --yes; with --target it fills
another SQLite file or PostgreSQL database, which is how a restore drill checks a backup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiejun.accounts import audit
from tiejun.accounts import backup as backups


class Command(BaseCommand):
    help = (
        "从备份文件恢复数据库；--target 恢复到另一个 SQLite 文件或 PostgreSQL 数据库（恢复演练）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="备份文件")
        parser.add_argument("--target", help="恢复到的 SQLite 文件路径或 PostgreSQL 数据库名")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据库")

    def handle(
        self, *args: Any, source: str, target: str | None = None, yes: bool = False, **options: Any
    ) -> None:
        if target is None and not yes:
            raise CommandError("恢复将覆盖当前数据库的全部数据；确认无误请加 --yes。")
        actor = audit.command_actor("restore")
        detail = {"file": source, "target": target or "（当前数据库）"}
        try:
            if backups.engine() == "sqlite":
                backups.restore_sqlite(Path(source), Path(target) if target else None)
            else:
                backups.restore_postgres(Path(source), target)
        except (backups.BackupError, OSError) as error:
            audit.record(
                "backup.restore",
                username=actor,
                result="failed",
                detail={**detail, "error": str(error)},
            )
            raise CommandError(f"恢复失败：{error}") from error
        # Over the live database this entry joins the restored chain, after the backup's last.
        audit.record("backup.restore", username=actor, detail=detail)
        self.stdout.write(f"已从 {source} 恢复到 {detail['target']}。")

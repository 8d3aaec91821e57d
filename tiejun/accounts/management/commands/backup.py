"""Back up the whole database to a file (SECURITY.md item 16); audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tiejun.accounts import audit
from tiejun.accounts import backup as backups


class Command(BaseCommand):
    help = "在线备份数据库：SQLite 用一致性快照，PostgreSQL 用 pg_dump（自定义格式）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="备份文件路径；默认写入 TIEJUN_BACKUP_DIR")

    def handle(self, *args: Any, output: str | None = None, **options: Any) -> None:
        actor = audit.command_actor("backup")
        try:
            vendor = backups.engine()
            target = (
                Path(output)
                if output
                else Path(settings.TIEJUN_BACKUP_DIR)
                / (backups.default_name(f"{timezone.localtime():%Y%m%d-%H%M%S}"))
            )
            if vendor == "sqlite":
                backups.backup_sqlite(target)
            else:
                backups.backup_postgres(target)
        except (backups.BackupError, OSError) as error:
            audit.record(
                "backup.create", username=actor, result="failed", detail={"error": str(error)}
            )
            raise CommandError(f"备份失败：{error}") from error
        size = target.stat().st_size
        audit.record(
            "backup.create",
            username=actor,
            detail={"file": str(target), "bytes": size, "engine": vendor},
        )
        self.stdout.write(f"已备份到 {target}（{size:,} 字节）。")

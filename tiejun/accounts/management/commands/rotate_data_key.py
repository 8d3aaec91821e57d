"""Add a new data key, make it current and re-encrypt every ID number (SECURITY.md item 14).

Running processes cache the key ring: restart the web and worker processes after rotating, or
pages opening a re-encrypted record fail to decrypt it until they do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiejun.accounts import audit, data_keys
from tiejun.lib import crypto


class Command(BaseCommand):
    help = (
        "轮换个人信息加密密钥：新增密钥并设为当前，分批重新加密全部身份证号；完成后请重启应用进程。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rotate-lookup", action="store_true", help="同时轮换检索摘要密钥，并重算全部检索摘要"
        )
        parser.add_argument(
            "--resume", action="store_true", help="不新增密钥，只补完上次中断的重新加密"
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(
        self,
        *args: Any,
        rotate_lookup: bool = False,
        resume: bool = False,
        batch_size: int = 500,
        **options: Any,
    ) -> None:
        if settings.TIEJUN_DATA_KEYS:
            raise CommandError(
                "密钥来自环境变量 TIEJUN_DATA_KEYS，本命令只能轮换密钥文件中的密钥。"
            )
        old = crypto.keyring()
        ring = old if resume else data_keys.with_new_key(old, rotate_lookup=rotate_lookup)
        if ring is not old:
            crypto.write_keyring(ring)  # first: a crash after this leaves every row readable
        rows = data_keys.reencrypt_members(ring, batch_size=batch_size)
        audit.record(
            "data_key.rotate",
            username=audit.command_actor("rotate_data_key"),
            detail={
                "from_key": old.current,
                "to_key": ring.current,
                "rows": rows,
                "lookup_rotated": rotate_lookup and not resume,
                "resume": resume,
            },
        )
        self.stdout.write(
            f"当前密钥 {ring.current}，已重新加密 {rows} 条身份证号。请重启应用进程。"
        )

"""Disable accounts unused for security.account.inactive_days (SECURITY.md item 1).

Meant for a daily timer; running it twice, even at once, disables and audits each account once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tiejun import rules
from tiejun.accounts.services import disable_inactive_accounts


class Command(BaseCommand):
    help = "停用超过规定天数未登录的账户（天数见规则表 security.account.inactive_days）。"

    def handle(self, *args: Any, **options: Any) -> None:
        disabled = disable_inactive_accounts()
        days = rules.get("security.account.inactive_days")
        names = "、".join(user.username for user in disabled)
        self.stdout.write(
            f"已停用 {len(disabled)} 个超过 {days} 天未使用的账户{'：' + names if names else '。'}"
        )

"""Walk the audit chain; exit non-zero naming the first broken link (SECURITY.md item 12)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tiejun.accounts.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志的链式摘要；发现断裂时以非零状态退出，并指出第一条异常记录的序号。"

    def handle(self, *args: Any, **options: Any) -> None:
        check = verify_chain()
        if check.first_broken is not None:
            raise CommandError(
                f"审计日志校验未通过：第 {check.first_broken} 号记录异常（{check.reason}）；"
                f"此前 {check.checked} 条完整。"
            )
        self.stdout.write(f"审计日志校验通过：共 {check.checked} 条记录，链式摘要完整。")

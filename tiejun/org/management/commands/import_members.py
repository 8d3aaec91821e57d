"""`manage.py import_members FILE [--dry-run] [--as USERNAME]`: the member import, from a shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiejun.accounts.models import User
from tiejun.lib.tabular import TableError, inspect_file
from tiejun.org.importer import ImportPlan, import_members, plan_import

COMMAND_ACTOR = "manage.py import_members"


def user_for_command(username: str | None, permission: str) -> User | None:
    """The account whose scope a command works in; None (the whole tree) without --as."""
    if not username:
        return None
    user = User.objects.select_related("org").filter(username=username).first()
    if user is None:
        raise CommandError(f"用户“{username}”不存在。")
    if not user.can(permission):
        raise CommandError(f"用户“{username}”没有此项操作的权限。")
    return user


class Command(BaseCommand):
    help = "导入党员名册（.xlsx、.xls、.csv）。先检查每一行；任何一行有误，不保存任何数据。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="名册文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不保存")
        parser.add_argument(
            "--as", dest="username", help="按该用户的管理范围导入，并以其名义记入审计"
        )

    def handle(self, *args: Any, file: str, dry_run: bool, username: str | None,
               **options: Any) -> None:  # fmt: skip
        user = user_for_command(username, "member.import")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            kind = inspect_file(path, path.name)
        except TableError as error:
            raise CommandError(error.message) from None
        if dry_run:
            plan = plan_import(path=path, kind=kind, user=user)
        else:
            plan = import_members(path=path, kind=kind, user=user, source=path.name,
                                  username=username or COMMAND_ACTOR)  # fmt: skip
        self._report(plan, dry_run=dry_run)

    def _report(self, plan: ImportPlan, *, dry_run: bool) -> None:
        for warning in plan.warnings:
            self.stdout.write(f"提示：{warning}")
        for problem in plan.problems:
            self.stderr.write(str(problem))
        counts = plan.counts()
        summary = (
            f"共 {counts['rows']} 行：新增 {counts['new']}，更新 {counts['updated']}，"
            f"无变化 {counts['unchanged']}，错误 {counts['errors']}。"
        )
        if plan.problems:
            raise CommandError(summary + "未保存任何数据。", returncode=1)
        outcome = "检查通过，未保存（--dry-run）。" if dry_run else "已全部保存。"
        self.stdout.write(self.style.SUCCESS(summary + outcome))

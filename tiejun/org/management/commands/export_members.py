"""`manage.py export_members FILE [--as USERNAME] [--masked]`: the member sheet, from a shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiejun.accounts import audit
from tiejun.org.exchange import write_members
from tiejun.org.management.commands.import_members import user_for_command
from tiejun.org.models import Member

COMMAND_ACTOR = "manage.py export_members"


class Command(BaseCommand):
    help = (
        "导出党员名册（.xlsx，表头与导入模板相同，可修改后重新导入）。"
        "不带 --as 时导出全部党员及完整身份证号；导出记入审计。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="要写入的 .xlsx 文件")
        parser.add_argument("--as", dest="username", help="只导出该用户管理范围内的党员")
        parser.add_argument(
            "--masked", action="store_true", help="隐藏身份证号和手机号码的中间部分（不能再导入）"
        )

    def handle(self, *args: Any, file: str, username: str | None, masked: bool,
               **options: Any) -> None:  # fmt: skip
        user = user_for_command(username, "member.export")
        path = Path(file)
        if path.suffix.lower() != ".xlsx":
            raise CommandError("导出文件须以 .xlsx 结尾。")
        members = Member.objects.visible_to(user) if user is not None else Member.objects.all()
        # A shell operator holds the data key anyway; a named user needs the permission.
        reveal = not masked and (user is None or user.may_reveal_personal_data)
        rows = members.select_related("org").order_by("org_path", "name", "id")
        with path.open("wb") as handle:
            count = write_members(rows.iterator(chunk_size=2000), handle, reveal=reveal)
        audit.record(
            "member.export", user=user, username=username or COMMAND_ACTOR,
            detail={"file": path.name, "rows": count, "masked": not reveal},
        )  # fmt: skip
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 名党员到 {path}。"))

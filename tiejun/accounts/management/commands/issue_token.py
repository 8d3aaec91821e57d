"""Issue an API bearer token for a user; the key is printed once and only its digest is kept."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiejun.accounts import audit
from tiejun.accounts.models import ApiToken, User
from tiejun.accounts.roles import ADMIN_ROLES


class Command(BaseCommand):
    help = "为用户签发接口令牌（Bearer），令牌只显示这一次。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="用途，如“组织部年报同步脚本”")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        if not user.is_active:
            raise CommandError(f"用户 {username} 已停用，不能签发令牌。")
        if user.role in ADMIN_ROLES:
            # A token would bypass the administrators' second factor, and they have no API data.
            raise CommandError("三员账户不签发接口令牌。")
        name = name.strip()
        if not name:
            raise CommandError("请用 --name 写明令牌用途。")
        token, key = ApiToken.issue(user, name)
        # Who holds a key to whose data is a permission change: it goes in the audit trail. The
        # actor is whoever runs the command on the server, not the token's user.
        audit.record(
            "api_token.issue",
            obj=token,
            username="manage.py issue_token",
            detail={"for": user.username, "name": name},
        )
        self.stdout.write(key)
        self.stderr.write(
            f"已为 {user.username} 签发令牌 {token.prefix}…（{name}）。请立即保存，"
            "此后无法再次查看。"
        )

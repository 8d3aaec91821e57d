"""Create the first 系统管理员, 安全管理员 and 审计管理员 of a new deployment.

There is no superuser (三员分立, `check --deploy` refuses one): the three administrators are made
here, once, from the server console, each with a temporary password that must be changed and a
second factor enrolled at first login.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tiejun.accounts import audit
from tiejun.accounts.models import User
from tiejun.accounts.roles import ADMIN_ROLES, Role
from tiejun.accounts.services import temporary_password

OPTIONS = {"system": Role.system_admin, "security": Role.security_admin, "audit": Role.audit_admin}


class Command(BaseCommand):
    help = "新部署时创建三员账户（系统管理员、安全管理员、审计管理员），口令只显示一次。"

    def add_arguments(self, parser: CommandParser) -> None:
        for option, role in OPTIONS.items():
            parser.add_argument(
                f"--{option}", required=True, metavar="USERNAME", help=str(role.label)
            )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(role__in=ADMIN_ROLES, is_active=True).exists():
            raise CommandError("已有三员账户：此后由安全管理员在“安全管理”页面维护。")
        usernames = [options[option].strip() for option in OPTIONS]
        if len(set(usernames)) != len(usernames) or not all(usernames):
            raise CommandError("三员须为三个不同的账户（三员分立）。")
        if User.objects.filter(username__in=usernames).exists():
            raise CommandError("用户名已被使用。")
        for username, role in zip(usernames, OPTIONS.values(), strict=True):
            password = temporary_password()
            user = User(username=username, role=role, must_change_password=True)
            user.set_password(password)
            user.save()
            audit.record("account.bootstrap", obj=user, username="manage.py bootstrap_admins",
                         detail={"role": role})  # fmt: skip
            self.stdout.write(f"{role.label}  {username}  临时口令：{password}")
        self.stdout.write("首次登录须修改口令并绑定动态口令（TOTP）；临时口令只显示这一次。")

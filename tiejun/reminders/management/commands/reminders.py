"""manage.py reminders: evaluate every reminder rule, print what changed, optionally e-mail.

Idempotent and safe to run twice at once (see tiejun/reminders/README.md for cron/systemd).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tiejun.reminders import engine
from tiejun.reminders.digest import send_digests


class Command(BaseCommand):
    help = "评估全部提醒规则：新建到期事项的提醒，消除已办结事项的提醒；--email 发送待办邮件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", action="store_true", help="评估后发送待办邮件摘要")
        parser.add_argument(
            "--rule", action="append", dest="rules", help="只评估这条规则（可重复）"
        )
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="按此日期评估（YYYY-MM-DD）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = engine.run(today=options["today"], codes=options["rules"])
        except KeyError as unknown:
            raise CommandError(
                _("没有这条提醒规则：%(code)s") % {"code": unknown.args[0]}
            ) from None
        total = engine.Counts()
        for code, counts in results.items():
            self.stdout.write(_line(engine.rule_label(code), counts))
            total += counts
        self.stdout.write(_line(_("合计"), total))
        if options["email"]:
            sent = send_digests()
            self.stdout.write(_("已发送待办邮件 %(n)s 封") % {"n": sent})


def _line(label: str, counts: engine.Counts) -> str:
    return _("%(label)s：新建 %(created)s，保留 %(kept)s，消除 %(resolved)s") % {
        "label": label,
        "created": counts.created,
        "kept": counts.kept,
        "resolved": counts.resolved,
    }

"""Delete audit entries past the retention period, and log the pruning (SECURITY.md item 13)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction
from django.db.models import Max, Min
from django.utils import timezone

from tiejun import rules
from tiejun.accounts import audit
from tiejun.accounts.models import AuditEntry
from tiejun.lib.dates import add_months
from tiejun.rules.registry import default


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """31 March less one month is the last day of February."""
    day = add_months(moment.date(), -months)
    return moment.replace(year=day.year, month=day.month, day=day.day)


def retention_months() -> int:
    """The configured retention, but never below the legal minimum (网络安全法 art. 21).

    The minimum's national value is a floor: an override may raise it, never lower it, so a
    rules-table edit cannot make this command delete entries the law says to keep.
    """
    legal_floor = max(
        rules.get("security.audit.min_retention_months"),
        default("security.audit.min_retention_months"),
    )
    return max(rules.get("security.audit.retention_months"), legal_floor)


def expired_entries(cutoff: dt.datetime) -> models.QuerySet[AuditEntry]:
    """The oldest entries up to the first one not yet expired: always a prefix of the chain.

    Cutting by sequence, not by time alone, leaves no gap in the chain even if the clock once
    went backwards, and never removes an entry younger than the cutoff.
    """
    keep_from = AuditEntry.objects.filter(at__gte=cutoff).order_by("seq").first()
    rows = AuditEntry.objects.all()
    return rows.filter(seq__lt=keep_from.seq) if keep_from else rows


class Command(BaseCommand):
    help = "清理超过保存期限的审计日志（不少于法定最短期限），清理本身记入审计日志。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        months = retention_months()
        cutoff = months_before(timezone.now(), months)
        with transaction.atomic():
            expired = expired_entries(cutoff)
            span = expired.aggregate(first=Min("seq"), last=Max("seq"))
            count = expired.count()
            if dry_run or not count:
                self.stdout.write(f"保存期限 {months} 个月，{cutoff:%Y-%m-%d} 前到期 {count} 条。")
                return
            # The one sanctioned bypass of the append-only guard: the base QuerySet.delete().
            models.QuerySet.delete(expired)
            audit.record(
                "audit.prune",
                username=audit.command_actor("prune_audit"),
                detail={
                    "cutoff": cutoff.isoformat(),
                    "months": months,
                    "deleted": count,
                    "first_seq": span["first"],
                    "last_seq": span["last"],
                },
            )
        self.stdout.write(
            f"已清理 {cutoff:%Y-%m-%d} 前的审计日志 {count} 条（保存期限 {months} 个月）。"
        )

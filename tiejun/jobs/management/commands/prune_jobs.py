"""Remove finished jobs older than TIEJUN_JOB_KEEP_DAYS with their files (a periodic command;
safe to run twice at once: a second run finds nothing left to remove)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from tiejun.jobs.models import Job


class Command(BaseCommand):
    help = "删除超过保存天数的已结束后台任务及其文件"

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - dt.timedelta(days=settings.TIEJUN_JOB_KEEP_DAYS)
        old = Job.objects.filter(
            status__in=[Job.Status.done, Job.Status.failed], finished_at__lt=cutoff
        )
        removed = 0
        for job in old.iterator():
            job.file_path().unlink(missing_ok=True)
            removed += Job.objects.filter(pk=job.pk).delete()[0]
        self.stdout.write(f"removed {removed} finished jobs older than {cutoff:%Y-%m-%d}")

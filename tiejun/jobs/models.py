"""Work too long for a web request (a big export): queued by a page, run by the worker
(`manage.py db_worker`), watched by its user on a page that shows how far it has got."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Kind(models.TextChoices):
        member_export = "member_export", _("党员名册导出")

    class Status(models.TextChoices):
        queued = "queued", _("排队中")
        running = "running", _("进行中")
        done = "done", _("已完成")
        failed = "failed", _("失败")

    # A UUID, not a counter: a job's address tells nothing about other people's jobs.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.queued
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="job_user_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.done, self.Status.failed)

    @property
    def percent(self) -> int:
        if self.status == self.Status.done:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    def file_path(self) -> Path:
        return Path(settings.TIEJUN_JOB_DIR) / f"{self.pk}.xlsx"

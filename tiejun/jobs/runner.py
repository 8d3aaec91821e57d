"""Running a job inside a task: claim it once, report progress, record how it ended."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tiejun.jobs.models import Job

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Progress is written every this many items: often enough for the page, rare enough to cost
# nothing beside the work.
PROGRESS_EVERY = 1000


def run_job(job_id: str, work: Callable[[Job], None]) -> None:
    """Run `work` on a queued job. A task delivered twice runs once: only a queued job is
    claimed. A failure leaves the job failed with a message for its user and is raised again,
    so the worker's log and task record keep the traceback."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.queued).update(
        status=Job.Status.running, started_at=timezone.now()
    )
    if not claimed:
        logger.info("job %s is not queued any more; not run again", job_id)
        return
    job = Job.objects.select_related("user").get(pk=job_id)
    try:
        work(job)
    except Exception as error:
        job.file_path().unlink(missing_ok=True)
        _finish(job, Job.Status.failed, message=_failure_message(error))
        raise
    _finish(job, Job.Status.done)


def _failure_message(error: Exception) -> str:
    if isinstance(error, Http404):
        return _("筛选条件中的党组织已不在您的管理范围内，任务未完成。")
    return _("任务执行出错，未完成。请重新提交；如仍失败，请联系系统管理员。")


def _finish(job: Job, status: str, message: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(status=status, message=message, finished_at=timezone.now())


def set_total(job: Job, total: int) -> None:
    job.total = total
    Job.objects.filter(pk=job.pk).update(total=total)


def with_progress(job: Job, items: Iterable[T]) -> Iterator[T]:
    """The items, counting them into the job as they pass."""
    count = 0
    for count, item in enumerate(items, start=1):
        if count % PROGRESS_EVERY == 0:
            Job.objects.filter(pk=job.pk).update(done=count)
        yield item
    Job.objects.filter(pk=job.pk).update(done=count)

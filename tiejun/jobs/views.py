"""A user's own background jobs: the list, one job's progress (polled by htmx) and its file."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from tiejun.accounts.decorators import current_user
from tiejun.accounts.models import User
from tiejun.jobs.models import Job
from tiejun.lib.xlsx import XLSX_TYPE
from tiejun.paging import page_of

# What a user must still be allowed to do to see a job of each kind, and to fetch its file.
KIND_PERMISSION = {Job.Kind.member_export: "member.export"}
PER_PAGE = 20


def _kinds_for(user: User) -> list[str]:
    return [kind for kind, permission in KIND_PERMISSION.items() if user.can(permission)]


def _own_job(request: HttpRequest, job_id: uuid.UUID) -> Job:
    """The job, if it is the user's own and of a kind the user may still use; else 404."""
    user = current_user(request)
    return get_object_or_404(Job, pk=job_id, user=user, kind__in=_kinds_for(user))


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    jobs = Job.objects.filter(user=user, kind__in=_kinds_for(user)).order_by("-created_at")
    context = {"page": page_of(request, jobs, PER_PAGE), "keep_days": settings.TIEJUN_JOB_KEEP_DAYS}
    return render(request, "jobs/job_list.html", context)


@login_required
@never_cache
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    return render(request, "jobs/job_detail.html", {"job": _own_job(request, job_id)})


@login_required
@never_cache
def job_status(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The progress panel alone; it asks again every two seconds until the job has ended."""
    return render(request, "jobs/partials/job_status.html", {"job": _own_job(request, job_id)})


@login_required
@never_cache
def job_download(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    job = _own_job(request, job_id)
    path = job.file_path()
    if job.status != Job.Status.done or not path.exists():
        raise Http404  # not ready, or removed after its keeping time
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.file_name, content_type=XLSX_TYPE
    )

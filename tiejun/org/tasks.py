"""Member work the worker runs (`manage.py db_worker`): exports too big to wait for."""

from __future__ import annotations

from django_tasks import task

from tiejun.jobs.models import Job
from tiejun.jobs.runner import run_job, set_total, with_progress
from tiejun.org.exchange import write_members
from tiejun.org.member_query import members_to_export

# Rows read from the database at a time while the workbook is written.
EXPORT_CHUNK = 2000


@task()
def export_members(job_id: str) -> None:
    run_job(job_id, _write_export)


def _write_export(job: Job) -> None:
    """The list as the user filtered it, within the scope the user has now (not when queued)."""
    rows = members_to_export(job.user, job.params)
    set_total(job, rows.count())
    path = job.file_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # files hold personal data
    members = with_progress(job, rows.iterator(chunk_size=EXPORT_CHUNK))
    write_members(members, str(path), reveal=job.user.may_reveal_personal_data)

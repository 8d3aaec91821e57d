"""Big member exports run in the worker: queued by the export button, watched, downloaded, kept
to their owner, and removed after their keeping time."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tiejun.accounts.models import AuditEntry
from tiejun.accounts.roles import Role
from tiejun.jobs.models import Job
from tiejun.org.tasks import export_members

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_direct_limit(settings, tmp_path):
    settings.TIEJUN_EXPORT_DIRECT_ROWS = 1  # the two members of `people` go to the worker
    settings.TIEJUN_JOB_DIR = tmp_path / "jobs"


def _queue(client, user, **filters) -> Job:
    client.force_login(user)
    response = client.get("/members/export.xlsx", filters)
    assert response.status_code == 302
    found = re.fullmatch(r"/jobs/([0-9a-f-]{36})/", response["Location"])
    assert found, response["Location"]
    return Job.objects.get(pk=found[1])


def test_a_big_export_is_queued_watched_and_downloaded(
    client, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        job = _queue(client, people.office, category="full")
    assert len(enqueued) == 1  # the task goes to the queue once the job row is committed
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "排队中" in page and 'hx-trigger="every 2s"' in page
    entry = AuditEntry.objects.get(action="member.export")
    assert entry.detail["background"] is True and entry.detail["filters"] == {"category": "full"}

    export_members.call(str(job.pk))

    job.refresh_from_db()
    assert (job.status, job.total, job.done) == (Job.Status.done, 2, 2)
    status = client.get(f"/jobs/{job.pk}/status/").content.decode()
    assert "已完成" in status and "hx-trigger" not in status  # the page stops asking
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    names = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["张海冰", "李文"]


def test_a_small_export_still_downloads_at_once(client, people, settings):
    settings.TIEJUN_EXPORT_DIRECT_ROWS = 5
    client.force_login(people.office)
    response = client.get("/members/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxml")
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker opens its own transactions
def test_the_worker_runs_the_queued_export(client, people):
    """The real queue: the task row the export button wrote, picked up by `db_worker`."""
    job = _queue(client, people.office)
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.done and job.file_path().exists()


def test_a_job_is_its_owners_alone(client, people):
    job = _queue(client, people.office)
    export_members.call(str(job.pk))
    for other in (people.secretary_a, people.member_a, people.auditor, people.sysadmin):
        client.force_login(other)
        for suffix in ("", "status/", "download/"):
            assert client.get(f"/jobs/{job.pk}/{suffix}").status_code == 404
        assert str(job.pk) not in client.get("/jobs/").content.decode()
    client.force_login(people.office)
    assert client.get(f"/jobs/{uuid.uuid4()}/").status_code == 404
    people.office.role = Role.member  # no longer allowed to export: no longer sees the file
    people.office.save()
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_an_org_outside_the_scope_is_refused_before_anything_is_queued(client, people):
    client.force_login(people.secretary_a)
    response = client.get("/members/export.xlsx", {"org": people.branch_b.pk})
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_the_scope_is_the_users_when_the_job_runs(people):
    """A secretary moved to another branch after queueing gets no members of the old one."""
    job = Job.objects.create(
        kind=Job.Kind.member_export, user=people.secretary_a, params={"org": people.branch_a.pk}
    )
    people.secretary_a.org = people.branch_b
    people.secretary_a.save()
    with pytest.raises(Http404):
        export_members.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.failed and "不在您的管理范围内" in job.message
    assert not job.file_path().exists()


def test_a_task_delivered_twice_runs_once(people):
    job = Job.objects.create(kind=Job.Kind.member_export, user=people.office, file_name="x.xlsx")
    export_members.call(str(job.pk))
    finished = Job.objects.get(pk=job.pk).finished_at
    export_members.call(str(job.pk))
    assert Job.objects.get(pk=job.pk).finished_at == finished


def test_progress_is_counted_while_the_rows_are_written(people, monkeypatch):
    from tiejun.jobs import runner

    monkeypatch.setattr(runner, "PROGRESS_EVERY", 1)
    seen = []
    job = Job.objects.create(kind=Job.Kind.member_export, user=people.office, file_name="x.xlsx")
    for _member in runner.with_progress(job, range(3)):
        seen.append(Job.objects.get(pk=job.pk).done)
    assert seen == [1, 2, 3]  # the page sees each row counted as it is handed on


def test_old_finished_jobs_and_their_files_are_pruned(people, settings):
    old = timezone.now() - dt.timedelta(days=settings.TIEJUN_JOB_KEEP_DAYS + 1)
    jobs = {}
    cases = [("old", Job.Status.done, old), ("new", Job.Status.done, timezone.now()),
             ("running", Job.Status.running, None)]  # fmt: skip
    for name, status, finished in cases:
        jobs[name] = Job.objects.create(
            kind=Job.Kind.member_export, user=people.office, status=status, finished_at=finished
        )
        jobs[name].file_path().parent.mkdir(parents=True, exist_ok=True)
        jobs[name].file_path().write_bytes(b"x")
    call_command("prune_jobs", verbosity=0)
    call_command("prune_jobs", verbosity=0)  # twice (or at once) is harmless
    assert set(Job.objects.values_list("pk", flat=True)) == {jobs["new"].pk, jobs["running"].pk}
    assert not jobs["old"].file_path().exists() and jobs["new"].file_path().exists()


def test_the_job_list_paginates_in_constant_queries(client, people):
    client.force_login(people.office)

    def queries_for(count: int) -> int:
        Job.objects.all().delete()
        Job.objects.bulk_create(
            Job(kind=Job.Kind.member_export, user=people.office) for _ in range(count)
        )
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/jobs/").status_code == 200
        return len(captured)

    assert queries_for(3) == queries_for(45)
    assert "共 45 条" in client.get("/jobs/").content.decode()

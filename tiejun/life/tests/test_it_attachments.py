"""Attachments: allow-listed types checked by content, a size limit, served only in scope."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tiejun.accounts.models import AuditEntry
from tiejun.life.models import Attachment
from tiejun.life.tests.helpers import make_meeting

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def _upload(client, meeting, name, content, kind="photo"):
    return client.post(
        f"/meetings/{meeting.pk}/attachments/",
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def test_a_photo_is_kept_outside_the_web_root_and_served_in_scope(client, people, today, settings):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    assert _upload(client, meeting, "合影.png", PNG).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)
    assert str(settings.MEDIA_ROOT) in attachment.file.path
    assert "/meetings/" in attachment.file.name or attachment.file.name.startswith("meetings/")
    response = client.get(f"/meetings/{meeting.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert AuditEntry.objects.filter(action="meeting.attachment_add").exists()
    client.force_login(people.member_b)
    assert client.get(f"/meetings/{meeting.pk}/attachments/{attachment.pk}/").status_code == 404


def test_a_renamed_file_is_refused(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    response = _upload(client, meeting, "签到表.pdf", b"MZ\x90\x00 not a pdf")
    assert "文件内容与扩展名不符" in response.content.decode()
    response = _upload(client, meeting, "程序.exe", b"MZ\x90\x00")
    assert "只能上传" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused(client, people, today, settings):
    settings.UPLOAD_MAX_BYTES = 50
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    response = _upload(client, meeting, "签到表.pdf", PDF, kind="sign_sheet")
    assert "文件不能超过" in response.content.decode()
    assert not Attachment.objects.exists()


def test_members_cannot_upload(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.member_a)
    assert _upload(client, meeting, "合影.png", PNG).status_code == 403

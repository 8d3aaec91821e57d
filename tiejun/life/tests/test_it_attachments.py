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


def test_a_word_file_with_an_open_password_is_refused_as_such(client, people, today, tmp_path):
    import docx
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.docx"
    document = docx.Document()
    document.add_paragraph("支部委员会会议记录")
    document.save(str(plain))
    locked = tmp_path / "locked.docx"
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("123456", target)
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    response = _upload(client, meeting, "会议记录.docx", locked.read_bytes(), kind="material")
    assert "设置了打开密码" in response.content.decode()
    assert not Attachment.objects.exists()


def test_lecture_slides_and_an_ofd_document_are_kept_as_materials(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    slides = _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})
    ofd = _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})
    assert _upload(client, meeting, "党课课件.pptx", slides, kind="material").status_code == 302
    assert _upload(client, meeting, "上级通知.ofd", ofd, kind="material").status_code == 302
    assert sorted(Attachment.objects.values_list("content_type", flat=True)) == [
        "application/ofd",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ]


def test_a_zip_posing_as_ofd_and_a_wps_file_are_refused_with_what_to_do(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    posing = _upload(client, meeting, "通知.ofd", _zip({"a.txt": b"x"}), kind="material")
    assert "文件不是 OFD 版式文件（.ofd）" in posing.content.decode()
    wps = _upload(client, meeting, "讲稿.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", kind="material")
    assert "WPS 文件请另存为" in wps.content.decode()
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


def _docx() -> bytes:
    import io

    from docx import Document

    document = Document()
    document.add_paragraph("关于开展主题党日活动的方案")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_word_and_excel_materials_are_kept_and_download(client, people, today):
    from tiejun.lib.office_files import OLE2_MAGIC

    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    content = _docx()
    assert _upload(client, meeting, "活动方案.docx", content, kind="material").status_code == 302
    legacy = OLE2_MAGIC + b"\x00" * 504  # a .doc or WPS file saved as .doc starts like this
    assert _upload(client, meeting, "旧方案.doc", legacy, kind="material").status_code == 302
    word = Attachment.objects.get(name="活动方案.docx")
    assert word.content_type.endswith("wordprocessingml.document")
    response = client.get(f"/meetings/{meeting.pk}/attachments/{word.pk}/")
    assert response["Content-Disposition"].startswith("attachment")  # downloaded, not rendered
    assert b"".join(response.streaming_content) == content
    photo = _upload(client, meeting, "合影.png", PNG)
    assert photo.status_code == 302
    shown = Attachment.objects.get(name="合影.png")
    inline = client.get(f"/meetings/{meeting.pk}/attachments/{shown.pk}/")
    assert not inline["Content-Disposition"].startswith("attachment")


def test_a_document_that_is_not_what_it_claims_is_refused(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    cases = {
        "程序.doc": (b"MZ\x90\x00" * 4, "文件内容与扩展名不符"),
        "压缩包.docx": (_zip({"readme.txt": b"hello"}), "文件不是 Word 文档（.docx）"),
        "表格.docx": (
            _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}),
            "不是 Word 文档",
        ),
        "炸弹.xlsx": (
            _zip({"[Content_Types].xml": b"<x/>", "xl/sheet.xml": b"\x00" * (20 * 1024 * 1024)}),
            "疑似压缩炸弹",
        ),
    }
    for name, (content, message) in cases.items():
        response = _upload(client, meeting, name, content, kind="material")
        assert message in response.content.decode(), name
    assert not Attachment.objects.exists()

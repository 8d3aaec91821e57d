"""The import pages: upload → preview → confirm, the error list, the template, and scoping."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tiejun.org.importer import HEADERS, REQUIRED
from tiejun.org.models import Member
from tiejun.org.tests.sheets import member_row, table, write_workbook, write_xlsx


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(client, path, name=None):
    with path.open("rb") as handle:
        return client.post("/members/import/", {"file": handle} if name is None else {
            "file": SimpleUploadedFile(name, handle.read())})  # fmt: skip


def _token(response) -> str:
    match = re.fullmatch(r"/members/import/([A-Za-z0-9_-]+)/", response["Location"])
    assert match, response["Location"]
    return match[1]


def test_upload_preview_confirm(client, people, tmp_path, settings):
    client.force_login(people.secretary_a)
    path = write_xlsx(tmp_path / "支部名册.xlsx", table([member_row(1), member_row(2)]))
    uploaded = _upload(client, path)
    assert uploaded.status_code == 302
    token = _token(uploaded)
    stored = list((settings.MEDIA_ROOT / "imports" / token).iterdir())
    assert {p.name for p in stored} == {"data", "meta.json"}
    preview = client.get(f"/members/import/{token}/")
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "检查通过" in body and "党员1" in body and "确认导入" in body
    assert not Member.objects.filter(name="党员1").exists()  # nothing saved by a preview
    confirmed = client.post(f"/members/import/{token}/confirm/")
    assert confirmed.status_code == 302 and confirmed["Location"] == "/members/"
    assert Member.objects.filter(org=people.branch_a, name__in=["党员1", "党员2"]).count() == 2
    assert not (settings.MEDIA_ROOT / "imports" / token).exists()
    follow = client.get("/members/")
    assert "新增 2 名" in follow.content.decode()


def test_a_preview_lists_every_error_and_offers_the_error_workbook(client, people, tmp_path):
    client.force_login(people.office)
    rows = [member_row(n) for n in range(1, 6)]
    rows[0]["民族"] = "火星族"
    rows[2]["入党日期"] = "昨天"
    rows[4]["所在党组织"] = "不存在的支部"
    token = _token(_upload(client, write_xlsx(tmp_path / "a.xlsx", table(rows))))
    body = client.get(f"/members/import/{token}/").content.decode()
    assert "发现 3 处错误" in body and "确认导入" not in body
    assert "火星族" in body and "昨天" in body and "不存在的支部" in body
    response = client.get(f"/members/import/{token}/errors.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows_in_book = list(sheet.iter_rows(values_only=True))
    assert rows_in_book[0] == ("行号", "列", "原因")
    assert [(r[0], r[1]) for r in rows_in_book[1:]] == [
        (2, "民族"),
        (4, "入党日期"),
        (6, "所在党组织"),
    ]
    assert client.post(f"/members/import/{token}/confirm/").status_code == 400
    assert not Member.objects.filter(name__startswith="党员").exists()


def test_a_secretary_cannot_import_into_another_branch(client, people, tmp_path):
    client.force_login(people.secretary_a)
    rows = [member_row(1), member_row(2, org="水生态环境处党支部")]
    token = _token(_upload(client, write_xlsx(tmp_path / "a.xlsx", table(rows))))
    response = client.post(f"/members/import/{token}/confirm/")
    assert response.status_code == 400
    assert "不在您的管理范围内" in response.content.decode()
    assert not Member.objects.filter(name__startswith="党员").exists()


def test_another_users_upload_token_is_not_found(client, people, tmp_path):
    client.force_login(people.secretary_a)
    token = _token(_upload(client, write_xlsx(tmp_path / "a.xlsx", table([member_row(1)]))))
    client.force_login(people.office)
    assert client.get(f"/members/import/{token}/").status_code == 404
    assert client.get(f"/members/import/{token}/errors.xlsx").status_code == 404
    assert client.post(f"/members/import/{token}/confirm/").status_code == 404
    assert client.get("/members/import/" + "A" * 32 + "/").status_code == 404
    assert client.get("/members/import/..%2F..%2Fetc/").status_code == 404
    assert not Member.objects.filter(name="党员1").exists()


def test_members_without_the_import_permission_are_refused(client, people):
    client.force_login(people.member_a)
    assert client.get("/members/import/").status_code == 403
    assert client.get("/members/import/template.xlsx").status_code == 403
    client.logout()
    assert client.get("/members/import/").status_code == 302  # to the login page


def test_the_template_has_the_standard_headers_text_columns_and_instructions(client, people):
    client.force_login(people.office)
    response = client.get("/members/import/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["党员信息", "填写说明"]
    sheet = book["党员信息"]
    assert [c.value for c in sheet[1]] == list(HEADERS.values())
    id_column = list(HEADERS).index("id_number") + 1
    phone_column = list(HEADERS).index("phone") + 1
    assert sheet.cell(2, id_column).number_format == "@"
    assert sheet.cell(2, phone_column).number_format == "@"
    assert sheet.column_dimensions["E"].width > 0
    assert isinstance(sheet.cell(2, id_column).value, str)
    guide = [row[0] for row in book["填写说明"].iter_rows(values_only=True) if row[0]]
    assert any("文本格式" in line for line in guide)
    assert all(HEADERS[name] in guide[2] for name in REQUIRED)


def test_the_template_itself_imports_as_nothing_but_a_skipped_example(client, people, tmp_path):
    client.force_login(people.office)
    path = tmp_path / "模板.xlsx"
    path.write_bytes(client.get("/members/import/template.xlsx").content)
    token = _token(_upload(client, path))
    body = client.get(f"/members/import/{token}/").content.decode()
    assert "没有数据行" in body and "示例行" in body


def test_the_member_list_offers_import_to_those_who_may(client, people):
    client.force_login(people.secretary_a)
    assert 'href="/members/import/"' in client.get("/members/").content.decode()
    client.force_login(people.member_a)
    assert 'href="/members/import/"' not in client.get("/members/").content.decode()


def test_a_preview_of_several_branch_sheets_shows_each_rows_sheet(client, people, tmp_path):
    client.force_login(people.office)
    sheets = {
        "填写说明": [["每个支部一张工作表"]],
        "一支部": table([member_row(1)]),
        "二支部": table([member_row(2, org=people.branch_b.name)]),
    }
    token = _token(_upload(client, write_workbook(tmp_path / "各支部.xlsx", sheets)))
    body = client.get(f"/members/import/{token}/").content.decode()
    assert "检查通过" in body and "<th>工作表</th>" in body
    assert body.index("一支部</td>") < body.index("二支部</td>")
    assert "未导入没有党员信息表头的工作表：“填写说明”" in body

"""Uploads (SECURITY.md item 20): allow-listed types, size limit, content checked, bombs refused,
kept outside the web root, and a refused file is not kept at all."""

from __future__ import annotations

import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tiejun.org.tests.sheets import member_row, table, write_xlsx


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _post(client, name: str, content: bytes):
    return client.post("/members/import/", {"file": SimpleUploadedFile(name, content)})


def _kept(settings) -> list[str]:
    root = settings.MEDIA_ROOT / "imports"
    return [p.name for p in root.iterdir()] if root.exists() else []


def test_a_renamed_executable_is_refused_and_not_kept(client, people, settings):
    client.force_login(people.office)
    response = _post(client, "名册.xlsx", b"MZ\x90\x00" + bytes(4096))
    assert response.status_code == 200
    assert "拒绝" in response.content.decode()
    assert _kept(settings) == []


def test_a_zip_bomb_is_refused(client, people, settings, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (32 * 1024 * 1024))
    client.force_login(people.office)
    response = _post(client, "bomb.xlsx", bomb.read_bytes())
    assert "压缩炸弹" in response.content.decode()
    assert _kept(settings) == []


def test_an_oversized_file_is_refused(client, people, settings, tmp_path):
    settings.UPLOAD_MAX_BYTES = 4096
    path = write_xlsx(tmp_path / "a.xlsx", table([member_row(n) for n in range(1, 40)]))
    assert path.stat().st_size > 4096
    client.force_login(people.office)
    response = _post(client, "a.xlsx", path.read_bytes())
    assert "文件过大" in response.content.decode()
    assert _kept(settings) == []


@pytest.mark.parametrize(
    ("name", "says"),
    [("名册.exe", "只能导入"), ("名册.html", "只能导入"), ("名册", "只能导入"),
     ("名册.xlsm", "请先“另存为” Excel 工作簿（.xlsx）")],
)  # fmt: skip
def test_other_types_are_refused(client, people, settings, name, says):
    client.force_login(people.office)
    response = _post(client, name, "姓名,身份证号\n".encode())
    assert says in response.content.decode()
    assert _kept(settings) == []


def test_uploads_are_kept_outside_the_web_root_and_not_served(client, people, settings, tmp_path):
    client.force_login(people.office)
    path = write_xlsx(tmp_path / "a.xlsx", table([member_row(1)]))
    response = _post(client, "a.xlsx", path.read_bytes())
    token = response["Location"].split("/")[-2]
    static_roots = [str(settings.STATIC_ROOT), *map(str, settings.STATICFILES_DIRS)]
    assert not any(str(settings.MEDIA_ROOT).startswith(root) for root in static_roots)
    for url in (f"/media/imports/{token}/data", f"/static/imports/{token}/data",
                f"/members/import/{token}/data"):  # fmt: skip
        assert client.get(url).status_code == 404

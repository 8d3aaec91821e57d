"""A 405 answers in Chinese, a page as a page and the API as JSON; after an attachment is
refused (the page is then at the upload's address) the tabs still lead to the meeting."""

from __future__ import annotations

from tiejun.life.tests.helpers import make_meeting


def test_a_post_only_address_opened_in_the_browser_is_a_chinese_page(client, people, today):
    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    response = client.get(f"/meetings/{meeting.pk}/attachments/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    body = response.content.decode()
    assert "此地址不能这样打开" in body and "<html" in body


def test_a_method_the_api_does_not_take_is_json_in_chinese(client, people):
    client.force_login(people.office)
    response = client.patch(f"/api/v1/members/{people.zhang.pk}", "{}", "application/json")
    assert response.status_code == 405
    assert "此地址不能这样打开" in response.json()["detail"]


def test_the_meeting_tabs_lead_back_to_the_meeting_after_a_refused_upload(client, people, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    meeting = make_meeting(people.branch_a, held_on=today)
    client.force_login(people.secretary_a)
    upload = {"kind": "photo", "file": SimpleUploadedFile("a.exe", b"MZ")}
    refused = client.post(f"/meetings/{meeting.pk}/attachments/", upload)
    assert refused.status_code == 200 and "只能上传" in refused.content.decode()
    assert f'href="/meetings/{meeting.pk}/?tab=attachments"' in refused.content.decode()

"""SECURITY.md item 10: ID-card and phone numbers masked by default; showing them in full needs
the permission and is audited; a refusal is audited as denied."""

from __future__ import annotations

from tiejun.accounts.models import AuditEntry
from tiejun.accounts.tests.helpers import last_entry


def test_pages_show_masked_numbers_only(client, people):
    client.force_login(people.office)
    number, phone = people.zhang.id_number(), people.zhang.phone
    for url in ("/members/", f"/members/{people.zhang.pk}/", f"/org/?org={people.branch_a.pk}"):
        body = client.get(url).content.decode()
        assert number not in body and phone not in body, url
    detail = client.get(f"/members/{people.zhang.pk}/").content.decode()
    assert people.zhang.id_masked in detail and people.zhang.phone_masked in detail
    assert number[6:14] not in people.zhang.id_masked  # the birth date is hidden too


def test_a_permitted_user_reveals_and_the_view_is_audited(client, people):
    client.force_login(people.office)
    response = client.post(f"/members/{people.zhang.pk}/reveal/", REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 200
    body = response.content.decode()
    assert people.zhang.id_number() in body and people.zhang.phone in body
    entry = last_entry("member.reveal")
    assert (entry.username, entry.result, entry.ip) == ("office", "ok", "10.1.1.1")
    assert entry.object_type == "org.member" and entry.object_id == str(people.zhang.pk)
    assert people.zhang.id_number() not in str(entry.detail)


def test_a_user_without_the_permission_is_refused_and_the_attempt_audited(client, people):
    assert not people.secretary_a.may_reveal_personal_data
    client.force_login(people.secretary_a)
    response = client.post(f"/members/{people.zhang.pk}/reveal/")
    assert response.status_code == 403
    assert people.zhang.id_number() not in response.content.decode()
    entry = last_entry("member.reveal")
    assert (entry.username, entry.result) == ("secretary", "denied")
    assert entry.object_id == str(people.zhang.pk)


def test_the_reveal_button_is_shown_only_with_the_permission(client, people):
    client.force_login(people.secretary_a)
    assert "查看完整号码" not in client.get(f"/members/{people.zhang.pk}/").content.decode()
    client.force_login(people.office)
    assert "查看完整号码" in client.get(f"/members/{people.zhang.pk}/").content.decode()


def test_a_member_outside_the_scope_is_404_even_with_the_permission(client, people):
    people.secretary_a.may_reveal_personal_data = True
    people.secretary_a.save(update_fields=["may_reveal_personal_data"])
    client.force_login(people.secretary_a)
    response = client.post(f"/members/{people.li.pk}/reveal/")
    assert response.status_code == 404
    assert people.li.id_number() not in response.content.decode()


def test_revealing_is_post_only(client, people):
    client.force_login(people.office)
    assert client.get(f"/members/{people.zhang.pk}/reveal/").status_code == 405
    assert not AuditEntry.objects.filter(action="member.reveal").exists()


def test_a_permission_granted_by_the_security_admin_takes_effect(client, people):
    admin = client.__class__()
    admin.force_login(people.secadmin)
    admin.post(f"/accounts/security/users/{people.secretary_a.pk}/reveal/", {"allowed": "1"})
    client.force_login(people.secretary_a)
    assert client.post(f"/members/{people.zhang.pk}/reveal/").status_code == 200
    admin.post(f"/accounts/security/users/{people.secretary_a.pk}/reveal/", {"allowed": "0"})
    assert client.post(f"/members/{people.zhang.pk}/reveal/").status_code == 403

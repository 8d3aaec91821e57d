"""Every role reaches for records outside its scope through the pages and is refused."""

from __future__ import annotations

import pytest

from tiejun.testing import make_member, make_user

ADMINS = ["sysadmin", "secadmin", "auditor"]


def _member_urls(pk: int) -> list[str]:
    return [f"/members/{pk}/", f"/members/{pk}/edit/", f"/members/{pk}/?tab=history"]


def test_the_secretary_cannot_open_a_member_of_another_branch(client, people):
    client.force_login(people.secretary_a)
    for url in _member_urls(people.li.pk):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/members/{people.li.pk}/reveal/").status_code == 404
    assert (
        client.get(f"/org/{people.branch_b.pk}/edit/").status_code == 403
    )  # secretaries don't manage orgs


def test_the_secretary_cannot_move_a_member_into_another_branch(client, people):
    client.force_login(people.secretary_a)
    member = people.zhang
    response = client.post(
        f"/members/{member.pk}/edit/",
        {
            "name": member.name,
            "gender": member.gender,
            "ethnicity": member.ethnicity,
            "birth_date": member.birth_date,
            "education": member.education,
            "joined_on": member.joined_on,
            "full_on": member.full_on,
            "category": member.category,
            "org": people.branch_b.pk,
            "post": member.post,
            "phone": member.phone,
            "status": member.status,
            "version": member.version,
        },
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode() or "有效" in response.content.decode()
    member.refresh_from_db()
    assert member.org == people.branch_a


def test_a_member_sees_only_their_own_record(client, people):
    neighbour = make_member(people.branch_a, "王芳", female=True)
    client.force_login(people.member_a)
    assert client.get(f"/members/{people.zhang.pk}/").status_code == 200
    assert client.get(f"/members/{neighbour.pk}/").status_code == 404
    assert client.get(f"/members/{people.li.pk}/").status_code == 404
    assert client.get(f"/members/{people.zhang.pk}/edit/").status_code == 403
    body = client.get("/members/").content.decode()
    assert "张海冰" in body and "王芳" not in body


def test_an_office_admin_of_a_subtree_sees_nothing_above_or_beside_it(client, people):
    office_a = make_user("office_a", "office", people.branch_a)
    client.force_login(office_a)
    assert client.get("/org/", {"org": people.root.pk}).status_code == 404
    assert client.get(f"/members/{people.li.pk}/").status_code == 404
    assert client.get("/members/", {"org": people.branch_b.pk}).status_code == 404
    assert client.get(f"/org/{people.root.pk}/edit/").status_code == 404


@pytest.mark.parametrize("who", ADMINS)
def test_the_three_administrators_see_no_party_data(client, people, who):
    client.force_login(getattr(people, who))
    for url in [
        "/org/",
        "/members/",
        f"/members/{people.zhang.pk}/",
        "/members/export.xlsx",
        f"/org/{people.branch_a.pk}/children/",
    ]:
        assert client.get(url).status_code == 403, url


def test_the_list_filters_are_scoped_too(client, people):
    client.force_login(people.secretary_a)
    body = client.get("/members/", {"q": "李文"}).content.decode()
    assert "共 0 条" in body
    assert f"/members/{people.li.pk}/" not in body
    assert client.get("/members/", {"org": people.branch_b.pk}).status_code == 404


def test_an_unknown_or_malformed_id_is_a_404_not_a_500(client, people):
    client.force_login(people.office)
    assert client.get("/members/999999/").status_code == 404
    assert client.get("/org/", {"org": "abc"}).status_code == 404


def test_pages_need_a_login(client, people):
    response = client.get("/members/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

from __future__ import annotations

from tiejun.testing import make_member


def test_it_shows_the_tree_and_the_selected_orgs_members(client, people):
    client.force_login(people.office)
    response = client.get("/org/", {"org": people.branch_a.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "大气环境处党支部" in body
    assert "张海冰" in body
    assert "李文" not in body


def test_it_refuses_an_org_outside_the_secretarys_subtree(client, people):
    client.force_login(people.secretary_a)
    assert client.get("/org/", {"org": people.branch_b.pk}).status_code == 404
    assert client.get(f"/org/{people.branch_b.pk}/children/").status_code == 404


def test_it_lists_children_lazily(client, people):
    client.force_login(people.office)
    response = client.get(f"/org/{people.root.pk}/children/")
    assert "水生态环境处党支部" in response.content.decode()


def test_member_list_paginates_with_a_total(client, people):
    for index in range(25):
        make_member(people.branch_a, f"王{index}")
    client.force_login(people.secretary_a)
    response = client.get("/members/")
    assert response.status_code == 200
    assert "共 26 条" in response.content.decode()

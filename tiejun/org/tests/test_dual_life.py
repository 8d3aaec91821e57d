from __future__ import annotations

from tiejun.org.models import DualLife


def test_the_office_attaches_a_leader_to_another_branch(client, people):
    client.force_login(people.office)
    url = f"/members/{people.zhang.pk}/dual-life/new/"
    assert client.post(url, {"org": people.branch_b.pk, "since": "2026-01-01"}).status_code == 302
    dual = DualLife.objects.get(member=people.zhang)
    assert dual.org == people.branch_b
    pane = client.get("/org/", {"org": people.branch_b.pk}).content.decode()
    assert "过双重组织生活的党员" in pane and "张海冰" in pane
    response = client.post(url, {"org": people.branch_b.pk, "since": "2026-02-01"})
    assert "已在此组织过双重组织生活" in response.content.decode()
    client.post(f"/members/{people.zhang.pk}/dual-life/{dual.pk}/end/")
    dual.refresh_from_db()
    assert dual.until is not None


def test_the_member_s_own_branch_is_not_offered(client, people):
    client.force_login(people.office)
    response = client.post(
        f"/members/{people.zhang.pk}/dual-life/new/",
        {"org": people.branch_a.pk, "since": "2026-01-01"},
    )
    assert response.status_code == 200
    assert not DualLife.objects.exists()


def test_a_secretary_cannot_attach_members(client, people):
    client.force_login(people.secretary_a)
    assert client.get(f"/members/{people.zhang.pk}/dual-life/new/").status_code == 403


def test_an_office_admin_of_a_subtree_cannot_reach_outside_it(client, people):
    from tiejun.testing import make_user

    office_a = make_user("office_a", "office", people.branch_a)
    client.force_login(office_a)
    assert client.get(f"/members/{people.li.pk}/dual-life/new/").status_code == 404
    response = client.post(
        f"/members/{people.zhang.pk}/dual-life/new/",
        {"org": people.branch_b.pk, "since": "2026-01-01"},
    )
    assert response.status_code == 200 and not DualLife.objects.exists()

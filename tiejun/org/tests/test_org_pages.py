from __future__ import annotations

import datetime as dt

from tiejun.org.models import Committee, CommitteeSeat, Org
from tiejun.testing import make_member


def test_the_office_adds_a_branch_under_the_committee(client, people):
    client.force_login(people.office)
    response = client.post(
        "/org/new/",
        {
            "code": "c01 ",
            "name": "土壤生態環境處黨支部",
            "kind": "branch",
            "parent": people.root.pk,
            "sort_order": 3,
        },
    )
    assert response.status_code == 302
    org = Org.objects.get(code="C01")
    assert org.name == "土壤生態環境處黨支部"
    assert (org.name_folded, org.name_key) == ("土壤生态环境处党支部", "土壤生态环境处支部")
    assert org.path.startswith(people.root.path) and org.depth == 1


def test_a_party_group_cannot_hang_under_a_branch(client, people):
    client.force_login(people.office)
    response = client.post(
        "/org/new/",
        {
            "code": "G9",
            "name": "党小组",
            "kind": "committee",
            "parent": people.branch_a.pk,
            "sort_order": 0,
        },
    )
    assert response.status_code == 200
    assert "不能设在党支部之下" in response.content.decode()
    assert not Org.objects.filter(code="G9").exists()


def test_a_temporary_branch_needs_its_dates(client, people):
    client.force_login(people.office)
    data = {
        "code": "TMP1",
        "name": "督察组临时党支部",
        "kind": "temporary_branch",
        "parent": people.root.pk,
        "sort_order": 0,
    }
    assert "临时党支部须填写成立日期" in client.post("/org/new/", data).content.decode()
    data.update(starts_on="2026-09-01", ends_on="2026-08-01")
    assert "撤销日期不能早于成立日期" in client.post("/org/new/", data).content.decode()
    data.update(ends_on="2026-12-31")
    assert client.post("/org/new/", data).status_code == 302


def test_a_committee_takes_its_term_from_the_rules_table(client, people):
    client.force_login(people.office)
    page = client.get(f"/org/{people.branch_a.pk}/committee/new/").content.decode()
    assert "任期 3 年" in page
    response = client.post(
        f"/org/{people.branch_a.pk}/committee/new/",
        {"number": 2, "elected_on": "2024-05-20", "term_years": 3},
    )
    assert response.status_code == 302
    committee = Committee.objects.get(org=people.branch_a)
    assert committee.expires_on == dt.date(2027, 5, 20)


def test_a_term_longer_than_the_rules_allow_is_refused(client, people):
    client.force_login(people.office)
    response = client.post(
        f"/org/{people.branch_a.pk}/committee/new/", {"elected_on": "2024-05-20", "term_years": 9}
    )
    assert "任期超过规定年限" in response.content.decode()


def test_a_new_committee_ends_the_current_one(client, people):
    client.force_login(people.office)
    url = f"/org/{people.branch_a.pk}/committee/new/"
    client.post(url, {"elected_on": "2021-05-20", "term_years": 3})
    client.post(url, {"elected_on": "2024-05-20", "term_years": 3})
    old, new = Committee.objects.filter(org=people.branch_a).order_by("elected_on")
    assert old.ended_on == dt.date(2024, 5, 20) and new.ended_on is None


def test_seats_one_secretary_per_committee(client, people):
    other = make_member(people.branch_a, "王强")
    client.force_login(people.office)
    client.post(
        f"/org/{people.branch_a.pk}/committee/new/", {"elected_on": "2024-05-20", "term_years": 3}
    )
    url = f"/org/{people.branch_a.pk}/seats/new/"
    assert (
        client.post(
            url, {"member": people.zhang.pk, "position": "secretary", "sort_order": 0}
        ).status_code
        == 302
    )
    response = client.post(url, {"member": other.pk, "position": "secretary", "sort_order": 1})
    assert "只有一名书记" in response.content.decode()
    assert CommitteeSeat.objects.count() == 1
    tree = client.get("/org/", {"org": people.branch_a.pk}).content.decode()
    assert "书记" in tree and "张海冰" in tree


def test_a_seat_goes_only_to_a_member_of_the_org(client, people):
    client.force_login(people.office)
    client.post(
        f"/org/{people.branch_a.pk}/committee/new/", {"elected_on": "2024-05-20", "term_years": 3}
    )
    response = client.post(
        f"/org/{people.branch_a.pk}/seats/new/",
        {"member": people.li.pk, "position": "publicity", "sort_order": 0},
    )
    assert response.status_code == 200
    assert not CommitteeSeat.objects.exists()


def test_secretaries_do_not_manage_orgs(client, people):
    client.force_login(people.secretary_a)
    assert client.get("/org/new/").status_code == 403
    assert client.get(f"/org/{people.branch_a.pk}/committee/new/").status_code == 403


def test_an_edit_based_on_an_old_version_is_refused(client, people):
    client.force_login(people.office)
    data = {
        "code": "A",
        "name": "大气环境处党支部（新）",
        "kind": "branch",
        "parent": people.root.pk,
        "sort_order": 0,
        "version": 1,
    }
    assert client.post(f"/org/{people.branch_a.pk}/edit/", data).status_code == 302
    data["name"] = "另一个名字"
    assert "已被他人修改" in client.post(f"/org/{people.branch_a.pk}/edit/", data).content.decode()

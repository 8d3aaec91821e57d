"""The inbox: on the home page, in the top bar, on /reminders/ and in the API, each scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiejun.accounts.roles import Role
from tiejun.org.models import Member
from tiejun.reminders.models import Reminder
from tiejun.reminders.tests.helpers import TODAY, make_committee, run
from tiejun.testing import make_member, make_org, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reelection(people):
    """Branch A's committee ended last month; branch B's ends in two months."""
    make_committee(people.branch_a, expires_on=dt.date(2026, 10, 31))
    make_committee(people.branch_b, expires_on=dt.date(2027, 1, 20))
    run(TODAY)
    return Reminder.objects.get(org=people.branch_a)


def test_it_shows_the_branch_its_own_reminder_on_the_home_page(client, people, reelection):
    secretary_b = make_user("secretary_b", Role.secretary, people.branch_b)
    client.force_login(people.secretary_a)
    page = client.get("/").content.decode()
    assert "已逾期" in page and "任期已于2026-10-31届满，尚未换届" in page
    assert f'href="/reminders/{reelection.pk}/"' in page
    assert "2027-01-20" not in page  # branch B's
    client.force_login(secretary_b)
    page = client.get("/").content.decode()
    assert "2027-01-20" in page and "2026-10-31" not in page


def test_it_shows_the_office_every_reminder_of_its_subtree_overdue_first(
    client, people, reelection
):
    client.force_login(people.office)
    page = client.get("/").content.decode()
    assert page.index("2026-10-31") < page.index("2027-01-20")
    assert "tj-tag-red" in page and "tj-tag-amber" in page


def test_it_counts_the_open_reminders_in_the_top_bar(client, people, reelection):
    client.force_login(people.secretary_a)
    response = client.get("/members/")
    assert response.context["inbox_count"] == 1
    assert 'class="badge text-bg-danger">1</span>' in response.content.decode()
    client.force_login(people.office)
    assert client.get("/members/").context["inbox_count"] == 2


def test_it_gives_the_administrators_no_inbox(client, people, reelection):
    for admin in (people.sysadmin, people.secadmin, people.auditor):
        client.force_login(admin)
        page = client.get("/").content.decode()
        assert "尚未换届" not in page and "tj-topbar-inbox" not in page
        assert client.get("/reminders/").status_code == 403
        assert client.get(f"/reminders/{reelection.pk}/").status_code == 403


def test_it_opens_a_reminder_within_scope_and_refuses_another_branchs(client, people, reelection):
    other = Reminder.objects.exclude(pk=reelection.pk).get()
    client.force_login(people.secretary_a)
    response = client.get(f"/reminders/{reelection.pk}/")
    assert response.status_code == 302 and response["Location"] == reelection.url
    assert client.get(f"/reminders/{other.pk}/").status_code == 404
    assert client.get(f"/reminders/{other.pk}x/").status_code == 404
    assert Reminder.objects.get(pk=reelection.pk).resolved_at is None  # opening is not resolving
    client.force_login(people.member_a)  # a member sees only personal reminders
    assert client.get(f"/reminders/{reelection.pk}/").status_code == 404


def test_it_shows_a_probationary_member_his_own_reminder(client, people):
    wang = make_member(
        people.branch_a,
        "王晓明",
        category=Member.Category.probationary,
        joined_on=dt.date(2025, 12, 1),
    )
    wang_user = make_user("wang", Role.member, member=wang)
    run(TODAY)
    reminder = Reminder.objects.get()
    for user, sees in (
        (wang_user, True),
        (people.member_a, False),
        (people.secretary_a, True),
        (people.office, True),
    ):
        client.force_login(user)
        assert ("王晓明预备期将于2026-12-01期满" in client.get("/").content.decode()) is sees
    client.force_login(wang_user)
    assert client.get(f"/reminders/{reminder.pk}/")["Location"] == f"/members/{wang.pk}/"
    assert client.get(f"/members/{wang.pk}/").status_code == 200


def test_it_lists_filters_and_pages_the_full_inbox(client, people):
    for n in range(25):
        org = make_org(f"第{n}支部", "branch", people.root)
        days = -(n + 1) if n < 5 else 40 + n  # five overdue, twenty within three months
        make_committee(org, expires_on=TODAY + dt.timedelta(days=days))
    run(TODAY)
    client.force_login(people.office)
    page = client.get("/reminders/")
    assert page.context["page"].paginator.count == 25
    assert "共 25 条" in page.content.decode()
    assert len(page.context["page"].object_list) == 20
    assert [r.stage for r in page.context["page"].object_list[:6]] == ["overdue"] * 5 + ["due_soon"]
    overdue = client.get("/reminders/?stage=overdue")
    assert overdue.context["page"].paginator.count == 5
    assert overdue.context["querystring_no_page"] == "stage=overdue&"  # pages keep the filter
    assert client.get("/reminders/?stage=bogus").context["page"].paginator.count == 25
    partial = client.get("/reminders/?page=2", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "共 25 条" in partial
    home = client.get("/").content.decode()
    assert "全部待办（共 25 项）" in home


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_it_costs_the_same_queries_however_many_reminders(client, people):
    client.force_login(people.office)
    client.get("/")
    make_committee(people.branch_a, expires_on=TODAY)
    run(TODAY)
    few = {url: _queries(client, url) for url in ("/", "/reminders/", "/members/")}
    for n in range(30):
        make_committee(make_org(f"第{n}支部", "branch", people.root), expires_on=TODAY)
    run(TODAY)
    many = {url: _queries(client, url) for url in ("/", "/reminders/", "/members/")}
    assert many == few


def test_it_adds_one_count_query_to_a_page(client, people, reelection):
    client.force_login(people.secretary_a)
    client.get("/members/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/members/")
    counts = [q["sql"] for q in captured if "reminders_reminder" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0]


def test_it_answers_the_api_with_the_same_scope(client, people, reelection):
    client.force_login(people.secretary_a)
    body = client.get("/api/v1/reminders").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["stage"], item["stage_label"]) == (reelection.pk, "overdue", "已逾期")
    assert (item["rule"], item["rule_label"], item["org_name"]) == (
        "reelection",
        "换届提醒",
        "大气环境处党支部",
    )
    client.force_login(people.office)
    assert client.get("/api/v1/reminders?stage=due_soon").json()["count"] == 1
    assert client.get("/api/v1/reminders?stage=bogus").status_code == 422
    client.force_login(people.auditor)
    assert client.get("/api/v1/reminders").status_code == 403
    client.logout()
    assert client.get("/api/v1/reminders").status_code == 401

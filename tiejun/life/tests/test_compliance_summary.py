"""The home page's 三会一课 panel: loaded after the page, the user's own subtree, this quarter,
computed once per subtree in the cache time, at a fixed number of queries."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiejun.life import services
from tiejun.life.tests.helpers import make_meeting
from tiejun.testing import make_member, make_org

URL = "/compliance/summary/"


def _held(summary: dict, label: str) -> int:
    return next(kind["held"] for kind in summary["kinds"] if kind["label"] == label)


def test_the_home_page_loads_the_panel_for_org_roles_only(client, people):
    for user, shown in (
        (people.office, True),
        (people.secretary_a, True),
        (people.member_a, False),
    ):
        client.force_login(user)
        assert (f'hx-get="{URL}"' in client.get("/").content.decode()) is shown


def test_each_role_sees_its_own_subtree_this_quarter(client, people, today):
    services.hold_meeting(meeting=make_meeting(people.branch_b, "theme_day", today), by=None)
    client.force_login(people.office)
    office = client.get(URL)
    assert office.status_code == 200
    assert _held(office.context["summary"], "主题党日") == 1
    assert "三会一课完成情况" in office.content.decode() and "<html" not in office.content.decode()
    client.force_login(people.secretary_a)
    assert _held(client.get(URL).context["summary"], "主题党日") == 0  # branch B is not theirs


def test_a_member_gets_no_panel_and_administrators_are_refused(client, people):
    client.force_login(people.member_a)
    response = client.get(URL)
    assert response.status_code == 200 and response.content == b""
    for admin in (people.sysadmin, people.secadmin, people.auditor):
        client.force_login(admin)
        assert client.get(URL).status_code == 403


def _queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_it_costs_the_same_queries_for_more_orgs_and_none_again_within_the_cache_time(
    client, people, today
):
    client.force_login(people.office)
    few = _queries(client)
    for n in range(12):
        branch = make_org(f"第{n}党支部", "branch", people.root)
        make_member(branch, f"党员{n}")
        services.hold_meeting(meeting=make_meeting(branch, "theme_day", today), by=None)
    assert _queries(client) == few
    with CaptureQueriesContext(connection) as again:
        client.get(URL)
    assert len(again) < few  # the table is not computed a second time

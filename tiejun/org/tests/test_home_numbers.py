"""The home page's numbers: each role's own subtree, counted once per subtree and cached."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiejun.org.models import Member
from tiejun.org.stats import home_numbers
from tiejun.testing import make_member


def test_it_counts_each_roles_own_subtree(people):
    make_member(people.branch_a, "王晓明", category=Member.Category.probationary)
    office = home_numbers(people.office)
    assert office == {"total": 3, "probationary": 1, "branches": 2, "orgs": 4}
    assert home_numbers(people.secretary_a) == {
        "total": 2,
        "probationary": 1,
        "branches": 1,
        "orgs": 2,
    }
    assert home_numbers(people.member_a) == {}  # a member sees only their own record
    assert home_numbers(people.sysadmin) == {}  # administrators see no Party data


def test_it_counts_once_per_subtree_within_the_cache_time(client, people, settings):
    settings.TIEJUN_HOME_NUMBERS_SECONDS = 300
    client.force_login(people.office)
    with CaptureQueriesContext(connection) as first:
        client.get("/")
    make_member(people.branch_b, "赵新")
    with CaptureQueriesContext(connection) as second:
        page = client.get("/")
    counting = [q for q in first.captured_queries if 'FROM "org_member"' in q["sql"]]
    assert counting and len(second.captured_queries) == len(first.captured_queries) - 2
    assert page.context["numbers"]["total"] == 2  # still the count of a moment ago
    cache.clear()
    assert client.get("/").context["numbers"]["total"] == 3


def test_a_secretary_never_sees_the_offices_cached_numbers(client, people):
    home_numbers(people.office)  # the whole tree, cached first
    client.force_login(people.secretary_a)
    assert client.get("/").context["numbers"]["total"] == 1

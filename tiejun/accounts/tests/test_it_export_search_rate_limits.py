"""SECURITY.md item 22: exports and name searches are limited per account (rules table
security.export.* and security.search.*); past the limit the answer is 429 in Chinese."""

from __future__ import annotations

import pytest

from tiejun.testing import override_rule


def test_the_defaults_come_from_the_rules_table():
    from tiejun.rules.registry import default

    assert default("security.export.rate_per_user") == 20
    assert default("security.export.rate_window_minutes") == 10
    assert default("security.search.rate_per_user") == 60
    assert default("security.search.rate_window_minutes") == 1


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("office", "/members/export.xlsx"),
        ("office", "/talks/export.xlsx"),
        ("office", "/compliance/export.xlsx"),
        ("secretary_a", "/meetings/ledger.xlsx"),
        ("auditor", "/accounts/audit/export.xlsx"),
    ],
)
def test_exports_past_the_limit_are_refused_per_account(client, people, who, url):
    override_rule("security.export.rate_per_user", 2)
    client.force_login(getattr(people, who))
    assert [client.get(url).status_code for _n in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and "导出过于频繁" in refused.content.decode()
    client.force_login(people.secretary_a if who != "secretary_a" else people.office)
    if who != "auditor":  # another account has its own count
        assert client.get(url).status_code == 200


def test_searches_past_the_limit_are_refused_but_browsing_is_not(client, people):
    override_rule("security.search.rate_per_user", 2)
    client.force_login(people.office)
    for _n in range(2):
        assert client.get("/members/", {"q": "张"}).status_code == 200
    page = client.get("/members/", {"q": "张"})
    assert page.status_code == 429 and "搜索过于频繁" in page.content.decode()
    api = client.get("/api/v1/members", {"q": "张"})
    assert api.status_code == 429 and api.json()["detail"]
    assert client.get("/members/").status_code == 200  # the list itself is not a search
    assert client.get("/api/v1/members").status_code == 200


def test_htmx_gets_a_fragment_for_the_part_it_replaces(client, people):
    override_rule("security.search.rate_per_user", 0)
    client.force_login(people.office)
    response = client.get("/members/", {"q": "张"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 429 and "搜索过于频繁" in body and "<html" not in body

"""The sidebar lights one entry: the page's own, or the deepest entry the page lies under."""

from __future__ import annotations

import pytest


def _lit(client, path: str) -> list[str]:
    menu = client.get(path).context["menu"]
    return [str(item["label"]) for item in menu if item["active"]]


@pytest.mark.parametrize(
    ("path", "entry"),
    [
        ("/", "首页"),
        ("/members/", "党员名册"),
        ("/members/import/", "党员导入"),  # under /members/ too, but its own entry is deeper
        ("/meetings/new/", "组织生活"),
        ("/jobs/", "我的导出"),
    ],
)
def test_one_entry_is_lit(client, people, path, entry):
    client.force_login(people.office)
    assert _lit(client, path) == [entry]


def test_a_page_below_an_entry_keeps_it_lit(client, people):
    client.force_login(people.office)
    assert _lit(client, f"/members/{people.zhang.pk}/") == ["党员名册"]

"""The 三会一课合规 page in a browser: the chart draws under the CSP, drill-down, phone width."""

from __future__ import annotations

import datetime as dt

from tests.browser import login, shot
from tiejun.life import services
from tiejun.life.tests.helpers import make_meeting, seat
from tiejun.testing import PASSWORD


def _quarter_with_one_missed_month(people) -> None:
    seat(people.branch_b, people.li, "secretary")
    for month in (7, 9):  # August's 支委会 is missing
        meeting = make_meeting(people.branch_b, "committee", dt.date(2025, month, 8))
        services.hold_meeting(meeting=meeting, by=None)


def test_the_office_reads_the_table_and_chart_and_drills_down(page, people):
    _quarter_with_one_missed_month(people)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    login(page, "office", PASSWORD)
    page.goto("/compliance/?period=2025-Q3")
    chart = page.locator("canvas").first  # ECharts draws its title inside the canvas
    chart.wait_for()
    assert chart.bounding_box()["height"] > 50, "the chart draws"
    assert not [e for e in errors if "Content Security Policy" in e], errors
    shot(page, "compliance-office")
    page.click("a >> text=水生态环境处党支部")
    page.wait_for_selector("h1 >> text=水生态环境处党支部")
    assert page.locator(".tj-tag-red >> text=缺").count() >= 1


def test_the_secretary_reads_it_on_a_phone(phone, people):
    _quarter_with_one_missed_month(people)
    login(phone, "secretary", PASSWORD)
    phone.goto("/compliance/?period=2025-Q3")
    phone.wait_for_selector("h1 >> text=三会一课合规")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "compliance-phone")


def test_the_home_page_fills_in_this_quarters_panel_on_a_phone(phone, people):
    from django.utils import timezone

    meeting = make_meeting(people.branch_a, "theme_day", timezone.localdate())
    services.hold_meeting(meeting=meeting, by=None)
    login(phone, "secretary", PASSWORD)
    phone.wait_for_selector("#compliance-summary .tj-bars")  # loaded after the page
    theme_day = phone.locator("#compliance-summary li", has_text="主题党日")
    assert "1/" in theme_day.inner_text()
    assert theme_day.locator("rect.tj-bar-fill").get_attribute("width") != "0"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "home-compliance-phone")

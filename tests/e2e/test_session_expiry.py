"""A session that ends while a page is open: the next htmx request takes the whole window to
the login page (not into the results table), and logging in brings the user back."""

from __future__ import annotations

from django.contrib.sessions.models import Session

from tests.browser import login, shot
from tiejun.testing import PASSWORD


def test_a_search_after_the_session_ended_goes_to_login_and_back(page, people):
    login(page, "office", PASSWORD)
    page.goto("/members/")
    page.wait_for_selector("#member-table")
    Session.objects.all().delete()  # as the idle timeout or an administrator would end it
    page.fill("#id_q", "张")
    page.click("form.tj-query button[type=submit]")
    page.wait_for_url("**/accounts/login/**")
    assert page.locator("#member-table").count() == 0
    assert page.locator("form #id_username").is_visible()
    shot(page, "session-ended-login")
    page.fill("#id_username", "office")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/members/**")
    assert page.locator("#member-table").get_by_text("张海冰").is_visible()

"""A redirect answering an htmx request moves the whole window (HX-Redirect), so the login page
never lands inside a fragment; after logging in the user is back on the page they were on."""

from __future__ import annotations

from tiejun.accounts.middleware import SEEN_AT
from tiejun.accounts.tests.helpers import LOGIN_URL, log_in
from tiejun.testing import PASSWORD

PAGE = "http://testserver/members/?q=%E5%BC%A0&page=2"


def _htmx(current: str = PAGE) -> dict[str, str]:
    return {"HX-Request": "true", "HX-Current-URL": current}


def test_an_expired_session_sends_the_window_to_login_and_back_to_the_page(client, people):
    log_in(client, "office")
    session = client.session
    session[SEEN_AT] -= 31 * 60
    session.save()
    response = client.get("/members/?q=张&page=2", headers=_htmx())
    assert response.status_code == 204 and not response.content
    target = response["HX-Redirect"]
    assert target == f"{LOGIN_URL}?expired=1&next=%2Fmembers%2F%3Fq%3D%25E5%25BC%25A0%26page%3D2"
    back = client.post(target, {"username": "office", "password": PASSWORD})
    assert back["Location"] == "/members/?q=%E5%BC%A0&page=2"


def test_a_fragment_asked_for_without_a_session_names_the_page_not_the_fragment(client, people):
    fragment = f"/org/{people.branch_a.pk}/children/"
    response = client.get(fragment, headers=_htmx("http://testserver/org/"))
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{LOGIN_URL}?next=%2Forg%2F"


def test_any_other_redirect_is_followed_by_the_whole_window_as_it_is(client, people):
    people.office.must_change_password = True
    people.office.save(update_fields=["must_change_password"])
    client.force_login(people.office)
    response = client.get("/members/", headers=_htmx())
    assert response["HX-Redirect"] == client.get("/members/")["Location"]


def test_a_current_page_on_another_site_is_not_made_the_next_page(client, people):
    response = client.get("/members/", headers=_htmx("https://evil.example/phish"))
    assert response["HX-Redirect"] == f"{LOGIN_URL}?next=/members/"


def test_requests_without_htmx_and_answers_that_are_no_redirect_stay_as_they_are(client, people):
    assert client.get("/members/")["Location"] == f"{LOGIN_URL}?next=/members/"
    log_in(client, "office")
    fragment = client.get(f"/org/{people.branch_a.pk}/children/", headers=_htmx())
    assert fragment.status_code == 200 and "HX-Redirect" not in fragment

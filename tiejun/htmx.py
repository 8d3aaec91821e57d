"""Redirects that answer an htmx request move the whole window, as without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


class HtmxRedirectMiddleware:
    """A redirect in answer to an htmx request becomes an `HX-Redirect` header.

    The browser follows a redirect of htmx's request by itself, and htmx then swaps the page it
    lands on into the fragment: after a session expired, the login page appeared inside a table
    or a progress box. With HX-Redirect htmx sends the whole window there instead. A login page
    is given the page the user was on as `next` (htmx tells it in HX-Current-URL), not the
    address of the fragment, which is no page to come back to.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.headers.get("HX-Request") or not response.has_header("Location"):
            return response
        if not 300 <= response.status_code < 400:
            return response
        navigate = HttpResponse(status=204)
        navigate["HX-Redirect"] = _back_to_current_page(request, response["Location"])
        return navigate


def _back_to_current_page(request: HttpRequest, location: str) -> str:
    """`location`, with `next` set to the page htmx was called from when it is the login page."""
    target = urlsplit(location)
    current = request.headers.get("HX-Current-URL", "")
    if target.path != resolve_url(settings.LOGIN_URL) or not url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return location
    page = urlsplit(current)
    query = [(key, value) for key, value in parse_qsl(target.query) if key != "next"]
    query.append(("next", urlunsplit(("", "", page.path, page.query, ""))))
    return urlunsplit(target._replace(query=urlencode(query)))

"""SECURITY.md item 19: CSRF on every form, a Content-Security-Policy without inline script,
X-Frame-Options DENY, templates free of inline script and style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tiejun.testing import PASSWORD


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


def test_pages_carry_a_csp_without_inline_script(client, people):
    client.force_login(people.office)
    policy = _csp(client.get("/members/"))
    assert (
        "'unsafe-inline'" not in policy["script-src"]
        and "'unsafe-eval'" not in policy["script-src"]
    )
    assert "'unsafe-inline'" not in policy.get("style-src", "")
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'"


def test_the_login_page_carries_the_csp_too(client, db):
    assert "script-src 'self'" in client.get("/accounts/login/")["Content-Security-Policy"]


def test_pages_may_not_be_framed(client, db):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_login_post_without_the_csrf_token_is_refused_in_chinese(db):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_a_form_post_without_the_token_is_refused_and_with_it_accepted(people):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.sysadmin)
    data = {"username": "csrf1", "display_name": "某", "role": "office", "org": people.root.pk}
    assert strict.post("/accounts/users/new/", data).status_code == 403
    page = strict.get("/accounts/users/new/").content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found
    token = found.group(1)
    assert (
        strict.post("/accounts/users/new/", {**data, "csrfmiddlewaretoken": token}).status_code
        == 200
    )


def test_htmx_requests_send_the_token_in_a_header(client, people):
    client.force_login(people.office)
    body = client.get("/members/").content.decode()
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", body)


TEMPLATES = sorted((Path(settings.BASE_DIR) / "tiejun" / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_has_inline_script_style_or_handlers(template):
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert " style=" not in text, "style= attribute"
    assert "<style" not in text, "<style> block"
    assert not re.search(r"\son[a-z]+=", text), "inline event handler"


def test_no_template_switches_autoescaping_off():
    for template in TEMPLATES:
        assert "autoescape off" not in template.read_text(), template


def test_application_code_builds_no_sql_from_strings():
    """Parameterised SQL only: no .extra(), RawSQL, .raw() or string-built execute() outside
    tests (tests build SQL from introspected table names, never from input)."""
    pattern = re.compile(
        r"\.extra\(|RawSQL\(|\.raw\(|execute\(\s*f[\"']|execute\([^)]*(%|\.format\()"
    )
    offenders = []
    for path in (Path(settings.BASE_DIR) / "tiejun").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        offenders += [
            f"{path}:{n}"
            for n, line in enumerate(path.read_text().splitlines(), 1)
            if pattern.search(line)
        ]
    assert offenders == []

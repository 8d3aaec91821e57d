"""SECURITY.md item 21: a fuzzed API never answers 500.

Schemathesis reads /api/v1/openapi.json from the WSGI app and sends generated requests, valid and
invalid, to every operation, authenticated with a bearer token of the committee office (the
widest role with write permissions), against the real test database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tiejun.accounts.models import ApiToken
from tiejun.org.models import Member, Org
from tiejun.testing import make_id_number


@pytest.fixture(autouse=True)
def _quick_password_hashes(settings):
    # The shared cast has seven accounts: full-strength PBKDF2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _keep_the_test_connection(db) -> Iterator[None]:
    # Django closes "old" connections around each request; inside the test's transaction that
    # would close the very connection holding the test data. Django's test client does the same.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def office_token(people) -> str:
    return ApiToken.issue(people.office, "模糊测试")[1]


# Loaded at import, through the app itself: the document clients see is the one fuzzed.
# (schemathesis.pytest.from_fixture would load it lazily, but fails on pytest 9: no `_nodeid`.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_never_answers_500(case, office_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {office_token}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )


# Random bodies rarely pass the ID-card check, so the fuzzer above seldom reaches the services.
# Here every field but one is valid and that one gets any JSON value: the form, the model's
# clean(), the change chain and the database constraints all see hostile input.
ANY_JSON = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=60),
    st.dates().map(dt.date.isoformat),
    st.datetimes().map(dt.datetime.isoformat),
    st.just("\ud800"),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _member_body(people: Any, member: Member | None) -> dict[str, Any]:
    if member is None:
        return {
            "name": "孙新",
            "id_number": make_id_number(dt.date(1991, 2, 3), 311),
            "joined_on": "2016-07-01",
            "full_on": "2017-07-01",
            "category": "full",
            "org_id": people.branch_a.pk,
            "phone": "13900000000",
        }
    return {
        "name": member.name,
        "id_number": member.id_number(),
        "birth_date": member.birth_date.isoformat(),
        "gender": member.gender,
        "joined_on": member.joined_on.isoformat(),
        "full_on": member.full_on.isoformat() if member.full_on else None,
        "category": member.category,
        "org_id": member.org_id,
        "status": member.status,
        "version": member.version,
        "effective_on": None,
        "reason": "",
    }


def _org_body(people: Any, org: Org | None) -> dict[str, Any]:
    if org is None:
        return {
            "code": "FUZZ",
            "name": "模糊测试党支部",
            "kind": "branch",
            "parent_id": people.root.pk,
            "starts_on": "2020-01-01",
        }
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "parent_id": org.parent_id,
        "unit_id": org.unit_id,
        "sort_order": org.sort_order,
        "version": org.version,
    }


def _send_and_roll_back(client: Any, method: str, url: str, body: dict[str, Any]) -> Any:
    """One example's write, undone afterwards so that every example starts from the same data."""
    with transaction.atomic():
        response = getattr(client, method)(url, data=body, content_type="application/json")
        transaction.set_rollback(True)
    return response


FUZZ_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ_SETTINGS
@given(data=st.data())
@pytest.mark.parametrize("method", ["post", "put"])
def test_member_writes_with_one_hostile_field_never_answer_500(client, people, method, data):
    member = Member.objects.get(pk=people.zhang.pk) if method == "put" else None
    body = _member_body(people, member)
    body[data.draw(st.sampled_from(sorted(body)))] = data.draw(ANY_JSON)
    url = f"/api/v1/members/{people.zhang.pk}" if member else "/api/v1/members"
    client.force_login(people.office)
    response = _send_and_roll_back(client, method, url, body)
    assert response.status_code < 500, (body, response.content)


@FUZZ_SETTINGS
@given(data=st.data())
@pytest.mark.parametrize("method", ["post", "put"])
def test_org_writes_with_one_hostile_field_never_answer_500(client, people, method, data):
    org = Org.objects.get(pk=people.branch_b.pk) if method == "put" else None
    body = _org_body(people, org)
    body[data.draw(st.sampled_from(sorted(body)))] = data.draw(ANY_JSON)
    url = f"/api/v1/orgs/{people.branch_b.pk}" if org else "/api/v1/orgs"
    client.force_login(people.office)
    response = _send_and_roll_back(client, method, url, body)
    assert response.status_code < 500, (body, response.content)


def test_the_fuzzed_bodies_are_valid_before_the_fuzz(client, people):
    """So the fuzz above reaches the services: each base body, unchanged, is accepted."""
    client.force_login(people.office)
    zhang, branch_b = people.zhang, people.branch_b
    sends = [
        ("post", "/api/v1/members", _member_body(people, None), 201),
        ("put", f"/api/v1/members/{zhang.pk}", _member_body(people, zhang), 200),
        ("post", "/api/v1/orgs", _org_body(people, None), 201),
        ("put", f"/api/v1/orgs/{branch_b.pk}", _org_body(people, branch_b), 200),
    ]
    for method, url, body, status in sends:
        response = _send_and_roll_back(client, method, url, body)
        assert response.status_code == status, (url, response.content)


def test_the_openapi_document_is_valid():
    assert schema.raw_schema["openapi"].startswith("3.")
    schema.validate()  # against the OpenAPI meta-schema; raises with the first violation

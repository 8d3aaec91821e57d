"""SECURITY.md item 2: length, character classes, common passwords, username, last 5, paste."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tiejun.accounts.tests.helpers import log_in
from tiejun.testing import PASSWORD


def _codes(password: str, user) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {str(e.code) for e in error.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!xyz", "too_short"),  # 7 characters
        ("abcdefgh12", "too_simple"),  # 2 classes
        ("ABCDEFGH!!", "too_simple"),
        ("Password1", "password_too_common"),  # 3 classes, but in the common list
    ],
)
def test_it_refuses_weak_passwords(people, password, code):
    assert code in _codes(password, people.member_a)


def test_it_accepts_eight_characters_of_three_classes(people):
    assert _codes("Qz7#mLp2", people.member_a) == set()
    assert _codes("qz7#mlp2x", people.member_a) == set()  # lower, digit, symbol


def test_it_counts_chinese_characters_as_a_class(people):
    assert _codes("党建qz7mlp2", people.member_a) == set()


def test_it_refuses_a_password_containing_the_username(people):
    assert "contains_username" in _codes("Member-2026!x", people.member_a)


def test_it_allows_long_passwords(people):
    long_one = "Tiejun-长口令-" + "x9" * 100
    assert _codes(long_one, people.member_a) == set()


def test_it_refuses_each_of_the_last_five_passwords(client, people):
    user = people.member_a
    used = [PASSWORD] + [f"Qz7#mLp2-{n}" for n in range(1, 6)]
    client.force_login(user)
    for old, new in itertools.pairwise(used):
        response = client.post(
            "/accounts/password/",
            {
                "old_password": old,
                "new_password1": new,
                "new_password2": new,
            },
        )
        assert response.status_code == 302, response.content.decode()
    user.refresh_from_db()
    # The five most recent (used[1:]) are refused; the sixth-newest is allowed again.
    for recent in used[1:]:
        assert "reused" in _codes(recent, user), recent
    assert "reused" not in _codes(used[0], user)


def test_the_change_page_lets_people_paste_and_use_a_password_manager(client, people):
    client.force_login(people.member_a)
    body = client.get("/accounts/password/").content.decode()
    assert "onpaste" not in body.lower()
    assert 'autocomplete="off"' not in body
    assert 'autocomplete="new-password"' in body
    assert "maxlength" not in body.split('name="new_password1"')[1].split(">")[0]


def test_the_login_page_lets_people_paste(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert "onpaste" not in body.lower()
    assert 'autocomplete="current-password"' in body


def test_a_too_weak_new_password_is_refused_in_chinese(client, people):
    client.force_login(people.member_a)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "abcdefgh",
            "new_password2": "abcdefgh",
        },
    )
    assert response.status_code == 200
    assert "至少 3 类" in response.content.decode()


def test_it_still_logs_in_with_the_new_password(client, people):
    client.force_login(people.member_a)
    client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Qz7#mLp2-new",
            "new_password2": "Qz7#mLp2-new",
        },
    )
    client.logout()
    assert log_in(client, "member", "Qz7#mLp2-new").status_code == 302

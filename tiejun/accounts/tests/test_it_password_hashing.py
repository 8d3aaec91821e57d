"""SECURITY.md item 7: PBKDF2 by default; an old hash is upgraded at the next login."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password

import tiejun.settings as production_settings
from tiejun.accounts.models import User
from tiejun.accounts.tests.helpers import log_in
from tiejun.testing import PASSWORD


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS


def test_new_passwords_are_hashed_with_pbkdf2(production_hashers, db):
    user = User.objects.create_user("hashing", password=PASSWORD)
    algorithm, iterations, _salt, _hash = user.password.split("$")
    assert algorithm == "pbkdf2_sha256"
    assert int(iterations) >= 600_000  # OWASP's floor for PBKDF2-HMAC-SHA256


def test_an_md5_hash_becomes_pbkdf2_at_login(production_hashers, client, people):
    md5 = make_password(PASSWORD, hasher="md5")
    User.objects.filter(pk=people.member_a.pk).update(password=md5)
    assert log_in(client, "member").status_code == 302
    people.member_a.refresh_from_db()
    assert people.member_a.password.startswith("pbkdf2_sha256$")
    assert people.member_a.check_password(PASSWORD)


def test_md5_is_only_a_reader_of_old_hashes():
    assert production_settings.PASSWORD_HASHERS[0].endswith("PBKDF2PasswordHasher")
    assert production_settings.PASSWORD_HASHERS[-1].endswith("MD5PasswordHasher")


def test_an_upgrade_is_not_counted_as_a_password_change(production_hashers, client, people):
    md5 = make_password(PASSWORD, hasher="md5")
    User.objects.filter(pk=people.member_a.pk).update(password=md5, password_changed_at=None)
    log_in(client, "member")
    people.member_a.refresh_from_db()
    assert people.member_a.password_changed_at is None

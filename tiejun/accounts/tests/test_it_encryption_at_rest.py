"""SECURITY.md item 14: ID numbers encrypted at rest, found by a keyed digest; the key comes from
the environment or a key file, never from the database."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from tiejun.lib import crypto
from tiejun.org.models import Member


def _raw_member_row(pk: int) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM org_member WHERE id = %s", [pk])
        names = [column[0] for column in cursor.description]
        return dict(zip(names, map(str, cursor.fetchone()), strict=True))


def _whole_database_text() -> str:
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # names from introspection, not input
            parts.append(repr(cursor.fetchall()))
    return "\n".join(parts)


def test_the_stored_row_does_not_contain_the_number(people):
    number = people.zhang.id_number()
    row = _raw_member_row(people.zhang.pk)
    assert all(number not in value for value in row.values())
    assert all(number[6:14] not in value for value in row.values())  # nor its middle digits
    assert row["id_cipher"].startswith(crypto.keyring().current + ":")
    assert "*" in row["id_masked"] and number not in row["id_masked"]


def test_the_number_is_found_by_its_keyed_digest(people):
    number = people.zhang.id_number()
    assert Member.objects.get(id_digest=crypto.lookup_digest(number)) == people.zhang
    # Keyed: a plain hash of the number, which anyone could compute, is not what is stored.
    assert people.zhang.id_digest != hashlib.sha256(number.encode()).hexdigest()


def test_the_keys_are_nowhere_in_the_database(people):
    ring = crypto.keyring()
    dump = _whole_database_text()
    for key in [*ring.keys.values(), ring.lookup]:
        assert base64.b64encode(key).decode() not in dump
        assert key.hex() not in dump


def test_the_keys_come_from_the_environment_when_set(settings, db):
    ring = crypto.new_keyring()
    settings.TIEJUN_DATA_KEYS = ring.to_json()
    settings.TIEJUN_DATA_KEY_FILE = "/nonexistent/data.key"
    crypto.keyring.cache_clear()
    assert crypto.keyring() == ring


def test_production_refuses_to_start_without_a_key(settings, tmp_path):
    settings.PRODUCTION = True
    settings.TIEJUN_DATA_KEYS = ""
    settings.TIEJUN_DATA_KEY_FILE = str(tmp_path / "missing.key")
    crypto.keyring.cache_clear()
    with pytest.raises(ImproperlyConfigured):
        crypto.keyring()


def test_the_key_file_is_readable_by_its_owner_only(people):
    mode = crypto.key_file().stat().st_mode & 0o777
    assert mode == 0o600

"""SECURITY.md item 14: `manage.py rotate_data_key` re-encrypts every ID number under a new key."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from tiejun.accounts.data_keys import key_id_of
from tiejun.accounts.models import AuditEntry
from tiejun.lib import crypto
from tiejun.org.models import Member, Org
from tiejun.testing import make_member, make_org


@pytest.fixture
def members(settings, tmp_path, db):
    """Members encrypted under a key file of this test's own (rotation rewrites the file)."""
    settings.TIEJUN_DATA_KEY_FILE = str(tmp_path / "data.key")
    crypto.keyring.cache_clear()
    crypto.write_keyring(crypto.new_keyring())
    branch = make_org("轮换测试党支部", Org.Kind.branch)
    created = [make_member(branch, f"成员{n}", birth=dt.date(1980, 1, 1 + n)) for n in range(7)]
    return {member.pk: member.id_number() for member in created}


def test_every_row_moves_to_the_new_key_and_still_decrypts(members, capsys):
    old = crypto.keyring()
    call_command("rotate_data_key", batch_size=3)
    new = crypto.keyring()
    assert new.current != old.current and old.current in new.keys  # old kept for old backups
    for member in Member.objects.filter(pk__in=members):
        assert key_id_of(member.id_cipher) == new.current
        assert member.id_number() == members[member.pk]
    assert not Member.objects.filter(id_cipher__startswith=old.current + ":").exists()
    assert "已重新加密 7 条" in capsys.readouterr().out


def test_without_lookup_rotation_digests_stay(members):
    before = dict(Member.objects.values_list("pk", "id_digest"))
    call_command("rotate_data_key")
    assert dict(Member.objects.values_list("pk", "id_digest")) == before


def test_with_lookup_rotation_every_digest_is_recomputed_and_lookups_work(members):
    before = dict(Member.objects.values_list("pk", "id_digest"))
    call_command("rotate_data_key", rotate_lookup=True)
    after = dict(Member.objects.values_list("pk", "id_digest"))
    assert all(after[pk] != before[pk] for pk in members)
    for pk, number in members.items():
        assert Member.objects.get(id_digest=crypto.lookup_digest(number)).pk == pk


def test_the_rotation_does_not_bump_versions(members):
    before = dict(Member.objects.values_list("pk", "version"))
    call_command("rotate_data_key")
    assert dict(Member.objects.values_list("pk", "version")) == before


def test_resume_finishes_rows_a_crash_left_under_an_old_key(members):
    call_command("rotate_data_key")
    ring = crypto.keyring()
    old_id = next(key for key in ring.keys if key != ring.current)
    straggler = Member.objects.first()
    assert straggler is not None
    old_ring = crypto.Keyring(ring.algorithm, old_id, ring.keys, ring.lookup)
    Member.objects.filter(pk=straggler.pk).update(
        id_cipher=crypto.encrypt(members[straggler.pk], old_ring)
    )
    call_command("rotate_data_key", resume=True)
    straggler.refresh_from_db()
    assert key_id_of(straggler.id_cipher) == ring.current
    assert crypto.keyring().current == ring.current  # resume adds no key


def test_the_rotation_is_audited(members):
    old = crypto.keyring().current
    call_command("rotate_data_key", rotate_lookup=True)
    entry = AuditEntry.objects.get(action="data_key.rotate")
    assert entry.detail["from_key"] == old and entry.detail["to_key"] == crypto.keyring().current
    assert entry.detail["rows"] == Member.objects.count()
    assert entry.detail["lookup_rotated"] is True
    assert entry.username == "manage.py rotate_data_key"


def test_keys_from_the_environment_are_not_rotated_here(settings, members):
    settings.TIEJUN_DATA_KEYS = crypto.keyring().to_json()
    with pytest.raises(CommandError, match="TIEJUN_DATA_KEYS"):
        call_command("rotate_data_key")

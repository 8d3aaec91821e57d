from __future__ import annotations

import pytest

from tiejun.lib import crypto


@pytest.mark.parametrize("algorithm", ["aes-gcm", "sm4-gcm"])
def test_it_round_trips(algorithm):
    ring = crypto.new_keyring(algorithm)
    token = crypto.encrypt("11010519491231002X", ring)
    assert "11010519491231002X" not in token
    assert crypto.decrypt(token, ring) == "11010519491231002X"


def test_each_encryption_uses_a_new_nonce():
    ring = crypto.new_keyring()
    assert crypto.encrypt("x", ring) != crypto.encrypt("x", ring)


def test_a_tampered_token_is_refused():
    ring = crypto.new_keyring()
    token = crypto.encrypt("11010519491231002X", ring)
    key_id, body = token.split(":")
    tampered = f"{key_id}:{body[:-4]}AAAA"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, ring)


def test_a_token_of_an_unknown_key_is_refused():
    token = crypto.encrypt("x", crypto.new_keyring())
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token.replace("k1:", "k9:"), crypto.new_keyring())


def test_the_lookup_digest_is_keyed_and_stable():
    ring = crypto.new_keyring()
    assert crypto.lookup_digest("a", ring) == crypto.lookup_digest("a", ring)
    assert crypto.lookup_digest("a", ring) != crypto.lookup_digest("a", crypto.new_keyring())


def test_the_keyring_comes_from_the_environment_setting(settings):
    ring = crypto.new_keyring()
    settings.TIEJUN_DATA_KEYS = ring.to_json()
    crypto.keyring.cache_clear()
    assert crypto.keyring().keys == ring.keys


def test_the_key_file_is_private(settings, tmp_path):
    settings.TIEJUN_DATA_KEY_FILE = str(tmp_path / "k" / "data.key")
    crypto.write_keyring(crypto.new_keyring())
    assert (tmp_path / "k" / "data.key").stat().st_mode & 0o077 == 0

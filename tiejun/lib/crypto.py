"""Encryption of personal data at rest, behind one small provider interface.

Ciphertext: "<key id>:<base64(nonce + ciphertext + tag)>". The lookup digest is an HMAC under a
separate key, so exact-match search works without decrypting. Keys come from the environment
(TIEJUN_DATA_KEYS) or a key file outside the database; `manage.py rotate_data_key` adds a key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_NONCE_BYTES = 12
_TAG_BYTES = 16


class DecryptionError(Exception):
    """Ciphertext that no configured key opens: a wrong key file or tampered data."""


@dataclass(frozen=True)
class Keyring:
    algorithm: str  # "aes-gcm" or "sm4-gcm"
    current: str
    keys: dict[str, bytes]
    lookup: bytes

    def to_json(self) -> str:
        return json.dumps(
            {
                "algorithm": self.algorithm,
                "current": self.current,
                "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()},
                "lookup": base64.b64encode(self.lookup).decode(),
            },
            indent=2,
        )


def new_keyring(algorithm: str = "aes-gcm") -> Keyring:
    size = 32 if algorithm == "aes-gcm" else 16
    return Keyring(algorithm, "k1", {"k1": secrets.token_bytes(size)}, secrets.token_bytes(32))


def parse_keyring(text: str) -> Keyring:
    raw = json.loads(text)
    keys = {k: base64.b64decode(v) for k, v in raw["keys"].items()}
    if raw["current"] not in keys:
        raise ImproperlyConfigured("data key file: the current key is not among the keys")
    return Keyring(
        raw.get("algorithm", "aes-gcm"), raw["current"], keys, base64.b64decode(raw["lookup"])
    )


def key_file() -> Path:
    return Path(settings.TIEJUN_DATA_KEY_FILE)


@cache
def keyring() -> Keyring:
    if settings.TIEJUN_DATA_KEYS:
        return parse_keyring(settings.TIEJUN_DATA_KEYS)
    path = key_file()
    if not path.exists():
        if getattr(settings, "PRODUCTION", False):
            raise ImproperlyConfigured(f"data key file {path} is missing")
        write_keyring(new_keyring())  # development: make one on first use
    return parse_keyring(path.read_text())


def write_keyring(ring: Keyring) -> None:
    path = key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(ring.to_json())
    tmp.replace(path)
    keyring.cache_clear()


def _seal(algorithm: str, key: bytes, nonce: bytes, plain: bytes) -> bytes:
    if algorithm == "aes-gcm":
        return AESGCM(key).encrypt(nonce, plain, None)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    return encryptor.update(plain) + encryptor.finalize() + encryptor.tag


def _open(algorithm: str, key: bytes, nonce: bytes, sealed: bytes) -> bytes:
    if algorithm == "aes-gcm":
        return AESGCM(key).decrypt(nonce, sealed, None)
    body, tag = sealed[:-_TAG_BYTES], sealed[-_TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def encrypt(plain: str, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = _seal(ring.algorithm, ring.keys[ring.current], nonce, plain.encode())
    return f"{ring.current}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    key_id, _, body = token.partition(":")
    if key_id not in ring.keys:
        raise DecryptionError(f"no key {key_id!r}")
    raw = base64.b64decode(body)
    try:
        return _open(
            ring.algorithm, ring.keys[key_id], raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        ).decode()
    except Exception as exc:  # InvalidTag and friends: the text was changed or the key is wrong
        raise DecryptionError(str(exc)) from exc


def lookup_digest(plain: str, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    return hmac.new(ring.lookup, plain.encode(), hashlib.sha256).hexdigest()

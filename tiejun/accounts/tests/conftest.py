from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production PBKDF2 costs ~0.25 s per hash and these tests log in a lot; the hashing test
    puts the production list back."""
    settings.PASSWORD_HASHERS = [
        "tiejun.accounts.tests.hashers.FastPBKDF2PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]

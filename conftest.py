from __future__ import annotations

import os

import pytest

# Browser fixtures (one shared Chromium per test process).
pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def _data_key(settings, tmp_path_factory):
    """Each test session gets its own throw-away encryption key, never the developer's."""
    from tiejun.lib import crypto

    path = tmp_path_factory.getbasetemp() / "data.key"
    settings.TIEJUN_DATA_KEY_FILE = str(path)
    settings.TIEJUN_DATA_KEYS = ""
    crypto.keyring.cache_clear()
    yield
    crypto.keyring.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_caches():
    from django.core.cache import cache

    from tiejun import rules

    cache.clear()
    rules.invalidate()  # also the rules a process keeps for a second
    yield
    cache.clear()
    rules.invalidate()


@pytest.fixture(autouse=True)
def _admin_second_factor_off(settings):
    """Tests log administrators in with force_login, which has no TOTP step. The second factor's
    own tests (tiejun/accounts/tests/test_it_totp.py) switch it back on."""
    settings.TIEJUN_REQUIRE_ADMIN_OTP = False


@pytest.fixture
def people(db):
    from tiejun.testing import build_people

    return build_people()


def postgres_url() -> str | None:
    return os.environ.get("TIEJUN_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")

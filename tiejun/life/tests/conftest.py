from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads of a test go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()

"""SECURITY.md item 24: dependencies pinned by a lock, and a `make audit-deps` target that runs
pip-audit over it (the audit itself needs PyPI, so it runs in CI, not in this suite)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]+\])?==[^=\s]+(\s*;.*)?$")


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_dependency_is_pinned_to_one_version(lock):
    lines = [line.strip() for line in (ROOT / lock).read_text().splitlines()]
    requirements = [line for line in lines if line and not line.startswith(("#", "-"))]
    assert requirements, lock
    loose = [line for line in requirements if not PINNED.match(line)]
    assert loose == [], loose


def test_the_runtime_lock_covers_the_security_packages():
    text = (ROOT / "requirements.lock").read_text()
    for package in ("django==", "django-axes==", "django-otp==", "django-csp==", "cryptography=="):
        assert package in text, package


def test_make_audit_deps_runs_pip_audit_on_the_lock_and_fails_on_what_it_cannot_check():
    makefile = (ROOT / "Makefile").read_text()
    target = makefile.split("\naudit-deps:", 1)[1].split("\n\n", 1)[0]
    assert "pip-audit -r requirements.lock" in target
    assert "--strict" in target

"""Production serves its own assets: collectstatic with the manifest storage must succeed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_collectstatic_succeeds_in_production_mode(tmp_path):
    from tiejun.lib import crypto

    env = {
        **os.environ,
        "TIEJUN_PRODUCTION": "1",
        "SECRET_KEY": "test-" + "k" * 60,
        "ALLOWED_HOSTS": "tiejun.example",
        "TIEJUN_DATA_KEYS": crypto.new_keyring().to_json(),
        "TIEJUN_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "staticfiles" / "staticfiles.json").read_text()
    assert "vendor/htmx/htmx.min.js" in manifest and "css/tiejun.css" in manifest

"""The real app under gunicorn with DEBUG off, on a free port of 127.0.0.1.

DEBUG=0 rather than TIEJUN_PRODUCTION=1: production mode adds response headers, secure-cookie
flags, the HTTPS redirect (which a benchmark over plain HTTP would have to switch off again) and
the manifest static storage, whose `collectstatic` needs the source maps that
scripts/copy_assets.sh does not copy. None of that changes what a page costs; DEBUG does (it
keeps every SQL query in memory), and it is off. The same configuration serves every endpoint.
"""

from __future__ import annotations

import http.client
import secrets
import socket
import subprocess
import time
from pathlib import Path

from bench.databases import PYTHON, ROOT, VAR, base_env

WORKERS = 2  # one per core: the pages are CPU-bound in Python, the database is local


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str) -> dict[str, str]:
    return {
        **base_env(database_url),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


class Server:
    """A gunicorn process serving one database; use as a context manager."""

    def __init__(self, database_url: str, label: str) -> None:
        self.env = server_env(database_url)
        self.port = free_port()
        self.log = VAR / f"gunicorn-{label.lower()}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        with Path(self.log).open("wb") as log:
            self.process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "tiejun.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(WORKERS),
                    "--worker-class",
                    "sync",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_up()
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within a minute; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()  # gunicorn's master stops its workers on SIGTERM
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

"""A small HTTP load generator: a few processes, each one connection, bounded by time.

Each process sends GET requests back to back on one http.client connection (reopened when the
server closes it: gunicorn's sync workers close after every response) and records the time from
sending the request to reading the last byte of the response.
"""

from __future__ import annotations

import http.client
import multiprocessing
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from multiprocessing.queues import Queue
from typing import Any

HOST = "127.0.0.1"


class BenchError(Exception):
    """The server did not answer as a benchmark needs (login failed, an endpoint errs)."""


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.msg.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def login(port: int, username: str, password: str) -> str:
    """Sign in through the login form; returns the Cookie header of the session."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None or "csrftoken" not in cookies:
        raise BenchError("the login page has no CSRF token")
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    )
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies.update(_cookies(response))
    if response.status != 302 or "sessionid" not in cookies:
        raise BenchError(f"login as {username} failed (HTTP {response.status})")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def fetch(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    return response.status, response.read()


@dataclass
class Sample:
    """Latencies of one endpoint's requests, and how many of them failed."""

    clients: int = 1
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def add(self, other: Sample) -> None:
        self.latencies += other.latencies
        self.errors += other.errors

    @property
    def rate(self) -> float:
        """Requests per second that `clients` connections sending this request back to back
        get: clients ÷ mean latency (Little's law for a closed loop)."""
        if not self.latencies:
            return 0.0
        return self.clients * len(self.latencies) / sum(self.latencies)

    def percentile(self, share: float) -> float:
        """Latency in milliseconds below which `share` of the requests finished."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _client(
    port: int, paths: list[str], cookie: str, start: float, seconds: float, out: Queue[Any]
) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Cookie": cookie}
    latencies: list[list[float]] = [[] for _ in paths]
    errors = [0] * len(paths)
    time.sleep(max(0.0, start - time.time()))
    end = time.perf_counter() + seconds
    turn = 0
    while (sent := time.perf_counter()) < end:
        index = turn % len(paths)
        turn += 1
        try:
            conn.request("GET", paths[index], headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            conn.close()  # the next request reconnects
            ok = False
        latencies[index].append(time.perf_counter() - sent)
        errors[index] += not ok
    out.put((latencies, errors))


def hammer(
    port: int, paths: list[str], cookie: str, *, seconds: float, clients: int
) -> list[Sample]:
    """`clients` connections, each sending GET for `paths` in turn, for `seconds`.

    Taking turns puts every path under the same background load at the same moments, so the
    ratio of two paths' figures holds even when other work on the machine comes and goes.
    """
    context = multiprocessing.get_context("fork")
    out: Queue[Any] = context.Queue()
    start = time.time() + 0.2  # all clients begin together, after their processes are up
    workers = [
        context.Process(target=_client, args=(port, paths, cookie, start, seconds, out))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    samples = [Sample(clients=clients) for _ in paths]
    for _ in workers:
        latencies, errors = out.get(timeout=seconds + 120)
        for sample, own, failed in zip(samples, latencies, errors, strict=True):
            sample.latencies += own
            sample.errors += failed
    for worker in workers:
        worker.join()
    return samples

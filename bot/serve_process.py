"""`cxbot serve` as a real subprocess on a free local port, and signed requests to it.

Used by ``cxbot demo``, the crash test and the benchmarks: each needs the real
server (uvicorn, its own process, killable) rather than an in-process stand-in.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import TypeVar

from slack_sdk.signature import SignatureVerifier

from bot.settings import child_environment
from bot.webhooks.signatures import sign_generic

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T | None],
    timeout: float = 10.0,
    what: str = "condition",
    interval: float = 0.05,
) -> T:
    """Poll ``predicate`` until it returns something truthy, and return that.

    Bolt runs listeners on its thread pool after ``ack()``, and the server runs
    in its own process, so whoever checks their effects has to wait for them.
    Raises ``TimeoutError`` naming ``what`` when the time is up.
    """
    deadline = time.monotonic() + timeout
    while True:
        if value := predicate():
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(
    url: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int | None, bytes]:
    """(status, body); status None when nothing answered (server down or killed mid-request)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(
        url, data=body, headers=dict(headers or {}), method="POST" if body is not None else "GET"
    )
    try:
        with opener.open(request, timeout=timeout) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (
        OSError,
        http.client.HTTPException,
    ):  # refused, reset, or cut off mid-response by a kill
        return None, b""


def webhook_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers of a generic webhook signed as cxbot expects (``timestamp`` defaults to now)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/json",
        "X-Cxbot-Request-Timestamp": stamp,
        "X-Cxbot-Signature": sign_generic(secret, stamp, body),
    }


def slack_headers(
    secret: str, body: bytes, content_type: str = "application/x-www-form-urlencoded"
) -> dict[str, str]:
    """Headers of a request signed with the app's signing secret, as Slack signs it."""
    stamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None  # None only without a timestamp or body, both given here
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


class ServeProcess:
    def __init__(
        self,
        settings_env: Mapping[str, str],
        poll_interval: float = 0.2,
        cwd: str | None = None,
        *,
        socket_mode: bool = False,
        bench_floor: bool = False,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = child_environment(settings_env)
        self.command = [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--poll-interval",
            str(poll_interval),
            *(["--socket"] if socket_mode else []),
            *(["--bench-floor"] if bench_floor else []),
        ]
        self.cwd = cwd
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> ServeProcess:
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until(self._ready, timeout, "cxbot serve to become ready")
        except TimeoutError:
            self.kill()
            raise
        return self

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError("cxbot serve exited during start-up")
        return post(f"{self.url}/healthz", timeout=1)[0] == 200

    def wait_warm(self, timeout: float = 60) -> ServeProcess:
        """Wait until the comment model has loaded, so measurements see the steady state."""

        def warm() -> bool:
            status, body = post(f"{self.url}/healthz", timeout=1)
            return status == 200 and b'"classifier":"ready"' in body

        wait_until(warm, timeout, "the comment model to load", interval=0.1)
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flush — what a crash looks like."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

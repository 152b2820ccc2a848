"""What ``cxbot serve`` says when it starts: who it is connected as, or exactly why not.

A real ``python -m bot serve`` process against the Slack emulator, read
through its JSON log, as an operator reads it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from bot.emulator import SlackEmulator
from bot.serve_process import webhook_headers
from tests.scenarios.harness import free_port, http

WEBHOOK_SECRET = "startup-webhook-secret"


@pytest.fixture
def serve(tmp_path) -> Iterator[Callable[..., tuple[SlackEmulator, str, Callable[[], list]]]]:
    """Start serve with ``env`` added; returns the emulator, the base URL and a log reader."""
    started: list[tuple[subprocess.Popen, object]] = []
    with SlackEmulator() as emulator:

        def start(**overrides: str):
            port = free_port()
            env = {
                k: v
                for k, v in os.environ.items()
                if "proxy" not in k.lower() and not k.startswith(("CXBOT_", "SLACK_"))
            }
            env.update(
                SLACK_BOT_TOKEN=emulator.token,
                SLACK_SIGNING_SECRET="startup-signing-secret",
                SLACK_API_URL=emulator.base_url,
                CXBOT_WEBHOOK_SECRET=WEBHOOK_SECRET,
                CXBOT_DB=str(tmp_path / "s.db"),
                CXBOT_SURVEY_DELAY="0s",
            )
            env.update(overrides)
            log_path = tmp_path / "serve.log"
            log_file = log_path.open("w")
            command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"]
            process = subprocess.Popen(
                [*command, "--port", str(port)], env=env, stdout=log_file, stderr=subprocess.STDOUT
            )
            started.append((process, log_file))
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    if http("GET", f"{base}/healthz").status == 200:
                        break
                except OSError:
                    time.sleep(0.1)

            def lines() -> list[dict]:
                text = log_path.read_text()
                return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

            return emulator, base, lines

        try:
            yield start
        finally:
            for process, log_file in started:
                process.terminate()
                process.wait(10)
                log_file.close()  # type: ignore[attr-defined]


def wait_for(lines: Callable[[], list], pattern: str, timeout: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [line for line in lines() if re.search(pattern, line["msg"])]
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no log line matches {pattern!r}: {[x['msg'] for x in lines()]}")


def test_start_up_names_the_workspace_and_bot_once(serve):
    emulator, base, lines = serve(CXBOT_ALERT_CHANNEL="#cx-alerts")
    [connected] = wait_for(lines, r"^connected to workspace ")
    assert connected["msg"] == "connected to workspace cxbot-emulator as @cxbot (U0CXBOT01)"
    assert connected["level"] == "info"
    # the other checks that need attention follow, each with its fix
    wait_for(lines, r"^start-up check WARN alert channel: #cx-alerts is a name")
    # Bolt's "`token` (or SLACK_BOT_TOKEN env variable) will be ignored" / "will be unused":
    # the token is used
    assert not [line for line in lines() if re.search(r"will be (ignored|unused)", line["msg"])]


def test_start_up_says_exactly_why_slack_refuses(serve):
    _, _, lines = serve(SLACK_BOT_TOKEN="xoxb-not-the-emulators")
    [refused] = wait_for(lines, r"^not connected to Slack")
    assert refused["level"] == "error"
    assert refused["msg"].startswith(
        "not connected to Slack: Slack refuses SLACK_BOT_TOKEN (invalid_auth) — fix: "
    )


def test_a_failed_survey_is_logged_with_its_reason(serve):
    _, base, lines = serve()
    body = json.dumps(
        {"event": "ticket.closed", "ticket_id": "S1", "customer": {"slack_user_id": "U0BADUSER"}}
    ).encode()
    reply = http("POST", f"{base}/webhooks/generic", body, webhook_headers(WEBHOOK_SECRET, body))
    assert reply.status == 202
    [failed] = wait_for(lines, r"^survey \d+ failed")
    assert re.fullmatch(r"survey \d+ failed: .*user_not_found.*", failed["msg"]), failed["msg"]
    assert failed["level"] == "warning"

"""Logs are structured JSON with request ids, and never contain tokens or secrets."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time

import pytest

from bot.emulator import SlackEmulator
from bot.observability import JsonFormatter, SecretScrubber
from bot.serve_process import webhook_headers
from tests.scenarios.harness import free_port, http, slash

SECRETS = {
    "SLACK_SIGNING_SECRET": "signing-secret-4f1d9a",
    "CXBOT_WEBHOOK_SECRET": "webhook-secret-8c2e7b",
    "CXBOT_JIRA_SECRET": "jira-secret-11aa22",
}


def test_scrubber_removes_configured_secrets_and_token_shapes():
    scrubber = SecretScrubber(["signing-secret-4f1d9a"])
    record = logging.LogRecord(
        "x",
        logging.ERROR,
        __file__,
        1,
        "failed with %s and %s",
        ("signing-secret-4f1d9a", "xoxb-123-456-abc"),
        None,
    )
    scrubber.filter(record)
    line = JsonFormatter().format(record)
    assert "signing-secret" not in line and "xoxb-123" not in line and line.count("[redacted]") == 2


@pytest.fixture
def serve_logs(tmp_path):
    with SlackEmulator(token="xoxb-emulated-bot-token-77") as emulator:
        port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if "proxy" not in k.lower() and not k.startswith(("CXBOT_", "SLACK_"))
        }
        env.update(
            SECRETS,
            SLACK_BOT_TOKEN=emulator.token,
            SLACK_API_URL=emulator.base_url,
            CXBOT_DB=str(tmp_path / "l.db"),
            CXBOT_SURVEY_DELAY="0s",
        )
        log_file = (tmp_path / "serve.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    if http("GET", f"{base}/healthz").status == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            yield base, emulator, tmp_path / "serve.log"
        finally:
            process.terminate()
            process.wait(10)
            log_file.close()


def test_requests_are_logged_as_json_with_ids_and_no_secret_leaks(serve_logs):
    base, emulator, log_path = serve_logs
    body = json.dumps(
        {"event": "ticket.closed", "ticket_id": "L1", "customer": {"slack_user_id": "U0BADUSER"}}
    ).encode()
    signed = webhook_headers(SECRETS["CXBOT_WEBHOOK_SECRET"], body)
    stamp = signed["X-Cxbot-Request-Timestamp"]
    good = http("POST", f"{base}/webhooks/generic", body, {**signed, "X-Request-Id": "trace-123"})
    assert good.status == 202 and good.headers.get("x-request-id") == "trace-123"
    http(
        "POST",
        f"{base}/webhooks/generic",
        body,
        {
            "X-Cxbot-Request-Timestamp": stamp,
            "X-Cxbot-Signature": "v1=" + SECRETS["CXBOT_WEBHOOK_SECRET"],
        },
    )
    http(
        "POST",
        f"{base}/webhooks/jira",
        b"{}",
        {"X-Hub-Signature": "sha256=" + SECRETS["CXBOT_JIRA_SECRET"]},
    )
    http(
        "POST",
        f"{base}/slack/events",
        slash("nps", "U01ALICE", emulator.response_url()),
        {
            "X-Slack-Signature": "v0=" + SECRETS["SLACK_SIGNING_SECRET"],
            "X-Slack-Request-Timestamp": stamp,
        },
    )
    emulator.wait_for(
        "users.info", timeout=10
    )  # the survey for the unknown user fails and is logged
    time.sleep(0.5)
    text = log_path.read_text()
    for value in [*SECRETS.values(), "xoxb-emulated-bot-token-77"]:
        assert value not in text, f"{value} leaked into the logs"
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["msg"] == "request"]
    assert {"method", "path", "status", "duration_ms", "request_id"} <= set(requests[0])
    assert any(line["request_id"] == "trace-123" and line["status"] == 202 for line in requests)
    assert {line["status"] for line in requests} >= {202, 401}
    assert any("rejected" in line["msg"] and line.get("request_id") for line in lines)

"""Runs the real ``cxbot serve`` ASGI app on uvicorn in-process, against the Slack emulator,
and sends requests signed exactly as Slack and helpdesks sign them."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import uvicorn
from slack_sdk import WebClient
from sqlite_utils import Database

from bot.emulator.payloads import block_actions as click  # noqa: F401  (re-exported for the tests)
from bot.emulator.payloads import comment_submission as modal_submission  # noqa: F401
from bot.emulator.payloads import (
    interaction_body,
    score_click,  # noqa: F401
)
from bot.emulator.payloads import slash_command as slash  # noqa: F401
from bot.jobs.alerts import AlertPolicy, PublishAlerts
from bot.jobs.digests import DigestPolicy, SendDigests
from bot.jobs.surveys import SendSurveys, SurveyPolicy
from bot.scheduler import run_jobs
from bot.serve_process import free_port, slack_headers, webhook_headers
from bot.server import create_server
from bot.settings import Settings
from storage.db import open_db

SIGNING_SECRET = "slack-signing-secret-for-tests"
WEBHOOK_SECRET = "webhook-secret-for-tests"


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def http(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Reply:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=15) as response:
            return Reply(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read(), dict(error.headers))


def closed(ticket: str, **extra) -> dict:
    """A generic ``ticket.closed`` webhook for the English test customer."""
    body = {
        "event": "ticket.closed",
        "ticket_id": ticket,
        "customer": {"slack_user_id": "U0ENGLISH"},
    }
    body.update(extra)
    return body


def slack_pass(
    client: WebClient,
    db: Database,
    policy: SurveyPolicy | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """One pass of the jobs that talk to Slack (surveys, alerts, digests), counts merged."""
    jobs = [
        SendSurveys(client, policy or SurveyPolicy()),
        PublishAlerts(client, AlertPolicy()),
        SendDigests(client, DigestPolicy()),
    ]
    return run_jobs(jobs, db, now)


def survey_row(db_path, survey_id: int) -> dict:
    """The survey's row, read through a connection of its own (the server holds another)."""
    db = open_db(db_path, migrate=False)
    try:
        return db["surveys"].get(survey_id)
    finally:
        db.close()


class RunningServer:
    """uvicorn serving create_server(settings) on a free port, on a thread."""

    def __init__(self, settings: Settings, poll_interval: float = 0.1):
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_server(settings, worker_interval=poll_interval),
            host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> RunningServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    # --- helpdesk side -------------------------------------------------
    def webhook(self, payload: dict | bytes, *, source: str = "generic", secret: str = WEBHOOK_SECRET,
                timestamp: int | None = None, headers: dict[str, str] | None = None) -> Reply:  # fmt: skip
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        signed = webhook_headers(secret, body, timestamp)
        signed.update(headers or {})
        return http("POST", f"{self.url}/webhooks/{source}", body, signed)

    # --- Slack side ------------------------------------------------------
    def slack(
        self,
        body: bytes,
        content_type: str,
        *,
        retry: int | None = None,
        secret: str = SIGNING_SECRET,
    ) -> Reply:
        headers = slack_headers(secret, body, content_type)
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return http("POST", f"{self.url}/slack/events", body, headers)

    def interaction(self, payload: dict, **kwargs: Any) -> Reply:
        return self.slack(interaction_body(payload), "application/x-www-form-urlencoded", **kwargs)

    def event(self, event: dict, event_id: str, **kwargs: Any) -> Reply:
        envelope = {
            "token": "legacy", "team_id": "T0CXBOT01", "api_app_id": "A0CXBOT01", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()), "event": event,
        }  # fmt: skip
        return self.slack(json.dumps(envelope).encode(), "application/json", **kwargs)

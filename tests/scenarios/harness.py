"""Runs the real ``cxbot serve`` ASGI app on uvicorn in-process, against the Slack emulator,
and sends requests signed exactly as Slack and helpdesks sign them."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from bot.server import create_server
from bot.settings import Settings
from bot.webhooks.signatures import sign_generic

SIGNING_SECRET = "slack-signing-secret-for-tests"
WEBHOOK_SECRET = "webhook-secret-for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signed = {
            "Content-Type": "application/json",
            "X-Cxbot-Request-Timestamp": stamp,
            "X-Cxbot-Signature": sign_generic(secret, stamp, body),
        }
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
        stamp = str(int(time.time()))
        signature = (
            "v0="
            + hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
        )
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        }
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return http("POST", f"{self.url}/slack/events", body, headers)

    def interaction(self, payload: dict, **kwargs: Any) -> Reply:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.slack(body, "application/x-www-form-urlencoded", **kwargs)

    def event(self, event: dict, event_id: str, **kwargs: Any) -> Reply:
        envelope = {
            "token": "legacy", "team_id": "T0CXBOT01", "api_app_id": "A0CXBOT01", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()), "event": event,
        }  # fmt: skip
        return self.slack(json.dumps(envelope).encode(), "application/json", **kwargs)


def click(user: str, action_id: str, value: str, channel: str, ts: str, response_url: str) -> dict:
    """A block_actions payload as Slack sends it for a button in a bot message."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": "T0CXBOT01"},
        "api_app_id": "A0CXBOT01",
        "team": {"id": "T0CXBOT01"},
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "channel": {"id": channel},
        "trigger_id": f"{int(time.time())}.trigger",
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "x",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }


def modal_submission(user: str, survey_id: int, comment: str) -> dict:
    return {
        "type": "view_submission",
        "user": {"id": user, "team_id": "T0CXBOT01"},
        "team": {"id": "T0CXBOT01"},
        "api_app_id": "A0CXBOT01",
        "trigger_id": "1.trigger",
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": "cx_comment_modal",
            "private_metadata": str(survey_id),
            "state": {
                "values": {"comment": {"text": {"type": "plain_text_input", "value": comment}}}
            },
        },  # fmt: skip
    }


def slash(text: str, user: str, response_url: str, channel: str = "C01GENERAL") -> bytes:
    """A /cx slash-command body, form-encoded as Slack sends it."""
    return urllib.parse.urlencode({
        "token": "legacy", "team_id": "T0CXBOT01", "team_domain": "cx", "channel_id": channel,
        "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/cx",
        "text": text, "api_app_id": "A0CXBOT01", "response_url": response_url,
        "trigger_id": f"{int(time.time())}.trigger",
    }).encode()  # fmt: skip

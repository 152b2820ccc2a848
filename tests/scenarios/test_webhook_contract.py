"""What every webhook route promises whatever the vendor: URL checks, unreadable bodies, 2xx
for events cxbot cannot act on (helpdesks disable webhooks that keep getting 4xx)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest

from bot.webhooks.signatures import hmac_base64, hmac_hex
from bot.webhooks.sources import SOURCES
from storage.db import open_db
from tests.scenarios.harness import WEBHOOK_SECRET, http

NESTED = b'{"a":' * 5000 + b"1" + b"}" * 5000


def signed_headers(source: str, body: bytes) -> dict[str, str]:
    """Headers the way each vendor signs (the generic source: cxbot's own scheme)."""
    if source == "zendesk":
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "X-Zendesk-Webhook-Signature": hmac_base64(WEBHOOK_SECRET, stamp.encode() + body),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        }
    if source == "freshdesk":
        token = base64.b64encode(f"cxbot:{WEBHOOK_SECRET}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    if source == "jira":
        return {"X-Hub-Signature": "sha256=" + hmac_hex(WEBHOOK_SECRET, body)}
    if source == "intercom":
        return {"X-Hub-Signature": "sha1=" + hmac_hex(WEBHOOK_SECRET, body, hashlib.sha1)}
    from bot.serve_process import webhook_headers

    return webhook_headers(WEBHOOK_SECRET, body)


def stored(server) -> tuple[int, int]:
    db = open_db(server.settings.db_path, migrate=False)
    try:
        return db["tickets"].count, db["webhook_events"].count
    finally:
        db.close()


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("method", ["HEAD", "GET"])
def test_every_webhook_url_answers_the_checks_helpdesks_make(server, source, method):
    """Intercom saves a webhook only if a HEAD on its URL answers 2xx."""
    reply = http(method, f"{server.url}/webhooks/{source}")
    assert reply.status == 200
    if method == "GET":
        assert f"cxbot {source} webhook" in reply.body.decode()
    assert stored(server) == (0, 0)


def test_an_unknown_source_is_404_for_the_url_check_too(server):
    assert http("HEAD", f"{server.url}/webhooks/nosuch").status == 404


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_a_deeply_nested_signed_body_is_400_not_500(server, source):
    reply = http("POST", f"{server.url}/webhooks/{source}", NESTED, signed_headers(source, NESTED))
    assert reply.status == 400, reply.body
    assert "nested too deeply" in reply.json()["error"]
    assert stored(server) == (0, 0)


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/json", NESTED),
        ("application/x-www-form-urlencoded", b"payload=" + NESTED),
        ("application/json", b'{"type": "event_callback", '),
    ],
)
def test_slack_events_that_cannot_be_parsed_are_400_when_signed_and_401_when_not(
    server, content_type, body
):
    assert server.slack(body, content_type).status == 400
    assert server.slack(body, content_type, secret="not-the-secret").status == 401


def test_a_valid_slack_request_still_reaches_bolt(server):
    """The parse check sits in front of Bolt; a normal url_verification still answers."""
    body = json.dumps({"type": "url_verification", "challenge": "abc", "token": "x"}).encode()
    reply = server.slack(body, "application/json")
    assert (reply.status, reply.json()) == (200, {"challenge": "abc"})

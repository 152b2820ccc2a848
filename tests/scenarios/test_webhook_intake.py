"""Webhook intake over HTTP: 202 only once stored; every rejection stores nothing."""

from __future__ import annotations

import json
import time

import pytest

from bot.webhooks.intake import MAX_BODY_BYTES
from storage.db import open_db
from tests.scenarios.harness import http


def counts(db_path) -> tuple[int, int, int]:
    db = open_db(db_path, migrate=False)
    try:
        return db["tickets"].count, db["surveys"].count, db["webhook_events"].count
    finally:
        db.close()


GOOD = {"event": "ticket.closed", "ticket_id": "42", "customer": {"email": "emma@example.com"}}


def test_accepted_and_duplicate(server):
    first = server.webhook(GOOD)
    assert first.status == 202
    assert first.json() == {
        "ticket_id": "42",
        "survey_id": 1,
        "status": "scheduled",
        "reason": None,
    }
    again = server.webhook(GOOD)
    assert again.status == 202 and again.json()["status"] == "duplicate"
    assert counts(server.settings.db_path) == (1, 1, 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b"[1, 2]", "body"),
        (json.dumps({**GOOD, "event": "ticket.deleted"}).encode(), "event"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "ticket_id"}).encode(), "ticket_id"),
        (json.dumps({**GOOD, "customer": {}}).encode(), "customer"),
        (json.dumps({**GOOD, "customer": {"email": "not-an-email"}}).encode(), "customer.email"),
        (
            json.dumps({**GOOD, "customer": {"slack_user_id": "bob"}}).encode(),
            "customer.slack_user_id",
        ),
        (json.dumps({**GOOD, "survey": "stars"}).encode(), "survey"),
        (json.dumps({**GOOD, "closed_at": "yesterday"}).encode(), "closed_at"),
        (json.dumps({**GOOD, "tags": "a", "agent": "Dana"}).encode(), "agent"),
        (json.dumps({**GOOD, "tags": [{"x": 1}]}).encode(), "tags"),
        (json.dumps({**GOOD, "slack_channel": "general"}).encode(), "slack_channel"),
        (json.dumps({**GOOD, "thread_ts": "yesterday"}).encode(), "thread_ts"),
        ('{"event": "ticket.closed"}'.encode("utf-16"), "body"),
    ],
)
def test_malformed_bodies_name_the_field_and_store_nothing(server, body, field):
    reply = server.webhook(body)
    assert reply.status == 400, reply.body
    assert reply.json()["error"].startswith(f"{field}:")
    assert counts(server.settings.db_path) == (0, 0, 0)


def test_bad_signature_and_stale_or_missing_timestamp_are_401(server):
    assert server.webhook(GOOD, secret="not-the-secret").status == 401
    stale = server.webhook(GOOD, timestamp=int(time.time()) - 301)
    assert stale.status == 401 and "5 minutes" in stale.json()["error"]
    assert server.webhook(GOOD, timestamp=int(time.time()) + 400).status == 401
    unsigned = http(
        "POST",
        f"{server.url}/webhooks/generic",
        json.dumps(GOOD).encode(),
        {"Content-Type": "application/json"},
    )
    assert unsigned.status == 401 and "missing" in unsigned.json()["error"]
    assert counts(server.settings.db_path) == (0, 0, 0)


def test_oversized_body_is_rejected_early(server):
    huge = json.dumps({**GOOD, "padding": "x" * (MAX_BODY_BYTES + 10)}).encode()
    assert server.webhook(huge).status == 413
    assert counts(server.settings.db_path) == (0, 0, 0)


def test_unknown_source_is_404(server):
    reply = server.webhook(GOOD, source="salesforce")
    assert reply.status == 404 and "generic" in reply.json()["error"]


def test_unconfigured_secret_refuses_everything(settings_for):
    from tests.scenarios.harness import RunningServer

    running = RunningServer(settings_for(webhook_secret=None)).start()
    try:
        reply = running.webhook(GOOD)
        assert reply.status == 401 and "CXBOT_WEBHOOK_SECRET" in reply.json()["error"]
    finally:
        running.stop()


def test_healthz_reports_database_and_queue(settings_for):
    from tests.scenarios.harness import RunningServer

    running = RunningServer(settings_for(survey_delay="1h")).start()
    try:
        running.webhook(GOOD)
        health = http("GET", f"{running.url}/healthz")
        assert health.status == 200
        data = health.json()
        assert data.pop("classifier") in ("loading", "ready")
        assert data == {
            "status": "ok",
            "database": "ok",
            "slack_token": "ok",
            "queue": {"due": 0, "oldest_due_age_seconds": 0.0},
            "skipped_7d": {},
            "writeback": {"pending": 0, "failed": 0},
            "channels": [],  # no alert or digest channel the bot cannot post in
        }
    finally:
        running.stop()

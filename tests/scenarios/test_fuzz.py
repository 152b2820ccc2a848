"""Hostile input, property-tested: never a 5xx, never a stack trace, never a partial write."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cx.digest_command import parse_digest
from bot.cx.grammar import UsageError
from bot.cx.service import parse_command
from bot.emulator import SlackEmulator
from bot.settings import load_settings
from storage.db import open_db
from tests.scenarios.harness import (
    SIGNING_SECRET,
    WEBHOOK_SECRET,
    RunningServer,
    http,
    slash,
)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=15,
)
webhook_like = st.fixed_dictionaries(
    {"event": st.sampled_from(["ticket.closed", "ticket.reopened", "x", 1, None])},
    optional={
        "ticket_id": json_values, "customer": st.dictionaries(st.sampled_from(["slack_user_id", "email", "x"]), json_values, max_size=2),
        "agent": json_values, "team": json_values, "tags": json_values, "survey": json_values, "closed_at": json_values,
        "slack_channel": json_values, "thread_ts": json_values,
    },
)  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with SlackEmulator() as emulator:
        path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
        config = load_settings(
            slack_bot_token=emulator.token, slack_signing_secret=SIGNING_SECRET, slack_api_url=emulator.base_url,
            webhook_secret=WEBHOOK_SECRET, db_path=str(path), survey_delay="1h", admins="U01ALICE",
        )  # fmt: skip
        running = RunningServer(config).start()
        running.emulator = emulator
        yield running
        running.stop()


def counts(server) -> tuple[int, int, int]:
    db = open_db(server.settings.db_path, migrate=False)
    try:
        return db["tickets"].count, db["surveys"].count, db["webhook_events"].count
    finally:
        db.close()


@FUZZ
@given(st.text(max_size=80))
def test_cx_grammar_answers_or_explains(text):
    try:
        parse_command(text, ZoneInfo("UTC"), datetime.now(UTC))
    except UsageError as exc:
        assert "Usage" in str(exc)
    try:
        parse_digest("digest " + text)
    except UsageError:
        pass


@FUZZ
@given(payload=st.one_of(webhook_like, json_values))
def test_signed_webhooks_of_any_shape(server, payload):
    body = json.dumps(payload).encode()
    before = counts(server)
    reply = server.webhook(body)
    assert reply.status in (202, 400), reply.body
    assert b"Traceback" not in reply.body
    after = counts(server)
    if reply.status == 400:
        assert after == before  # nothing stored on a rejection
    else:
        assert after[2] in (before[2], before[2] + 1)


@FUZZ
@given(
    body=st.binary(max_size=300),
    headers=st.dictionaries(
        st.sampled_from(
            [
                "X-Cxbot-Signature",
                "X-Cxbot-Request-Timestamp",
                "Content-Type",
                "X-Zendesk-Webhook-Signature",
                "X-Hub-Signature",
            ]
        ),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
        max_size=4,
    ),
    source=st.sampled_from(["generic", "zendesk", "freshdesk", "jira", "intercom", "nope"]),
)
def test_unsigned_or_garbled_requests_store_nothing(server, body, headers, source):
    before = counts(server)
    reply = http("POST", f"{server.url}/webhooks/{source}", body, headers)
    assert reply.status in (400, 401, 404), reply.body
    assert counts(server) == before


@FUZZ
@given(text=st.text(max_size=60))
def test_cx_over_http_never_fails(server, text):
    reply = server.slack(
        slash(text, "U01ALICE", server.emulator.response_url()), "application/x-www-form-urlencoded"
    )
    assert reply.status == 200
    assert "Traceback" not in reply.body.decode()


@FUZZ
@given(
    action=st.sampled_from(
        [
            "cx_score_3",
            "cx_comment",
            "cx_reason_slow",
            "cx_alert_take",
            "cx_alert_resolve",
            "cx_alert_relabel",
        ]
    ),
    value=st.text(max_size=20),
)
def test_button_payloads_with_junk_values(server, action, value):
    payload = {
        "type": "block_actions", "user": {"id": "U0ENGLISH"}, "team": {"id": "T0CXBOT01"}, "api_app_id": "A0CXBOT01",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "D0X"}, "channel": {"id": "D0X"},
        "trigger_id": "1.1", "response_url": server.emulator.response_url(),
        "actions": [{"type": "button", "action_id": action, "value": value, "block_id": "x", "action_ts": str(time.time())}],
    }  # fmt: skip
    reply = server.interaction(payload)
    assert reply.status < 500, reply.body

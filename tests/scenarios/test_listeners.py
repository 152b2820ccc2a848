"""The listeners as plain callbacks on the real Bolt app, driven in-process with signed requests.

``create_app`` builds the app the server serves; requests go through Bolt's
own dispatch (signature check, middleware, listeners, error handler).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.app import create_app
from bot.cx.service import Answered
from bot.cx.subcommands.scores import Score
from bot.emulator.payloads import comment_submission, interaction_body
from bot.serve_process import slack_headers
from bot.store import Store
from storage.responses import ResponseRow, insert_responses
from storage.timestamps import to_db
from tests.scenarios.harness import SIGNING_SECRET, slash

ADMIN = "U0ADMIN01"
NOBODY = "U0NOBODY1"


class CountingStore(Store):
    """The real store, noting each database-thread call and what it returned."""

    def __init__(self, path: str):
        super().__init__(path)
        self.calls: list[tuple[str, Any]] = []

    async def run(self, function, *args, **kwargs):
        result = await super().run(function, *args, **kwargs)
        self.calls.append((getattr(function, "__name__", repr(function)), result))
        return result


def dispatch(app: AsyncApp, body: bytes, content_type: str) -> BoltResponse:
    headers = slack_headers(SIGNING_SECRET, body, content_type)
    return asyncio.run(app.async_dispatch(AsyncBoltRequest(body=body.decode(), headers=headers)))


def command(app: AsyncApp, text: str, response_url: str, user: str = ADMIN) -> dict:
    reply = dispatch(app, slash(text, user, response_url), "application/x-www-form-urlencoded")
    assert reply.status == 200, reply.body
    return json.loads(reply.body)


@pytest.fixture
def app_and_store(settings_for):
    settings = settings_for(admins=ADMIN)
    store = CountingStore(settings.db_path)
    now = datetime.now(UTC)
    insert_responses(
        store.db(),
        [
            ResponseRow("nps", score, to_db(now - timedelta(days=1, minutes=i)), team="billing")
            for i, score in enumerate((10, 9, 3))
        ],
    )
    store.calls.clear()
    return create_app(settings, store), store


@pytest.mark.parametrize("user", [ADMIN, NOBODY])
def test_cx_nps_is_one_database_call_returning_data_rendered_after(app_and_store, emulator, user):
    app, store = app_and_store
    message = command(app, "nps 30d team=Billing", emulator.response_url(), user)
    assert "NPS 33" in json.dumps(message["blocks"]) and message["text"].startswith("NPS 33")
    [(name, outcome)] = store.calls  # filters, access and the query in one call
    assert name == "answer"
    assert isinstance(outcome, Answered) and isinstance(outcome.data, Score)  # data, not blocks


def test_help_needs_no_database_call(app_and_store, emulator):
    app, store = app_and_store
    assert command(app, "help", emulator.response_url())["text"] == "cxbot help"
    assert store.calls == []


def test_digest_preview_with_an_unknown_time_zone_answers_with_a_usage_hint(
    app_and_store, emulator
):
    app, _ = app_and_store
    message = command(app, "digest preview tz=Nowhere/City", emulator.response_url())
    assert message["text"].startswith("unknown time zone 'Nowhere/City'")
    assert "Usage: /cx digest subscribe" in message["text"]


def test_public_digest_is_the_digest_command(app_and_store, emulator):
    app, _ = app_and_store
    message = command(app, "public digest list", emulator.response_url())
    assert message["response_type"] == "in_channel"
    assert message["text"] == "You have no digest subscriptions. Try `/cx digest subscribe`."


def test_a_malformed_modal_submission_is_acknowledged_and_logged(app_and_store, caplog):
    app, store = app_and_store
    payload = comment_submission("U0ENGLISH", 1, "hello")
    payload["view"]["private_metadata"] = "not-a-survey-id"
    with caplog.at_level(logging.WARNING, logger="cxbot.listeners"):
        reply = dispatch(app, interaction_body(payload), "application/x-www-form-urlencoded")
    assert reply.status == 200 and reply.body == ""
    assert "ignored a malformed view_submission cx_comment_modal payload: ValueError" in caplog.text
    assert store.calls == []


def test_a_retried_event_runs_its_listener_once(app_and_store, emulator):
    app, store = app_and_store
    envelope = {
        "token": "legacy", "team_id": "T0CXBOT01", "api_app_id": "A0CXBOT01", "type": "event_callback",
        "event_id": "EvRetry1", "event_time": 1,
        "event": {"type": "app_home_opened", "user": NOBODY, "channel": "D0HOME", "tab": "home"},
    }  # fmt: skip
    body = json.dumps(envelope).encode()
    assert dispatch(app, body, "application/json").status == 200
    assert dispatch(app, body, "application/json").status == 200
    assert [name for name, _ in store.calls] == [
        "first_time_event",
        "home_data",
        "first_time_event",
    ]
    assert len(emulator.calls("views.publish")) == 1

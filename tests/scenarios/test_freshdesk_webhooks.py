"""Freshdesk automation-rule webhooks against a real ``cxbot serve``: bodies as helpdesks.md
§2.2 documents them, authenticated each way a Freshdesk rule can (it does not sign)."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from storage.db import open_db
from tests.scenarios.harness import WEBHOOK_SECRET, RunningServer, http
from tests.webhooks.test_freshdesk import ADVANCED, SIMPLE, ZULIP

API_KEY = "fd-test-key"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


PASSWORD = basic("cxbot", WEBHOOK_SECRET)  # "Requires authentication": user name + password
API_KEY_MODE = basic(WEBHOOK_SECRET, "X")  # the API-key mode: base64("<key>:X")


def rendered(payload: dict, **changes: object) -> dict:
    data = copy.deepcopy(payload)
    for key, value in changes.items():
        if value is None:
            data["freshdesk_webhook"].pop(key, None)
        else:
            data["freshdesk_webhook"][key] = value
    return data


def send(server, payload: dict | bytes, headers: dict[str, str] = PASSWORD) -> tuple[int, dict]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    reply = http(
        "POST",
        f"{server.url}/webhooks/freshdesk",
        body,
        {"Content-Type": "application/json", **headers},
    )
    return reply.status, reply.json()


def rows(server, sql: str, params: tuple = ()) -> list[tuple]:
    db = open_db(server.settings.db_path, migrate=False)
    try:
        return db.execute(sql, list(params)).fetchall()
    finally:
        db.close()


def stored(server) -> tuple[int, int]:
    return rows(server, "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM surveys)")[0]


@pytest.fixture
def slow_server(settings_for):
    """Surveys wait an hour, so a reopen finds them still pending."""
    running = RunningServer(settings_for(survey_delay="1h")).start()
    yield running
    running.stop()


@pytest.mark.parametrize(
    "payload, email",
    [
        (ADVANCED, "adam@example.com"),
        (rendered(SIMPLE, ticket_status="Resolved"), "adam@example.com"),
    ],
    ids=["advanced", "simple"],
)
@pytest.mark.parametrize("headers", [PASSWORD, API_KEY_MODE], ids=["password", "api-key"])
def test_closure_is_scheduled_for_the_requester(server, payload, email, headers):
    status, reply = send(server, payload, headers)
    assert (status, reply["status"], reply["ticket_id"]) == (202, "scheduled", "1228307"), reply
    ticket = rows(server, "SELECT source, external_id, customer_email, priority FROM tickets")
    assert ticket == [("freshdesk", "1228307", email, "Low")]
    survey = rows(
        server, "SELECT recipient, state FROM surveys WHERE id = ?", (reply["survey_id"],)
    )
    assert survey == [(email, "scheduled")]


def test_the_secret_header_is_accepted(server):
    status, reply = send(server, ADVANCED, {"X-Cxbot-Token": WEBHOOK_SECRET})
    assert (status, reply["status"]) == (202, "scheduled")


def test_resolved_then_closed_is_one_closure_and_one_survey(server):
    send(server, ADVANCED)
    status, reply = send(server, rendered(ADVANCED, triggered_event="{status:{from:4,to:5}}"))
    assert (status, reply["status"]) == (202, "duplicate"), reply
    assert stored(server) == (1, 1)


def test_reopen_from_resolved_cancels_the_pending_survey(slow_server):
    status, reply = send(slow_server, ADVANCED)  # triggered_event {status:{from:2,to:4}}
    survey_id = reply["survey_id"]
    reopen = rendered(ADVANCED, triggered_event="{status:{from:4,to:2}}", ticket_status="Open")
    status, reply = send(slow_server, reopen, API_KEY_MODE)
    assert (status, reply["status"]) == (202, "skipped") and "reopened" in reply["reason"], reply
    survey = rows(slow_server, "SELECT state, skip_code FROM surveys WHERE id = ?", (survey_id,))
    assert survey == [("skipped", "reopened")]
    assert rows(slow_server, "SELECT status, reopen_count FROM tickets") == [("open", 1)]


def test_simple_mode_reopen_by_status_name(slow_server):
    send(slow_server, rendered(SIMPLE, ticket_status="Resolved"))
    status, reply = send(slow_server, SIMPLE)  # ticket_status "Open", no triggered_event
    assert (status, reply["status"]) == (202, "skipped") and "reopened" in reply["reason"]
    assert rows(slow_server, "SELECT reopen_count FROM tickets") == [(1,)]


def test_reopen_of_a_ticket_never_seen_closed_stores_nothing(server):
    reopen = rendered(ADVANCED, triggered_event="{status:{from:4,to:2}}", ticket_status="Open")
    status, reply = send(server, reopen)
    assert (status, reply["status"]) == (202, "skipped") and "never closed" in reply["reason"]
    assert stored(server) == (0, 0)


@pytest.mark.parametrize(
    "payload, words",
    [
        (
            rendered(ADVANCED, triggered_event="{status:{from:2,to:3}}"),
            "from 2 (Open) to 3 (Pending)",
        ),
        (ZULIP, "from 4 (Resolved) to custom status 6"),
        (rendered(ADVANCED, triggered_event="{priority:{from:1,to:3}}"), "not a status change"),
        (rendered(SIMPLE, ticket_status="Waiting on Customer"), "custom status"),
    ],
    ids=["open-to-pending", "custom-status", "priority", "custom-name"],
)
def test_other_changes_are_acknowledged_ignored_and_say_what_they_were(server, payload, words):
    status, reply = send(server, payload)
    assert (status, reply["status"]) == (202, "skipped"), reply
    assert words in reply["reason"] and "ignored" in reply["reason"]
    assert stored(server) == (0, 0)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("cxbot", "wrong-secret"),
        basic("wrong-secret", "X"),
        {"X-Cxbot-Token": "wrong-secret"},
        {"Authorization": "Basic %%%"},
    ],
    ids=["none", "password", "api-key", "token", "garbled"],
)
def test_bad_credentials_are_401_and_store_nothing(server, headers):
    status, reply = send(server, ADVANCED, headers)
    assert status == 401, reply
    assert stored(server) == (0, 0)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"event": "ticket.closed", "customer": {"email": "a@b.co"}}, "ticket_id"),
        ({"freshdesk_webhook": ["Resolved"]}, "freshdesk_webhook"),
        (
            {"freshdesk_webhook": {"ticket_id": [11], "ticket_status": "Resolved"}},
            "freshdesk_webhook.ticket_id",
        ),
        ({"freshdesk_webhook": {"ticket_id": "11"}}, "ticket_status"),
        (b'{"freshdesk_webhook":' * 5000, "body"),
    ],
    ids=["generic-body", "not-an-object", "ticket-id", "no-status", "deep"],
)
def test_bodies_that_are_not_freshdesks_are_400_naming_the_field(server, payload, field):
    status, reply = send(server, payload)
    assert status == 400 and reply["error"].startswith(f"{field}:"), reply
    assert stored(server) == (0, 0)


def test_closure_without_email_and_no_api_is_accepted_and_skipped_saying_what_to_do(server):
    status, reply = send(server, rendered(ADVANCED, requester_email=None))
    assert (status, reply["status"]) == (202, "skipped"), reply
    assert "CXBOT_FRESHDESK_URL and CXBOT_FRESHDESK_API_KEY" in reply["reason"]
    survey = rows(server, "SELECT state, skip_code, skip_reason FROM surveys")
    assert [row[:2] for row in survey] == [("skipped", "no_customer")]
    assert survey[0][2].startswith("requester has no email in the payload")
    # The ticket still counts for /cx ops.
    assert rows(server, "SELECT external_id, status FROM tickets") == [("1228307", "closed")]


@pytest.mark.parametrize(
    "changes, ref",
    [
        ({"requester_email": None}, "ticket:1228307"),
        ({"requester_email": "", "requester_id": "1"}, "1"),
    ],
    ids=["ticket", "contact-id"],
)
def test_closure_without_email_with_the_api_is_scheduled_for_a_look_up(settings_for, changes, ref):
    settings = settings_for(
        survey_delay="1h", freshdesk_url="http://127.0.0.1:9/freshdesk", freshdesk_api_key=API_KEY
    )
    running = RunningServer(settings).start()
    try:
        status, reply = send(running, rendered(ADVANCED, **changes))
        assert (status, reply["status"]) == (202, "scheduled"), reply
        survey = rows(
            running, "SELECT recipient, customer_ref, state FROM surveys WHERE id = ?",
            (reply["survey_id"],),
        )  # fmt: skip
        assert survey == [(f"freshdesk:{ref}", ref, "scheduled")]
    finally:
        running.stop()

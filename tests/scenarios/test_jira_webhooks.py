"""Jira against a real ``cxbot serve``: bodies as helpdesks.md §3.2 documents them, signed as
§3.4 describes (admin webhooks: ``X-Hub-Signature: sha256=``; JSM automation: a secret header)."""

from __future__ import annotations

import json
import uuid

import pytest

from bot.helpdesk_emulator import HelpdeskEmulator
from storage.db import open_db
from tests.scenarios.harness import WEBHOOK_SECRET, Reply, RunningServer, http
from tests.webhooks import jira_fixtures as fx


def send(
    server: RunningServer,
    payload: dict | bytes,
    *,
    secret: str = WEBHOOK_SECRET,
    delivery: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """POST as Jira Cloud does: signed body, a delivery identifier that retries repeat."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    sent = {
        "Content-Type": "application/json",
        "User-Agent": "Atlassian Webhook HTTP Client",
        "X-Atlassian-Webhook-Identifier": delivery or str(uuid.uuid4()),
        "X-Atlassian-Webhook-Flow": "Primary",
        **fx.hub_signature(secret, body),
    }
    if headers is not None:
        sent = {"Content-Type": "application/json", **headers}
    return http("POST", f"{server.url}/webhooks/jira", body, sent)


def automation(server: RunningServer, payload: dict, token: str = WEBHOOK_SECRET) -> Reply:
    """JSM "Send web request": no signature, the secret in a hidden header."""
    return send(server, payload, headers={"X-Cxbot-Token": token})


def rows(server: RunningServer, sql: str, params: list | None = None) -> list[tuple]:
    db = open_db(server.settings.db_path, migrate=False)
    try:
        return db.execute(sql, params or []).fetchall()
    finally:
        db.close()


def counts(server: RunningServer) -> tuple[int, int]:
    return rows(server, "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM surveys)")[0]


@pytest.fixture
def later(settings_for):
    """A server whose surveys wait an hour, so the states below stay as intake left them."""
    running = RunningServer(settings_for(survey_delay="1h")).start()
    yield running
    running.stop()


@pytest.fixture
def helpdesk():
    with HelpdeskEmulator() as emulator:
        yield emulator


@pytest.fixture
def with_api(settings_for, helpdesk):
    """CXBOT_JIRA_URL/EMAIL/TOKEN pointing at the helpdesk emulator."""
    settings = settings_for(
        survey_delay="1h",
        jira_url=helpdesk.url("jira"),
        jira_email=helpdesk.jira_email,
        jira_token=helpdesk.jira_token,
    )
    running = RunningServer(settings).start()
    yield running
    running.stop()


def test_a_closure_with_a_visible_email_is_scheduled_with_what_the_issue_says(later):
    body = fx.resolved("Ana.Pop@Example.com")
    body["issue"]["fields"].update(
        assignee={"accountId": "5b10a2844c20165700ede21g", "displayName": "Mia Agent"},
        labels=["sso"], priority={"id": "2", "name": "High"},
    )  # fmt: skip
    reply = send(later, body)
    assert (reply.status, reply.json()["status"]) == (202, "scheduled"), reply.body
    assert rows(
        later,
        "SELECT external_id, customer_email, customer_ref, customer_name, agent_name, team, tags,"
        " priority, closed_at FROM tickets",
    ) == [
        (
            "SUP-42",
            "ana.pop@example.com",
            fx.REPORTER_ACCOUNT,
            "Ana Pop",
            "Mia Agent",
            "SUP",
            '["sso"]',
            "High",
            "2025-01-09T08:00:00.000Z",
        )
    ]
    assert rows(later, "SELECT state, recipient FROM surveys") == [
        ("scheduled", "ana.pop@example.com")
    ]


def test_the_documented_reopen_cancels_the_pending_survey(later):
    assert send(later, fx.resolved("ana.pop@example.com")).json()["status"] == "scheduled"
    reply = send(later, fx.reopened("ana.pop@example.com"))
    assert (reply.status, reply.json()["status"]) == (202, "skipped")
    assert reply.json()["reason"] == "ticket reopened before the survey was sent"
    assert rows(later, "SELECT status, reopen_count FROM tickets") == [("open", 1)]
    assert rows(later, "SELECT state, skip_code FROM surveys") == [("skipped", "reopened")]


def test_to_do_to_in_progress_stores_nothing(later):
    """Issue 15: it was stored as a reopen and inflated the reopen rate in /cx ops."""
    reply = send(later, fx.started())
    assert (reply.status, reply.json()["status"]) == (202, "skipped")
    assert "never closed" in reply.json()["reason"]
    assert counts(later) == (0, 0)
    assert rows(later, "SELECT count(*) FROM webhook_events") == [(0,)]


def test_an_edit_that_is_not_a_status_change_is_202_with_the_reason(later):
    body = fx.resolved("ana.pop@example.com")
    body["changelog"]["items"] = [
        {"field": "labels", "fieldtype": "jira", "fieldId": "labels",
         "from": None, "fromString": "", "to": None, "toString": "sso"}
    ]  # fmt: skip
    reply = send(later, body)
    assert (reply.status, reply.json()["status"]) == (202, "skipped")
    assert "did not change its status (changed: labels" in reply.json()["reason"]
    assert counts(later) == (0, 0)


def test_a_comment_event_is_202_and_says_what_it_was(later):
    reply = send(later, {**fx.resolved(), "webhookEvent": "comment_created"})
    assert (reply.status, reply.json()["status"]) == (202, "skipped")
    assert "'comment_created' is not an issue update" in reply.json()["reason"]
    assert counts(later) == (0, 0)


def test_an_issue_created_directly_in_done_is_a_closure(later):
    """Issue 15: ignored before, the changelog's field reading "Status" (fieldId "status")."""
    reply = send(later, fx.created_done(email="ana.pop@example.com"))
    assert (reply.status, reply.json()["status"]) == (202, "scheduled"), reply.body
    assert rows(later, "SELECT external_id, status, created_at FROM tickets") == [
        ("SUP-44", "closed", "2025-01-09T07:55:00.000Z")
    ]


def test_the_same_delivery_sent_twice_is_one_ticket_and_one_survey(later):
    """Jira retries with the same X-Atlassian-Webhook-Identifier (at-least-once delivery)."""
    delivery = "b6c3f0a0-2b1d-4d7e-9a53-ffe3d1c2a001"
    first = send(later, fx.resolved("ana.pop@example.com"), delivery=delivery)
    again = send(later, fx.resolved("ana.pop@example.com"), delivery=delivery)
    assert (first.json()["status"], again.json()["status"]) == ("scheduled", "duplicate")
    assert again.json()["survey_id"] == first.json()["survey_id"]
    assert counts(later) == (1, 1)


def test_a_hidden_email_without_api_credentials_keeps_the_ticket_and_skips_with_the_fix(later):
    reply = send(later, fx.resolved())
    assert (reply.status, reply.json()["status"]) == (202, "skipped")
    assert "set CXBOT_JIRA_URL, CXBOT_JIRA_EMAIL and CXBOT_JIRA_TOKEN" in reply.json()["reason"]
    assert rows(later, "SELECT status, customer_ref FROM tickets") == [
        ("closed", fx.REPORTER_ACCOUNT)
    ]  # the closure still counts for /cx ops
    assert rows(later, "SELECT state, skip_code, recipient, customer_ref FROM surveys") == [
        ("skipped", "no_customer", f"jira:{fx.REPORTER_ACCOUNT}", fx.REPORTER_ACCOUNT)
    ]


def test_a_hidden_email_with_api_credentials_is_scheduled_for_a_look_up(with_api):
    reply = send(with_api, fx.resolved())
    assert (reply.status, reply.json()["status"]) == (202, "scheduled"), reply.body
    assert rows(with_api, "SELECT state, recipient, customer_ref, customer_email FROM surveys") == [
        ("scheduled", f"jira:{fx.REPORTER_ACCOUNT}", fx.REPORTER_ACCOUNT, None)
    ]


def test_a_null_reporter_is_stored_and_skipped_with_the_reason(later):
    body = fx.resolved()
    body["issue"]["fields"]["reporter"] = None
    reply = send(later, body)
    assert (reply.status, reply.json()["reason"]) == (
        202,
        "issue has no reporter in the payload: nobody to survey",
    )
    assert counts(later) == (1, 1)


def test_the_jsm_custom_body_with_the_secret_header(later):
    reply = automation(later, fx.CUSTOM)
    assert (reply.status, reply.json()["status"]) == (202, "scheduled"), reply.body
    assert rows(later, "SELECT external_id, customer_email, closed_at FROM tickets") == [
        ("SUP-42", "ana.pop@example.com", "2025-01-09T08:00:00.000Z")
    ]
    reopen = {**fx.CUSTOM, "cxbot_event": "issue_reopened", "status_category": "indeterminate"}
    assert (
        automation(later, reopen).json()["reason"] == "ticket reopened before the survey was sent"
    )


def test_the_jsm_custom_body_with_the_email_hidden_is_skipped_with_the_fix(later):
    reply = automation(later, {**fx.CUSTOM, "reporter_email": ""})
    assert (reply.status, reply.json()["status"]) == (202, "skipped")
    assert "CXBOT_JIRA_TOKEN" in reply.json()["reason"]


def test_jsm_issue_data_in_automation_format(later):
    reply = automation(later, fx.AUTOMATION)
    assert (reply.status, reply.json()["status"]) == (202, "skipped")  # email hidden, no API
    assert rows(later, "SELECT external_id, customer_locale FROM tickets") == [("SUP-42", "en")]


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Hub-Signature": "sha256=" + "0" * 64},
        {"X-Cxbot-Token": "not-the-secret"},
        {"X-Atlassian-Webhook-Identifier": "b6c3f0a0"},
    ],
)
def test_bad_signatures_are_401_and_store_nothing(later, headers):
    reply = send(later, fx.resolved("ana.pop@example.com"), headers=headers)
    assert reply.status == 401, reply.body
    assert counts(later) == (0, 0)


def test_a_signature_made_with_another_secret_is_401(later):
    assert send(later, fx.resolved(), secret="another-secret").status == 401
    assert counts(later) == (0, 0)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"ticket": {"id": 1, "status": "solved"}}, "webhookEvent: Field required"),
        (
            {k: v for k, v in fx.RESOLVED.items() if k != "issue"},
            "issue: Field required",
        ),
        (
            {**fx.RESOLVED, "issue": {**fx.RESOLVED["issue"], "fields": {"summary": "x"}}},
            "issue.fields.status: Field required",
        ),
        ({k: v for k, v in fx.CUSTOM.items() if k != "issue_key"}, "issue_key: Field required"),
    ],
)
def test_bodies_that_are_not_jiras_are_400_naming_the_field(later, payload, field):
    reply = send(later, payload)
    assert reply.status == 400 and field in reply.json()["error"], reply.body
    assert counts(later) == (0, 0)

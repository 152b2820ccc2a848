"""Zendesk's documented webhooks (helpdesks.md §1.2) against a real ``cxbot serve``, signed as
Zendesk signs (§1.4): event subscription and trigger template, closure, reopen, repeats,
the Test-webhook button, bad signatures and bodies."""

from __future__ import annotations

import json

import pytest

from bot.helpdesk_emulator import HelpdeskEmulator
from storage.db import open_db
from tests.scenarios.harness import WEBHOOK_SECRET, RunningServer, http
from tests.webhooks.zendesk_payloads import (
    SOLVED_EVENT,
    TEMPLATE_SOLVED,
    TEST_SECRET,
    encode,
    reopened_event,
    status_event,
    template,
    zendesk_headers,
)

HINT = "set CXBOT_ZENDESK_URL, CXBOT_ZENDESK_EMAIL and CXBOT_ZENDESK_TOKEN to look it up"


def send(server: RunningServer, payload: dict | bytes, secret: str = WEBHOOK_SECRET):
    body = payload if isinstance(payload, bytes) else encode(payload)
    reply = http("POST", f"{server.url}/webhooks/zendesk", body, zendesk_headers(body, secret))
    return reply.status, reply.json()


def rows(server: RunningServer, sql: str, params: tuple = ()) -> list[tuple]:
    db = open_db(server.settings.db_path, migrate=False)
    try:
        return db.execute(sql, list(params)).fetchall()
    finally:
        db.close()


def counts(server: RunningServer) -> tuple[int, int, int]:
    """(tickets, surveys, webhook events) stored."""
    tickets, surveys, events = (
        rows(server, f"SELECT count(*) FROM {table}")[0][0]
        for table in ("tickets", "surveys", "webhook_events")
    )
    return tickets, surveys, events


def survey_of(server: RunningServer, survey_id: int) -> dict:
    db = open_db(server.settings.db_path, migrate=False)
    try:
        return db.table("surveys").get(survey_id)
    finally:
        db.close()


@pytest.fixture
def helpdesk():
    with HelpdeskEmulator() as emulator:
        yield emulator


@pytest.fixture
def slow(settings_for):
    """A server whose surveys wait an hour, so a reopen finds them still scheduled."""
    running = RunningServer(settings_for(survey_delay="1h")).start()
    yield running
    running.stop()


@pytest.fixture
def with_api(settings_for, helpdesk):
    """A server with Zendesk's API credentials, pointing at the helpdesk emulator."""
    running = RunningServer(
        settings_for(
            survey_delay="1h",
            zendesk_url=helpdesk.url("zendesk"),
            zendesk_email=helpdesk.zendesk_email,
            zendesk_token=helpdesk.zendesk_token,
        )
    ).start()
    yield running
    running.stop()


# ---- event subscription (§1.2a) ----------------------------------------------------------
def test_event_closure_without_credentials_stores_the_ticket_and_skips_saying_what_to_do(server):
    status, reply = send(server, SOLVED_EVENT)
    assert (status, reply["status"], reply["ticket_id"]) == (202, "skipped", "5158")
    assert reply["reason"].endswith(HINT)
    survey = survey_of(server, reply["survey_id"])
    assert (survey["state"], survey["skip_code"]) == ("skipped", "no_customer")
    assert survey["skip_reason"] == (
        "requester has no email in the payload (Zendesk events carry only "
        f"detail.requester_id): {HINT}"
    )
    ticket = rows(
        server,
        "SELECT status, customer_ref, customer_email, tags, channel, priority, created_at "
        "FROM tickets WHERE source = 'zendesk'",
    )
    assert ticket == [
        (
            "closed",
            "8447399911223",
            None,
            '["printer", "vip"]',
            "web_service",
            "LOW",
            "2025-01-08T10:12:07.000Z",
        )
    ]  # the ticket still counts for /cx ops


def test_event_closure_with_credentials_is_scheduled_for_a_look_up(with_api, helpdesk):
    status, reply = send(with_api, SOLVED_EVENT)
    assert (status, reply["status"]) == (202, "scheduled"), reply
    survey = survey_of(with_api, reply["survey_id"])
    assert (survey["state"], survey["customer_ref"]) == ("scheduled", "8447399911223")
    assert survey["recipient"] == "zendesk:8447399911223"
    # Intake never calls the helpdesk: the surveys job looks the person up later.
    assert helpdesk.calls("zendesk", path_prefix="/api/v2/users") == []


def test_event_reopen_cancels_the_pending_survey(with_api):
    send(with_api, SOLVED_EVENT)
    status, reply = send(with_api, reopened_event())
    assert (status, reply["status"]) == (202, "skipped")
    assert reply["reason"] == "ticket reopened before the survey was sent"
    assert rows(with_api, "SELECT status, reopen_count FROM tickets") == [("open", 1)]


def test_event_reopen_of_a_ticket_never_seen_closed_stores_nothing(server):
    status, reply = send(server, reopened_event("9001"))
    assert (status, reply["status"]) == (202, "skipped")
    assert "never closed" in reply["reason"]
    assert counts(server) == (0, 0, 0)


def test_closed_after_solved_is_a_duplicate_of_that_closure(with_api):
    first = send(with_api, SOLVED_EVENT)[1]
    status, reply = send(with_api, status_event("SOLVED", "CLOSED"))
    assert (status, reply["status"], reply["survey_id"]) == (202, "duplicate", first["survey_id"])
    assert rows(with_api, "SELECT closure_count FROM tickets") == [(1,)]


@pytest.mark.parametrize(("previous", "current"), [("NEW", "OPEN"), ("OPEN", "PENDING")])
def test_an_unrelated_status_change_is_202_with_its_reason_and_nothing_stored(
    server, previous, current
):
    status, reply = send(server, status_event(previous, current))
    assert (status, reply["status"]) == (202, "skipped")
    assert reply["reason"] == (
        f"Zendesk status change {previous} → {current} is neither a closure "
        "(to Solved/Closed) nor a reopen (from Solved/Closed)"
    )
    assert counts(server) == (0, 0, 0)


def test_another_event_type_is_202_naming_it(server):
    status, reply = send(server, {**SOLVED_EVENT, "type": "zen:event-type:ticket.priority_changed"})
    assert (status, reply["status"]) == (202, "skipped")
    assert "ticket.priority_changed is not a ticket status change" in reply["reason"]
    assert counts(server) == (0, 0, 0)


# ---- trigger template (§1.2b) ------------------------------------------------------------
def test_template_closure_is_scheduled_for_the_requesters_email(server):
    status, reply = send(server, TEMPLATE_SOLVED)
    assert (status, reply["status"]) == (202, "scheduled"), reply
    assert survey_of(server, reply["survey_id"])["recipient"] == "ana@example.com"
    assert rows(
        server,
        "SELECT customer_email, customer_ref, customer_name, customer_locale, tags FROM tickets",
    ) == [("ana@example.com", "8447399911223", "Ana Pop", "ro", '["printer", "vip"]')]


def test_template_reopen_cancels_the_pending_survey(slow):
    survey_id = send(slow, TEMPLATE_SOLVED)[1]["survey_id"]
    status, reply = send(slow, template("ticket_reopened"))
    assert (status, reply["status"]) == (202, "skipped")
    assert survey_of(slow, survey_id)["skip_code"] == "reopened"


def test_template_without_email_and_without_credentials_is_skipped_with_the_reason(server):
    status, reply = send(server, template(requester_email=""))
    assert (status, reply["status"]) == (202, "skipped")
    assert (
        reply["reason"]
        == f"requester has no email in the payload (requester_email is empty): {HINT}"
    )
    assert counts(server)[0] == 1


def test_template_without_email_with_credentials_is_scheduled_with_customer_ref(with_api):
    status, reply = send(with_api, template(requester_email=""))
    assert (status, reply["status"]) == (202, "scheduled"), reply
    survey = survey_of(with_api, reply["survey_id"])
    assert (survey["recipient"], survey["customer_ref"]) == (
        "zendesk:8447399911223",
        "8447399911223",
    )


# ---- Zendesk's "Test webhook" button -----------------------------------------------------
@pytest.mark.parametrize("payload", [SOLVED_EVENT, {"say": "hello"}])
def test_a_test_webhook_signed_with_the_public_test_secret_is_200_and_stores_nothing(
    server, payload
):
    status, reply = send(server, payload, secret=TEST_SECRET)
    assert (status, reply["status"]) == (200, "test")
    assert "Zendesk test webhook received" in reply["reason"]
    assert counts(server) == (0, 0, 0)


def test_the_same_body_signed_with_the_real_secret_is_processed(server):
    assert send(server, SOLVED_EVENT, secret=WEBHOOK_SECRET)[0] == 202
    assert counts(server)[0] == 1


# ---- refusals ----------------------------------------------------------------------------
@pytest.mark.parametrize("payload", [SOLVED_EVENT, TEMPLATE_SOLVED])
def test_a_bad_signature_is_401_and_stores_nothing(server, payload):
    status, reply = send(server, payload, secret="not-the-secret")
    assert status == 401 and "does not match" in reply["error"]
    assert counts(server) == (0, 0, 0)


def test_a_signature_over_body_plus_timestamp_is_401(server):
    """The older doc page's order (helpdesks.md §1.4) is not what Zendesk sends."""
    body = encode(SOLVED_EVENT)
    headers = zendesk_headers(body, WEBHOOK_SECRET)
    stamp = headers["X-Zendesk-Webhook-Signature-Timestamp"]
    from bot.webhooks.signatures import hmac_base64

    headers["X-Zendesk-Webhook-Signature"] = hmac_base64(WEBHOOK_SECRET, body + stamp.encode())
    assert http("POST", f"{server.url}/webhooks/zendesk", body, headers).status == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"say": "hello"}, "cxbot_event: Field required"),
        ({"type": "zen:event-type:ticket.status_changed"}, "detail: Field required"),
        ({**SOLVED_EVENT, "detail": {"status": "SOLVED"}}, "detail.id: Field required"),
        ({"ticket": {"id": "1"}}, "ticket.status: Field required"),
        (b"[1, 2]", "body: must be a JSON object"),
    ],
)
def test_a_body_that_is_not_zendesks_is_400_naming_the_field(server, payload, field):
    status, reply = send(
        server, payload if isinstance(payload, bytes) else json.loads(json.dumps(payload))
    )
    assert status == 400 and reply["error"].startswith(field), reply
    assert counts(server) == (0, 0, 0)

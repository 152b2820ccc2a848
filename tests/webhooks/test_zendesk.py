"""Zendesk's documented webhook bodies (helpdesks.md §1.2) and signature (§1.4), parse level."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime, timedelta

import pytest

from bot.settings import load_settings
from bot.webhooks import errors, zendesk
from bot.webhooks.errors import Ignored, WebhookAuthError, WebhookPayloadError
from bot.webhooks.signatures import hmac_base64
from tests.webhooks.zendesk_payloads import (
    OLD_VECTOR,
    SOLVED_EVENT,
    TEMPLATE_SOLVED,
    TEST_SECRET,
    encode,
    reopened_event,
    status_event,
    template,
    zendesk_headers,
)

SECRET = "zendesk-signing-secret"
HINT = "set CXBOT_ZENDESK_URL, CXBOT_ZENDESK_EMAIL and CXBOT_ZENDESK_TOKEN to look it up"


def parse(payload: dict):
    return zendesk.parse(encode(payload))


# ---- §1.2a event subscription ---------------------------------------------------------
def test_the_documented_solved_event_is_a_closure_naming_the_requester_by_id():
    event = parse(SOLVED_EVENT)
    assert (event.source, event.kind, event.external_id) == ("zendesk", "closed", "5158")
    assert (event.customer_email, event.customer_ref) == (None, "8447399911223")
    assert event.recipient == "zendesk:8447399911223"
    assert event.no_customer == (
        "requester has no email in the payload (Zendesk events carry only "
        f"detail.requester_id): {HINT}"
    )
    assert event.tags == ("printer", "vip")
    assert (event.channel, event.priority) == ("web_service", "LOW")
    assert event.created_at == "2025-01-08T10:12:07.000Z"
    assert event.closed_at == "2025-01-09T08:00:00.672Z"  # the event's time, nanoseconds cut


def test_an_event_has_no_agent_name_or_team_only_ids():
    event = parse(SOLVED_EVENT)
    assert (event.agent_name, event.agent_email, event.team) == (None, None, None)


def test_the_documented_reopened_event_is_a_reopen():
    event = parse(reopened_event())
    assert (event.kind, event.closed_at, event.customer_ref) == ("reopened", None, "8447399911223")


@pytest.mark.parametrize("current", ["NEW", "OPEN", "PENDING", "HOLD"])
@pytest.mark.parametrize("previous", ["SOLVED", "CLOSED"])
def test_every_move_from_solved_or_closed_to_an_open_status_is_a_reopen(previous, current):
    assert parse(status_event(previous, current)).kind == "reopened"


def test_closed_after_solved_is_a_closure_that_storage_sees_as_the_same_one():
    assert parse(status_event("SOLVED", "CLOSED")).kind == "closed"


@pytest.mark.parametrize(
    ("previous", "current"),
    [("NEW", "OPEN"), ("OPEN", "PENDING"), ("PENDING", "HOLD"), ("HOLD", "OPEN")],
)
def test_a_status_change_between_open_statuses_is_ignored_and_says_what_it_was(previous, current):
    with pytest.raises(Ignored) as caught:
        parse(status_event(previous, current))
    assert f"{previous} → {current}" in str(caught.value)
    assert "neither a closure" in str(caught.value)


def test_a_deleted_ticket_is_ignored():
    with pytest.raises(Ignored, match="status DELETED is not a closure or reopen"):
        parse(status_event("OPEN", "DELETED"))


def test_statuses_are_read_whatever_their_case():
    event = status_event("open", "solved")
    assert parse(event).kind == "closed"
    assert parse(status_event("Solved", "On-hold")).kind == "reopened"


def test_other_event_types_are_ignored_naming_the_type():
    created = {**copy.deepcopy(SOLVED_EVENT), "type": "zen:event-type:ticket.created"}
    with pytest.raises(Ignored, match="zen:event-type:ticket.created is not a ticket status"):
        parse(created)


def test_an_event_without_previous_status_moving_to_open_is_left_to_storage_as_a_reopen():
    event = copy.deepcopy(SOLVED_EVENT)
    event["event"] = {"current": "OPEN"}
    assert parse(event).kind == "reopened"  # storage ignores it unless it saw the ticket closed


def test_an_event_without_its_event_object_falls_back_on_the_ticket_status():
    event = copy.deepcopy(SOLVED_EVENT)
    del event["event"]
    assert parse(event).kind == "closed"


def test_optional_fields_of_odd_types_do_not_cost_the_survey():
    event = copy.deepcopy(SOLVED_EVENT)
    event["detail"].update(tags="printer", via="web", created_at="yesterday", priority=None)
    del event["time"]
    parsed = parse(event)
    assert parsed.kind == "closed" and parsed.tags == ("printer",)
    assert (parsed.channel, parsed.created_at) == (None, None)
    assert parsed.closed_at == "2025-01-09T08:00:00.000Z"  # detail.updated_at


def test_an_event_whose_requester_id_is_null_says_there_is_nobody_to_survey():
    event = parse(status_event("OPEN", "SOLVED", requester_id=None))
    assert event.customer_ref is None and "names no requester" in (event.no_customer or "")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda e: e.pop("detail"), "detail: Field required"),
        (lambda e: e["detail"].pop("id"), "detail.id: Field required"),
        (lambda e: e.update(detail="5158"), "detail: Input should be a valid dictionary"),
        (lambda e: e["detail"].update(id={"n": 1}), "detail.id: Input should be a valid string"),
        (
            lambda e: (e.pop("event"), e["detail"].pop("status")),
            "event.current: Field required",
        ),
        (lambda e: e.update(type=None), "type: Input should be a valid string"),
    ],
)
def test_a_body_that_is_not_zendesks_shape_names_the_field(change, field):
    event = copy.deepcopy(SOLVED_EVENT)
    change(event)
    with pytest.raises(WebhookPayloadError) as caught:
        parse(event)
    assert str(caught.value).startswith(field)


# ---- §1.2b trigger template -------------------------------------------------------------
def test_the_documented_trigger_template_is_a_closure_with_the_customer():
    event = parse(TEMPLATE_SOLVED)
    assert (event.kind, event.external_id) == ("closed", "5158")
    assert (event.customer_email, event.customer_ref) == ("ana@example.com", "8447399911223")
    assert (event.customer_name, event.customer_locale) == ("Ana Pop", "ro")
    assert event.no_customer is None and event.recipient == "ana@example.com"
    assert (event.agent_email, event.agent_name, event.team) == ("agent@acme.com", None, None)
    assert event.tags == ("printer", "vip")  # {{ticket.tags}}: one space-separated string
    assert event.created_at == "2025-01-08T10:12:00.000Z"  # minute precision
    assert event.closed_at == "2025-01-09T08:00:00.000Z"


def test_the_reopen_trigger_is_a_reopen():
    event = parse(template("ticket_reopened"))
    assert (event.kind, event.closed_at) == ("reopened", None)


@pytest.mark.parametrize(
    ("language", "locale"),
    [("ro", "ro"), ("pt-br", "pt-BR"), ("en_US", "en-US"), ("Română", "ro"), ("Hebrew", "he"),
     ("English (United States)", "en"), ("Klingon", None), ("", None)],
)  # fmt: skip
def test_requester_language_is_a_code_or_a_display_name(language, locale):
    assert parse(template(requester_language=language)).customer_locale == locale


def test_a_requester_without_email_is_named_by_id_with_what_to_do():
    event = parse(template(requester_email=""))
    assert (event.customer_email, event.customer_ref) == (None, "8447399911223")
    assert (
        event.no_customer
        == f"requester has no email in the payload (requester_email is empty): {HINT}"
    )


def test_an_unreadable_requester_email_is_treated_as_missing():
    event = parse(template(requester_email="ana at example"))
    assert event.customer_email is None and "is not an email address" in (event.no_customer or "")


def test_the_optional_extras_fill_agent_team_priority_channel_and_survey():
    event = parse(
        template(
            assignee_name="Dana Levi", group_name="Billing", priority="High", via="Mail",
            survey="nps",
        )
    )  # fmt: skip
    assert (event.agent_name, event.team, event.priority, event.channel, event.survey_type) == (
        "Dana Levi",
        "Billing",
        "High",
        "Mail",
        "nps",
    )


def test_an_unknown_cxbot_event_is_ignored_naming_it():
    with pytest.raises(Ignored, match="'ticket_updated' is not one of"):
        parse(template("ticket_updated"))


def test_a_solved_trigger_on_an_open_ticket_is_ignored_as_misconfigured():
    with pytest.raises(Ignored, match="check the trigger's conditions"):
        parse(template(status="Pending"))


def test_a_localised_status_does_not_stop_the_trigger():
    assert parse(template(status="Resuelto")).kind == "closed"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"say": "hello"}, "cxbot_event: Field required"),
        ({k: v for k, v in TEMPLATE_SOLVED.items() if k != "ticket_id"}, "ticket_id: Field required"),
        (dict(TEMPLATE_SOLVED, ticket_id=""), "ticket_id: must not be empty"),
    ],
)  # fmt: skip
def test_a_body_that_is_not_the_template_names_the_field(payload, field):
    with pytest.raises(WebhookPayloadError) as caught:
        parse(payload)
    assert str(caught.value).startswith(field)


# ---- the older README template ----------------------------------------------------------
LEGACY = {
    "ticket": {
        "id": "5513", "status": "Solved",
        "requester": {"email": "Noa@Example.com", "name": "Noa"},
        "assignee": {"name": "Dana Levi", "email": "dana@support.example"},
        "group": {"name": "Billing"}, "tags": "refund vip", "via": "Mail", "priority": "Normal",
        "created_at": "2026-11-20T10:00:00Z",
    }
}  # fmt: skip


def test_the_older_readme_template_still_works():
    event = parse(LEGACY)
    assert (event.kind, event.external_id, event.customer_email) == (
        "closed",
        "5513",
        "noa@example.com",
    )
    assert (event.agent_name, event.team, event.channel, event.tags) == (
        "Dana Levi",
        "Billing",
        "Mail",
        ("refund", "vip"),
    )


def test_the_older_template_without_email_falls_back_on_the_requester_id():
    body = copy.deepcopy(LEGACY)
    body["ticket"]["requester"] = {"id": 8447399911223, "email": ""}
    event = parse(body)
    assert (event.customer_ref, event.customer_email) == ("8447399911223", None)


def test_the_older_template_without_a_status_names_the_field():
    with pytest.raises(WebhookPayloadError, match=r"^ticket\.status: Field required"):
        parse({"ticket": {"id": "1"}})


# ---- §1.4 authenticity ------------------------------------------------------------------
def settings(secret: str | None = SECRET):
    return load_settings(zendesk_secret=secret, webhook_secret=None)


def test_the_real_secret_over_timestamp_plus_body_verifies():
    body = encode(SOLVED_EVENT)
    zendesk.verify(zendesk_headers(body, SECRET), body, settings())


def test_the_old_doc_vector_is_body_plus_timestamp_so_it_does_not_verify_as_timestamp_plus_body():
    """helpdesks.md §1.4: the older doc page's vector signs (BODY)(TIMESTAMP); cxbot signs
    (TIMESTAMP)(BODY) like the current page and every OSS verifier. This pins that decision."""
    secret, body, stamp = OLD_VECTOR["secret"], OLD_VECTOR["body"], OLD_VECTOR["timestamp"]
    assert hmac_base64(secret, body + stamp.encode()) == OLD_VECTOR["signature"]  # the vector
    assert zendesk.signature(secret, stamp, body) != OLD_VECTOR["signature"]


def test_a_fresh_request_signed_body_plus_timestamp_is_refused():
    body = encode(SOLVED_EVENT)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {
        zendesk.SIGNATURE: hmac_base64(SECRET, body + stamp.encode()),
        zendesk.TIMESTAMP: stamp,
    }
    with pytest.raises(WebhookAuthError, match="does not match"):
        zendesk.verify(headers, body, settings())


def test_the_test_secret_is_the_documented_one():
    assert zendesk.TEST_SECRET == TEST_SECRET
    assert base64.b64decode(TEST_SECRET) == b"this_secret_is_for_testing_only"


@pytest.mark.parametrize("configured", [SECRET, None])
def test_a_test_webhook_signed_with_the_public_test_secret_is_a_test_delivery(configured):
    """Before the webhook exists there is no real secret to configure: the Test button must
    still get its 200 (and nothing is stored)."""
    body = encode({"say": "hello"})
    with pytest.raises(errors.TestDelivery, match="Zendesk test webhook received"):
        zendesk.verify(zendesk_headers(body, TEST_SECRET), body, settings(configured))


def test_the_signing_secret_falls_back_on_cxbot_webhook_secret():
    body = encode(SOLVED_EVENT)
    fallback = load_settings(webhook_secret="shared-secret")
    zendesk.verify(zendesk_headers(body, "shared-secret"), body, fallback)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "missing X-Zendesk-Webhook-Signature-Timestamp"),
        ({zendesk.TIMESTAMP: "2025-01-09T08:00:00Z"}, "missing X-Zendesk-Webhook-Signature header"),
        ({zendesk.TIMESTAMP: "soon", zendesk.SIGNATURE: "x"}, "is not a time"),
    ],
)  # fmt: skip
def test_missing_or_unreadable_headers_are_refused(headers, message):
    with pytest.raises(WebhookAuthError, match=message):
        zendesk.verify(headers, b"{}", settings())


@pytest.mark.parametrize("minutes", [-6, 6])
def test_a_timestamp_more_than_five_minutes_off_is_refused(minutes):
    body = encode(SOLVED_EVENT)
    stamp = (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(WebhookAuthError, match="more than 5 minutes off"):
        zendesk.verify(zendesk_headers(body, SECRET, stamp), body, settings())


def test_a_stale_test_delivery_is_refused_too():
    body = b"{}"
    stamp = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(WebhookAuthError, match="more than 5 minutes off"):
        zendesk.verify(zendesk_headers(body, TEST_SECRET, stamp), body, settings())


def test_no_secret_configured_is_refused_saying_so():
    body = encode(SOLVED_EVENT)
    with pytest.raises(WebhookAuthError, match="CXBOT_ZENDESK_SECRET"):
        zendesk.verify(zendesk_headers(body, SECRET), body, settings(None))

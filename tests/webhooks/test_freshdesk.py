"""Freshdesk webhook bodies as helpdesks.md §2.2 documents them, parsed and authenticated."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from bot.settings import load_settings
from bot.webhooks.errors import Ignored, WebhookAuthError, WebhookPayloadError
from bot.webhooks.freshdesk import parse, verify
from bot.webhooks.freshdesk_events import parse_triggered_event

SECRET = "fd-webhook-secret"

# §2.2 "What arrives (real fixture, Zulip, status change)", field for field.
ZULIP = {"freshdesk_webhook": {
  "triggered_event": "{status:{from:4,to:6}}",
  "ticket_id": "11",
  "ticket_url": "http://test1234zzz.freshdesk.com/helpdesk/tickets/11",
  "ticket_type": "Incident", "ticket_subject": "Test ticket subject ☃",
  "ticket_description": "<div>Test ticket description ☃.</div>",
  "ticket_status": "Waiting on Customer", "ticket_priority": "Low",
  "requester_name": "Requester Bob", "requester_email": "requester-bob@example.com"}}  # fmt: skip

# §2.2 cxbot's Advanced template, rendered for a ticket moving Open → Resolved.
ADVANCED = {"freshdesk_webhook": {
  "cxbot_event": "ticket_resolved",
  "triggered_event": "{status:{from:2,to:4}}",
  "ticket_id": "1228307",
  "ticket_url": "https://acme.freshdesk.com/helpdesk/tickets/1228307",
  "ticket_status": "Resolved",
  "ticket_priority": "Low",
  "ticket_type": "Refund",
  "requester_name": "Adam V",
  "requester_email": "Adam@Example.com",
  "ticket_tags": "billing,vip"
}}  # fmt: skip

# §2.2 Simple mode (observed), field for field: ids are numbers, no triggered_event.
SIMPLE = {"freshdesk_webhook": {"ticket_id": 1228307, "ticket_subject": "Refund request",
  "ticket_url": "https://acme.freshdesk.com/helpdesk/tickets/1228307",
  "ticket_portal_url": "https://help.acme.com/support/tickets/1228307",
  "ticket_status": "Open", "ticket_priority": "Low",
  "ticket_contact_name": "Adam V", "ticket_contact_email": "adam@example.com"}}  # fmt: skip


def body(payload: dict, **changes: object) -> bytes:
    data = copy.deepcopy(payload)
    inner = data.get("freshdesk_webhook", data)
    for key, value in changes.items():
        if value is None:
            inner.pop(key, None)
        else:
            inner[key] = value
    return json.dumps(data).encode()


# ---- status semantics ---------------------------------------------------------
@pytest.mark.parametrize(
    "triggered, kind",
    [
        ("{status:{from:2,to:4}}", "closed"),
        ("{status:{from:3,to:5}}", "closed"),
        ("{status:{from:4,to:5}}", "closed"),  # the same closure again: storage dedupes it
        ("{status:{from:6,to:4}}", "closed"),  # from a custom status
        ("{status:{from:4,to:2}}", "reopened"),
        ("{status:{from:5,to:3}}", "reopened"),
        ("{ status : { from : Resolved , to : OPEN } }", "reopened"),  # names, any case
    ],
)
def test_triggered_event_decides_closure_and_reopen(triggered, kind):
    assert parse(body(ADVANCED, triggered_event=triggered)).kind == kind


@pytest.mark.parametrize(
    "triggered, words",
    [
        ("{status:{from:2,to:3}}", "from 2 (Open) to 3 (Pending)"),
        ("{status:{from:4,to:6}}", "to custom status 6"),
        ("{status:{from:6,to:7}}", "from custom status 6 to custom status 7"),
        ("{priority:{from:1,to:3}}", "priority 1 → 3 is not a status change"),
        ("{ticket_action:created}", "ticket_action created is not a status change"),
        ("{note_type:private}", "note_type private"),
    ],
)
def test_every_other_event_is_ignored_saying_what_it_was(triggered, words):
    with pytest.raises(Ignored, match="ignored") as caught:
        parse(body(ADVANCED, triggered_event=triggered, ticket_status="Resolved"))
    assert words in str(caught.value)


def test_the_zulip_fixture_a_move_to_a_custom_status_is_ignored():
    with pytest.raises(Ignored) as caught:
        parse(json.dumps(ZULIP).encode())
    assert "from 4 (Resolved) to custom status 6" in str(caught.value)


def test_the_zulip_fixture_moved_to_resolved_is_a_closure_with_the_requester():
    event = parse(body(ZULIP, triggered_event="{status:{from:6,to:4}}"))
    assert (event.kind, event.external_id, event.source) == ("closed", "11", "freshdesk")
    assert (event.customer_email, event.customer_name) == (
        "requester-bob@example.com",
        "Requester Bob",
    )
    assert event.priority == "Low" and event.no_customer is None


@pytest.mark.parametrize(
    "status, kind",
    [("Resolved", "closed"), ("CLOSED", "closed"), ("open", "reopened"), ("Pending", "reopened")],
)
def test_without_triggered_event_the_status_name_decides(status, kind):
    assert parse(body(SIMPLE, ticket_status=status)).kind == kind


def test_without_triggered_event_a_custom_status_name_is_ignored():
    with pytest.raises(Ignored, match="'Waiting on Customer' is a custom status"):
        parse(body(SIMPLE, ticket_status="Waiting on Customer"))


def test_an_unrendered_or_garbled_triggered_event_falls_back_on_the_status_name():
    for garbled in ("{{triggered_event}}", "status changed", "{status:{from:2,to:4}"):
        assert parse(body(ADVANCED, triggered_event=garbled)).kind == "closed"


def test_the_cxbot_event_label_decides_only_when_nothing_else_does():
    assert parse(body(ADVANCED, triggered_event=None, ticket_status=None)).kind == "closed"
    reopened = body(
        ADVANCED, triggered_event=None, ticket_status=None, cxbot_event="ticket_reopened"
    )
    assert parse(reopened).kind == "reopened"


# ---- mapping ------------------------------------------------------------------
def test_advanced_template_is_mapped_field_for_field():
    event = parse(json.dumps(ADVANCED).encode())
    assert (event.kind, event.external_id) == ("closed", "1228307")
    assert (event.customer_email, event.customer_name) == ("adam@example.com", "Adam V")
    assert (event.tags, event.priority) == (("billing", "vip"), "Low")
    assert event.customer_ref is None and event.no_customer is None
    # Freshdesk sends no creation or resolution time: both empty, closure time = receipt.
    assert (event.created_at, event.closed_at) == (None, None)


def test_simple_mode_numbers_and_contact_keys():
    event = parse(body(SIMPLE, ticket_status="Resolved"))
    assert (event.external_id, event.customer_email, event.customer_name) == (
        "1228307", "adam@example.com", "Adam V",
    )  # fmt: skip


def test_simple_mode_agent_group_source_tags_and_times_when_ticked():
    event = parse(
        body(
            SIMPLE, ticket_status="Resolved", ticket_agent_name="Ion Popescu",
            ticket_agent_email="ion@support.example", ticket_group_name="Payments",
            ticket_source="Email", ticket_tags="card, refund", ticket_requester_id=43000123,
            ticket_created_at="2026-11-23T08:00:00Z",
        )
    )  # fmt: skip
    assert (event.agent_name, event.agent_email, event.team, event.channel) == (
        "Ion Popescu", "ion@support.example", "Payments", "Email",
    )  # fmt: skip
    assert event.tags == ("card", "refund") and event.customer_ref == "43000123"
    assert event.created_at is not None and event.created_at.startswith("2026-11-23")


def test_the_wrapper_is_optional_in_advanced_mode():
    event = parse(json.dumps(ADVANCED["freshdesk_webhook"]).encode())
    assert (event.kind, event.customer_email) == ("closed", "adam@example.com")


def test_odd_optional_fields_do_not_cost_the_survey():
    event = parse(
        body(
            ADVANCED, ticket_tags=5, ticket_priority={"x": 1}, agent_email="not an email",
            ticket_created_at="yesterday", ticket_type="", requester_name="",
        )
    )  # fmt: skip
    assert (event.kind, event.customer_email) == ("closed", "adam@example.com")
    assert (event.tags, event.priority, event.agent_email, event.created_at) == (
        (),
        None,
        None,
        None,
    )
    assert event.customer_name is None


# ---- the customer without an email ---------------------------------------------
def test_no_email_carries_the_ticket_to_look_up_and_says_what_to_do():
    event = parse(body(ADVANCED, requester_email=None))
    assert event.customer_email is None and event.customer_ref == "ticket:1228307"
    assert event.no_customer is not None
    assert event.no_customer.startswith("requester has no email in the payload")
    assert "CXBOT_FRESHDESK_URL and CXBOT_FRESHDESK_API_KEY" in event.no_customer
    assert "{{ticket.requester.email}}" in event.no_customer


def test_no_email_but_a_contact_id_looks_up_the_contact():
    event = parse(body(ADVANCED, requester_email="", requester_id="43000123"))
    assert event.customer_ref == "43000123" and event.no_customer is not None


def test_an_address_that_is_not_an_email_is_looked_up_not_refused():
    event = parse(body(ADVANCED, requester_email="{{ticket.requester.email}}"))
    assert event.customer_email is None and event.customer_ref == "ticket:1228307"
    assert event.no_customer is not None and "is not an email address" in event.no_customer


# ---- not Freshdesk's shape at all: 400 naming the field -------------------------
@pytest.mark.parametrize(
    "payload, field",
    [
        ({"event": "ticket.closed"}, "ticket_id"),
        ({"freshdesk_webhook": "Resolved"}, "freshdesk_webhook"),
        ({"freshdesk_webhook": {"ticket_status": "Resolved"}}, "freshdesk_webhook.ticket_id"),
        ({"freshdesk_webhook": {"ticket_id": {"id": 1}}}, "freshdesk_webhook.ticket_id"),
        ({"freshdesk_webhook": {"ticket_id": " "}}, "freshdesk_webhook.ticket_id"),
        ({"freshdesk_webhook": {"ticket_id": "1", "requester_email": "a@b.co"}}, "ticket_status"),
    ],
)
def test_a_body_that_is_not_freshdesks_names_the_field(payload, field):
    with pytest.raises(WebhookPayloadError) as caught:
        parse(json.dumps(payload).encode())
    assert str(caught.value).startswith(f"{field}:")


@pytest.mark.parametrize("raw", [b"[1]", b"not json", b'{"a":' * 5000])
def test_unreadable_bodies_are_payload_errors(raw):
    with pytest.raises(WebhookPayloadError, match="^body:"):
        parse(raw)


# ---- triggered_event ------------------------------------------------------------
@pytest.mark.parametrize(
    "text, tree",
    [
        ("{status:{from:4,to:5}}", {"status": {"from": "4", "to": "5"}}),
        ("{ticket_action:created}", {"ticket_action": "created"}),
        ("{priority:{from:1,to:3}}", {"priority": {"from": "1", "to": "3"}}),
        ("{}", {}),
        ("{{triggered_event}}", None),
        ("{status:{from:4,to:5}} trailing", None),
        ("{" * 200 + "}" * 200, None),
        ("", None),
    ],
)
def test_triggered_event_pseudo_json(text, tree):
    assert parse_triggered_event(text) == tree


# ---- authenticity -----------------------------------------------------------------
def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return load_settings(freshdesk_secret=SECRET)


@pytest.mark.parametrize(
    "headers",
    [
        basic("anyone", SECRET),  # "Requires authentication": user name + password
        basic(SECRET, "X"),  # the API-key mode: base64("<key>:X")
        basic(SECRET, ""),
        {"X-Cxbot-Token": SECRET},
    ],
)
def test_each_way_freshdesk_can_authenticate_is_accepted(settings, headers):
    verify(headers, b"{}", settings)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("anyone", "wrong"),
        basic("wrong", "X"),
        basic("", ""),
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": f"Bearer {SECRET}"},
        {"X-Cxbot-Token": "wrong", **basic("anyone", SECRET)},
    ],
)
def test_anything_else_is_refused(settings, headers):
    with pytest.raises(WebhookAuthError):
        verify(headers, b"{}", settings)


def test_no_secret_configured_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WebhookAuthError, match="CXBOT_FRESHDESK_SECRET"):
        verify(basic("x", "y"), b"{}", load_settings())

"""Intercom notifications, parsed and verified as Intercom sends them (shared/helpdesks.md §4)."""

from __future__ import annotations

import json

import pytest

from bot.settings import load_settings
from bot.webhooks import intercom
from bot.webhooks.errors import Ignored, WebhookAuthError, WebhookPayloadError
from tests.webhooks import intercom_fixtures as fx


def parse(payload: dict):
    return intercom.parse(fx.body_of(payload))


def test_the_documented_closure_is_a_closure_for_the_contact():
    event = parse(fx.closed())
    assert (event.source, event.kind, event.external_id) == ("intercom", "closed", "215473052")
    assert (event.customer_email, event.customer_ref, event.customer_name) == (
        "ana@example.com",
        fx.CONTACT_ID,
        "Ana Pop",
    )
    assert event.no_customer is None
    assert (event.agent_name, event.agent_email) == ("Cordelia", "cordelia@acme.com")
    assert (event.channel, event.priority, event.tags) == ("conversation", "not_priority", ())
    assert (event.created_at, event.closed_at) == (
        "2025-01-08T09:53:20.000Z",
        "2025-01-08T11:00:00.000Z",
    )


def test_team_assignee_id_is_not_a_team_name():
    payload = fx.closed()
    fx.item(payload)["team_assignee_id"] = 5017691
    assert parse(payload).team is None


def test_an_admin_initiated_conversation_surveys_the_contact_not_the_admin():
    event = parse(fx.admin_initiated())
    assert event.customer_email is None  # the admin's address is not the customer's
    assert event.customer_ref == fx.CONTACT_ID
    assert event.recipient == f"intercom:{fx.CONTACT_ID}"
    assert "CXBOT_INTERCOM_TOKEN" in (event.no_customer or "")


def test_a_lead_without_email_is_a_contact_reference_not_an_error():
    event = parse(fx.lead_without_email())
    assert (event.kind, event.customer_email) == ("closed", None)
    assert event.customer_ref == "6762f0d01bb69f9f2193cc01"
    assert event.no_customer == (
        "Intercom contact 6762f0d01bb69f9f2193cc01 has no email in the payload: set "
        "CXBOT_INTERCOM_TOKEN (and CXBOT_INTERCOM_URL for an EU or AU workspace) to look it up"
    )


def test_the_author_email_counts_only_when_the_author_is_that_contact():
    payload = fx.closed()
    fx.item(payload)["contacts"]["contacts"] = [
        {"type": "contact", "id": "other", "external_id": None}
    ]
    event = parse(payload)
    assert (event.customer_ref, event.customer_email) == ("other", None)


def test_a_group_conversation_takes_the_contact_who_wrote_first():
    payload = fx.closed()
    fx.item(payload)["contacts"]["contacts"].insert(0, {"type": "contact", "id": "cc-someone"})
    assert parse(payload).customer_ref == fx.CONTACT_ID


def test_a_conversation_with_no_contact_says_so():
    payload = fx.admin_initiated()
    fx.item(payload)["contacts"]["contacts"] = []
    event = parse(payload)
    assert (event.customer_ref, event.customer_email) == (None, None)
    assert "names no contact" in (event.no_customer or "")


def test_the_legacy_1x_item_takes_the_user_and_assignee():
    event = parse(fx.legacy_closed())
    assert (event.kind, event.external_id) == ("closed", "20346051345")
    assert (event.customer_email, event.customer_ref, event.customer_name) == (
        "eeshan@example.com",
        "5c65b3b4a3a0e93b4e7b2e19",
        "Eeshan Garg",
    )
    assert (event.agent_name, event.tags) == ("Cordelia", ("billing",))


def test_a_legacy_lead_without_email_is_a_contact_reference():
    payload = fx.legacy_closed()
    fx.item(payload)["user"] = {"type": "lead", "id": "5c65b3b4a3a0e93b4e7b2e20", "user_id": None}
    event = parse(payload)
    assert (event.customer_email, event.customer_ref) == (None, "5c65b3b4a3a0e93b4e7b2e20")


def test_a_legacy_team_assignee_gives_the_team_name():
    payload = fx.legacy_closed()
    fx.item(payload)["assignee"] = {"type": "team", "id": "814", "name": "Billing EMEA"}
    event = parse(payload)
    assert (event.team, event.agent_name) == ("Billing EMEA", "Cordelia")  # closer: the close part


@pytest.mark.parametrize("topic", ["conversation.admin.opened", "conversation.user.replied"])
def test_reopen_topics_are_reopens(topic):
    event = parse(fx.reopened(topic))
    assert (event.kind, event.external_id, event.closed_at) == ("reopened", "215473052", None)


def test_topics_and_states_are_read_case_insensitively():
    payload = fx.closed()
    payload["topic"] = "Conversation.Admin.Closed"
    fx.item(payload)["state"] = "CLOSED"
    assert parse(payload).kind == "closed"


@pytest.mark.parametrize(
    ("topic", "state", "reason"),
    [
        ("conversation.admin.snoozed", "snoozed", "'conversation.admin.snoozed' is not"),
        ("conversation.admin.replied", "open", "'conversation.admin.replied' is not"),
        ("contact.user.created", "open", "'contact.user.created' is not"),
        ("conversation.admin.closed", "snoozed", "is snoozed now, not closed"),
        ("conversation.user.replied", "closed", "still closed, not reopened"),
    ],
)
def test_other_topics_and_states_are_ignored_with_what_they_were(topic, state, reason):
    payload = fx.closed()
    payload["topic"] = topic
    fx.item(payload)["state"] = state
    with pytest.raises(Ignored, match=reason):
        parse(payload)


def test_a_ping_is_ignored():
    with pytest.raises(Ignored, match="ping"):
        parse(fx.ping())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p.pop("topic"), "topic: Field required"),
        (lambda p: p.update(type="event_callback"), "type: Input should be 'notification_event'"),
        (lambda p: p.pop("data"), "data: Field required"),
        (lambda p: p["data"].update(item=[1]), "data.item: Input should be a valid dictionary"),
        (lambda p: fx.item(p).pop("id"), "data.item.id: Field required"),
        (lambda p: fx.item(p).update(contacts="ana"), "data.item.contacts: Input should be"),
        (
            lambda p: fx.item(p)["contacts"]["contacts"][0].pop("id"),
            "data.item.contacts.contacts.0.id: Field required",
        ),
    ],
)
def test_a_body_not_shaped_like_intercom_names_the_field(change, field):
    payload = fx.closed()
    change(payload)
    with pytest.raises(WebhookPayloadError) as caught:
        parse(payload)
    assert str(caught.value).startswith(field), str(caught.value)


def test_a_non_intercom_body_names_the_missing_fields():
    with pytest.raises(WebhookPayloadError, match="^type: Field required; topic: Field required"):
        intercom.parse(json.dumps({"ticket": {"id": 1}}).encode())


def test_optional_fields_in_odd_formats_do_not_cost_the_survey():
    payload = fx.closed()
    conversation = fx.item(payload)
    conversation.update(created_at="yesterday", priority={"x": 1}, team_assignee_id=[1])
    conversation["statistics"]["last_close_at"] = "soon"
    conversation["source"]["author"]["email"] = "not an address"
    event = parse(payload)
    assert (event.kind, event.created_at, event.priority) == ("closed", None, None)
    assert event.closed_at == "2025-01-08T11:00:00.000Z"  # from the close part
    assert (event.customer_email, event.customer_ref) == (None, fx.CONTACT_ID)


def test_the_handling_time_in_the_statistics_is_the_handle_time():
    payload = fx.closed()
    fx.item(payload)["statistics"].update(handling_time=1800, adjusted_handling_time=640)
    assert parse(payload).handle_time_seconds == 640
    assert parse(fx.closed()).handle_time_seconds is None  # not sent: no data, never 0


def test_tags_are_names():
    payload = fx.closed()
    fx.item(payload)["tags"]["tags"] = [
        {"type": "tag", "id": "1", "name": "vip"},
        {"type": "tag", "id": "2", "name": "refund"},
    ]
    assert parse(payload).tags == ("vip", "refund")


def test_a_long_tag_list_keeps_the_first_hundred():
    payload = fx.closed()
    fx.item(payload)["tags"]["tags"] = [{"type": "tag", "name": f"t{n}"} for n in range(150)]
    tags = parse(payload).tags
    assert (len(tags), tags[0], tags[-1]) == (100, "t0", "t99")


def settings(secret: str = fx.CLIENT_SECRET):
    return load_settings(intercom_secret=secret, _env_file=None)


def test_the_signature_is_sha1_hex_of_the_raw_body_keyed_with_the_client_secret():
    body = fx.body_of(fx.closed())
    intercom.verify({"X-Hub-Signature": fx.signature(body)}, body, settings())
    intercom.verify({"X-Hub-Signature": fx.signature(body).upper()}, body, settings())


@pytest.mark.parametrize(
    "header",
    [
        None,
        "sha256=" + "0" * 64,
        "sha1=" + "0" * 40,
        "wrong",
    ],
)
def test_a_wrong_or_missing_signature_is_refused(header):
    body = fx.body_of(fx.closed())
    headers = {"X-Hub-Signature": header} if header else {}
    with pytest.raises(WebhookAuthError):
        intercom.verify(headers, body, settings())


def test_a_signature_made_with_another_secret_is_refused():
    body = fx.body_of(fx.closed())
    with pytest.raises(WebhookAuthError, match="does not match"):
        intercom.verify({"X-Hub-Signature": fx.signature(body, "other")}, body, settings())

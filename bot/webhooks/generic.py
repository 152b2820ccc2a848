"""``POST /webhooks/generic``: cxbot's own signed JSON format, for any helpdesk.

Headers ``X-Cxbot-Request-Timestamp`` and ``X-Cxbot-Signature: v1=<hex
HMAC-SHA256 of "v1:" + timestamp + ":" + raw body>`` with CXBOT_WEBHOOK_SECRET.

The optional ticket figures follow cxbot's convention: ``customer_replies``
counts the customer's messages *after* the one that opened the ticket (so
contacts per resolution = 1 + customer_replies), ``agent_replies`` the agents'
public replies, ``handle_time_seconds`` the agents' working time. A figure the
sender leaves out stays unknown ("no data" in ``/cx ops``), never 0.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from bot.settings import Settings
from bot.webhooks import fields
from bot.webhooks.errors import WebhookPayloadError
from bot.webhooks.signatures import check_equal, check_timestamp, require_secret, sign_generic
from storage.survey_types import SURVEYS, names_text
from storage.tickets import EventKind, TicketEvent

LABEL = "cxbot's signed JSON ticket"
FIGURES = ("handle_time_seconds", "customer_replies", "agent_replies")
#: Ten years of handle time or a million replies is a sender's bug, not a ticket.
MAX_FIGURE = 10**9
EVENTS: dict[str, EventKind] = {"ticket.closed": "closed", "ticket.reopened": "reopened"}
TIMESTAMP_HEADER = "X-Cxbot-Request-Timestamp"
SIGNATURE_HEADER = "X-Cxbot-Signature"


def verify(headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
    secret = require_secret(
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else None,
        "CXBOT_WEBHOOK_SECRET",
    )
    timestamp = check_timestamp(headers.get(TIMESTAMP_HEADER), TIMESTAMP_HEADER)
    check_equal(
        sign_generic(secret, timestamp, body), headers.get(SIGNATURE_HEADER), SIGNATURE_HEADER
    )


def load_json_object(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WebhookPayloadError(f"body: not valid UTF-8 JSON ({exc})") from None
    except RecursionError:  # correctly signed or not, a parser limit is the sender's problem
        raise WebhookPayloadError("body: JSON nested too deeply to read") from None
    if not isinstance(data, dict):
        raise WebhookPayloadError("body: must be a JSON object")
    return data


def optional_count(data: dict, key: str) -> int | None:
    """A non-negative whole number, or None when absent; ``3.0`` and ``"3"`` are refused
    so a sender's unit mix-up (minutes as a float, a formatted string) is seen at once."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FIGURE:
        raise WebhookPayloadError(f"{key}: must be a whole number from 0 to {MAX_FIGURE:,}")
    return value


def parse(body: bytes) -> TicketEvent:
    data = load_json_object(body)
    event = data.get("event")
    if event not in EVENTS:
        raise WebhookPayloadError("event: must be 'ticket.closed' or 'ticket.reopened'")
    customer = fields.mapping(data, "customer")
    slack_id = fields.slack_user(
        fields.optional_text(customer, "slack_user_id", "customer.slack_user_id"),
        "customer.slack_user_id",
    )
    email = fields.email(
        fields.optional_text(customer, "email", "customer.email"), "customer.email"
    )
    if not slack_id and not email:
        raise WebhookPayloadError("customer: needs slack_user_id or email")
    agent = fields.mapping(data, "agent")
    survey = fields.optional_text(data, "survey")
    if survey is not None and survey.lower() not in SURVEYS:
        raise WebhookPayloadError(f"survey: must be {names_text()}")
    figures = {key: optional_count(data, key) for key in FIGURES}
    return TicketEvent(
        source="generic",
        kind=EVENTS[event],
        external_id=fields.required_text(data, "ticket_id"),
        customer_slack_id=slack_id,
        customer_email=email.lower() if email else None,
        customer_name=fields.optional_text(customer, "name", "customer.name"),
        customer_locale=fields.optional_text(customer, "locale", "customer.locale"),
        agent_name=fields.optional_text(agent, "name", "agent.name"),
        agent_email=fields.email(
            fields.optional_text(agent, "email", "agent.email"), "agent.email"
        ),
        agent_slack_id=fields.slack_user(
            fields.optional_text(agent, "slack_user_id", "agent.slack_user_id"),
            "agent.slack_user_id",
        ),
        team=fields.optional_text(data, "team"),
        tags=fields.tag_list(data.get("tags")),
        channel=fields.optional_text(data, "channel"),
        priority=fields.optional_text(data, "priority"),
        created_at=fields.optional_time(data, "created_at"),
        first_response_at=fields.optional_time(data, "first_response_at"),
        closed_at=fields.optional_time(data, "closed_at"),
        survey_type=survey.lower() if survey else None,
        slack_channel=fields.slack_channel(
            fields.optional_text(data, "slack_channel"), "slack_channel"
        ),
        thread_ts=fields.thread_ts(fields.optional_text(data, "thread_ts"), "thread_ts"),
        handle_time_seconds=figures["handle_time_seconds"],
        customer_replies=figures["customer_replies"],
        agent_replies=figures["agent_replies"],
        raw=data,
    )

"""``POST /webhooks/zendesk``: Zendesk webhooks, signed with the webhook's signing secret.

Zendesk signs ``timestamp + body`` with HMAC-SHA256, base64 encoded, in
``X-Zendesk-Webhook-Signature`` (timestamp in ``X-Zendesk-Webhook-Signature-Timestamp``).
Two payload shapes are accepted:

* event subscriptions — ``{"type": "zen:event-type:ticket.status_changed",
  "detail": {ticket…}, "event": {"previous": "OPEN", "current": "SOLVED"}}``;
* a trigger/automation webhook whose JSON body is the template in README
  (``{"ticket": {"id": "{{ticket.id}}", "status": "{{ticket.status}}", …}}``),
  which is how the requester's email reaches cxbot.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from bot.settings import Settings
from bot.webhooks import fields
from bot.webhooks.errors import Ignored, WebhookAuthError, WebhookPayloadError
from bot.webhooks.generic import load_json_object
from bot.webhooks.lenient import dig, text_or_none, time_or_none
from bot.webhooks.signatures import MAX_SKEW_SECONDS, check_equal, hmac_base64, require_secret
from storage.survey_types import SURVEY_NAMES
from storage.tickets import EventKind, TicketEvent

LABEL = "Zendesk ticket"
SIGNATURE = "X-Zendesk-Webhook-Signature"
TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
DONE = {"solved", "closed"}


def _fresh(stamp: str) -> None:
    moment = time_or_none(int(stamp) if stamp.isdigit() else stamp)
    if moment is None:
        raise WebhookAuthError(f"{TIMESTAMP} is not a time")
    age = abs(
        (datetime.now(UTC) - datetime.fromisoformat(moment.replace("Z", "+00:00"))).total_seconds()
    )
    if age > MAX_SKEW_SECONDS:
        raise WebhookAuthError(f"{TIMESTAMP} is more than 5 minutes off; request rejected as stale")


def verify(headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
    secret = require_secret(
        settings.source_secret("zendesk"), "CXBOT_ZENDESK_SECRET (or CXBOT_WEBHOOK_SECRET)"
    )
    stamp = headers.get(TIMESTAMP)
    if not stamp:
        raise WebhookAuthError(f"missing {TIMESTAMP} header")
    _fresh(stamp.strip())
    check_equal(
        hmac_base64(secret, stamp.strip().encode() + body), headers.get(SIGNATURE), SIGNATURE
    )


def _kind(previous: str | None, current: str | None) -> EventKind:
    previous, current = (previous or "").lower(), (current or "").lower()
    if current in DONE and previous not in DONE:
        return "closed"
    if previous in DONE and current and current not in DONE:
        return "reopened"
    raise Ignored(f"status change {previous or '?'} → {current or '?'} is not a closure or reopen")


def _event_subscription(data: dict) -> TicketEvent:
    if data.get("type") != "zen:event-type:ticket.status_changed":
        raise Ignored(f"Zendesk event {data.get('type')!r} is not a ticket status change")
    detail = fields.mapping(data, "detail")
    kind = _kind(dig(data, "event", "previous"), dig(data, "event", "current"))
    email = text_or_none(dig(detail, "requester", "email") or detail.get("requester_email"))
    return _event(kind, detail.get("id"), email, detail, data)


def _trigger(data: dict) -> TicketEvent:
    ticket = fields.mapping(data, "ticket")
    status = (text_or_none(ticket.get("status")) or "").lower()
    kind: EventKind = "closed" if status in DONE else "reopened"
    email = text_or_none(dig(ticket, "requester", "email"))
    return _event(kind, ticket.get("id"), email, ticket, data)


def _event(
    kind: EventKind, ticket_id: object, email: str | None, ticket: dict, raw: dict
) -> TicketEvent:
    external_id = text_or_none(ticket_id)
    if external_id is None:
        raise WebhookPayloadError("ticket.id: required")
    if email is None:
        raise WebhookPayloadError(
            "ticket.requester.email: required (use the trigger template in README)"
        )
    fields.email(email, "ticket.requester.email")
    group = ticket.get("group")
    return TicketEvent(
        source="zendesk",
        kind=kind,
        external_id=external_id,
        customer_email=email.lower(),
        agent_name=text_or_none(dig(ticket, "assignee", "name")),
        agent_email=text_or_none(dig(ticket, "assignee", "email")),
        team=text_or_none(group.get("name") if isinstance(group, dict) else group),
        tags=fields.tag_list(ticket.get("tags")),
        channel=text_or_none(dig(ticket, "via", "channel") or ticket.get("via")),
        priority=text_or_none(ticket.get("priority")),
        created_at=time_or_none(ticket.get("created_at")),
        first_response_at=None,
        closed_at=time_or_none(ticket.get("updated_at")) if kind == "closed" else None,
        survey_type=raw.get("survey") if raw.get("survey") in SURVEY_NAMES else None,
        raw=raw,
    )


def parse(body: bytes) -> TicketEvent:
    data = load_json_object(body)
    if "ticket" in data:
        return _trigger(data)
    return _event_subscription(data)

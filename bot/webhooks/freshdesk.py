"""``POST /webhooks/freshdesk``: Freshdesk automation-rule webhooks.

Freshdesk cannot sign requests; its webhook action can send Basic auth (any
user name, the secret as password) or a custom header ``X-Cxbot-Token``.
The body is the "simple" payload Freshdesk builds from the chosen ticket
fields, ``{"freshdesk_webhook": {"ticket_id": …, "ticket_status": …,
"ticket_requester_email": …}}`` — or the same keys at the top level.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping

from bot.settings import Settings
from bot.webhooks import fields
from bot.webhooks.errors import WebhookAuthError, WebhookPayloadError
from bot.webhooks.generic import load_json_object
from bot.webhooks.lenient import text_or_none, time_or_none
from bot.webhooks.signatures import require_secret
from storage.tickets import EventKind, TicketEvent

LABEL = "Freshdesk ticket"
DONE = {"resolved", "closed"}


def _presented_secret(headers: Mapping[str, str]) -> str | None:
    token = headers.get("X-Cxbot-Token")
    if token:
        return token.strip()
    auth = headers.get("Authorization", "")
    if auth.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(auth[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]
    return None


def verify(headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
    secret = require_secret(
        settings.source_secret("freshdesk"), "CXBOT_FRESHDESK_SECRET (or CXBOT_WEBHOOK_SECRET)"
    )
    presented = _presented_secret(headers)
    if presented is None:
        raise WebhookAuthError("missing Basic auth or X-Cxbot-Token header")
    if not hmac.compare_digest(secret.encode(), presented.encode()):
        raise WebhookAuthError("wrong Freshdesk webhook secret")


def parse(body: bytes) -> TicketEvent:
    data = load_json_object(body)
    ticket = data.get("freshdesk_webhook", data)
    if not isinstance(ticket, dict):
        raise WebhookPayloadError("freshdesk_webhook: must be an object")
    external_id = text_or_none(ticket.get("ticket_id"))
    if external_id is None:
        raise WebhookPayloadError("ticket_id: required")
    email = text_or_none(ticket.get("ticket_requester_email") or ticket.get("ticket_contact_email"))
    if email is None:
        raise WebhookPayloadError("ticket_requester_email: required")
    fields.email(email, "ticket_requester_email")
    status = (text_or_none(ticket.get("ticket_status")) or "").lower()
    if not status:
        raise WebhookPayloadError("ticket_status: required")
    kind: EventKind = "closed" if status in DONE else "reopened"
    return TicketEvent(
        source="freshdesk",
        kind=kind,
        external_id=external_id,
        customer_email=email.lower(),
        agent_name=text_or_none(ticket.get("ticket_agent_name")),
        agent_email=text_or_none(ticket.get("ticket_agent_email")),
        team=text_or_none(ticket.get("ticket_group_name")),
        tags=fields.tag_list(ticket.get("ticket_tags")),
        channel=text_or_none(ticket.get("ticket_source")),
        priority=text_or_none(ticket.get("ticket_priority")),
        created_at=time_or_none(ticket.get("ticket_created_at")),
        closed_at=time_or_none(ticket.get("ticket_resolved_at") or ticket.get("ticket_closed_at")),
        raw=data,
    )

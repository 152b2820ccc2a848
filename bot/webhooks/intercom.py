"""``POST /webhooks/intercom``: Intercom conversation webhooks.

Intercom signs with the app's client secret as ``X-Hub-Signature:
sha1=<hex HMAC-SHA1 of the body>``.  ``conversation.admin.closed`` is a
closure, ``conversation.admin.opened`` a reopen; other topics (``ping``…)
are ignored.  The customer is the conversation's author.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from bot.settings import Settings
from bot.webhooks import fields
from bot.webhooks.errors import Ignored, WebhookPayloadError
from bot.webhooks.generic import load_json_object
from bot.webhooks.lenient import dig, text_or_none, time_or_none
from bot.webhooks.signatures import check_equal, hmac_hex, require_secret
from storage.tickets import EventKind, TicketEvent

LABEL = "Intercom conversation"
SIGNATURE = "X-Hub-Signature"
TOPICS: dict[str, EventKind] = {
    "conversation.admin.closed": "closed",
    "conversation.admin.opened": "reopened",
}


def verify(headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
    secret = require_secret(
        settings.source_secret("intercom"), "CXBOT_INTERCOM_SECRET (or CXBOT_WEBHOOK_SECRET)"
    )
    check_equal("sha1=" + hmac_hex(secret, body, hashlib.sha1), headers.get(SIGNATURE), SIGNATURE)


def parse(body: bytes) -> TicketEvent:
    data = load_json_object(body)
    topic = data.get("topic")
    if topic not in TOPICS:
        raise Ignored(f"Intercom topic {topic!r} is not a conversation close or reopen")
    item = dig(data, "data", "item")
    if not isinstance(item, dict):
        raise WebhookPayloadError("data.item: required")
    conversation_id = text_or_none(item.get("id"))
    if conversation_id is None:
        raise WebhookPayloadError("data.item.id: required")
    email = text_or_none(dig(item, "source", "author", "email"))
    if email is None:
        raise WebhookPayloadError("data.item.source.author.email: required")
    fields.email(email, "data.item.source.author.email")
    closer = dig(item, "conversation_parts", "conversation_parts", -1, "author") or {}
    return TicketEvent(
        source="intercom",
        kind=TOPICS[topic],
        external_id=conversation_id,
        customer_email=email.lower(),
        agent_name=text_or_none(closer.get("name")) if closer.get("type") == "admin" else None,
        agent_email=text_or_none(closer.get("email")) if closer.get("type") == "admin" else None,
        team=text_or_none(item.get("team_assignee_id")),
        tags=fields.tag_list(dig(item, "tags", "tags")),
        channel=text_or_none(dig(item, "source", "delivered_as") or dig(item, "source", "type")),
        priority=text_or_none(item.get("priority")),
        created_at=time_or_none(item.get("created_at")),
        first_response_at=time_or_none(dig(item, "statistics", "first_admin_reply_at")),
        closed_at=time_or_none(dig(item, "statistics", "last_close_at"))
        if topic.endswith("closed")
        else None,
        raw=data,
    )

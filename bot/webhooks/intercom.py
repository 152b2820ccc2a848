"""``POST /webhooks/intercom``: Intercom conversation webhooks (``shared/helpdesks.md`` §4).

Intercom signs every notification with the app's client secret as
``X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body>``; the HEAD request it
makes when the URL is saved is answered by the HTTP layer, unsigned.

Topics: ``conversation.admin.closed`` is a closure; ``conversation.admin.opened``
and ``conversation.user.replied`` are reopens (storage ignores a reopen of a
conversation it never saw closed); ``ping``, snoozes and every other topic are
acknowledged and ignored.

The customer is the conversation's *contact* (2.x ``contacts``, 1.x ``user``),
never ``source.author`` when an admin started the conversation.  2.x contacts
carry only ids, so the email comes from ``source.author`` only when that author
is the same contact; otherwise the contact id is the ``customer_ref`` the
surveys job looks up with CXBOT_INTERCOM_TOKEN.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from bot.settings import Settings
from bot.webhooks.errors import Ignored, WebhookPayloadError
from bot.webhooks.fields import EMAIL, MAX_TAGS
from bot.webhooks.generic import load_json_object
from bot.webhooks.intercom_models import Author, Conversation, Notification, Part
from bot.webhooks.lenient import text_or_none, time_or_none
from bot.webhooks.signatures import check_equal, hmac_hex, require_secret
from storage.tickets import EventKind, TicketEvent

LABEL = "Intercom conversation"
SIGNATURE = "X-Hub-Signature"
TOPICS: dict[str, EventKind] = {
    "conversation.admin.closed": "closed",
    "conversation.admin.opened": "reopened",
    "conversation.user.replied": "reopened",
}
CUSTOMERS = {"user", "lead", "contact"}
LOOKUP_HINT = (
    f"set {Settings.helpdesk_api_settings('intercom')} "
    "(and CXBOT_INTERCOM_URL for an EU or AU workspace) to look it up"
)
M = TypeVar("M", bound=BaseModel)


def verify(headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
    """HMAC-SHA1 of the raw body with the app's client secret, hex, before any JSON parse."""
    secret = require_secret(
        settings.source_secret("intercom"), "CXBOT_INTERCOM_SECRET (or CXBOT_WEBHOOK_SECRET)"
    )
    given = headers.get(SIGNATURE)
    expected = "sha1=" + hmac_hex(secret, body, hashlib.sha1)
    # The scheme name and hex digits compared case-insensitively: same bytes, other spelling.
    check_equal(expected, given.lower() if given else given, SIGNATURE)


def validated(model: type[M], data: object, prefix: str = "") -> M:
    """``model`` from ``data``; a body that is not Intercom's shape names the field (400)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{prefix}{'.'.join(str(step) for step in error['loc'])}: {error['msg']}"
            for error in exc.errors()[:3]
        ]
        raise WebhookPayloadError("; ".join(problems)) from None


def parse(body: bytes) -> TicketEvent:
    data = load_json_object(body)
    notification = validated(Notification, data)
    topic = notification.topic.strip().lower()
    if topic == "ping":
        raise Ignored("Intercom ping: the webhook is set up; nothing to store")
    if topic not in TOPICS:
        raise Ignored(
            f"Intercom topic {notification.topic!r} is not a conversation close or reopen"
        )
    item = validated(Conversation, notification.data.item, "data.item.")
    kind = _kind(topic, item)
    contact_ref, email, name = _customer(item)
    closer = _closer(item) if kind == "closed" else None
    return TicketEvent(
        source="intercom",
        kind=kind,
        external_id=item.id,
        customer_email=email,
        customer_ref=contact_ref,
        customer_name=name,
        no_customer=_no_customer(contact_ref, email),
        agent_name=text_or_none(closer.name) if closer else None,
        agent_email=_email(closer.email) if closer else None,
        team=_team(item),
        tags=_tags(item),
        channel=text_or_none(item.source.type) if item.source else None,
        priority=text_or_none(item.priority),
        created_at=_time(item.created_at),
        first_response_at=_time(item.statistics.first_admin_reply_at) if item.statistics else None,
        closed_at=_closed_at(item, notification.created_at) if kind == "closed" else None,
        handle_time_seconds=item.statistics.adjusted_handling_time if item.statistics else None,
        raw=data,
    )


def _kind(topic: str, item: Conversation) -> EventKind:
    """The topic decides; a state that contradicts it (snoozed, still closed) is ignored."""
    kind = TOPICS[topic]
    state = (item.state or "").strip().lower()
    if kind == "closed" and state not in ("", "closed"):
        raise Ignored(f"Intercom {topic}: the conversation is {state} now, not closed")
    if kind == "reopened" and state in ("closed", "snoozed"):
        raise Ignored(f"Intercom {topic}: the conversation is still {state}, not reopened")
    return kind


def _customer(item: Conversation) -> tuple[str | None, str | None, str | None]:
    """(contact id, email, name) of the conversation's customer.

    2.x: the contact whose id the customer-authored ``source`` carries, else the
    first contact; 1.x: ``user``.  An admin-initiated conversation's author is
    the admin, so its email is never the customer's.
    """
    author = item.source.author if item.source else None
    from_customer = author if author and (author.type or "").lower() in CUSTOMERS else None
    if item.contacts is not None and item.contacts.contacts:
        ids = [contact.id for contact in item.contacts.contacts if contact.id.strip()]
        if from_customer and from_customer.id in ids:
            return from_customer.id, _email(from_customer.email), text_or_none(from_customer.name)
        return (ids[0] if ids else None), None, None
    if item.user is not None:  # 1.x
        return text_or_none(item.user.id), _email(item.user.email), text_or_none(item.user.name)
    if from_customer:  # 2.x without a contact list: the customer wrote the first message
        return (
            text_or_none(from_customer.id),
            _email(from_customer.email),
            text_or_none(from_customer.name),
        )
    return None, None, None


def _no_customer(contact_ref: str | None, email: str | None) -> str | None:
    if email:
        return None
    if contact_ref:
        return f"Intercom contact {contact_ref} has no email in the payload: {LOOKUP_HINT}"
    return "the Intercom conversation names no contact (no contacts, no user): nobody to survey"


def _email(value: str | None) -> str | None:
    """A usable address, lower-cased; anything else is no email (the contact id remains)."""
    text = text_or_none(value)
    return text.lower() if text and EMAIL.match(text) else None


def _tags(item: Conversation) -> tuple[str, ...]:
    """Tag names, each once; past ``MAX_TAGS`` the rest are dropped (a long list is no bad body)."""
    names = (text_or_none(tag.name) for tag in (item.tags.tags if item.tags else []))
    return tuple(dict.fromkeys(name for name in names if name))[:MAX_TAGS]


def _closer(item: Conversation) -> Author | None:
    """The admin who closed it: the newest ``close`` part's author, else the 1.x assignee."""
    parts = item.conversation_parts.conversation_parts if item.conversation_parts else []
    closing: list[Part] = [part for part in parts if (part.part_type or "").lower() == "close"]
    for part in reversed(closing or parts):
        if part.author and (part.author.type or "").lower() == "admin":
            return part.author
    if item.assignee and (item.assignee.type or "").lower() == "admin":
        return item.assignee
    return None


def _team(item: Conversation) -> str | None:
    """A team *name*, which only a 1.x team assignee carries.

    2.x sends ``team_assignee_id`` alone: a number is not a team name, so the team
    stays empty rather than filling ``/cx ops`` with ids.
    """
    if item.assignee and (item.assignee.type or "").lower() == "team":
        return text_or_none(item.assignee.name)
    return None


def _closed_at(item: Conversation, delivered: int | None) -> str | None:
    """When it was closed: the statistics, else the close part, else the last update."""
    parts = item.conversation_parts.conversation_parts if item.conversation_parts else []
    closing = [p.created_at for p in parts if (p.part_type or "").lower() == "close"]
    for moment in (
        item.statistics.last_close_at if item.statistics else None,
        closing[-1] if closing else None,
        item.updated_at,
        delivered,
    ):
        stamp = _time(moment)
        if stamp is not None:
            return stamp
    return None


def _time(seconds: int | None) -> str | None:
    """Unix seconds as stored; 0 (Intercom's "not yet") and negatives are no time."""
    return time_or_none(seconds) if seconds and seconds > 0 else None

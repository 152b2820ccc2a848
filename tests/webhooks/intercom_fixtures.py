"""Intercom notifications as shared/helpdesks.md §4.2 documents them, field for field.

``closed()`` is the doc's 2.x ``conversation.admin.closed`` example verbatim; the
other shapes are the changes the doc describes (reopen, customer reply, an
admin-initiated conversation, a lead without email, the legacy 1.x item with
``user``/``assignee``/``conversation_message`` and no ``contacts``, ``ping``).
Each call returns a fresh copy, so tests may change what they get.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from bot.webhooks.signatures import hmac_hex

CONTACT_ID = "6762f0d01bb69f9f2193bb7d"
CLIENT_SECRET = "intercom-client-secret-for-tests"

_CLOSED: dict[str, Any] = {
    "type": "notification_event", "app_id": "a86dr8yl",
    "data": {"type": "notification_event_data", "item": {
        "type": "conversation", "id": "215473052", "created_at": 1736330000, "updated_at": 1736334000,
        "waiting_since": None, "snoozed_until": None, "open": False, "state": "closed", "read": True,
        "priority": "not_priority", "admin_assignee_id": 991267715, "team_assignee_id": None,
        "source": {"type": "conversation", "id": "403918349", "delivered_as": "customer_initiated",
            "subject": "", "body": "<p>I can't log in</p>", "attachments": [], "url": None, "redacted": False,
            "author": {"type": "user", "id": "6762f0d01bb69f9f2193bb7d", "name": "Ana Pop", "email": "ana@example.com"}},
        "contacts": {"type": "contact.list", "contacts": [
            {"type": "contact", "id": "6762f0d01bb69f9f2193bb7d", "external_id": "70"}]},
        "tags": {"type": "tag.list", "tags": []},
        "statistics": {"type": "conversation_statistics", "last_close_at": 1736334000, "last_closed_by_id": "991267715"},
        "conversation_parts": {"type": "conversation_part.list", "total_count": 1, "conversation_parts": [
            {"type": "conversation_part", "id": "2824395628", "part_type": "close", "body": None,
             "created_at": 1736334000, "author": {"type": "admin", "id": "991267715", "name": "Cordelia", "email": "cordelia@acme.com"}}]}
    }},
    "links": {}, "id": "notif_2bc4bf3a-0064-4fb0-9e17-dc44d91bcb9b",
    "topic": "conversation.admin.closed", "delivery_status": "pending",
    "delivery_attempts": 1, "delivered_at": 0, "first_sent_at": 1736334001,
    "created_at": 1736334001, "self": None
}  # fmt: skip

# Legacy 1.x (apps pinned to API 1.x; the shape of Zulip's and Hull's real fixtures):
# ``user`` is the customer, ``assignee`` the admin, ``conversation_message`` the opener.
_LEGACY_CLOSED: dict[str, Any] = {
    "type": "notification_event", "app_id": "a86dr8yl",
    "data": {"type": "notification_event_data", "item": {
        "type": "conversation", "id": "20346051345", "created_at": 1736330000, "updated_at": 1736334000,
        "user": {"type": "user", "id": "5c65b3b4a3a0e93b4e7b2e19", "user_id": "42", "name": "Eeshan Garg",
                 "email": "eeshan@example.com", "do_not_track": None},
        "assignee": {"type": "admin", "id": "2853306", "name": "Cordelia", "email": "cordelia@acme.com"},
        "conversation_message": {"type": "conversation_message", "id": "210349381", "url": None,
            "subject": "", "body": "<p>Hi, my invoice is wrong</p>",
            "author": {"type": "user", "id": "5c65b3b4a3a0e93b4e7b2e19"}, "attachments": []},
        "conversation_parts": {"type": "conversation_part.list", "total_count": 1, "conversation_parts": [
            {"type": "conversation_part", "id": "2857006312", "part_type": "close", "body": "<p>Closing</p>",
             "created_at": 1736334000, "updated_at": 1736334000, "notified_at": 1736334000, "assigned_to": None,
             "author": {"type": "admin", "id": "2853306", "name": "Cordelia", "email": "cordelia@acme.com"},
             "attachments": [], "external_id": None}]},
        "open": False, "state": "closed", "read": True, "metadata": {},
        "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": "2000001", "name": "billing"}]},
        "tags_added": {"type": "tag.list", "tags": []},
        "links": {"conversation_web": "https://app.intercom.io/a/apps/a86dr8yl/conversations/20346051345"}
    }},
    "links": {}, "id": "notif_6ed4e4c0-3b56-11e9-a7bb-5d6c1f6a0e1b",
    "topic": "conversation.admin.closed", "delivery_status": "pending",
    "delivery_attempts": 1, "delivered_at": 0, "first_sent_at": 1736334001,
    "created_at": 1736334001, "self": None
}  # fmt: skip

_PING: dict[str, Any] = {
    "type": "notification_event", "app_id": "a86dr8yl",
    "data": {"type": "notification_event_data", "item": {"type": "ping", "message": "something something interzen"}},
    "links": {}, "id": None, "topic": "ping", "delivery_status": None,
    "delivery_attempts": 1, "delivered_at": 0, "first_sent_at": 1736334001,
    "created_at": 1736334001, "self": None
}  # fmt: skip


def closed() -> dict[str, Any]:
    """The doc's 2.x ``conversation.admin.closed`` example."""
    return copy.deepcopy(_CLOSED)


def item(payload: dict[str, Any]) -> dict[str, Any]:
    return payload["data"]["item"]


def reopened(topic: str = "conversation.admin.opened") -> dict[str, Any]:
    """The same envelope, ``state: open``; the newest part is ``open`` (admin) or a
    customer ``comment`` (``conversation.user.replied``)."""
    payload = closed()
    payload.update(
        topic=topic, id="notif_7c1e0b52-5d2a-4d43-9d7e-0f0b6f3c0a11", created_at=1736337601
    )
    conversation = item(payload)
    conversation.update(state="open", open=True, updated_at=1736337600)
    if topic == "conversation.user.replied":
        author = {"type": "user", "id": CONTACT_ID, "name": "Ana Pop", "email": "ana@example.com"}
        part = {"type": "conversation_part", "id": "2824395700", "part_type": "comment",
                "body": "<p>Still broken</p>", "created_at": 1736337600, "author": author}  # fmt: skip
    else:
        author = {
            "type": "admin",
            "id": "991267715",
            "name": "Cordelia",
            "email": "cordelia@acme.com",
        }
        part = {"type": "conversation_part", "id": "2824395700", "part_type": "open",
                "body": None, "created_at": 1736337600, "author": author}  # fmt: skip
    conversation["conversation_parts"] = {
        "type": "conversation_part.list", "total_count": 1, "conversation_parts": [part]
    }  # fmt: skip
    return payload


def admin_initiated() -> dict[str, Any]:
    """An agent started the conversation: ``source.author`` is the admin, the contact the customer."""
    payload = closed()
    item(payload)["source"].update(
        delivered_as="admin_initiated",
        body="<p>Your order has shipped</p>",
        author={
            "type": "admin",
            "id": "991267715",
            "name": "Cordelia",
            "email": "cordelia@acme.com",
        },
    )
    return payload


def lead_without_email() -> dict[str, Any]:
    """A Messenger visitor (lead) who never gave an email: only ids in the payload."""
    payload = closed()
    lead = "6762f0d01bb69f9f2193cc01"
    item(payload)["id"] = "215473099"
    item(payload)["source"]["author"] = {"type": "lead", "id": lead, "name": None, "email": None}
    item(payload)["contacts"]["contacts"] = [{"type": "contact", "id": lead, "external_id": None}]
    return payload


def legacy_closed() -> dict[str, Any]:
    return copy.deepcopy(_LEGACY_CLOSED)


def ping() -> dict[str, Any]:
    return copy.deepcopy(_PING)


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


def signature(body: bytes, secret: str = CLIENT_SECRET) -> str:
    """``X-Hub-Signature`` as Intercom computes it: sha1= hex HMAC-SHA1 of the raw body."""
    return "sha1=" + hmac_hex(secret, body, hashlib.sha1)

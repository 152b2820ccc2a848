"""Intercom's REST API (``shared/helpdesks.md`` §4.6–4.8, §6.4), as cxbot's jobs use it.

``Authorization: Bearer <CXBOT_INTERCOM_TOKEN>`` and ``Intercom-Version: 2.14``
on every call (2.13+ is what carries ``adjusted_handling_time``).  The base URL is
CXBOT_INTERCOM_URL: ``https://api.intercom.io``, or the EU/AU host for workspaces
hosted there, or the local emulator in tests and the demo.

* the customer: ``GET /contacts/{id}`` (email, name, language);
* the figures: ``GET /conversations/{id}`` ``statistics`` and parts;
* the score: a *note* on the conversation, ``POST /conversations/{id}/reply`` as
  the token's own admin (``GET /me``, asked once).  No tags: Intercom tags a
  conversation only with the id of a tag that already exists, which cxbot would
  have to create workspace-wide first; the note carries the score instead.
"""

from __future__ import annotations

import html
from typing import Any

import httpx

from bot.helpdesks.api import (
    TIMEOUT,
    HelpdeskRefused,
    HelpdeskUnavailable,
    Person,
    TicketFigures,
    WriteBack,
    call,
    json_of,
)
from bot.settings import HelpdeskApi

API_VERSION = "2.14"
MAX_PARTS = 500  # Intercom returns only the newest 500 parts of a conversation
CUSTOMERS = {"user", "lead", "contact"}


def make_client(api: HelpdeskApi) -> IntercomClient:
    return IntercomClient(api)


class IntercomClient:
    """One workspace's API with one access token (the private app's, or an OAuth token)."""

    source = "intercom"

    def __init__(self, api: HelpdeskApi, timeout: httpx.Timeout = TIMEOUT):
        self.http = httpx.Client(
            base_url=api.url,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {api.secret}",
                "Intercom-Version": API_VERSION,
                "Accept": "application/json",
            },
        )
        self._admin_id: str | None = None

    def person(self, ref: str) -> Person:
        """The contact; a merged contact's old id is a 404 (refused: Intercom keeps no forward)."""
        contact = _object(
            json_of(call(self.http, "GET", f"/contacts/{ref}", f"Intercom contact {ref}"), ref)
        )
        return Person(
            email=_text(contact.get("email")),
            name=_text(contact.get("name")),
            locale=_text(contact.get("language_override"))
            or _text(contact.get("browser_language")),
        )

    def figures(self, ticket_ref: str) -> TicketFigures:
        """What Intercom records: ``adjusted_handling_time`` (active time, 2.13+), reopens,
        and customer/agent replies counted from the parts (no data past 500 parts)."""
        conversation = self._conversation(ticket_ref)
        statistics = conversation.get("statistics")
        stats = statistics if isinstance(statistics, dict) else {}
        customer, agent = _reply_counts(conversation, stats)
        return TicketFigures(
            handle_time_seconds=_count(stats.get("adjusted_handling_time")),
            customer_replies=customer,
            agent_replies=agent,
            reopens=_count(stats.get("count_reopens")),
        )

    def already_written(self, write: WriteBack) -> bool:
        """Whether a part of the conversation (a note) carries the marker."""
        conversation = self._conversation(write.ticket_ref)
        escaped = html.escape(write.marker)
        return any(
            write.marker in body or escaped in body
            for body in (_text(part.get("body")) or "" for part in _parts(conversation))
        )

    def write_back(self, write: WriteBack) -> None:
        """A note (seen by the team only) as the token's admin; tags are left out (see above)."""
        what = f"Intercom note on conversation {write.ticket_ref}"
        call(
            self.http,
            "POST",
            f"/conversations/{write.ticket_ref}/reply",
            what,
            json={
                "message_type": "note",
                "type": "admin",
                "admin_id": self.admin_id(),
                "body": note_html(write),
            },
        )

    def admin_id(self) -> str:
        """The admin the token belongs to, asked once: Intercom wants it on every reply."""
        if self._admin_id is None:
            me = _object(json_of(call(self.http, "GET", "/me", "Intercom GET /me"), "/me"))
            admin = _text(me.get("id"))
            if admin is None:
                raise HelpdeskRefused("Intercom GET /me: the token belongs to no admin")
            self._admin_id = admin
        return self._admin_id

    def _conversation(self, ref: str) -> dict[str, Any]:
        what = f"Intercom conversation {ref}"
        return _object(json_of(call(self.http, "GET", f"/conversations/{ref}", what), what))


def note_html(write: WriteBack) -> str:
    """The note as the little HTML Intercom accepts: one ``<p>`` per line, the marker last."""
    lines = [line for line in write.note.splitlines() if line.strip()]
    if write.marker not in write.note:
        lines.append(write.marker)
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines)


def _reply_counts(conversation: dict, stats: dict) -> tuple[int | None, int | None]:
    """(customer replies after the opener, human agent replies); None when parts are cut off.

    Contacts = customer ``comment`` parts, plus the opener when the customer started
    the conversation (``source.delivered_as == customer_initiated``); cxbot's
    ``customer_replies`` is contacts minus that first message.  Fin's replies
    (``author.from_ai_agent``) and bots are not agent replies.
    """
    listing = conversation.get("conversation_parts")
    parts = _parts(conversation)
    total = _count(listing.get("total_count")) if isinstance(listing, dict) else None
    counted = _count(stats.get("count_conversation_parts"))
    if not isinstance(listing, dict) or max(total or 0, counted or 0) > MAX_PARTS:
        return None, None
    authors = [_author(part) for part in parts if _lower(part.get("part_type")) == "comment"]
    customer = len([a for a in authors if _lower(a.get("type")) in CUSTOMERS])
    agent = len(
        [a for a in authors if _lower(a.get("type")) == "admin" and not a.get("from_ai_agent")]
    )
    source = conversation.get("source")
    opened_by_customer = (
        isinstance(source, dict) and source.get("delivered_as") == "customer_initiated"
    )
    contacts = customer + (1 if opened_by_customer else 0)
    return max(contacts - 1, 0), agent


def _author(part: dict) -> dict:
    author = part.get("author")
    return author if isinstance(author, dict) else {}


def _lower(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def _parts(conversation: dict) -> list[dict]:
    listing = conversation.get("conversation_parts")
    parts = listing.get("conversation_parts") if isinstance(listing, dict) else None
    return [part for part in parts if isinstance(part, dict)] if isinstance(parts, list) else []


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise HelpdeskUnavailable("Intercom answered with something other than a JSON object")
    return data


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _count(value: Any) -> int | None:
    """A whole number of seconds or items; anything else (null, absent) is no data, never 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return int(value)

"""Freshdesk's REST API v2 (helpdesks.md §2.6–2.8, §6.2): look-up, figures, private note.

Auth is Basic ``base64("<api_key>:X")`` (the password is ignored). ``CXBOT_FRESHDESK_URL``
is the account's ``https://<domain>.freshdesk.com`` (custom CNAME domains do not serve
the API); a trailing ``/api/v2`` is tolerated. Lists are bare JSON arrays, paged with
``per_page`` (at most 100) and ``page``.

The webhook rarely carries the contact id (its placeholder is unconfirmed), so a
customer ref of ``ticket:<id>`` (what ``bot.webhooks.freshdesk`` sends then) is looked
up through the ticket's ``requester_id``.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx

from bot.helpdesks.api import (
    TIMEOUT,
    HelpdeskClient,
    HelpdeskRefused,
    HelpdeskUnavailable,
    Person,
    TicketFigures,
    WriteBack,
    call,
    json_of,
)
from bot.settings import HelpdeskApi
from storage.timestamps import normalize_timestamp

SOURCE = "freshdesk"
TICKET_REF = "ticket:"
PER_PAGE = 100
MAX_PAGES = 50  # 5,000 conversations: past that a ticket is not one a survey is about
REPLY = 0  # a conversation's ``source``: 0 reply, 2 note


class FreshdeskClient:
    """One Freshdesk account's API, as the surveys, figures and write-back jobs use it."""

    source = SOURCE

    def __init__(self, api: HelpdeskApi, http: httpx.Client | None = None):
        self.http = http or httpx.Client(
            base_url=base_url(api.url),
            auth=(api.secret, "X"),
            timeout=TIMEOUT,
            headers={"Accept": "application/json"},
        )

    # ---- look-up ---------------------------------------------------------
    def person(self, ref: str) -> Person:
        """The contact by id, or, for ``ticket:<id>``, the ticket's requester."""
        contact_id = ref
        if ref.startswith(TICKET_REF):
            contact_id = self._requester_id(ref[len(TICKET_REF) :])
        what = f"Freshdesk contact {contact_id}"
        data = json_of(call(self.http, "GET", f"/api/v2/contacts/{_id(contact_id)}", what), what)
        if not isinstance(data, dict):
            raise HelpdeskUnavailable(f"{what}: the answer was not a contact")
        return Person(
            email=_text(data.get("email")),
            name=_text(data.get("name")),
            locale=_text(data.get("language")),
        )

    def _ticket(self, ticket_ref: str) -> dict[str, Any]:
        what = f"Freshdesk ticket {ticket_ref}"
        data = json_of(call(self.http, "GET", f"/api/v2/tickets/{_id(ticket_ref)}", what), what)
        if not isinstance(data, dict):
            raise HelpdeskUnavailable(f"{what}: the answer was not a ticket")
        return data

    def _requester_id(self, ticket_ref: str) -> str:
        requester = self._ticket(ticket_ref).get("requester_id")
        if requester in (None, ""):
            raise HelpdeskRefused(f"Freshdesk ticket {ticket_ref} has no requester")
        return str(requester)

    # ---- figures ---------------------------------------------------------
    def figures(self, ticket_ref: str) -> TicketFigures:
        """Replies from the conversations, handle time from the time entries (§6.2).

        The opener is the ticket's description, not a conversation, so every public
        conversation of the requester is a reply after it. Freshdesk keeps no reopen
        count, and a ticket with no time entries has no handle time: both None.
        """
        ticket = self._ticket(ticket_ref)
        requester = ticket.get("requester_id")
        customer = agent = 0
        for item in self._pages(ticket_ref, "conversations"):
            if item.get("private"):
                continue  # notes count as neither
            if requester is not None and item.get("user_id") == requester:
                customer += 1
            elif item.get("source") == REPLY and not item.get("incoming"):
                agent += 1
        return TicketFigures(
            handle_time_seconds=self._handle_time(ticket_ref),
            customer_replies=customer if requester is not None else None,
            agent_replies=agent,
            reopens=None,
            created_at=_time(ticket.get("created_at")),  # the webhook cannot send it
        )

    def _handle_time(self, ticket_ref: str) -> int | None:
        """The sum of the time entries; None when there are none or time tracking is off.

        A running timer counts with the time it shows so far.
        """
        try:
            entries = list(self._pages(ticket_ref, "time_entries"))
        except HelpdeskRefused:  # 403/404: the plan or the agent's role has no time tracking
            return None
        seconds = [_hh_mm(entry.get("time_spent")) for entry in entries]
        known = [value for value in seconds if value is not None]
        return sum(known) if known else None

    def _pages(self, ticket_ref: str, what_list: str) -> Iterator[dict[str, Any]]:
        path = f"/api/v2/tickets/{_id(ticket_ref)}/{what_list}"
        what = f"Freshdesk ticket {ticket_ref} {what_list.replace('_', ' ')}"
        for page in range(1, MAX_PAGES + 1):
            params = {"per_page": PER_PAGE, "page": page}
            items = json_of(call(self.http, "GET", path, what, params=params), what)
            if not isinstance(items, list):
                raise HelpdeskUnavailable(f"{what}: the answer was not a list")
            yield from (item for item in items if isinstance(item, dict))
            if len(items) < PER_PAGE:
                return

    # ---- write-back ------------------------------------------------------
    def already_written(self, write: WriteBack) -> bool:
        """Whether a conversation (note) on the ticket carries ``write.marker``."""
        for item in self._pages(write.ticket_ref, "conversations"):
            text = f"{item.get('body_text') or ''} {item.get('body') or ''}"
            if write.marker in text:
                return True
        return False

    def write_back(self, write: WriteBack) -> None:
        """A private note (``POST /api/v2/tickets/{id}/notes``). Freshdesk has no
        add-tags call (a ticket update replaces all tags), so ``write.tags`` are not written."""
        what = f"Freshdesk ticket {write.ticket_ref} note"
        payload = {"body": note_html(write), "private": True}
        path = f"/api/v2/tickets/{_id(write.ticket_ref)}/notes"
        call(self.http, "POST", path, what, json=payload)


def make_client(api: HelpdeskApi) -> HelpdeskClient:
    return FreshdeskClient(api)


def base_url(url: str) -> str:
    """The account URL; ``…/api/v2`` pasted from the API docs is taken back to the account."""
    url = url.rstrip("/")
    return url.removesuffix("/api/v2")


def note_html(write: WriteBack) -> str:
    """The note's text, HTML-escaped, one ``<p>`` per paragraph, carrying the marker."""
    text = write.note if write.marker in write.note else f"{write.note}\n\n{write.marker}"
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    return "".join("<p>" + html.escape(part).replace("\n", "<br>") + "</p>" for part in paragraphs)


def _id(ref: str) -> str:
    """Freshdesk ids are numbers; anything else would be a path, so it is refused."""
    ref = str(ref).strip()
    if not ref.isdigit():
        raise HelpdeskRefused(f"{ref[:40]!r} is not a Freshdesk id")
    return quote(ref, safe="")


def _text(value: Any) -> str | None:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    return str(value).strip() or None


def _hh_mm(value: Any) -> int | None:
    """``"01:30"`` as 5400 seconds; None when unreadable."""
    if not isinstance(value, str):
        return None
    hours, _, minutes = value.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    return int(hours) * 3600 + int(minutes) * 60


def _time(value: object) -> str | None:
    """A REST timestamp in cxbot's stored form; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return normalize_timestamp(value)
    except ValueError:
        return None

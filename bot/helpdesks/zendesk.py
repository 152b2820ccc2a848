"""Zendesk Support's REST API (helpdesks.md §1.6–1.8, §6.1), as cxbot's jobs use it.

Auth: HTTP Basic ``{agent email}/token:{API token}`` (API-token access must be on in
Admin Center → Apps and integrations → APIs). Base URL ``https://{subdomain}.zendesk.com``
(CXBOT_ZENDESK_URL). IDs are integers in REST; statuses are lower case.

* ``person``: ``GET /api/v2/users/{id}`` — email (may be null: phone/messaging users),
  name, locale.
* ``figures``: ``GET /api/v2/tickets/{id}/metrics`` (``replies``, ``reopens``), the
  ticket's public comments by the requester after the opener, and handle time only
  from the Time Tracking app's "Total time spent (sec)" field: Zendesk records no
  handle time of its own, so without the app it is None (no data), never 0.
* ``write_back``: tags through ``PUT /api/v2/tickets/{id}/tags`` (adds; a ticket PUT
  with ``tags`` would replace them all), then a private comment through
  ``PUT /api/v2/tickets/{id}``. Closed tickets are locked: Zendesk answers 422, which
  is refused with that reason (no retry can help).
* ``already_written``: the ticket's comments, looking for the write's marker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx

from bot.helpdesks.api import (
    TIMEOUT,
    HelpdeskRefused,
    Person,
    TicketFigures,
    WriteBack,
    call,
    json_of,
)
from bot.settings import HelpdeskApi

#: The Time Tracking app's ticket field holding the effort spent, in seconds (§6.1).
TIME_FIELD_TITLE = "Total time spent (sec)"
MAX_PAGES = 50  # 5,000 comments: a ticket longer than that is not worth more calls
PER_PAGE = 100


def _id(ref: str, what: str) -> str:
    """A Zendesk id for a URL path; anything else would address another resource."""
    text = str(ref).strip()
    if not text.isdigit():
        raise HelpdeskRefused(f"{what}: {ref!r} is not a Zendesk id")
    return quote(text)


def _object(data: Any, key: str, what: str) -> dict[str, Any]:
    """``data[key]`` as an object; Zendesk's docs show ``ticket_metric`` in a list too."""
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, list) and value and isinstance(value[0], dict):
        value = value[0]
    if not isinstance(value, dict):
        raise HelpdeskRefused(f"{what}: the answer has no {key!r} object")
    return value


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class ZendeskClient:
    """One Zendesk account, through an ``httpx.Client`` that carries its credentials."""

    source = "zendesk"

    def __init__(self, api: HelpdeskApi, timeout: httpx.Timeout = TIMEOUT) -> None:
        self.http = httpx.Client(
            base_url=api.url,
            auth=(f"{api.login}/token", api.secret),
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": "cxbot"},
        )
        self.base_url = api.url
        self._time_field: int | None = None
        self._time_field_known = False

    def close(self) -> None:
        self.http.close()

    # ---- look-up ---------------------------------------------------------------------
    def person(self, ref: str) -> Person:
        what = f"Zendesk user {ref}"
        response = call(self.http, "GET", f"/api/v2/users/{_id(ref, what)}.json", what)
        user = _object(json_of(response, what), "user", what)
        email = user.get("email")
        return Person(
            email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
            name=user.get("name") or None,
            locale=user.get("locale") or None,
        )

    # ---- ticket figures --------------------------------------------------------------
    def figures(self, ticket_ref: str) -> TicketFigures:
        what = f"Zendesk ticket {ticket_ref}"
        ticket_id = _id(ticket_ref, what)
        ticket = self._ticket(ticket_id, what)
        metric = _object(
            json_of(
                call(self.http, "GET", f"/api/v2/tickets/{ticket_id}/metrics.json", what),
                what,
            ),
            "ticket_metric",
            what,
        )
        return TicketFigures(
            handle_time_seconds=self._handle_time(ticket),
            customer_replies=self._customer_replies(ticket_id, ticket.get("requester_id"), what),
            agent_replies=_count(metric.get("replies")),
            reopens=_count(metric.get("reopens")),
        )

    def _ticket(self, ticket_id: str, what: str) -> dict[str, Any]:
        response = call(self.http, "GET", f"/api/v2/tickets/{ticket_id}.json", what)
        return _object(json_of(response, what), "ticket", what)

    def _time_field_id(self) -> int | None:
        """The Time Tracking app's field id, found by title once per client (§6.1)."""
        if not self._time_field_known:
            what = "Zendesk ticket fields"
            data = json_of(call(self.http, "GET", "/api/v2/ticket_fields.json", what), what)
            fields = data.get("ticket_fields") if isinstance(data, dict) else None
            found = [
                field.get("id")
                for field in fields or []
                if isinstance(field, dict) and field.get("title") == TIME_FIELD_TITLE
            ]
            self._time_field = found[0] if found and isinstance(found[0], int) else None
            self._time_field_known = True
        return self._time_field

    def _handle_time(self, ticket: dict[str, Any]) -> int | None:
        """Seconds tracked with the Time Tracking app; None without it or when nothing was
        tracked (an empty tracker is no data, not zero effort)."""
        field_id = self._time_field_id()
        if field_id is None:
            return None
        for field in ticket.get("custom_fields") or []:
            if isinstance(field, dict) and field.get("id") == field_id:
                value = str(field.get("value") or "").strip()
                return (int(value) or None) if value.isdigit() else None
        return None

    def _comments(self, ticket_id: str, what: str) -> Iterator[dict[str, Any]]:
        url: str | None = f"/api/v2/tickets/{ticket_id}/comments.json?per_page={PER_PAGE}"
        for _ in range(MAX_PAGES):
            if url is None:
                return
            data = json_of(call(self.http, "GET", url, what), what)
            comments = data.get("comments") if isinstance(data, dict) else None
            yield from (c for c in comments or [] if isinstance(c, dict))
            url = self._next_page(data)

    def _next_page(self, data: Any) -> str | None:
        """``next_page`` when it is on this account: the credentials go to no other host."""
        next_page = data.get("next_page") if isinstance(data, dict) else None
        if isinstance(next_page, str) and next_page.startswith(self.base_url + "/"):
            return next_page
        return None

    def _customer_replies(self, ticket_id: str, requester: Any, what: str) -> int | None:
        """The requester's public comments after the opener (comment 1)."""
        if requester is None:
            return None
        replies = 0
        for index, comment in enumerate(self._comments(ticket_id, what)):
            by_customer = str(comment.get("author_id")) == str(requester)
            if index > 0 and by_customer and comment.get("public") is not False:
                replies += 1
        return replies

    # ---- write-back ------------------------------------------------------------------
    def write_back(self, write: WriteBack) -> None:
        what = f"Zendesk ticket {write.ticket_ref}"
        ticket_id = _id(write.ticket_ref, what)
        if write.tags:
            self._update(
                "PUT", f"/api/v2/tickets/{ticket_id}/tags.json", what, {"tags": list(write.tags)}
            )
        note = write.note if write.marker in write.note else f"{write.note}\n({write.marker})"
        self._update(
            "PUT",
            f"/api/v2/tickets/{ticket_id}.json",
            what,
            {"ticket": {"comment": {"body": note, "public": False}}},
        )

    def _update(self, method: str, path: str, what: str, body: dict[str, Any]) -> None:
        try:
            call(self.http, method, path, what, json=body)
        except HelpdeskRefused as exc:
            if f"{what}: HTTP 422" not in str(exc):
                raise
            said = str(exc).split("HTTP 422", 1)[1].strip()
            raise HelpdeskRefused(
                f"{what} is closed (locked): Zendesk refuses updates to closed tickets "
                f"(HTTP 422{': ' + said if said else ''}); write back before it closes"
            ) from None

    def already_written(self, write: WriteBack) -> bool:
        what = f"Zendesk ticket {write.ticket_ref}"
        ticket_id = _id(write.ticket_ref, what)
        for comment in self._comments(ticket_id, what):
            text = " ".join(
                str(comment.get(key) or "") for key in ("body", "plain_body", "html_body")
            )
            if write.marker in text:
                return True
        return False


def make_client(api: HelpdeskApi) -> ZendeskClient:
    """The registry's entry point (``bot.helpdesks.registry``)."""
    return ZendeskClient(api)

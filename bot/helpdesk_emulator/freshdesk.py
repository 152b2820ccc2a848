"""Freshdesk API v2 (helpdesks.md §2.6–2.8, §6.2).

Auth: ``Authorization: Basic base64("{api_key}:X")``; the password is ignored. Lists are
bare JSON arrays (30 per page by default, 100 at most, with a ``Link: rel="next"``
header when more follow). Every response carries ``X-RateLimit-Total``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Used-CurrentRequest``; a 429 adds
``Retry-After``. Errors are ``{"code", "message"}``, validation errors
``{"description": "Validation failed", "errors": [{field, message, code}]}``; a missing
record answers 404 with an empty body (unconfirmed in helpdesks.md).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from .routing import Answer, Request, Route, Vendor, basic_credentials, route
from .state import FRESHDESK_STATUS, add_note, deep_merge, iso, utc_now

if TYPE_CHECKING:
    from .emulator import HelpdeskEmulator

RATE_LIMIT = 200  # per minute on a legacy Growth plan (§2.8)
AGENT_ID = 43000000001  # the agent whose API key the client uses
_PER_PAGE, _MAX_PER_PAGE = 30, 100
_TAG = re.compile(r"<[^>]+>")


def _num(value: str | None) -> int | str | None:
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def _zone(time_zone: str | None) -> str | None:
    """Freshdesk shows Rails-style names (``Brisbane``), not IANA."""
    if time_zone is None:
        return None
    return "UTC" if time_zone == "UTC" else time_zone.rsplit("/", 1)[-1].replace("_", " ")


def render_contact(person: dict[str, Any]) -> dict[str, Any]:
    contact = {
        "id": _num(person["id"]),
        "name": person["name"],
        "email": person["email"],
        "language": person["locale"],
        "time_zone": _zone(person["time_zone"]),
        "phone": None,
        "mobile": None,
        "active": True,
        "company_id": None,
        "external_id": person["external_id"],
        "custom_fields": {},
        "created_at": person["created_at"],
        "updated_at": person["updated_at"],
    }
    return deep_merge(contact, person["overrides"])


def _html(text: str) -> str:
    return f"<div>{html.escape(text)}</div>"


def plain_text(body: str) -> str:
    return html.unescape(_TAG.sub("", body)).strip()


def render_ticket(ticket: dict[str, Any], *, stats: bool = False) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "id": _num(ticket["id"]),
        "subject": ticket["subject"],
        "description": _html(ticket["description"]),
        "description_text": ticket["description"],
        "status": FRESHDESK_STATUS[ticket["status"]],
        "priority": 1,
        "source": 1,
        "type": None,
        "requester_id": _num(ticket["requester_id"]),
        "responder_id": AGENT_ID,
        "company_id": None,
        "group_id": None,
        "product_id": None,
        "email_config_id": None,
        "tags": list(ticket["tags"]),
        "cc_emails": [],
        "fwd_emails": [],
        "reply_cc_emails": [],
        "to_emails": None,
        "fr_escalated": False,
        "spam": False,
        "is_escalated": False,
        "due_by": ticket["updated_at"],
        "fr_due_by": ticket["updated_at"],
        "custom_fields": {},
        "created_at": ticket["created_at"],
        "updated_at": ticket["updated_at"],
    }
    if stats:  # timestamps only, no reopen count (§6.2)
        resolved = ticket["updated_at"] if ticket["status"] in ("solved", "closed") else None
        rendered["stats"] = {
            "agent_responded_at": None,
            "requester_responded_at": None,
            "first_responded_at": None,
            "status_updated_at": ticket["updated_at"],
            "reopened_at": None,
            "resolved_at": resolved,
            "closed_at": ticket["updated_at"] if ticket["status"] == "closed" else None,
            "pending_since": None,
        }
    return deep_merge(rendered, ticket["overrides"])


def render_conversation(ticket: dict[str, Any], comment: dict[str, Any]) -> dict[str, Any]:
    """A reply (source 0) or, when not public, a private note (source 2)."""
    author = comment["author"]
    from_customer = author == "customer"
    user_id = (
        _num(ticket["requester_id"])
        if from_customer
        else AGENT_ID
        if author == "agent"
        else _num(author)
    )
    body = comment.get("html") or _html(comment["body"])
    return {
        "id": comment.get("id") or 0,
        "body": body,
        "body_text": plain_text(body),
        "incoming": from_customer,
        "private": not comment["public"],
        "user_id": user_id,
        "support_email": None if from_customer else "support@acme.freshdesk.com",
        "source": 0 if comment["public"] else 2,
        "category": 2 if comment["public"] else 4,
        "ticket_id": _num(ticket["id"]),
        "to_emails": [],
        "from_email": None,
        "cc_emails": [],
        "bcc_emails": None,
        "attachments": [],
        "created_at": comment["created_at"],
        "updated_at": comment["created_at"],
    }


def _hh_mm(seconds: int) -> str:
    hours, minutes = divmod(int(seconds) // 60, 60)
    return f"{hours:02d}:{minutes:02d}"


def render_time_entries(ticket: dict[str, Any]) -> list[dict[str, Any]]:
    """Seeded entries (seconds, or dicts with ``seconds``/``timer_running``/...) or one
    entry of ``handle_time_seconds``; no figure at all is an empty list."""
    specs = ticket["time_entries"]
    if specs is None:
        specs = [] if ticket["handle_time_seconds"] is None else [ticket["handle_time_seconds"]]
    entries = []
    for index, spec in enumerate(specs, start=1):
        fields = {"seconds": spec} if isinstance(spec, int) else dict(spec)
        seconds = fields.pop("seconds", 0)
        entry = {
            "id": 7_000_000 + index,
            "ticket_id": _num(ticket["id"]),
            "agent_id": AGENT_ID,
            "billable": True,
            "note": "",
            "timer_running": False,
            "time_spent": _hh_mm(seconds),
            "executed_at": ticket["updated_at"],
            "start_time": ticket["updated_at"],
            "created_at": ticket["updated_at"],
            "updated_at": ticket["updated_at"],
        }
        entries.append(deep_merge(entry, fields))
    return entries


# ---- errors & headers -----------------------------------------------------------
def error(status: int, message: str) -> dict[str, Any]:
    codes = {401: "invalid_credentials", 403: "access_denied", 429: "rate_limit_exceeded"}
    if status == 401:
        message = "You have to be logged in to perform this action."
    return {"code": codes.get(status, "internal_error"), "message": message}


def _validation(field: str, message: str, code: str = "missing_field") -> Answer:
    return (
        400,
        {
            "description": "Validation failed",
            "errors": [{"field": field, "message": message, "code": code}],
        },
        {},
    )


def _not_found() -> Answer:
    return 404, None, {}


def rate_limit_headers(
    emulator: HelpdeskEmulator, retry_after: int | None, used: int
) -> dict[str, str]:
    return {
        "Retry-After": str(retry_after or 60),
        "X-RateLimit-Total": str(RATE_LIMIT),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Used-CurrentRequest": "1",
    }


def every_response_headers(emulator: HelpdeskEmulator, used: int) -> dict[str, str]:
    return {
        "X-RateLimit-Total": str(RATE_LIMIT),
        "X-RateLimit-Remaining": str(max(0, RATE_LIMIT - used)),
        "X-RateLimit-Used-CurrentRequest": "1",
    }


def authorized(request: Request) -> bool:
    credentials = basic_credentials(request.headers)
    return credentials is not None and credentials[0] == request.emulator.freshdesk_api_key


# ---- handlers -------------------------------------------------------------------
def show_contact(request: Request) -> Answer:
    person = request.state.person("freshdesk", request.params["id"])
    if person is None:
        return _not_found()
    return 200, render_contact(person), {}


def show_ticket(request: Request) -> Answer:
    ticket = request.state.ticket("freshdesk", request.params["id"])
    if ticket is None:
        return _not_found()
    includes = request.query.get("include", "").split(",")
    return 200, render_ticket(ticket, stats="stats" in includes), {}


def create_note(request: Request) -> Answer:
    ticket = request.state.ticket("freshdesk", request.params["id"])
    if ticket is None:
        return _not_found()
    data = request.json()
    if not isinstance(data, dict):
        return _validation("body", "It should be a JSON object", "datatype_mismatch")
    body = data.get("body")
    if not isinstance(body, str) or not body.strip():
        return _validation("body", "It should not be blank as this is a mandatory field.")
    private = data.get("private", True)  # Freshdesk's default: a private note
    if not isinstance(private, bool):
        return _validation(
            "private", "Value set is of type String.It should be a/an Boolean", "datatype_mismatch"
        )
    now = iso(utc_now())
    comment = {
        "id": request.state.next_id(),
        "body": plain_text(body),
        "html": body,
        "author": "agent",
        "public": not private,
        "created_at": now,
    }
    ticket["comments"].append(comment)
    ticket["updated_at"] = now
    add_note(ticket, "note", body, public=not private, request=data, text=plain_text(body))
    return 201, render_conversation(ticket, comment), {}


def _page(request: Request, items: list[Any], path: str) -> Answer:
    per_page = request.int_arg("per_page", _PER_PAGE, low=1, high=_MAX_PER_PAGE)
    page = request.int_arg("page", 1, low=1)
    start = (page - 1) * per_page
    headers = {}
    if start + per_page < len(items):
        headers["Link"] = (
            f'<{request.base_url}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        )
    return 200, items[start : start + per_page], headers


def list_conversations(request: Request) -> Answer:
    ticket = request.state.ticket("freshdesk", request.params["id"])
    if ticket is None:
        return _not_found()
    items = [render_conversation(ticket, c) for c in ticket["comments"]]
    for index, item in enumerate(items, start=1):
        item["id"] = item["id"] or 6_000_000 + index
    return _page(request, items, request.path)


def list_time_entries(request: Request) -> Answer:
    ticket = request.state.ticket("freshdesk", request.params["id"])
    if ticket is None:
        return _not_found()
    return _page(request, render_time_entries(ticket), request.path)


ROUTES: tuple[Route, ...] = (
    route("GET", "/api/v2/contacts/{id}", show_contact),
    route("GET", "/api/v2/tickets/{id}", show_ticket),
    route("POST", "/api/v2/tickets/{id}/notes", create_note),
    route("GET", "/api/v2/tickets/{id}/conversations", list_conversations),
    route("GET", "/api/v2/tickets/{id}/time_entries", list_time_entries),
)

VENDOR = Vendor(
    name="freshdesk",
    routes=ROUTES,
    authorized=authorized,
    error=error,
    rate_limit_headers=rate_limit_headers,
    every_response_headers=every_response_headers,
)

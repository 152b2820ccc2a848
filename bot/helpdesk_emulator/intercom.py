"""Intercom REST API 2.x (helpdesks.md §4.6–4.8, §6.4).

Auth: ``Authorization: Bearer {access_token}``; ``Intercom-Version`` is optional and
defaults to the app's version (``HelpdeskEmulator.intercom_version``); below 2.13
``statistics`` has no ``handling_time``/``adjusted_handling_time``. Errors are
``{"type": "error.list", "request_id", "errors": [{"code", "message"}]}``. Every
response carries ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` (Unix time); a 429
carries no ``Retry-After``: the client must wait until ``X-RateLimit-Reset``.
"""

from __future__ import annotations

import math
import uuid
from typing import TYPE_CHECKING, Any

from .routing import Answer, Request, Route, Vendor, bearer_token, reset_at, route
from .state import CLOSED_STATUSES, add_note, count_reopens, deep_merge, iso, parse_iso, utc_now

if TYPE_CHECKING:
    from .emulator import HelpdeskEmulator

RATE_LIMIT = 10_000  # per minute for a private app (§4.8)
WORKSPACE_ID = "a86dr8yl"
MAX_PARTS = 500  # only the newest 500 parts are returned (§6.4)
_STATE = {
    "new": "open",
    "open": "open",
    "pending": "snoozed",
    "hold": "snoozed",
    "solved": "closed",
    "closed": "closed",
}


def unix(moment: str) -> int:
    return int(parse_iso(moment).timestamp())


def _version(request: Request) -> tuple[int, int]:
    """``2.14`` → (2, 14); ``Unstable`` or junk → the newest."""
    text = request.headers.get("Intercom-Version") or request.emulator.intercom_version
    major, _, minor = text.partition(".")
    if major.isdigit() and minor.isdigit():
        return int(major), int(minor)
    return 99, 0


def render_contact(person: dict[str, Any]) -> dict[str, Any]:
    contact = {
        "type": "contact",
        "id": person["id"],
        "workspace_id": WORKSPACE_ID,
        "external_id": person["external_id"],
        "role": person["role"] or "user",
        "email": person["email"],
        "phone": None,
        "name": person["name"],
        "avatar": None,
        "owner_id": None,
        "social_profiles": {"type": "list", "data": []},
        "has_hard_bounced": False,
        "marked_email_as_spam": False,
        "unsubscribed_from_emails": False,
        "created_at": unix(person["created_at"]),
        "updated_at": unix(person["updated_at"]),
        "signed_up_at": None,
        "last_seen_at": None,
        "last_replied_at": None,
        "last_contacted_at": None,
        "last_email_opened_at": None,
        "last_email_clicked_at": None,
        "language_override": None,
        "browser": None,
        "browser_version": None,
        "browser_language": person["locale"],
        "os": None,
        "location": {
            "type": "location",
            "country": None,
            "region": None,
            "city": None,
            "country_code": None,
            "continent_code": None,
        },
        "android_app_name": None,
        "ios_app_name": None,
        "custom_attributes": {},
        "tags": {
            "type": "list",
            "data": [],
            "url": f"/contacts/{person['id']}/tags",
            "total_count": 0,
            "has_more": False,
        },
    }
    return deep_merge(contact, person["overrides"])


def admin(emulator: HelpdeskEmulator) -> dict[str, Any]:
    return {
        "type": "admin",
        "id": emulator.intercom_admin_id,
        "email": "cxbot-admin@acme.com",
        "name": "cxbot",
        "email_verified": True,
        "app": {
            "type": "app",
            "id_code": WORKSPACE_ID,
            "name": "Acme",
            "region": "US",
            "timezone": "Europe/London",
            "created_at": 1700000000,
            "identity_verification": False,
        },
        "avatar": {"type": "avatar", "image_url": None},
        "has_inbox_seat": True,
    }


def _part_author(ticket: dict[str, Any], author: str, request: Request) -> dict[str, Any]:
    person_id = ticket["requester_id"] if author == "customer" else author
    person = (
        request.state.person("intercom", person_id) if author != "agent" and person_id else None
    )
    if person is None:  # the agent, or an id that is not a contact: an admin
        admin_id = request.emulator.intercom_admin_id if author == "agent" else author
        return {"type": "admin", "id": admin_id, "name": "cxbot", "email": "cxbot-admin@acme.com"}
    return {
        "type": person["role"] or "user",
        "id": person["id"],
        "name": person["name"],
        "email": person["email"] or "",
    }


def _part(
    ticket: dict[str, Any], comment: dict[str, Any], index: int, request: Request
) -> dict[str, Any]:
    created = unix(comment["created_at"])
    return {
        "type": "conversation_part",
        "id": str(comment.get("id") or 2_824_000_000 + index),
        "part_type": "comment" if comment["public"] else "note",
        "body": comment.get("html") or f"<p>{comment['body']}</p>",
        "created_at": created,
        "updated_at": created,
        "notified_at": created,
        "assigned_to": None,
        "author": _part_author(ticket, comment["author"], request),
        "attachments": [],
        "external_id": None,
        "redacted": False,
    }


def _parts(ticket: dict[str, Any], request: Request) -> list[dict[str, Any]]:
    parts = [_part(ticket, c, i, request) for i, c in enumerate(ticket["comments"], 1)]
    if ticket["status"] in CLOSED_STATUSES:
        closed = unix(ticket["closed_at"] or ticket["updated_at"])
        parts.append(
            {
                "type": "conversation_part",
                "id": str(2_825_000_000 + len(parts)),
                "part_type": "close",
                "body": None,
                "created_at": closed,
                "updated_at": closed,
                "notified_at": closed,
                "assigned_to": None,
                "author": _part_author(ticket, "agent", request),
                "attachments": [],
                "external_id": None,
                "redacted": False,
            }
        )
    return sorted(parts, key=lambda part: part["created_at"])


def _statistics(ticket: dict[str, Any], parts_total: int, request: Request) -> dict[str, Any]:
    closed = ticket["status"] in CLOSED_STATUSES
    close_at = unix(ticket["closed_at"] or ticket["updated_at"]) if closed else None
    stats: dict[str, Any] = {
        "type": "conversation_statistics",
        "time_to_assignment": None,
        "time_to_admin_reply": None,
        "time_to_first_close": None,
        "time_to_last_close": None,
        "median_time_to_reply": None,
        "first_contact_reply_at": unix(ticket["created_at"]),
        "first_assignment_at": None,
        "first_admin_reply_at": None,
        "first_close_at": close_at,
        "last_assignment_at": None,
        "last_assignment_admin_reply_at": None,
        "last_contact_reply_at": None,
        "last_admin_reply_at": None,
        "last_close_at": close_at,
        "last_closed_by_id": request.emulator.intercom_admin_id if closed else None,
        "count_reopens": count_reopens(ticket["history"]),
        "count_assignments": 1,
        "count_conversation_parts": parts_total,
        "handling_time": None,
        "adjusted_handling_time": ticket["handle_time_seconds"],
    }
    stats = deep_merge(stats, ticket["statistics"])
    if _version(request) < (2, 13):
        stats.pop("handling_time", None)
        stats.pop("adjusted_handling_time", None)
    return stats


def render_conversation(ticket: dict[str, Any], request: Request) -> dict[str, Any]:
    parts = _parts(ticket, request)
    requester = (
        request.state.person("intercom", ticket["requester_id"]) if ticket["requester_id"] else None
    )
    author = _part_author(ticket, "customer", request)
    state = _STATE[ticket["status"]]
    conversation = {
        "type": "conversation",
        "id": ticket["id"],
        "title": ticket["subject"],
        "created_at": unix(ticket["created_at"]),
        "updated_at": unix(ticket["updated_at"]),
        "waiting_since": None,
        "snoozed_until": None,
        "open": state != "closed",
        "state": state,
        "read": True,
        "priority": "not_priority",
        "admin_assignee_id": int(request.emulator.intercom_admin_id),
        "team_assignee_id": None,
        "tags": {
            "type": "tag.list",
            "tags": [{"type": "tag", "id": tag, "name": tag} for tag in ticket["tags"]],
        },
        "conversation_rating": None,
        "source": {
            "type": "conversation",
            "id": f"40{ticket['id']}",
            "delivered_as": "customer_initiated",
            "subject": "",
            "body": f"<p>{ticket['description']}</p>",
            "author": author,
            "attachments": [],
            "url": None,
            "redacted": False,
        },
        "contacts": {
            "type": "contact.list",
            "contacts": [
                {"type": "contact", "id": requester["id"], "external_id": requester["external_id"]}
            ]
            if requester
            else [],
        },
        "teammates": {
            "type": "admin.list",
            "admins": [{"type": "admin", "id": request.emulator.intercom_admin_id}],
        },
        "custom_attributes": {},
        "first_contact_reply": {
            "created_at": unix(ticket["created_at"]),
            "type": "conversation",
            "url": None,
        },
        "sla_applied": None,
        "statistics": _statistics(ticket, len(parts), request),
        "conversation_parts": {
            "type": "conversation_part.list",
            "conversation_parts": parts[-MAX_PARTS:],
            "total_count": len(parts),
        },
    }
    return deep_merge(conversation, ticket["overrides"])


# ---- errors & headers -----------------------------------------------------------
_CODES = {
    400: "parameter_invalid",
    401: "unauthorized",
    403: "api_plan_restricted",
    404: "not_found",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "service_unavailable",
}


def error(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    if status == 401:
        message = "Access Token Invalid"
    return {
        "type": "error.list",
        "request_id": uuid.uuid4().hex[:20],
        "errors": [{"code": code or _CODES.get(status, "server_error"), "message": message}],
    }


def rate_limit_headers(
    emulator: HelpdeskEmulator, retry_after: int | None, used: int
) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(math.ceil(reset_at(retry_after))),
    }


def every_response_headers(emulator: HelpdeskEmulator, used: int) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": str(max(0, RATE_LIMIT - used)),
        "X-RateLimit-Reset": str(math.ceil(reset_at(10))),  # 10-second windows (§4.8)
    }


def authorized(request: Request) -> bool:
    return bearer_token(request.headers) == request.emulator.intercom_token


# ---- handlers -------------------------------------------------------------------
def show_contact(request: Request) -> Answer:
    person = request.state.person("intercom", request.params["id"])
    if person is None or person["merged_into"]:  # a merged contact's old id is gone (§4.6)
        return 404, error(404, "User Not Found"), {}
    return 200, render_contact(person), {}


def show_me(request: Request) -> Answer:
    return 200, admin(request.emulator), {}


def show_conversation(request: Request) -> Answer:
    ticket = request.state.ticket("intercom", request.params["id"])
    if ticket is None:
        return 404, error(404, "Resource Not Found"), {}
    return 200, render_conversation(ticket, request), {}


def _reply_error(data: dict[str, Any], emulator: HelpdeskEmulator) -> str | None:
    """Why a reply request is refused (``message_type``, ``type``, ``admin_id``, ``body``)."""
    for required in ("message_type", "type"):
        if not data.get(required):
            return f"{required} not specified"
    if data["message_type"] not in ("comment", "note", "quick_reply"):
        return "message_type must be one of comment, note, quick_reply"
    if data["type"] not in ("admin", "user"):
        return "type must be one of admin, user"
    if data["type"] == "admin":
        if not data.get("admin_id"):
            return "admin_id not specified"
        if str(data["admin_id"]) != emulator.intercom_admin_id:
            return "admin_id is not an admin of this workspace"
    if data["message_type"] in ("comment", "note") and not data.get("body"):
        return "body not specified"
    return None


def reply(request: Request) -> Answer:
    ticket = request.state.ticket("intercom", request.params["id"])
    if ticket is None:
        return 404, error(404, "Resource Not Found"), {}
    data = request.json()
    if not isinstance(data, dict):
        return 400, error(400, "request body must be a JSON object"), {}
    problem = _reply_error(data, request.emulator)
    if problem:
        code = "parameter_not_found" if problem.endswith("not specified") else "parameter_invalid"
        return 400, error(400, problem, code), {}
    note = data["message_type"] == "note"
    body = str(data["body"])
    now = iso(utc_now())
    author = "agent" if data["type"] == "admin" else str(data.get("intercom_user_id") or "customer")
    ticket["comments"].append(
        {
            "id": str(request.state.next_id()),
            "body": body,
            "html": body,
            "author": author,
            "public": not note,
            "created_at": now,
        }
    )
    ticket["updated_at"] = now  # the state is unchanged: a note keeps a closed conversation closed
    add_note(ticket, data["message_type"], body, public=not note, request=data)
    return 200, render_conversation(ticket, request), {}


ROUTES: tuple[Route, ...] = (
    route("GET", "/contacts/{id}", show_contact),
    route("GET", "/me", show_me),
    route("GET", "/conversations/{id}", show_conversation),
    route("POST", "/conversations/{id}/reply", reply),
)

VENDOR = Vendor(
    name="intercom",
    routes=ROUTES,
    authorized=authorized,
    error=error,
    rate_limit_headers=rate_limit_headers,
    every_response_headers=every_response_headers,
)

"""Zendesk Support API (helpdesks.md §1.6–1.8, §6.1).

Auth: ``Authorization: Basic base64("{email}/token:{api_token}")``. IDs are integers in
REST (strings only in webhook events); statuses lower-case. Every response carries
``X-Rate-Limit``/``X-Rate-Limit-Remaining``; a 429 adds ``Retry-After`` and the
``ratelimit-*`` trio. A ``.json`` suffix is optional on every path. Error bodies are
``{"error", "description"}`` (the exact texts are unconfirmed in helpdesks.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .routing import Answer, Request, Route, Vendor, basic_credentials, route
from .state import (
    CLOSED_STATUSES,
    add_note,
    count_reopens,
    deep_merge,
    iso,
    neutral_status,
    utc_now,
)

if TYPE_CHECKING:
    from .emulator import HelpdeskEmulator

RATE_LIMIT = 700  # per minute (Suite Enterprise, §1.8)
AGENT_ID = 8447388090494  # the API user; author of what the client writes
ACCOUNT_ID = 22129848
BRAND_ID = 8447346621310
# The Time Tracking app's ticket fields (§6.1): found by title in /ticket_fields.
TOTAL_TIME_FIELD = 360028226411
LAST_UPDATE_TIME_FIELD = 360028226431
_PER_PAGE = 100


def _num(value: str | None) -> int | str | None:
    """REST ids are integers; keep a non-numeric seed id as it is."""
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def _zone(time_zone: str | None) -> str | None:
    """Zendesk's Rails-style zone name; the IANA city is close enough for the emulator."""
    if time_zone is None:
        return None
    return "UTC" if time_zone == "UTC" else time_zone.rsplit("/", 1)[-1].replace("_", " ")


def render_user(person: dict[str, Any], base_url: str) -> dict[str, Any]:
    user = {
        "id": _num(person["id"]),
        "url": f"{base_url}/api/v2/users/{person['id']}.json",
        "name": person["name"],
        "email": person["email"],
        "locale": person["locale"],
        "locale_id": 1,
        "time_zone": _zone(person["time_zone"]),
        "iana_time_zone": person["time_zone"],
        "role": person["role"] or "end-user",
        "verified": person["email"] is not None,
        "active": True,
        "external_id": person["external_id"],
        "organization_id": None,
        "tags": [],
        "user_fields": {},
        "created_at": person["created_at"],
        "updated_at": person["updated_at"],
    }
    return deep_merge(user, person["overrides"])


def _author_id(ticket: dict[str, Any], author: str) -> int | str | None:
    if author == "customer":
        return _num(ticket["requester_id"])
    if author == "agent":
        return AGENT_ID
    return _num(author)


def render_comments(ticket: dict[str, Any]) -> list[dict[str, Any]]:
    """The opener (the description) is comment 1, as in Zendesk."""
    opener = {
        "body": ticket["description"],
        "author": "customer",
        "public": True,
        "created_at": ticket["created_at"],
    }
    comments = []
    for index, comment in enumerate([opener, *ticket["comments"]], start=1):
        comments.append(
            {
                "id": comment.get("id", 4_000_000 + index),
                "type": "Comment",
                "author_id": _author_id(ticket, comment["author"]),
                "body": comment["body"],
                "html_body": f'<div class="zd-comment"><p>{comment["body"]}</p></div>',
                "plain_body": comment["body"],
                "public": comment["public"],
                "attachments": [],
                "audit_id": comment.get("audit_id", 5_000_000 + index),
                "via": {"channel": "api" if comment["author"] == "agent" else "web"},
                "metadata": {"system": {}, "custom": {}},
                "created_at": comment["created_at"],
            }
        )
    return comments


def _custom_fields(ticket: dict[str, Any]) -> list[dict[str, Any]]:
    fields = {
        TOTAL_TIME_FIELD: ticket["handle_time_seconds"],
        LAST_UPDATE_TIME_FIELD: None,
    }
    for extra in ticket["custom_fields"]:
        fields[extra["id"]] = extra.get("value")
    return [{"id": field_id, "value": value} for field_id, value in fields.items()]


def render_ticket(ticket: dict[str, Any], base_url: str) -> dict[str, Any]:
    custom_fields = _custom_fields(ticket)
    rendered = {
        "url": f"{base_url}/api/v2/tickets/{ticket['id']}.json",
        "id": _num(ticket["id"]),
        "external_id": None,
        "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": ticket["created_at"],
        "updated_at": ticket["updated_at"],
        "type": "incident",
        "subject": ticket["subject"],
        "raw_subject": ticket["subject"],
        "description": ticket["description"],
        "priority": None,
        "status": ticket["status"],
        "recipient": None,
        "requester_id": _num(ticket["requester_id"]),
        "submitter_id": _num(ticket["requester_id"]),
        "assignee_id": AGENT_ID,
        "organization_id": None,
        "group_id": 8447320466430,
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "problem_id": None,
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": list(ticket["tags"]),
        "custom_fields": custom_fields,
        "fields": custom_fields,
        "satisfaction_rating": None,
        "followup_ids": [],
        "ticket_form_id": 8646151517822,
        "brand_id": BRAND_ID,
        "allow_channelback": False,
        "allow_attachments": True,
        "from_messaging_channel": False,
    }
    return deep_merge(rendered, ticket["overrides"])


def render_metrics(ticket: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Counts derive from the comments and history; durations stay null unless seeded."""
    agent_replies = sum(1 for c in ticket["comments"] if c["author"] == "agent" and c["public"])
    solved = ticket["status"] in CLOSED_STATUSES
    metric = {
        "url": f"{base_url}/api/v2/ticket_metrics/{ticket['id']}.json",
        "id": _num(ticket["id"]),
        "ticket_id": _num(ticket["id"]),
        "created_at": ticket["created_at"],
        "updated_at": ticket["updated_at"],
        "group_stations": 1,
        "assignee_stations": 1,
        "reopens": count_reopens(ticket["history"]),
        "replies": agent_replies,
        "assignee_updated_at": None,
        "requester_updated_at": ticket["created_at"],
        "status_updated_at": ticket["updated_at"],
        "initially_assigned_at": None,
        "assigned_at": None,
        "solved_at": (ticket["closed_at"] or ticket["updated_at"]) if solved else None,
        "latest_comment_added_at": ticket["updated_at"],
        "reply_time_in_minutes": {"calendar": None, "business": None},
        "first_resolution_time_in_minutes": {"calendar": None, "business": None},
        "full_resolution_time_in_minutes": {"calendar": None, "business": None},
        "agent_wait_time_in_minutes": {"calendar": None, "business": None},
        "requester_wait_time_in_minutes": {"calendar": None, "business": None},
        "on_hold_time_in_minutes": {"calendar": None, "business": None},
    }
    return deep_merge(metric, ticket["metrics"])


TICKET_FIELDS: tuple[tuple[int, str, str], ...] = (
    (360000000001, "subject", "Subject"),
    (360000000002, "description", "Description"),
    (360000000003, "status", "Status"),
    (TOTAL_TIME_FIELD, "integer", "Total time spent (sec)"),
    (LAST_UPDATE_TIME_FIELD, "integer", "Time spent last update (sec)"),
)


# ---- errors & headers -----------------------------------------------------------
def error(status: int, message: str) -> dict[str, Any]:
    names = {
        401: "Couldn't authenticate you",
        404: "RecordNotFound",
        409: "UpdateConflict",
        422: "RecordInvalid",
        429: "TooManyRequests",
    }
    if status == 401:
        return {"error": names[401]}
    return {"error": names.get(status, "InternalError"), "description": message}


def _not_found() -> Answer:
    return 404, error(404, "Not found"), {}


def rate_limit_headers(
    emulator: HelpdeskEmulator, retry_after: int | None, used: int
) -> dict[str, str]:
    wait = retry_after or 60
    return {
        "Retry-After": str(wait),
        "X-Rate-Limit": str(RATE_LIMIT),
        "X-Rate-Limit-Remaining": "0",
        "ratelimit-limit": str(RATE_LIMIT),
        "ratelimit-remaining": "0",
        "ratelimit-reset": str(wait),
    }


def every_response_headers(emulator: HelpdeskEmulator, used: int) -> dict[str, str]:
    return {
        "X-Rate-Limit": str(RATE_LIMIT),
        "X-Rate-Limit-Remaining": str(max(0, RATE_LIMIT - used)),
    }


def authorized(request: Request) -> bool:
    emulator = request.emulator
    expected = (f"{emulator.zendesk_email}/token", emulator.zendesk_token)
    return basic_credentials(request.headers) == expected


def _strip_json(path: str) -> str:
    return path.removesuffix(".json")


# ---- handlers -------------------------------------------------------------------
def _ticket_or_404(request: Request) -> dict[str, Any] | None:
    return request.state.ticket("zendesk", request.params["id"])


def show_user(request: Request) -> Answer:
    person = request.state.person("zendesk", request.params["id"])
    if person is None:
        return _not_found()
    return 200, {"user": render_user(person, request.base_url)}, {}


def show_ticket(request: Request) -> Answer:
    ticket = _ticket_or_404(request)
    if ticket is None:
        return _not_found()
    return 200, {"ticket": render_ticket(ticket, request.base_url)}, {}


def _locked(ticket: dict[str, Any]) -> Answer | None:
    """Closed tickets are locked (§1.1); the exact 422 text is unconfirmed."""
    if ticket["status"] != "closed":
        return None
    body = error(422, "Record validation errors")
    body["details"] = {
        "status": [
            {
                "description": "Status: closed prevents ticket update",
                "error": "ClosedPreventsUpdate",
            }
        ]
    }
    return 422, body, {}


def _conflict(ticket: dict[str, Any], data: dict[str, Any]) -> Answer | None:
    """``safe_update`` with a stale ``updated_stamp`` → 409 (§1.7)."""
    if str(data.get("safe_update", "")).lower() not in ("true", "1"):
        return None
    stamp = data.get("updated_stamp")
    if stamp and iso(stamp) == ticket["updated_at"]:
        return None
    message = "Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again."
    return 409, error(409, message), {}


def _bad_status(fields: dict[str, Any]) -> Answer | None:
    if "status" not in fields:
        return None
    try:
        neutral_status(str(fields["status"]))
    except ValueError:
        details = {"status": [{"description": f"Status: {fields['status']} is not valid"}]}
        return 422, {**error(422, "Record validation errors"), "details": details}, {}
    return None


def _touch(ticket: dict[str, Any]) -> None:
    ticket["updated_at"] = iso(utc_now())


def update_ticket(request: Request) -> Answer:
    ticket = _ticket_or_404(request)
    if ticket is None:
        return _not_found()
    data = request.json()
    fields = data.get("ticket") if isinstance(data, dict) else None
    if not isinstance(fields, dict):
        return 400, error(400, "param is missing or the value is empty: ticket"), {}
    refused = _locked(ticket) or _conflict(ticket, fields) or _bad_status(fields)
    if refused:
        return refused
    events: list[dict[str, Any]] = []
    audit_id = request.state.next_id()
    comment = fields.get("comment")
    if comment is not None:
        body = (
            comment.get("body") or comment.get("html_body") if isinstance(comment, dict) else None
        )
        if not body:
            return (
                422,
                {
                    **error(422, "Record validation errors"),
                    "details": {"base": [{"description": "Comment: cannot be blank"}]},
                },
                {},
            )
        public = bool(comment.get("public", True))  # Zendesk's default: public
        stored = {
            "id": request.state.next_id(),
            "audit_id": audit_id,
            "body": str(body),
            "author": "agent",
            "public": public,
            "created_at": iso(utc_now()),
        }
        ticket["comments"].append(stored)
        add_note(ticket, "comment", str(body), public=public, request=data)
        events.append(
            render_comments({**ticket, "comments": [stored]})[-1] | {"audit_id": audit_id}
        )
    if "tags" in fields:  # Update Ticket replaces every tag (§1.7)
        ticket["tags"] = list(dict.fromkeys(str(t) for t in fields["tags"]))
    _touch(ticket)
    if "status" in fields:
        ticket["status"] = neutral_status(str(fields["status"]))
        ticket["history"].append(ticket["status"])
        ticket["closed_at"] = ticket["updated_at"] if ticket["status"] in CLOSED_STATUSES else None
    audit = {
        "id": audit_id,
        "ticket_id": _num(ticket["id"]),
        "created_at": ticket["updated_at"],
        "author_id": AGENT_ID,
        "metadata": {"system": {}, "custom": {}},
        "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
        "events": events,
    }
    return 200, {"ticket": render_ticket(ticket, request.base_url), "audit": audit}, {}


def _tags_in(request: Request) -> list[str] | None:
    data = request.json()
    tags = data.get("tags") if isinstance(data, dict) else None
    if not isinstance(tags, list):
        return None
    return [str(tag) for tag in tags]


def show_tags(request: Request) -> Answer:
    ticket = _ticket_or_404(request)
    if ticket is None:
        return _not_found()
    return 200, {"tags": list(ticket["tags"])}, {}


def change_tags(request: Request) -> Answer:
    """PUT adds (200), POST replaces (201), DELETE removes (204): §1.7."""
    ticket = _ticket_or_404(request)
    if ticket is None:
        return _not_found()
    tags = _tags_in(request)
    if tags is None:
        return 400, error(400, "param is missing or the value is empty: tags"), {}
    refused = _locked(ticket) or _conflict(ticket, request.json())
    if refused:
        return refused
    if request.method == "PUT":
        ticket["tags"] = list(dict.fromkeys([*ticket["tags"], *tags]))
    elif request.method == "POST":
        ticket["tags"] = list(dict.fromkeys(tags))
    else:
        ticket["tags"] = [tag for tag in ticket["tags"] if tag not in tags]
    _touch(ticket)
    if request.method == "DELETE":
        return 204, None, {}
    return (201 if request.method == "POST" else 200), {"tags": list(ticket["tags"])}, {}


def show_metrics(request: Request) -> Answer:
    ticket = _ticket_or_404(request)
    if ticket is None:
        return _not_found()
    return 200, {"ticket_metric": render_metrics(ticket, request.base_url)}, {}


def list_comments(request: Request) -> Answer:
    ticket = _ticket_or_404(request)
    if ticket is None:
        return _not_found()
    comments = render_comments(ticket)
    per_page = request.int_arg("per_page", _PER_PAGE, low=1, high=_PER_PAGE)
    page = request.int_arg("page", 1, low=1)
    start = (page - 1) * per_page
    base = f"{request.base_url}/api/v2/tickets/{ticket['id']}/comments.json"
    has_next = start + per_page < len(comments)
    return (
        200,
        {
            "comments": comments[start : start + per_page],
            "next_page": f"{base}?page={page + 1}&per_page={per_page}" if has_next else None,
            "previous_page": f"{base}?page={page - 1}&per_page={per_page}" if page > 1 else None,
            "count": len(comments),
        },
        {},
    )


def list_ticket_fields(request: Request) -> Answer:
    fields = [
        {
            "url": f"{request.base_url}/api/v2/ticket_fields/{field_id}.json",
            "id": field_id,
            "type": kind,
            "title": title,
            "raw_title": title,
            "description": "",
            "position": position,
            "active": True,
            "required": False,
            "removable": kind == "integer",
            "created_at": "2024-01-10T09:00:00Z",
            "updated_at": "2024-01-10T09:00:00Z",
        }
        for position, (field_id, kind, title) in enumerate(TICKET_FIELDS, start=1)
    ]
    return (
        200,
        {"ticket_fields": fields, "next_page": None, "previous_page": None, "count": len(fields)},
        {},
    )


ROUTES: tuple[Route, ...] = tuple(
    route(method, pattern, handler)
    for method, pattern, handler in (
        ("GET", "/api/v2/users/{id}", show_user),
        ("GET", "/api/v2/tickets/{id}", show_ticket),
        ("PUT", "/api/v2/tickets/{id}", update_ticket),
        ("GET", "/api/v2/tickets/{id}/tags", show_tags),
        ("PUT", "/api/v2/tickets/{id}/tags", change_tags),
        ("POST", "/api/v2/tickets/{id}/tags", change_tags),
        ("DELETE", "/api/v2/tickets/{id}/tags", change_tags),
        ("GET", "/api/v2/tickets/{id}/metrics", show_metrics),
        ("GET", "/api/v2/tickets/{id}/comments", list_comments),
        ("GET", "/api/v2/ticket_fields", list_ticket_fields),
    )
)

VENDOR = Vendor(
    name="zendesk",
    routes=ROUTES,
    authorized=authorized,
    error=error,
    rate_limit_headers=rate_limit_headers,
    normalise_path=_strip_json,
    every_response_headers=every_response_headers,
)

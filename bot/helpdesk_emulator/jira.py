"""Jira Cloud platform REST v3 and the JSM servicedesk API (helpdesks.md §3.6–3.8, §6.3).

Auth: ``Authorization: Basic base64("{email}:{api_token}")``. A user's ``emailAddress``,
``timeZone`` and ``locale`` are null when seeded as ``None`` (a profile hiding them; the
issue's ``reporter`` then omits ``emailAddress``). v3 comments take an ADF document;
``properties: [{"key": "sd.public.comment", "value": {"internal": true}}]`` makes one
internal (``internal`` must be a JSON boolean, anything else leaves it public). Errors
are Jira's ``{"errorMessages": [...], "errors": {...}}``; JSM's are
``{"errorMessage", "i18nErrorMessage"}``. A 429 carries ``Retry-After``,
``X-RateLimit-Limit``, ``X-RateLimit-Remaining``, ``X-RateLimit-Reset`` (ISO 8601 to the
minute) and ``RateLimit-Reason``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .routing import Answer, Request, Route, Vendor, basic_credentials, reset_at, route
from .state import add_note, deep_merge, iso, parse_iso, utc_now

if TYPE_CHECKING:
    from .emulator import HelpdeskEmulator

RATE_LIMIT = 100  # burst, per second (§3.8)
API_ACCOUNT_ID = "5b10ac8d82e05b22cc7d4ef5"  # the API token's own user: author of writes
_LOCALES = {
    "en": "en_US",
    "ro": "ro_RO",
    "de": "de_DE",
    "fr": "fr_FR",
    "es": "es_ES",
    "ja": "ja_JP",
    "pt": "pt_BR",
    "it": "it_IT",
    "nl": "nl_NL",
}
# neutral status -> (status id, name, category id, category key, colour, category name)
_STATUS = {
    "new": ("10000", "To Do", 2, "new", "blue-gray", "To Do"),
    "open": ("10000", "To Do", 2, "new", "blue-gray", "To Do"),
    "pending": ("10001", "In Progress", 4, "indeterminate", "yellow", "In Progress"),
    "hold": ("10001", "In Progress", 4, "indeterminate", "yellow", "In Progress"),
    "solved": ("10002", "Done", 3, "done", "green", "Done"),
    "closed": ("6", "Closed", 3, "done", "green", "Done"),
}


def jira_time(moment: str) -> str:
    """``2025-01-09T09:00:00.000+0000``, Jira's timestamp format."""
    return parse_iso(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _locale(locale: str | None) -> str | None:
    if locale is None:
        return None
    return _LOCALES.get(locale, locale.replace("-", "_"))


def render_user(person: dict[str, Any] | None, base_url: str) -> dict[str, Any]:
    """``person=None`` is the API token's own (agent) user."""
    if person is None:
        person = {
            "id": API_ACCOUNT_ID,
            "email": "cxbot@example.com",
            "name": "cxbot",
            "time_zone": "UTC",
            "locale": "en",
            "role": "atlassian",
            "overrides": {},
        }
    user = {
        "self": f"{base_url}/rest/api/3/user?accountId={person['id']}",
        "accountId": person["id"],
        "accountType": person["role"] or "atlassian",
        "emailAddress": person["email"],
        "avatarUrls": {
            size: f"https://avatar-management.example/{person['id']}/{size}"
            for size in ("48x48", "24x24", "16x16", "32x32")
        },
        "displayName": person["name"],
        "active": True,
        "timeZone": person["time_zone"],
        "locale": _locale(person["locale"]),
    }
    return deep_merge(user, person["overrides"])


def _user_ref(person: dict[str, Any] | None, base_url: str) -> dict[str, Any]:
    """A user inside an issue or comment: no ``locale``, no null ``emailAddress``."""
    ref = render_user(person, base_url)
    ref.pop("locale", None)
    if ref.get("emailAddress") is None:
        ref.pop("emailAddress", None)
    return ref


def adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": line}]}
            for line in text.split("\n")
            if line
        ],
    }


def adf_text(document: Any) -> str:
    """The plain text of an ADF document (paragraphs joined by newlines)."""
    if isinstance(document, dict):
        if document.get("type") == "text":
            return str(document.get("text", ""))
        parts = [adf_text(child) for child in document.get("content", [])]
        joiner = "\n" if document.get("type") == "doc" else ""
        return joiner.join(parts)
    return ""


def _status(name: str, base_url: str) -> dict[str, Any]:
    status_id, label, category_id, key, colour, category_name = _STATUS[name]
    return {
        "self": f"{base_url}/rest/api/3/status/{status_id}",
        "description": "",
        "iconUrl": f"{base_url}/images/icons/statuses/generic.png",
        "name": label,
        "id": status_id,
        "statusCategory": {
            "self": f"{base_url}/rest/api/3/statuscategory/{category_id}",
            "id": category_id,
            "key": key,
            "colorName": colour,
            "name": category_name,
        },
    }


def _author(ticket: dict[str, Any], author: str, request: Request) -> dict[str, Any] | None:
    if author == "agent":
        return None
    person_id = ticket["requester_id"] if author == "customer" else author
    found = request.state.person("jira", person_id) if person_id else None
    return found or {
        "id": person_id,
        "email": None,
        "name": "Former user",
        "time_zone": None,
        "locale": None,
        "role": "atlassian",
        "overrides": {},
    }


def render_comment(
    ticket: dict[str, Any], comment: dict[str, Any], index: int, request: Request
) -> dict[str, Any]:
    author = _user_ref(_author(ticket, comment["author"], request), request.base_url)
    comment_id = str(comment.get("id") or 10_000 + index)
    rendered = {
        "self": f"{request.base_url}/rest/api/3/issue/{ticket['jira_id']}/comment/{comment_id}",
        "id": comment_id,
        "author": author,
        "body": comment.get("adf") or adf(comment["body"]),
        "updateAuthor": author,
        "created": jira_time(comment["created_at"]),
        "updated": jira_time(comment["created_at"]),
        "jsdPublic": comment["public"],
    }
    if comment.get("visibility"):
        rendered["visibility"] = comment["visibility"]
    return rendered


def _worklogs(ticket: dict[str, Any], request: Request) -> list[dict[str, Any]]:
    specs = ticket["worklogs"]
    if specs is None:
        specs = [] if ticket["handle_time_seconds"] is None else [ticket["handle_time_seconds"]]
    agent = _user_ref(None, request.base_url)
    logs = []
    for index, spec in enumerate(specs, start=1):
        fields = {"seconds": spec} if isinstance(spec, int) else dict(spec)
        seconds = int(fields.pop("seconds", 0))
        log_id = str(fields.pop("id", 100_000 + index))
        entry = {
            "self": f"{request.base_url}/rest/api/3/issue/{ticket['jira_id']}/worklog/{log_id}",
            "author": agent,
            "updateAuthor": agent,
            "created": jira_time(ticket["updated_at"]),
            "updated": jira_time(ticket["updated_at"]),
            "started": jira_time(ticket["updated_at"]),
            "timeSpent": _duration(seconds),
            "timeSpentSeconds": seconds,
            "id": log_id,
            "issueId": ticket["jira_id"],
        }
        logs.append(deep_merge(entry, fields))
    return logs


def _duration(seconds: int) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    return (
        " ".join(
            part
            for part in (f"{hours}h" if hours else "", f"{minutes}m" if minutes else "")
            if part
        )
        or "0m"
    )


def render_issue(ticket: dict[str, Any], request: Request) -> dict[str, Any]:
    base = request.base_url
    reporter = (
        request.state.person("jira", ticket["requester_id"]) if ticket["requester_id"] else None
    )
    comments = [render_comment(ticket, c, i, request) for i, c in enumerate(ticket["comments"], 1)]
    worklogs = _worklogs(ticket, request)
    spent = sum(w["timeSpentSeconds"] for w in worklogs)
    done = _STATUS[ticket["status"]][3] == "done"
    key = ticket["id"]
    project = key.split("-")[0] if "-" in key else "SUP"
    issue = {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": ticket["jira_id"],
        "self": f"{base}/rest/api/3/issue/{ticket['jira_id']}",
        "key": key,
        "fields": {
            "summary": ticket["subject"],
            "description": adf(ticket["description"]),
            "status": _status(ticket["status"], base),
            "resolution": {"id": "10000", "name": "Done"} if done else None,
            "resolutiondate": jira_time(ticket["closed_at"] or ticket["updated_at"])
            if done
            else None,
            "reporter": _user_ref(reporter, base) if reporter else None,
            "creator": _user_ref(reporter, base) if reporter else None,
            "assignee": _user_ref(None, base),
            "project": {"id": "10000", "key": project, "name": "Support"},
            "issuetype": {"id": "10101", "name": "[System] Service request"},
            "labels": list(ticket["tags"]),
            "created": jira_time(ticket["created_at"]),
            "updated": jira_time(ticket["updated_at"]),
            "comment": {
                "comments": comments,
                "self": f"{base}/rest/api/3/issue/{ticket['jira_id']}/comment",
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            },
            "worklog": {
                "startAt": 0,
                "maxResults": 20,
                "total": len(worklogs),
                "worklogs": worklogs[:20],
            },
            "timetracking": {"timeSpent": _duration(spent), "timeSpentSeconds": spent}
            if worklogs
            else {},
        },
    }
    return deep_merge(issue, ticket["overrides"])


# ---- errors & headers -----------------------------------------------------------
def error(status: int, message: str) -> dict[str, Any]:
    if status == 401:
        message = "Client must be authenticated to access this resource."
    return {"errorMessages": [message], "errors": {}}


def _not_found(
    message: str = "Issue does not exist or you do not have permission to see it.",
) -> Answer:
    return 404, error(404, message), {}


def rate_limit_headers(
    emulator: HelpdeskEmulator, retry_after: int | None, used: int
) -> dict[str, str]:
    # Jira gives the reset to the minute; round up so it never lies before the real one.
    reset = datetime.fromtimestamp(math.ceil(reset_at(retry_after) / 60) * 60, UTC)
    reset_text = reset.strftime("%Y-%m-%dT%H:%MZ")
    return {
        "Retry-After": str(retry_after or 60),
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset_text,
        "RateLimit-Reason": "jira-burst-based",
    }


def authorized(request: Request) -> bool:
    emulator = request.emulator
    return basic_credentials(request.headers) == (emulator.jira_email, emulator.jira_token)


# ---- handlers -------------------------------------------------------------------
def _issue(request: Request) -> dict[str, Any] | None:
    """By key (``SUP-42``) or numeric id, as Jira accepts both."""
    wanted = request.params["key"]
    found = request.state.ticket("jira", wanted)
    if found is None:
        found = next(
            (t for t in request.state.tickets["jira"].values() if t["jira_id"] == wanted), None
        )
    return found


def show_user(request: Request) -> Answer:
    account_id = request.query.get("accountId")
    if not account_id:
        return 400, error(400, "The query parameter 'accountId' is required."), {}
    person = request.state.person("jira", account_id)
    if person is None:
        return _not_found("Specified user does not exist or you do not have required permissions")
    return 200, render_user(person, request.base_url), {}


def show_issue(request: Request) -> Answer:
    ticket = _issue(request)
    if ticket is None:
        return _not_found()
    return 200, render_issue(ticket, request), {}


def _is_internal(properties: Any) -> bool:
    if not isinstance(properties, list):
        return False
    return any(
        isinstance(p, dict)
        and p.get("key") == "sd.public.comment"
        and isinstance(p.get("value"), dict)
        and p["value"].get("internal") is True
        for p in properties
    )


def add_comment(request: Request) -> Answer:
    ticket = _issue(request)
    if ticket is None:
        return _not_found()
    data = request.json()
    body = data.get("body") if isinstance(data, dict) else None
    if not (
        isinstance(body, dict)
        and body.get("type") == "doc"
        and isinstance(body.get("content"), list)
    ):
        message = (
            "Operation value must be an Atlassian Document (see the Atlassian Document Format)."
        )
        return 400, {"errorMessages": [], "errors": {"comment": message}}, {}
    public = not _is_internal(data.get("properties"))
    now = iso(utc_now())
    comment = {
        "id": str(request.state.next_id()),
        "body": adf_text(body),
        "adf": body,
        "author": "agent",
        "public": public,
        "created_at": now,
        "visibility": data.get("visibility"),
    }
    ticket["comments"].append(comment)
    ticket["updated_at"] = now
    add_note(ticket, "comment", adf_text(body), public=public, request=data)
    return 201, render_comment(ticket, comment, len(ticket["comments"]), request), {}


def list_comments(request: Request) -> Answer:
    ticket = _issue(request)
    if ticket is None:
        return _not_found()
    comments = [render_comment(ticket, c, i, request) for i, c in enumerate(ticket["comments"], 1)]
    if request.query.get("orderBy", "created").lstrip("+") == "-created":
        comments.reverse()
    start = request.int_arg("startAt", 0)
    limit = request.int_arg("maxResults", 50, low=1, high=100)
    page = comments[start : start + limit]
    return (
        200,
        {"startAt": start, "maxResults": limit, "total": len(comments), "comments": page},
        {},
    )


def list_worklogs(request: Request) -> Answer:
    ticket = _issue(request)
    if ticket is None:
        return _not_found()
    logs = _worklogs(ticket, request)
    return 200, {"startAt": 0, "maxResults": 1048576, "total": len(logs), "worklogs": logs}, {}


def list_changelog(request: Request) -> Answer:
    """One entry per status move in the ticket's history (the first state is creation)."""
    ticket = _issue(request)
    if ticket is None:
        return _not_found()
    history = ticket["history"]
    values = []
    for index, (before, after) in enumerate(zip(history, history[1:], strict=False), start=1):
        old, new = _STATUS[before], _STATUS[after]
        values.append(
            {
                "id": str(20_000 + index),
                "author": _user_ref(None, request.base_url),
                "created": jira_time(ticket["updated_at"]),
                "items": [
                    {
                        "field": "status",
                        "fieldtype": "jira",
                        "fieldId": "status",
                        "from": old[0],
                        "fromString": old[1],
                        "to": new[0],
                        "toString": new[1],
                    }
                ],
            }
        )
    start = request.int_arg("startAt", 0)
    limit = request.int_arg("maxResults", 100, low=1, high=100)
    page = values[start : start + limit]
    return (
        200,
        {
            "self": f"{request.base_url}/rest/api/3/issue/{ticket['id']}/changelog?startAt={start}&maxResults={limit}",
            "maxResults": limit,
            "startAt": start,
            "total": len(values),
            "isLast": start + limit >= len(values),
            "values": page,
        },
        {},
    )


def show_status(request: Request) -> Answer:
    """``GET /rest/api/3/status/{idOrName}``: a status and its category (how a client learns
    that a changelog's from-id was a done status, §3.3)."""
    wanted = request.params["id"].lower()
    for name, (status_id, label, *_rest) in _STATUS.items():
        if wanted in (status_id, label.lower()):
            return 200, _status(name, request.base_url), {}
    return _not_found(f"The status with id '{request.params['id']}' does not exist.")


def _date_dto(moment: str) -> dict[str, Any]:
    parsed = parse_iso(moment)
    return {
        "iso8601": parsed.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "jira": jira_time(moment),
        "friendly": parsed.strftime("Today %I:%M %p"),
        "epochMillis": int(parsed.timestamp() * 1000),
    }


def add_request_comment(request: Request) -> Answer:
    """JSM: ``{"body": "text", "public": false}`` → 201 CommentDTO (§3.7)."""
    ticket = _issue(request)
    if ticket is None:
        return (
            404,
            {
                "errorMessage": "Request does not exist or you do not have permission to see it.",
                "i18nErrorMessage": {"i18nKey": "sd.request.error.not.found", "parameters": []},
            },
            {},
        )
    data = request.json()
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, str) or not body.strip():
        return (
            400,
            {
                "errorMessage": "The comment body is required.",
                "i18nErrorMessage": {"i18nKey": "sd.comment.body.required", "parameters": []},
            },
            {},
        )
    public = data.get("public", True) is not False
    now = iso(utc_now())
    comment = {
        "id": str(request.state.next_id()),
        "body": body,
        "author": "agent",
        "public": public,
        "created_at": now,
    }
    ticket["comments"].append(comment)
    ticket["updated_at"] = now
    add_note(ticket, "jsm_comment", body, public=public, request=data)
    agent = _user_ref(None, request.base_url)
    author = {
        key: agent.get(key)
        for key in ("accountId", "emailAddress", "displayName", "active", "timeZone")
    }
    author["_links"] = {"self": agent["self"]}
    return (
        201,
        {
            "id": comment["id"],
            "body": body,
            "public": public,
            "author": author,
            "created": _date_dto(now),
            "_links": {
                "self": f"{request.base_url}/rest/servicedeskapi/request/{ticket['jira_id']}/comment/{comment['id']}"
            },
        },
        {},
    )


ROUTES: tuple[Route, ...] = (
    route("GET", "/rest/api/3/user", show_user),
    route("GET", "/rest/api/3/issue/{key}", show_issue),
    route("POST", "/rest/api/3/issue/{key}/comment", add_comment),
    route("GET", "/rest/api/3/issue/{key}/comment", list_comments),
    route("GET", "/rest/api/3/issue/{key}/worklog", list_worklogs),
    route("GET", "/rest/api/3/issue/{key}/changelog", list_changelog),
    route("GET", "/rest/api/3/status/{id}", show_status),
    route("POST", "/rest/servicedeskapi/request/{key}/comment", add_request_comment),
)

VENDOR = Vendor(
    name="jira",
    routes=ROUTES,
    authorized=authorized,
    error=error,
    rate_limit_headers=rate_limit_headers,
)

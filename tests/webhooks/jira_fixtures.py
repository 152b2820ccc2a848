"""Jira bodies copied field for field from helpdesks.md §3.2 (shared by the parse and scenario tests).

Builders return fresh copies; tests change one thing from the documented example.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from typing import Any

#: helpdesks.md §3.2 "Example: resolved (Cloud, shaped on the documented envelope and real fixtures)".
RESOLVED: dict[str, Any] = {
    "timestamp": 1736409600000,
    "webhookEvent": "jira:issue_updated",
    "issue_event_type_name": "issue_generic",
    "user": {"self": "https://acme.atlassian.net/rest/api/2/user?accountId=5b10a2844c20165700ede21g",
             "accountId": "5b10a2844c20165700ede21g", "displayName": "Mia Agent",
             "active": True, "timeZone": "Europe/Berlin", "accountType": "atlassian"},
    "issue": {
        "id": "10042", "key": "SUP-42",
        "self": "https://acme.atlassian.net/rest/api/2/issue/10042",
        "fields": {
            "summary": "Cannot log in",
            "status": {"name": "Done", "id": "10002",
                       "statusCategory": {"id": 3, "key": "done", "colorName": "green", "name": "Done"}},
            "resolution": {"id": "10000", "name": "Done"},
            "resolutiondate": "2025-01-09T09:00:00.000+0100",
            "reporter": {"accountId": "qm:1a2b3c4d-…", "displayName": "Ana Pop",
                         "active": True, "timeZone": "Europe/Bucharest", "accountType": "customer"},
            "project": {"id": "10000", "key": "SUP", "name": "Support"},
            "issuetype": {"id": "10101", "name": "[System] Service request"},
            "updated": "2025-01-09T09:00:00.000+0100",
        },
    },
    "changelog": {"id": "10234", "items": [
        {"field": "resolution", "fieldtype": "jira", "fieldId": "resolution",
         "from": None, "fromString": None, "to": "10000", "toString": "Done"},
        {"field": "status", "fieldtype": "jira", "fieldId": "status",
         "from": "10001", "fromString": "In Progress", "to": "10002", "toString": "Done"},
    ]},
}  # fmt: skip
REPORTER_ACCOUNT = "qm:1a2b3c4d-…"

#: §3.2 "JSM Send web request: Custom data", as Jira renders cxbot's template.
CUSTOM: dict[str, Any] = {
    "cxbot_event": "issue_resolved",
    "issue_id": "10042",
    "issue_key": "SUP-42",
    "status": "Resolved",
    "status_category": "done",
    "reporter_account_id": "qm:1a2b3c4d-…",
    "reporter_email": "ana.pop@example.com",
    "reporter_name": "Ana Pop",
    "fired_at": "2025-01-09T09:00:00.0+0100",
}

#: §3.2 "Issue data (Automation format)": top-level self, id (a number), key, changelog, fields.
AUTOMATION: dict[str, Any] = {
    "self": "https://acme.atlassian.net/rest/api/2/issue/10042",
    "id": 10042,
    "key": "SUP-42",
    "changelog": {"id": "10234", "items": [
        {"field": "status", "fieldtype": "jira", "fieldId": "status",
         "from": "10001", "fromString": "In Progress", "to": "10002", "toString": "Done"}]},
    "fields": {
        "status": {"name": "Done", "id": "10002",
                   "statusCategory": {"id": 3, "key": "done", "colorName": "green", "name": "Done"}},
        "reporter": {"accountId": "qm:1a2b3c4d-…", "displayName": "Ana Pop",
                     "active": True, "timeZone": "Europe/Bucharest", "accountType": "customer"},
        "project": {"id": "10000", "key": "SUP", "name": "Support"},
        "issuetype": {"id": "10101", "name": "[System] Service request"},
        "customfield_10031": {"languageCode": "en", "displayName": "English"},
    },
}  # fmt: skip

DONE: dict[str, Any] = {"name": "Done", "id": "10002",
        "statusCategory": {"id": 3, "key": "done", "colorName": "green", "name": "Done"}}  # fmt: skip
IN_PROGRESS: dict[str, Any] = {"name": "In Progress", "id": "10001",
               "statusCategory": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"}}  # fmt: skip
TO_DO: dict[str, Any] = {"name": "To Do", "id": "10000",
         "statusCategory": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"}}  # fmt: skip


def resolved(email: str | None = None, key: str = "SUP-42") -> dict[str, Any]:
    """The documented closure; ``email`` makes the reporter's address visible."""
    body = copy.deepcopy(RESOLVED)
    body["issue"]["key"] = key
    if email is not None:
        body["issue"]["fields"]["reporter"]["emailAddress"] = email
    return body


def reopened(email: str | None = None, key: str = "SUP-42") -> dict[str, Any]:
    """§3.2 "Example: reopened": status Done → In Progress, category indeterminate,
    the resolution item going to null."""
    body = resolved(email, key)
    fields = body["issue"]["fields"]
    fields["status"] = copy.deepcopy(IN_PROGRESS)
    fields["resolution"] = None
    fields["resolutiondate"] = None
    body["changelog"]["items"] = [
        {"field": "resolution", "fieldtype": "jira", "fieldId": "resolution",
         "from": "10000", "fromString": "Done", "to": None, "toString": None},
        {"field": "status", "fieldtype": "jira", "fieldId": "status",
         "from": "10002", "fromString": "Done", "to": "10001", "toString": "In Progress"},
    ]  # fmt: skip
    return body


def started(key: str = "SUP-43") -> dict[str, Any]:
    """To Do → In Progress: a status change that is neither a closure nor a reopen."""
    body = reopened(key=key)
    body["changelog"]["items"] = [
        {"field": "status", "fieldtype": "jira", "fieldId": "status",
         "from": "10000", "fromString": "To Do", "to": "10001", "toString": "In Progress"},
    ]  # fmt: skip
    return body


def created_done(key: str = "SUP-44", email: str | None = None) -> dict[str, Any]:
    """``jira:issue_created`` straight into a done status (e.g. a logged phone call): the
    changelog's ``field`` reads ``"Status"``, its ``fieldId`` ``"status"``."""
    body = resolved(email, key)
    body["webhookEvent"] = "jira:issue_created"
    body["issue_event_type_name"] = "issue_created"
    body["issue"]["fields"]["created"] = "2025-01-09T08:55:00.000+0100"
    body["changelog"] = {"id": "10300", "items": [
        {"field": "Status", "fieldtype": "jira", "fieldId": "status",
         "from": None, "fromString": None, "to": "10002", "toString": "Done"}]}  # fmt: skip
    return body


def hub_signature(secret: str, body: bytes) -> dict[str, str]:
    """``X-Hub-Signature: sha256=<hex>``, computed independently of cxbot's code."""
    return {
        "X-Hub-Signature": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    }

"""Zendesk, Freshdesk, Jira and Intercom payloads, each with its own signature scheme."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.webhooks.signatures import hmac_base64, hmac_hex
from storage.db import open_db
from tests.scenarios.harness import WEBHOOK_SECRET, http
from tests.webhooks.zendesk_payloads import SOLVED_EVENT, TEMPLATE_SOLVED

# Zendesk's documented bodies (helpdesks.md §1.2a event, §1.2b trigger template); an event
# carries no email (only detail.requester_id): tests/scenarios/test_zendesk_webhooks.py covers it.
ZENDESK_EVENT = SOLVED_EVENT
ZENDESK_TEMPLATE = TEMPLATE_SOLVED
# The older README's trigger template, still accepted.
ZENDESK_TRIGGER = {
    "ticket": {
        "id": "5513", "status": "Solved", "requester": {"email": "noa@example.com"},
        "assignee": {"name": "Dana Levi", "email": "dana@support.example"}, "group": {"name": "Billing"},
        "tags": "refund vip", "via": "Mail", "priority": "Normal", "created_at": "2026-11-20T10:00:00Z",
    }
}  # fmt: skip
FRESHDESK = {
    "freshdesk_webhook": {
        "ticket_id": 901, "ticket_status": "Resolved", "ticket_requester_email": "li@example.com",
        "ticket_agent_name": "Ion Popescu", "ticket_group_name": "Payments", "ticket_tags": "card,refund",
        "ticket_source": "Email", "ticket_priority": "Medium", "ticket_created_at": "Mon, 23 Nov 2026 08:00:00 +0000",
    }
}  # fmt: skip
JIRA = {  # helpdesks.md §3.2, the Cloud admin webhook envelope
    "timestamp": 1795430000000,
    "webhookEvent": "jira:issue_updated",
    "issue_event_type_name": "issue_generic",
    "user": {"self": "https://acme.atlassian.net/rest/api/2/user?accountId=5b10a2844c20165700ede21g",
             "accountId": "5b10a2844c20165700ede21g", "displayName": "Nino Beridze",
             "active": True, "timeZone": "Asia/Tbilisi", "accountType": "atlassian"},
    "issue": {
        "id": "10001", "key": "HELP-77",
        "self": "https://acme.atlassian.net/rest/api/2/issue/10001",
        "fields": {
            "summary": "VPN drops every hour",
            "status": {"name": "Resolved", "id": "10002",
                       "statusCategory": {"id": 3, "key": "done", "colorName": "green", "name": "Done"}},
            "resolution": {"id": "10000", "name": "Done"},
            "resolutiondate": "2026-11-23T09:00:00.000+0000",
            "reporter": {"accountId": "qm:7f1e2d3c-0002", "emailAddress": "dariush@example.com",
                         "displayName": "Dariush", "active": True, "timeZone": "Asia/Tehran",
                         "accountType": "customer"},
            "assignee": {"accountId": "5b10a2844c20165700ede21g", "emailAddress": "nino@support.example",
                         "displayName": "Nino Beridze", "active": True, "accountType": "atlassian"},
            "labels": ["vpn"], "priority": {"id": "2", "name": "High"},
            "components": [{"id": "10020", "name": "Network"}],
            "project": {"id": "10000", "key": "HELP", "name": "Helpdesk"},
            "issuetype": {"id": "10101", "name": "[System] Service request"},
            "created": "2026-11-22T10:00:00.000+0000", "updated": "2026-11-23T09:00:00.000+0000",
        },
    },
    "changelog": {"id": "10234", "items": [
        {"field": "status", "fieldtype": "jira", "fieldId": "status",
         "from": "10001", "fromString": "In Progress", "to": "10002", "toString": "Resolved"},
        {"field": "resolution", "fieldtype": "jira", "fieldId": "resolution",
         "from": None, "fromString": None, "to": "10000", "toString": "Done"},
    ]},
}  # fmt: skip
INTERCOM = {
    "type": "notification_event",
    "topic": "conversation.admin.closed",
    "id": "notif_1",
    "created_at": 1795430000,
    "data": {
        "type": "notification_event_data",
        "item": {
            "type": "conversation", "id": "215", "created_at": 1795420000, "priority": "not_priority",
            "source": {"type": "conversation", "delivered_as": "customer_initiated",
                       "author": {"type": "user", "id": "u1", "name": "Emma", "email": "emma@example.com"}},
            "team_assignee_id": "Support EMEA", "tags": {"type": "tag.list", "tags": [{"type": "tag", "name": "vip"}]},
            "statistics": {"first_admin_reply_at": 1795421000, "last_close_at": 1795430000},
            "conversation_parts": {"conversation_parts": [{"author": {"type": "admin", "name": "Omar", "email": "omar@support.example"}}]},
        },
    },
}  # fmt: skip


def send(
    server, source: str, payload: dict, headers: Callable[[bytes], dict[str, str]]
) -> tuple[int, dict]:
    body = json.dumps(payload).encode()
    reply = http(
        "POST",
        f"{server.url}/webhooks/{source}",
        body,
        {"Content-Type": "application/json", **headers(body)},
    )
    return reply.status, reply.json()


def zendesk_headers(body: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "X-Zendesk-Webhook-Signature": hmac_base64(secret, stamp.encode() + body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }


def freshdesk_headers(body: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"freshdesk:{secret}".encode()).decode()}


def jira_headers(body: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    return {"X-Hub-Signature": "sha256=" + hmac_hex(secret, body)}


def intercom_headers(body: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    return {"X-Hub-Signature": "sha1=" + hmac_hex(secret, body, hashlib.sha1)}


CASES = [
    (
        "zendesk",
        ZENDESK_TEMPLATE,
        zendesk_headers,
        ("5158", "ana@example.com", None, None, '["printer", "vip"]', None, None),
    ),
    (
        "zendesk",
        ZENDESK_TRIGGER,
        zendesk_headers,
        ("5513", "noa@example.com", "Dana Levi", "Billing", '["refund", "vip"]', "Mail", "Normal"),
    ),
    (
        "freshdesk",
        FRESHDESK,
        freshdesk_headers,
        (
            "901",
            "li@example.com",
            "Ion Popescu",
            "Payments",
            '["card", "refund"]',
            "Email",
            "Medium",
        ),
    ),
    (
        "jira",
        JIRA,
        jira_headers,
        ("HELP-77", "dariush@example.com", "Nino Beridze", "Network", '["vpn"]', "jira", "High"),
    ),
    (
        "intercom",
        INTERCOM,
        intercom_headers,
        (
            "215",
            "emma@example.com",
            "Omar",
            "Support EMEA",
            '["vip"]',
            "customer_initiated",
            "not_priority",
        ),
    ),
]


@pytest.mark.parametrize(("source", "payload", "headers", "expected"), CASES)
def test_closure_is_mapped_and_scheduled(server, source, payload, headers, expected):
    status, reply = send(server, source, payload, headers)
    assert (status, reply["status"]) == (202, "scheduled"), reply
    db = open_db(server.settings.db_path, migrate=False)
    ticket = db.execute(
        "SELECT external_id, customer_email, agent_name, team, tags, channel, priority FROM tickets WHERE source = ?",
        [source],
    ).fetchone()
    assert ticket == expected
    assert db["surveys"].get(reply["survey_id"])["recipient"] == expected[1]


@pytest.mark.parametrize(("source", "payload", "headers", "expected"), CASES)
def test_wrong_signature_is_401_and_stores_nothing(server, source, payload, headers, expected):
    status, reply = send(server, source, payload, lambda body: headers(body, "wrong-secret"))
    assert status == 401, reply
    assert open_db(server.settings.db_path, migrate=False)["tickets"].count == 0


def test_zendesk_stale_timestamp_is_401(server):
    body = json.dumps(ZENDESK_EVENT).encode()
    stamp = str(int(time.time()) - 600)
    headers = {
        "X-Zendesk-Webhook-Signature": hmac_base64(WEBHOOK_SECRET, stamp.encode() + body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }
    assert http("POST", f"{server.url}/webhooks/zendesk", body, headers).status == 401


@pytest.mark.parametrize(
    ("source", "payload", "headers"),
    [
        (
            "zendesk",
            {**ZENDESK_EVENT, "event": {"previous": "NEW", "current": "OPEN"}},
            zendesk_headers,
        ),
        (
            "jira",
            {
                **JIRA,
                "changelog": {
                    "id": "10235",
                    "items": [
                        {
                            "field": "summary",
                            "fieldtype": "jira",
                            "fieldId": "summary",
                            "from": None,
                            "fromString": "VPN drops",
                            "to": None,
                            "toString": "VPN drops every hour",
                        }
                    ],
                },
            },
            jira_headers,
        ),  # fmt: skip
        ("intercom", {**INTERCOM, "topic": "ping"}, intercom_headers),
    ],
)
def test_irrelevant_events_are_accepted_but_ignored(server, source, payload, headers):
    status, reply = send(server, source, payload, headers)
    assert (status, reply["status"]) == (202, "skipped")
    assert open_db(server.settings.db_path, migrate=False)["tickets"].count == 0


def test_reopen_from_each_helpdesk_cancels_the_pending_survey(settings_for):
    from tests.scenarios.harness import RunningServer

    running = RunningServer(settings_for(survey_delay="1h")).start()
    try:
        send(running, "jira", JIRA, jira_headers)
        reopened = json.loads(json.dumps(JIRA))
        reopened["issue"]["fields"]["status"] = {
            "name": "Reopened", "id": "10003",
            "statusCategory": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
        }  # fmt: skip
        reopened["issue"]["fields"].update(resolution=None, resolutiondate=None)
        reopened["changelog"]["items"] = [
            {"field": "status", "fieldtype": "jira", "fieldId": "status",
             "from": "10002", "fromString": "Resolved", "to": "10003", "toString": "Reopened"},
            {"field": "resolution", "fieldtype": "jira", "fieldId": "resolution",
             "from": "10000", "fromString": "Done", "to": None, "toString": None},
        ]  # fmt: skip
        status, reply = send(running, "jira", reopened, jira_headers)
        assert (status, reply["status"]) == (202, "skipped") and "reopened" in reply["reason"]
        send(running, "intercom", INTERCOM, intercom_headers)
        status, reply = send(
            running,
            "intercom",
            {**INTERCOM, "topic": "conversation.admin.opened"},
            intercom_headers,
        )
        assert reply["status"] == "skipped" and "reopened" in reply["reason"]
    finally:
        running.stop()


def test_missing_customer_email_names_the_field(server):
    payload = json.loads(json.dumps(FRESHDESK))
    del payload["freshdesk_webhook"]["ticket_requester_email"]
    status, reply = send(server, "freshdesk", payload, freshdesk_headers)
    assert status == 400 and reply["error"].startswith("ticket_requester_email:")

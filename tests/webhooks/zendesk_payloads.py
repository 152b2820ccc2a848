"""Zendesk webhook bodies copied field for field from helpdesks.md §1.2, and Zendesk's signing.

The scenario tests and the parse-level tests share these, so both test the documented
shapes and nothing that was written to fit the parser.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

from bot.webhooks.signatures import hmac_base64

# §1.2a "Example: solved", verbatim.
SOLVED_EVENT: dict = {
    "account_id": 22129848,
    "detail": {
        "actor_id": "8447388090494", "assignee_id": "8447388090494",
        "brand_id": "8447346621310", "created_at": "2025-01-08T10:12:07Z",
        "custom_status": "8447320465790", "description": "Printer is on fire",
        "external_id": None, "form_id": "8646151517822", "group_id": "8447320466430",
        "id": "5158", "is_public": True, "organization_id": None,
        "priority": "LOW", "requester_id": "8447399911223", "status": "SOLVED",
        "subject": "Printer on fire", "submitter_id": "8447399911223",
        "tags": ["printer", "vip"], "type": "INCIDENT",
        "updated_at": "2025-01-09T08:00:00Z", "via": {"channel": "web_service"},
    },
    "event": {
        "current": "SOLVED", "previous": "OPEN",
        "meta": {"sequence": {"id": "CE4A698AF24F35B3208649C6951E000E", "position": 1}},
    },
    "id": "cbe4028c-7239-495d-b020-f22348516046",
    "subject": "zen:ticket:5158",
    "time": "2025-01-09T08:00:00.672717030Z",
    "type": "zen:event-type:ticket.status_changed",
    "zendesk_event_version": "2022-11-06",
}  # fmt: skip

# §1.2b "What arrives", verbatim.
TEMPLATE_SOLVED: dict = {
    "cxbot_event": "ticket_solved", "ticket_id": "5158", "status": "Solved",
    "requester_id": "8447399911223", "requester_email": "ana@example.com",
    "requester_name": "Ana Pop", "requester_language": "Română",
    "assignee_email": "agent@acme.com", "created_at": "2025-01-08T10:12Z",
    "updated_at": "2025-01-09T08:00Z", "tags": "printer vip",
}  # fmt: skip

# §1.4: the test secret Zendesk's docs publish (base64 of this_secret_is_for_testing_only).
TEST_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
# §1.4: the older doc page's vector, which matches body + timestamp.
OLD_VECTOR = {
    "secret": "HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA=",
    "body": b'{"say": "hello"}',
    "timestamp": "2021-07-25T10:00:00Z",
    "signature": "tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw=",
}


def status_event(previous: str, current: str, ticket: str = "5158", **detail: object) -> dict:
    """The §1.2a envelope with another status change ("reopened: same envelope, …")."""
    event = copy.deepcopy(SOLVED_EVENT)
    event["detail"].update(id=ticket, status=current, **detail)
    event["subject"] = f"zen:ticket:{ticket}"
    event["event"].update(previous=previous, current=current)
    return event


def reopened_event(ticket: str = "5158") -> dict:
    """§1.2a "Example: reopened": ``detail.status`` OPEN, event SOLVED → OPEN."""
    return status_event("SOLVED", "OPEN", ticket)


def template(event: str = "ticket_solved", **changes: object) -> dict:
    """The §1.2b body; ``ticket_reopened`` is the second trigger's (status as Zendesk shows it)."""
    body = dict(TEMPLATE_SOLVED, cxbot_event=event)
    if event == "ticket_reopened":
        body["status"] = "Open"
    body.update(changes)
    return body


def zendesk_headers(body: bytes, secret: str, stamp: str | None = None) -> dict[str, str]:
    """Signed as Zendesk signs: base64 HMAC-SHA256 of timestamp + raw body (§1.4)."""
    stamp = stamp or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "Content-Type": "application/json",
        "X-Zendesk-Webhook-Signature": hmac_base64(secret, stamp.encode() + body),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()

"""``POST /webhooks/zendesk``: Zendesk webhooks, signed with the webhook's signing secret.

Authenticity (helpdesks.md §1.4): ``X-Zendesk-Webhook-Signature`` is the base64
HMAC-SHA256 of ``timestamp + raw body`` keyed with the signing secret (as text),
the timestamp being ``X-Zendesk-Webhook-Signature-Timestamp`` (ISO 8601); cxbot
refuses one more than 5 minutes off. Zendesk's *Test webhook* button signs with a
public test secret: such a request is answered 200 and stores nothing.

The bodies (§1.2, models in ``zendesk_models``):

* the event subscription ``zen:event-type:ticket.status_changed`` — no email,
  only ``detail.requester_id``, so the customer is looked up over the API when
  CXBOT_ZENDESK_URL/EMAIL/TOKEN are set, and skipped with a reason otherwise;
* the trigger template of README (``cxbot_event``, ``requester_email``…);
* the ``{"ticket": {…}}`` template of older READMEs.

Status semantics (§1.3): Solved or Closed is a closure (Closed after Solved is the
same closure again, a duplicate for storage); a move from Solved/Closed back to
New/Open/Pending/On-hold is a reopen; anything else is ignored with a reason.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from bot.settings import Settings
from bot.webhooks.errors import Ignored, TestDelivery, WebhookAuthError, WebhookPayloadError
from bot.webhooks.fields import EMAIL
from bot.webhooks.generic import load_json_object
from bot.webhooks.lenient import time_or_none
from bot.webhooks.signatures import MAX_SKEW_SECONDS, hmac_base64
from bot.webhooks.zendesk_models import (
    STATUS_CHANGED,
    EventEnvelope,
    LegacyTrigger,
    TicketStatusEvent,
    TriggerTemplate,
)
from storage.survey_types import SURVEY_NAMES
from storage.tickets import EventKind, TicketEvent

LABEL = "Zendesk ticket"
SIGNATURE = "X-Zendesk-Webhook-Signature"
TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
#: The secret Zendesk's docs publish and its "Test webhook" button signs with (§1.1).
TEST_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
DONE = frozenset({"SOLVED", "CLOSED"})
OPEN = frozenset({"NEW", "OPEN", "PENDING", "HOLD"})
API_SETTINGS = Settings.helpdesk_api_settings("zendesk")
TRIGGER_EVENTS: dict[str, EventKind] = {
    "ticket_solved": "closed",
    "ticket_closed": "closed",
    "ticket_reopened": "reopened",
}
_LOCALE = re.compile(r"^([a-z]{2,3})(?:[-_]([a-z]{2,4}))?$", re.IGNORECASE)
#: ``{{ticket.requester.language}}`` may render a display name (unconfirmed, §1.2b):
#: the names, English and native, of the languages cxbot speaks.
LANGUAGE_NAMES = {
    "english": "en",
    "hebrew": "he",
    "עברית": "he",
    "chinese": "zh",
    "中文": "zh",
    "简体中文": "zh",
    "繁體中文": "zh",
    "romanian": "ro",
    "română": "ro",
    "romana": "ro",
    "georgian": "ka",
    "ქართული": "ka",
    "persian": "fa",
    "farsi": "fa",
    "فارسی": "fa",
}
Model = TypeVar("Model", bound=BaseModel)


# ---- authenticity -------------------------------------------------------------------
def _fresh(stamp: str) -> None:
    moment = time_or_none(int(stamp) if stamp.isdigit() else stamp)
    if moment is None:
        raise WebhookAuthError(f"{TIMESTAMP} is not a time")
    age = abs(
        (datetime.now(UTC) - datetime.fromisoformat(moment.replace("Z", "+00:00"))).total_seconds()
    )
    if age > MAX_SKEW_SECONDS:
        raise WebhookAuthError(f"{TIMESTAMP} is more than 5 minutes off; request rejected as stale")


def signature(secret: str, stamp: str, body: bytes) -> str:
    """What Zendesk sends: base64(HMAC-SHA256(secret, timestamp + body)), no separator."""
    return hmac_base64(secret, stamp.encode() + body)


def _signed_with(secret: str | None, stamp: str, body: bytes, given: str) -> bool:
    return bool(secret) and hmac.compare_digest(
        signature(secret or "", stamp, body).encode(), given.encode()
    )


def verify(headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
    """Accept the real secret; answer a Test-webhook request (public test secret) with 200.

    The test secret is checked even before a secret is configured: Zendesk signs tests
    of a webhook not yet created with it, and the real secret exists only once the
    webhook does, so the admin's first Test click must succeed. It stores nothing.
    """
    stamp = (headers.get(TIMESTAMP) or "").strip()
    if not stamp:
        raise WebhookAuthError(f"missing {TIMESTAMP} header")
    given = (headers.get(SIGNATURE) or "").strip()
    if not given:
        raise WebhookAuthError(f"missing {SIGNATURE} header")
    _fresh(stamp)
    secret = settings.source_secret("zendesk")
    if _signed_with(secret, stamp, body, given):
        return
    if _signed_with(TEST_SECRET, stamp, body, given):
        raise TestDelivery(
            "Zendesk test webhook received (signed with Zendesk's public test secret); "
            "nothing stored. Real deliveries must be signed with the webhook's own secret "
            "in CXBOT_ZENDESK_SECRET."
        )
    if not secret:
        raise WebhookAuthError(
            "CXBOT_ZENDESK_SECRET (or CXBOT_WEBHOOK_SECRET) is not configured on this server"
        )
    raise WebhookAuthError(f"{SIGNATURE} does not match the request body")


# ---- payloads -----------------------------------------------------------------------
def _validated(model: type[Model], data: dict, hint: str = "") -> Model:
    """The body as ``model``; a mismatch names the first bad field (pydantic's ``loc``)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(step) for step in error["loc"]) or "body"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise WebhookPayloadError(f"{where}: {message}{hint}") from None


def _status(value: str | None) -> str | None:
    """``Solved``/``solved``/``SOLVED``/``On-hold`` → ``SOLVED``/``HOLD``."""
    if not value:
        return None
    status = re.sub(r"[\s_-]", "", value).upper()
    return "HOLD" if status == "ONHOLD" else status


def _event_kind(previous: str | None, current: str) -> EventKind:
    if current in DONE:
        return "closed"
    if current in OPEN and (previous is None or previous in DONE):
        return "reopened"  # storage ignores the reopen of a ticket it never saw closed
    if current in OPEN:
        raise Ignored(
            f"Zendesk status change {previous} → {current} is neither a closure "
            "(to Solved/Closed) nor a reopen (from Solved/Closed)"
        )
    raise Ignored(f"Zendesk status {current} is not a closure or reopen")


def _locale(language: str | None) -> str | None:
    """A locale code as is (``pt-BR``), a display name cxbot knows mapped (``Română``)."""
    if not language:
        return None
    match = _LOCALE.match(language.strip())
    if match:
        region = match.group(2)
        return match.group(1).lower() + (f"-{region.upper()}" if region else "")
    name = language.split("(")[0].strip().lower()
    return LANGUAGE_NAMES.get(name)


def _email(value: str | None) -> str | None:
    return value.lower() if value and EMAIL.match(value) else None


def _no_customer(email: str | None, ref: str | None, how: str) -> str | None:
    """Why the event names no reachable customer, and what to do (None when it does)."""
    if email:
        return None
    if ref:
        return f"requester has no email in the payload ({how}): set {API_SETTINGS} to look it up"
    return f"the payload names no requester ({how}): nothing to survey"


def _survey(name: str | None) -> str | None:
    name = (name or "").lower()
    return name if name in SURVEY_NAMES else None


def _from_event(data: dict) -> TicketEvent:
    kind_of = _validated(EventEnvelope, data).type
    if kind_of != STATUS_CHANGED:
        raise Ignored(f"Zendesk event {kind_of} is not a ticket status change ({STATUS_CHANGED})")
    event = _validated(TicketStatusEvent, data)
    change, ticket = event.event, event.detail
    current = _status(change.current if change else None) or _status(ticket.status)
    if current is None:
        raise WebhookPayloadError("event.current: Field required")
    kind = _event_kind(_status(change.previous if change else None), current)
    ref = ticket.requester_id
    return TicketEvent(
        source="zendesk",
        kind=kind,
        external_id=ticket.id,
        customer_ref=ref,
        no_customer=_no_customer(None, ref, "Zendesk events carry only detail.requester_id"),
        # Events carry only assignee_id and group_id: no agent name or team to show.
        tags=ticket.tags,
        channel=ticket.via.channel if ticket.via else None,
        priority=ticket.priority,
        created_at=ticket.created_at,
        closed_at=(event.time or ticket.updated_at) if kind == "closed" else None,
        raw=data,
    )


def _template_kind(template: TriggerTemplate) -> EventKind:
    kind = TRIGGER_EVENTS.get(template.cxbot_event.lower())
    if kind is None:
        known = ", ".join(TRIGGER_EVENTS)
        raise Ignored(f"cxbot_event {template.cxbot_event!r} is not one of {known}")
    status = _status(template.status)  # a display name; may be localised, so only a check
    if (kind == "closed" and status in OPEN) or (kind == "reopened" and status in DONE):
        raise Ignored(
            f"cxbot_event {template.cxbot_event} but the ticket is {template.status}: "
            "check the trigger's conditions"
        )
    return kind


def _from_template(data: dict) -> TicketEvent:
    template = _validated(
        TriggerTemplate,
        data,
        " (the body is neither a Zendesk event nor cxbot's trigger template; see README)",
    )
    kind = _template_kind(template)
    email = _email(template.requester_email)
    how = (
        f"requester_email {template.requester_email!r} is not an email address"
        if template.requester_email
        else "requester_email is empty"
    )
    return TicketEvent(
        source="zendesk",
        kind=kind,
        external_id=template.ticket_id,
        customer_email=email,
        customer_ref=template.requester_id,
        customer_name=template.requester_name,
        customer_locale=_locale(template.requester_language),
        no_customer=_no_customer(email, template.requester_id, how),
        agent_name=template.assignee_name,
        agent_email=_email(template.assignee_email),
        team=template.group_name,
        tags=template.tags,
        channel=template.via,
        priority=template.priority,
        created_at=template.created_at,
        closed_at=template.updated_at if kind == "closed" else None,
        survey_type=_survey(template.survey),
        raw=data,
    )


def _from_legacy(data: dict) -> TicketEvent:
    """The older README template: Solved/Closed closes, any other status reopens (as before)."""
    legacy = _validated(LegacyTrigger, data)
    ticket = legacy.ticket
    kind: EventKind = "closed" if _status(ticket.status) in DONE else "reopened"
    requester, assignee = ticket.requester, ticket.assignee
    email = _email(requester.email if requester else None)
    ref = requester.id if requester else None
    return TicketEvent(
        source="zendesk",
        kind=kind,
        external_id=ticket.id,
        customer_email=email,
        customer_ref=ref,
        customer_name=requester.name if requester else None,
        no_customer=_no_customer(email, ref, "ticket.requester.email is empty"),
        agent_name=assignee.name if assignee else None,
        agent_email=_email(assignee.email if assignee else None),
        team=ticket.group.name if ticket.group else None,
        tags=ticket.tags,
        channel=ticket.via.channel if ticket.via else None,
        priority=ticket.priority,
        created_at=ticket.created_at,
        closed_at=ticket.updated_at if kind == "closed" else None,
        survey_type=_survey(legacy.survey),
        raw=data,
    )


def parse(body: bytes) -> TicketEvent:
    data = load_json_object(body)
    if "type" in data:
        return _from_event(data)
    if "ticket" in data and "cxbot_event" not in data:
        return _from_legacy(data)
    return _from_template(data)

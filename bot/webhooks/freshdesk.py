"""``POST /webhooks/freshdesk``: Freshdesk automation rules' "Trigger webhook" action.

Freshdesk does not sign webhooks (helpdesks.md §2.4). The rule can send
- Basic auth with a user name and password: any user name, the secret as password;
- its API-key mode, Basic ``base64("<key>:X")``: the secret as the USER NAME, any password;
- a custom header ``X-Cxbot-Token: <secret>``.

The body is the rule's own JSON wrapped in ``freshdesk_webhook`` (Advanced mode
with cxbot's template, or Simple mode's ticked fields): see ``freshdesk_models``.
Freshdesk sends no event name, so the status change comes from
``{{triggered_event}}`` (``{status:{from:4,to:5}}``) when the body has it, else
from the status name ``{{ticket.status}}``:

- closure: to 4 Resolved or 5 Closed (4 → 5 is the same closure again; storage
  answers it as a duplicate);
- reopen: from 4/5 back to 2 Open or 3 Pending (storage ignores a reopen of a
  ticket it never saw closed); with no ``from`` known, a status name Open/Pending;
- anything else (Open → Pending, custom statuses 6+, priority changes, notes):
  ``Ignored``, answered 202 with what it was.

Freshdesk sends no creation or resolution time: ``created_at`` stays empty unless
the template adds one, and the closure time is when cxbot received the webhook.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from bot.settings import Settings
from bot.webhooks import fields
from bot.webhooks.errors import Ignored, WebhookAuthError, WebhookPayloadError
from bot.webhooks.fields import EMAIL
from bot.webhooks.freshdesk_events import (
    DONE,
    OPEN,
    Tree,
    describe,
    parse_triggered_event,
    status_change,
    status_number,
)
from bot.webhooks.freshdesk_models import FreshdeskTicket, FreshdeskWebhook
from bot.webhooks.generic import load_json_object
from bot.webhooks.lenient import time_or_none
from bot.webhooks.signatures import require_secret
from storage.tickets import EventKind, TicketEvent

LABEL = "Freshdesk ticket"
TOKEN_HEADER = "X-Cxbot-Token"
WHAT_TO_DO = (
    'add "requester_email": "{{ticket.requester.email}}" to the Freshdesk rule\'s webhook body, '
    f"or set {Settings.helpdesk_api_settings('freshdesk')} to look it up"
)
NO_EMAIL = f"requester has no email in the payload: {WHAT_TO_DO}"
CLOSURE_NAMES = {
    "ticket_resolved": "closed",
    "ticket_closed": "closed",
    "ticket_reopened": "reopened",
}


# ---- authenticity ----------------------------------------------------------------
def _basic_pair(headers: Mapping[str, str]) -> tuple[str, str] | None:
    auth = headers.get("Authorization", "")
    if not auth.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(auth[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, _, password = decoded.partition(":")
    return user, password


def _same(secret: str, presented: str) -> bool:
    return hmac.compare_digest(secret.encode(), presented.encode())


def verify(headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
    """The secret as the Basic password (user/password mode), as the Basic user name
    (API-key mode, ``<key>:X``), or in ``X-Cxbot-Token``; compared in constant time."""
    secret = require_secret(
        settings.source_secret("freshdesk"), "CXBOT_FRESHDESK_SECRET (or CXBOT_WEBHOOK_SECRET)"
    )
    token = headers.get(TOKEN_HEADER)
    if token:
        if not _same(secret, token.strip()):
            raise WebhookAuthError(f"wrong Freshdesk webhook secret in {TOKEN_HEADER}")
        return
    pair = _basic_pair(headers)
    if pair is None:
        raise WebhookAuthError(f"missing Basic auth or {TOKEN_HEADER} header")
    user, password = pair
    # Both compared every time, so the answer's timing does not say which half matched.
    as_password, as_key = _same(secret, password), _same(secret, user)
    if not (as_password | as_key):
        raise WebhookAuthError(
            "wrong Freshdesk webhook secret: send it as the Basic auth password "
            "(or as the API key, i.e. the user name)"
        )


# ---- the body --------------------------------------------------------------------
def _ticket(data: dict[str, Any]) -> FreshdeskTicket:
    """Both readings of Advanced mode: with the ``freshdesk_webhook`` wrapper or without."""
    try:
        if "freshdesk_webhook" in data:
            return FreshdeskWebhook.model_validate(data).freshdesk_webhook
        return FreshdeskTicket.model_validate(data)
    except ValidationError as exc:
        raise WebhookPayloadError(_first_error(exc)) from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "body"
    return f"{where}: {error['msg']}"


def _kind(ticket: FreshdeskTicket) -> EventKind:
    """Closure or reopen; ``Ignored`` (with what it was) for every other event."""
    tree = parse_triggered_event(ticket.triggered_event)
    if tree is not None:
        return _kind_from_event(tree)
    if ticket.ticket_status:
        return _kind_from_name(ticket.ticket_status)
    hinted = CLOSURE_NAMES.get((ticket.cxbot_event or "").lower())
    if hinted == "closed":
        return "closed"
    if hinted == "reopened":
        return "reopened"
    raise WebhookPayloadError(
        'ticket_status: required (add "ticket_status": "{{ticket.status}}" to the webhook body)'
    )


def _kind_from_event(tree: Tree) -> EventKind:
    change = status_change(tree)
    if change is None:
        raise Ignored(f"Freshdesk event {describe(tree)} is not a status change; ignored")
    if change.after in DONE:
        return "closed"
    if change.before in DONE and change.after in OPEN:
        return "reopened"
    raise Ignored(
        f"Freshdesk status change from {change.label('from')} to "
        f"{change.label('to')} is neither a closure nor a reopen; ignored"
    )


def _kind_from_name(name: str) -> EventKind:
    number = status_number(name)
    if number in DONE:
        return "closed"
    if number in OPEN:  # no "from" known: a reopen only if cxbot saw the ticket closed
        return "reopened"
    raise Ignored(
        f"Freshdesk status {name!r} is a custom status, neither a closure nor a reopen; ignored"
    )


def _is_email(value: str | None) -> bool:
    return value is not None and EMAIL.match(value) is not None


def _customer(ticket: FreshdeskTicket) -> dict[str, Any]:
    """The email when the payload has a real one; else the contact id to look up, and why."""
    email = ticket.requester_email
    if email is not None and _is_email(email):
        return {"customer_email": email.lower(), "customer_ref": ticket.requester_id}
    reason = NO_EMAIL
    if email is not None:
        reason = f"requester_email {email[:60]!r} is not an email address: {WHAT_TO_DO}"
    # Without a contact id the look-up starts from the ticket (GET /api/v2/tickets/{id}).
    ref = ticket.requester_id or f"ticket:{ticket.ticket_id}"
    return {"customer_ref": ref, "no_customer": reason}


def parse(body: bytes) -> TicketEvent:
    data = load_json_object(body)
    ticket = _ticket(data)
    kind = _kind(ticket)
    return TicketEvent(
        source="freshdesk",
        kind=kind,
        external_id=ticket.ticket_id,
        customer_name=ticket.requester_name,
        customer_locale=ticket.requester_language,
        agent_name=ticket.agent_name,
        agent_email=ticket.agent_email if _is_email(ticket.agent_email) else None,
        team=ticket.group_name,
        tags=_tags(ticket.ticket_tags),
        channel=ticket.ticket_source,
        priority=ticket.ticket_priority,
        created_at=time_or_none(ticket.created_at),
        closed_at=time_or_none(ticket.closed_at),
        raw=data,
        **_customer(ticket),
    )


def _tags(value: str | list[Any] | None) -> tuple[str, ...]:
    """``{{ticket.tags}}`` is ``"a,b"``; too many or odd tags are dropped, not refused."""
    try:
        return fields.tag_list(value, "ticket_tags")
    except WebhookPayloadError:
        return ()

"""Pydantic models of what a Freshdesk automation rule's "Trigger webhook" action sends.

Freshdesk has no fixed payload: the rule's author writes the body (Advanced mode)
or ticks fields (Simple mode), and both arrive wrapped in ``freshdesk_webhook``
(helpdesks.md §2.2). So the model knows the keys of both modes under one name
each, through aliases:

- Advanced, cxbot's published template: ``ticket_id``, ``ticket_status``,
  ``triggered_event``, ``requester_email``, ``requester_name``, ...
- Simple: the placeholder paths with dots turned into underscores, e.g.
  ``ticket_contact_email``, ``ticket_requester_email``, ``ticket_agent_name``;
  ids arrive as numbers.

Only ``ticket_id`` is required. Every other field is one the rule's author may
leave out, so a missing or unreadable one becomes None rather than a 400: an
odd optional field must not cost the customer their survey. Placeholders that
Freshdesk renders empty arrive as ``""`` and read as missing too.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

MAX_TEXT = 500


def _text(value: Any) -> str | None:
    """A string or number as stripped text; anything else (or blank) is None."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return text[:MAX_TEXT] or None


def _tags(value: Any) -> Any:
    """``{{ticket.tags}}`` renders as ``"a,b"``; a list is kept; anything else is no tags."""
    if isinstance(value, str | list):
        return value
    return None


def _ticket_id(value: Any) -> Any:
    """Advanced sends ``"11"``, Simple sends ``11``; both become the text ``"11"``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else value


Text = Annotated[str | None, BeforeValidator(_text)]
TicketId = Annotated[
    str, BeforeValidator(_ticket_id), StringConstraints(min_length=1, max_length=MAX_TEXT)
]


def _either(*names: str) -> Any:
    return Field(None, validation_alias=AliasChoices(*names))


class FreshdeskTicket(BaseModel):
    """The fields inside ``freshdesk_webhook`` that cxbot reads (others are kept in ``raw``)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    ticket_id: TicketId
    #: The rule author's own label in cxbot's template (``ticket_resolved``); a hint only.
    cxbot_event: Text = None
    #: ``{{triggered_event}}``: pseudo-JSON such as ``{status:{from:4,to:5}}``, NOT valid JSON.
    triggered_event: Text = None
    #: ``{{ticket.status}}``: the status NAME (``Resolved``, or a custom ``Waiting on Customer``).
    ticket_status: Text = None
    ticket_url: Text = None
    ticket_priority: Text = None
    ticket_type: Text = None
    ticket_source: Text = _either("ticket_source", "ticket_channel")
    ticket_tags: Annotated[str | list[Any] | None, BeforeValidator(_tags)] = None
    requester_email: Text = _either(
        "requester_email", "ticket_requester_email", "ticket_contact_email"
    )
    requester_name: Text = _either("requester_name", "ticket_requester_name", "ticket_contact_name")
    #: Freshdesk's contact id, when the template adds one (the placeholder name is unconfirmed).
    requester_id: Text = _either(
        "requester_id", "ticket_requester_id", "ticket_contact_id", "contact_id"
    )
    requester_language: Text = _either(
        "requester_language", "ticket_requester_language", "ticket_contact_language"
    )
    agent_name: Text = _either("agent_name", "ticket_agent_name")
    agent_email: Text = _either("agent_email", "ticket_agent_email")
    group_name: Text = _either("group_name", "ticket_group_name")
    #: Freshdesk has no creation-time placeholder that cxbot relies on; read if a template adds it.
    created_at: Text = _either("created_at", "ticket_created_at", "ticket_created_on")
    closed_at: Text = _either(
        "resolved_at", "ticket_resolved_at", "ticket_closed_at", "ticket_resolved_on"
    )


class FreshdeskWebhook(BaseModel):
    """The body: ``{"freshdesk_webhook": {...}}`` (both modes)."""

    model_config = ConfigDict(extra="ignore")

    freshdesk_webhook: FreshdeskTicket

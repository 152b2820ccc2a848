"""Zendesk's webhook bodies, as documented (helpdesks.md §1.2), as pydantic models.

Three shapes reach ``/webhooks/zendesk``:

* ``TicketStatusEvent`` — an event subscription's envelope (§1.2a): ``type``,
  ``detail`` (the ticket, ids as strings, never an email) and ``event.previous`` /
  ``event.current`` (upper-case statuses);
* ``TriggerTemplate`` — the JSON body cxbot's README asks admins to paste into a
  trigger (§1.2b): every value a string, ``tags`` one space-separated string,
  timestamps to the minute, ``status`` and ``requester_language`` display names;
* ``LegacyTrigger`` — the ``{"ticket": {…}}`` template of older READMEs, still
  accepted so existing installations keep working.

Only what cxbot cannot do without is required (which event, which ticket, which
status). Every other field is optional and *lenient*: a value of an odd type or
format is read as absent, because a helpdesk that sends one odd optional field
must not cost the customer their survey. A body that is not one of these shapes
fails validation with pydantic's ``loc``, which names the field.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from bot.webhooks.fields import MAX_TAGS
from bot.webhooks.lenient import text_or_none, time_or_none

STATUS_CHANGED = "zen:event-type:ticket.status_changed"


def _tags(value: Any) -> tuple[str, ...]:
    """A JSON list (events) or one space-separated string (``{{ticket.tags}}``); garbage → ()."""
    if isinstance(value, str):
        items: list[Any] = value.split()
    elif isinstance(value, list):
        items = value
    else:
        return ()
    tags: list[str] = []
    for item in items:
        tag = text_or_none(item)
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags[:MAX_TAGS])


def _required_text(value: Any) -> Any:
    """Ids arrive as strings in events and as numbers in hand-written bodies: take both."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value[:500]


#: A field cxbot needs: a non-empty string (a number is taken as its text).
Needed = Annotated[str, BeforeValidator(_required_text), AfterValidator(_non_empty)]
#: Optional text: absent, null, empty or of another type → None.
Text = Annotated[str | None, BeforeValidator(text_or_none)]
#: Optional time (ISO 8601 with or without seconds, unix seconds) → stored form or None.
Time = Annotated[str | None, BeforeValidator(time_or_none)]
Tags = Annotated[tuple[str, ...], BeforeValidator(_tags)]


class _Lenient(BaseModel):
    """Unknown fields are kept out of the model but do not fail it (Zendesk adds fields)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _mapping_or_none(value: Any) -> Any:
    return value if isinstance(value, dict) else None


class Via(_Lenient):
    channel: Text = None


class TicketDetail(_Lenient):
    """``detail`` of a ticket event: the ticket as it is after the change (ids are strings)."""

    id: Needed
    status: Text = None
    requester_id: Text = None
    assignee_id: Text = None
    group_id: Text = None
    priority: Text = None
    tags: Tags = ()
    via: Annotated[Via | None, BeforeValidator(_mapping_or_none)] = None
    created_at: Time = None
    updated_at: Time = None


class StatusChange(_Lenient):
    """``event`` of ``ticket.status_changed``: upper-case status names."""

    current: Text = None
    previous: Text = None


class TicketStatusEvent(_Lenient):
    """An event subscription's envelope (§1.2a)."""

    type: Needed
    id: Text = None
    time: Time = None
    subject: Text = None
    detail: TicketDetail
    event: Annotated[StatusChange | None, BeforeValidator(_mapping_or_none)] = None


class EventEnvelope(_Lenient):
    """Just enough of any Zendesk event to tell its type (other types are ignored)."""

    type: Needed


class TriggerTemplate(_Lenient):
    """The trigger body cxbot documents (§1.2b), plus the optional extras README offers."""

    cxbot_event: Needed
    ticket_id: Needed
    status: Text = None
    requester_id: Text = None
    requester_email: Text = None
    requester_name: Text = None
    requester_language: Text = None
    assignee_email: Text = None
    assignee_name: Text = None
    group_name: Text = None
    priority: Text = None
    via: Text = None
    created_at: Time = None
    updated_at: Time = None
    tags: Tags = ()
    survey: Text = None


class Person(_Lenient):
    id: Text = None
    email: Text = None
    name: Text = None


class Group(_Lenient):
    name: Text = None


def _person(value: Any) -> Any:
    return value if isinstance(value, dict) else None


def _group(value: Any) -> Any:
    """``"group": {"name": …}`` or the name alone."""
    if isinstance(value, str):
        return {"name": value}
    return value if isinstance(value, dict) else None


def _via(value: Any) -> Any:
    """``"via": "Mail"`` (``{{ticket.via}}``) or ``{"channel": …}``."""
    if isinstance(value, str):
        return {"channel": value}
    return value if isinstance(value, dict) else None


class LegacyTicket(_Lenient):
    """``ticket`` of the older README template (``{{ticket.*}}`` placeholders, nested)."""

    id: Needed
    status: Needed
    requester: Annotated[Person | None, BeforeValidator(_person)] = None
    assignee: Annotated[Person | None, BeforeValidator(_person)] = None
    group: Annotated[Group | None, BeforeValidator(_group)] = None
    tags: Tags = ()
    via: Annotated[Via | None, BeforeValidator(_via)] = None
    priority: Text = None
    created_at: Time = None
    updated_at: Time = None


class LegacyTrigger(_Lenient):
    ticket: LegacyTicket
    survey: Text = None

"""Pydantic models of Intercom's webhook notifications (``shared/helpdesks.md`` §4.2).

The envelope is the same for every topic; ``data.item`` is a conversation in
the app's API version: 2.x (``source``, ``contacts``, ``statistics``) or the
legacy 1.x shape (``user``, ``assignee``, ``conversation_message``, no
``contacts``).  Both are modelled in one ``Conversation``: every field of
either shape is optional.

Two kinds of fields, two policies:

* the structure (the envelope's ``type``/``topic``/``data.item``, the
  conversation's ``id``, objects and lists) must be the vendor's: anything else
  is not an Intercom notification and is refused with the field's location;
* optional leaf values (names, emails, times, priority) that are missing *or*
  in an odd format become None — an unreadable timestamp must not cost the
  customer their survey.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, WrapValidator
from pydantic_core import PydanticUseDefault
from pydantic_core.core_schema import ValidatorFunctionWrapHandler


def _none_when_unreadable(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """An optional value of the wrong type is treated as absent, not as a bad body."""
    try:
        return handler(value)
    except ValidationError:
        raise PydanticUseDefault() from None


#: An optional text/number value; ids arrive as strings (2.x) or numbers (assignee ids).
Text = Annotated[str | None, WrapValidator(_none_when_unreadable)]
#: Unix seconds (every Intercom time), a duration in seconds, or a count.
Number = Annotated[int | None, WrapValidator(_none_when_unreadable)]


class Model(BaseModel):
    """Unknown fields are ignored (Intercom adds fields between API versions)."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, frozen=True)


class Author(Model):
    """``conversation_part_author`` / ``source.author``: ``type`` is user, lead, admin, team, bot."""

    type: Text = None
    id: Text = None
    name: Text = None
    email: Text = None


class Source(Model):
    """2.x: the conversation's first message; ``type`` is the channel (conversation, email…)."""

    type: Text = None
    id: Text = None
    delivered_as: Text = None
    author: Author | None = None


class ContactReference(Model):
    """2.x ``contact_reference``: only ids, never an email or a name."""

    type: Text = None
    id: str
    external_id: Text = None


class ContactList(Model):
    type: Text = None
    contacts: list[ContactReference] = Field(default_factory=list)


class Tag(Model):
    type: Text = None
    id: Text = None
    name: Text = None


class TagList(Model):
    type: Text = None
    tags: list[Tag] = Field(default_factory=list)


class Statistics(Model):
    """``conversation_statistics``; in seconds or unix times, nullable; 2.13+ adds handling times."""

    first_admin_reply_at: Number = None
    last_close_at: Number = None
    last_closed_by_id: Text = None
    handling_time: Number = None
    adjusted_handling_time: Number = None


class Part(Model):
    """One ``conversation_part``; the closing one has ``part_type: "close"``."""

    type: Text = None
    id: Text = None
    part_type: Text = None
    created_at: Number = None
    author: Author | None = None


class PartList(Model):
    type: Text = None
    total_count: Number = None
    conversation_parts: list[Part] = Field(default_factory=list)


class User(Model):
    """1.x ``user``: the conversation's customer, ``type`` user or lead, email optional."""

    type: Text = None
    id: Text = None
    user_id: Text = None
    name: Text = None
    email: Text = None


class Conversation(Model):
    """``data.item`` for conversation topics, 2.x and 1.x fields side by side."""

    type: Text = None
    id: str
    created_at: Number = None
    updated_at: Number = None
    state: Text = None
    open: Annotated[bool | None, WrapValidator(_none_when_unreadable)] = None
    priority: Text = None
    admin_assignee_id: Text = None
    team_assignee_id: Text = None
    title: Text = None
    source: Source | None = None
    contacts: ContactList | None = None
    tags: TagList | None = None
    statistics: Statistics | None = None
    conversation_parts: PartList | None = None
    # 1.x (legacy apps): the customer is ``user``; ``assignee`` is an admin, a team or nobody.
    user: User | None = None
    assignee: Author | None = None
    conversation_message: Source | None = None


class NotificationData(Model):
    type: Text = None
    item: dict[str, Any]


class Notification(Model):
    """The envelope; ``data.item`` is kept raw until the topic says what it should be."""

    type: Literal["notification_event"]
    topic: str
    id: Text = None
    app_id: Text = None
    created_at: Number = None
    delivery_attempts: Number = None
    data: NotificationData

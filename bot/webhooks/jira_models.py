"""The bodies Jira sends, as pydantic models of the documented shapes (helpdesks.md §3.2).

Three shapes reach ``/webhooks/jira``:

- the **admin webhook envelope** (Cloud and Data Center): ``webhookEvent``, ``issue``,
  ``changelog``, ``user``, ``timestamp`` in epoch milliseconds;
- a JSM automation **"Send web request"** with *Issue data (Automation format)* (the
  issue itself at the top level, ``id`` a number, no ``webhookEvent``) or *Issue data
  (Jira format)* (the same with ``id`` a string);
- the same action with **cxbot's custom-data template** (``cxbot_event``, ``issue_key``…).

Only what cxbot cannot work without is required: the issue key and the current status
category.  Every other field is optional *and forgiving*: a field of an unexpected
type reads as absent, because an optional field the site set up differently must not
cost the customer their survey.  A missing required field raises pydantic's
``ValidationError``, whose ``loc`` names it.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WrapValidator
from pydantic_core.core_schema import ValidatorFunctionWrapHandler

T = TypeVar("T")


def _absent_when_invalid(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """An optional field whose value does not fit reads as absent instead of failing."""
    try:
        return handler(value)
    except ValidationError:
        return None


def _text(value: Any) -> Any:
    """Ids come as strings or numbers depending on the body; blanks are absent."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


#: An optional field: missing, null or of the wrong shape all read as None.
Maybe = Annotated[T | None, WrapValidator(_absent_when_invalid)]
#: Text that may arrive as a number (``"id": 10042``) or blank (an empty smart value).
Text = Annotated[str, BeforeValidator(_text)]
MaybeText = Maybe[Text]


class JiraModel(BaseModel):
    """Jira adds fields over time and sites add custom ones: keep them, ignore them."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class JiraUser(JiraModel):
    """A user as the webhook shows it: Cloud hides ``emailAddress`` unless the profile
    allows it; Data Center adds ``name`` (the username) and ``key``."""

    account_id: MaybeText = Field(None, alias="accountId")
    display_name: MaybeText = Field(None, alias="displayName")
    email_address: MaybeText = Field(None, alias="emailAddress")
    account_type: MaybeText = Field(None, alias="accountType")
    locale: MaybeText = None
    time_zone: MaybeText = Field(None, alias="timeZone")
    name: MaybeText = None
    key: MaybeText = None


class StatusCategory(JiraModel):
    """``new`` / ``indeterminate`` / ``done``: the only status fact that holds across
    workflows and languages (status names are per workflow and localised)."""

    key: Text
    id: Maybe[int] = None
    name: MaybeText = None


class Status(JiraModel):
    name: MaybeText = None
    id: MaybeText = None
    status_category: StatusCategory = Field(alias="statusCategory")


class Named(JiraModel):
    """Project, priority, component, issue type, resolution: an id and a name."""

    id: MaybeText = None
    key: MaybeText = None
    name: MaybeText = None


class TimeTracking(JiraModel):
    time_spent_seconds: Maybe[int] = Field(None, alias="timeSpentSeconds")


class IssueFields(JiraModel):
    status: Status
    summary: MaybeText = None
    reporter: Maybe[JiraUser] = None
    assignee: Maybe[JiraUser] = None
    resolution: Maybe[Named] = None
    resolutiondate: MaybeText = None
    created: MaybeText = None
    updated: MaybeText = None
    project: Maybe[Named] = None
    priority: Maybe[Named] = None
    issuetype: Maybe[Named] = None
    components: Maybe[list[Named]] = None
    labels: Maybe[list[Text]] = None
    timespent: Maybe[int] = None
    timetracking: Maybe[TimeTracking] = None

    def request_language(self) -> str | None:
        """JSM's request language lives in a site-specific custom field
        (``customfield_10031: {"languageCode": "en", …}``): find it by its shape."""
        for value in (self.model_extra or {}).values():
            if isinstance(value, dict) and isinstance(value.get("languageCode"), str):
                return value["languageCode"].strip() or None
        return None


class ChangeItem(JiraModel):
    """One changed field. ``field`` is the display name and may read ``"Status"``;
    ``fieldId`` is the stable id (``status``, ``resolution``)."""

    field: MaybeText = None
    fieldtype: MaybeText = None
    field_id: MaybeText = Field(None, alias="fieldId")
    from_id: MaybeText = Field(None, alias="from")
    from_string: MaybeText = Field(None, alias="fromString")
    to_id: MaybeText = Field(None, alias="to")
    to_string: MaybeText = Field(None, alias="toString")

    def is_field(self, field_id: str) -> bool:
        """Compare by ``fieldId``; only a body without one (older servers) falls back to
        the display name, case-insensitively."""
        if self.field_id is not None:
            return self.field_id.lower() == field_id
        return (self.field or "").lower() == field_id


class Changelog(JiraModel):
    id: MaybeText = None
    items: Maybe[list[ChangeItem]] = None

    def item(self, field_id: str) -> ChangeItem | None:
        return next((item for item in self.items or [] if item.is_field(field_id)), None)


class Issue(JiraModel):
    """An issue as ``GET issue`` returns it with no ``expand`` (the webhook's ``issue``), or
    as a JSM automation "Issue data" body sends it (``id`` then a number, ``changelog``
    beside ``fields``)."""

    id: MaybeText = None
    key: Text
    self_url: MaybeText = Field(None, alias="self")
    fields: IssueFields
    changelog: Maybe[Changelog] = None


class IssueWebhook(JiraModel):
    """The admin webhook envelope (Cloud and Data Center)."""

    webhook_event: Text = Field(alias="webhookEvent")
    timestamp: Maybe[int] = None
    issue_event_type_name: MaybeText = None
    user: Maybe[JiraUser] = None
    issue: Issue | None = None
    changelog: Maybe[Changelog] = None


class CustomData(JiraModel):
    """cxbot's "Custom data" template for JSM automation (README, helpdesks.md §3.2).

    Smart values that Jira cannot fill render as empty strings: ``reporter_email`` when
    the reporter's email is hidden, ``status_category`` where the smart value is not
    supported; those read as absent.
    """

    cxbot_event: Text
    issue_key: Text
    issue_id: MaybeText = None
    status: MaybeText = None
    status_category: MaybeText = None
    reporter_account_id: MaybeText = None
    reporter_email: MaybeText = None
    reporter_name: MaybeText = None
    fired_at: MaybeText = None
    # Optional lines the README's template adds; absent from older templates.
    created: MaybeText = None
    assignee_name: MaybeText = None
    priority: MaybeText = None
    labels: Maybe[Text | list[Text]] = None

"""``POST /webhooks/jira``: Jira Cloud / Data Center admin webhooks and JSM automation.

Authenticity (helpdesks.md §3.4): an admin webhook registered with a secret sends
``X-Hub-Signature: <method>=<hex HMAC of the raw body>`` (``sha256`` today; the method is
read, not assumed).  JSM automation's "Send web request" cannot sign, so it sends the
secret itself in a hidden ``X-Cxbot-Token`` header, compared in constant time.  Both use
CXBOT_JIRA_SECRET (or CXBOT_WEBHOOK_SECRET).

Status semantics (§3.3): names are per workflow and localised, so only the *current*
status category counts.  A closure is an issue whose category is ``done`` and whose
changelog changed its status or resolution (or an issue created directly in ``done``);
a reopen is a status change to a category that is not ``done`` (storage drops it when
cxbot never saw the issue closed, e.g. To Do → In Progress); anything else is ignored,
with the reason in the 202 body.

The customer is the reporter.  Cloud hides ``emailAddress`` unless the reporter made it
visible, so the reporter's ``accountId`` goes along as ``customer_ref`` for the surveys
job to look up over the REST API when CXBOT_JIRA_URL/EMAIL/TOKEN are set.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.settings import Settings
from bot.webhooks import fields
from bot.webhooks.errors import Ignored, WebhookAuthError, WebhookPayloadError
from bot.webhooks.fields import EMAIL
from bot.webhooks.generic import load_json_object
from bot.webhooks.jira_models import CustomData, Issue, IssueWebhook, JiraUser
from bot.webhooks.lenient import time_or_none
from bot.webhooks.signatures import require_secret
from storage.tickets import EventKind, TicketEvent

LABEL = "Jira issue"
SIGNATURE = "X-Hub-Signature"
TOKEN = "X-Cxbot-Token"
SECRET_SETTING = "CXBOT_JIRA_SECRET (or CXBOT_WEBHOOK_SECRET)"
API_SETTINGS = Settings.helpdesk_api_settings("jira")
DONE = "done"
#: The WebSub-style methods Atlassian may put before ``=`` (``sha256`` today).
METHODS: dict[str, Callable[..., Any]] = {
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}
#: What the custom-data template's ``cxbot_event`` says (README, helpdesks.md §3.2).
CUSTOM_EVENTS: dict[str, EventKind] = {"issue_resolved": "closed", "issue_reopened": "reopened"}
#: Data Center may name the transition itself (unconfirmed): accepted without a changelog.
DC_EVENT_TYPES: dict[str, EventKind] = {
    "issue_resolved": "closed",
    "issue_closed": "closed",
    "issue_reopened": "reopened",
}
Model = TypeVar("Model", bound=BaseModel)


# --- authenticity --------------------------------------------------------------


def signature(secret: str, body: bytes, method: str = "sha256") -> str:
    """``sha256=<lowercase hex HMAC of the body>``, as Jira computes it."""
    return f"{method}=" + hmac.new(secret.encode(), body, METHODS[method]).hexdigest()


def verify(headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
    """An admin webhook's ``X-Hub-Signature``, else a JSM automation's ``X-Cxbot-Token``."""
    secret = require_secret(settings.source_secret("jira"), SECRET_SETTING)
    signed = (headers.get(SIGNATURE) or "").strip()
    if signed:
        _check_signature(signed, secret, body)
        return
    token = (headers.get(TOKEN) or "").strip()
    if token:
        if not hmac.compare_digest(token.encode(), secret.encode()):
            raise WebhookAuthError(f"{TOKEN} does not match {SECRET_SETTING}")
        return
    raise WebhookAuthError(
        f"missing {SIGNATURE} header (set the webhook's secret in Jira) or {TOKEN} header "
        "(JSM automation: add it as a hidden header of the Send web request action)"
    )


def _check_signature(signed: str, secret: str, body: bytes) -> None:
    method, _, given = signed.partition("=")
    method = method.strip().lower()
    if method not in METHODS or not given:
        raise WebhookAuthError(
            f"{SIGNATURE} must read <method>=<hex>, method one of {', '.join(METHODS)}"
        )
    expected = signature(secret, body, method).partition("=")[2]
    if not hmac.compare_digest(expected.encode(), given.strip().lower().encode()):
        raise WebhookAuthError(f"{SIGNATURE} does not match the request body")


# --- payloads ------------------------------------------------------------------


def _validated(model: type[Model], data: dict, prefix: str = "") -> Model:
    """The body as ``model``; a misfit raises WebhookPayloadError naming the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(step) for step in error["loc"])
        raise WebhookPayloadError(f"{prefix}{where}: {error['msg']}") from None


def parse(body: bytes) -> TicketEvent:
    """Whichever of the three Jira bodies this is, as a closure or reopen (else Ignored)."""
    data = load_json_object(body)
    if "cxbot_event" in data:
        return _from_custom(_validated(CustomData, data), data)
    if "webhookEvent" in data:
        return _from_envelope(_validated(IssueWebhook, data), data)
    if "fields" in data or "key" in data:  # JSM "Issue data" (Automation or Jira format)
        return _from_issue_data(_validated(Issue, data), data)
    raise WebhookPayloadError(
        "webhookEvent: Field required (not a Jira webhook, JSM issue data or cxbot custom body)"
    )


def _category(issue: Issue) -> str:
    return issue.fields.status.status_category.key.strip().lower()


def _status_name(issue: Issue) -> str:
    return issue.fields.status.name or "?"


def _from_envelope(hook: IssueWebhook, data: dict) -> TicketEvent:
    event = hook.webhook_event.strip().lower()
    if event not in ("jira:issue_updated", "jira:issue_created"):
        raise Ignored(f"Jira event {hook.webhook_event!r} is not an issue update or creation")
    if hook.issue is None:
        raise WebhookPayloadError("issue: Field required")
    issue, category = hook.issue, _category(hook.issue)
    if event == "jira:issue_created":
        if category != DONE:
            raise Ignored(
                f"issue {issue.key} created in status {_status_name(issue)!r} "
                f"(category {category}): not a closure"
            )
        return _event(issue, "closed", data, hook.timestamp)
    return _event(issue, _update_kind(hook, issue, category), data, hook.timestamp)


def _update_kind(hook: IssueWebhook, issue: Issue, category: str) -> EventKind:
    changelog = hook.changelog or issue.changelog
    status = changelog.item("status") if changelog else None
    resolution = changelog.item("resolution") if changelog else None
    if category == DONE and (status or resolution):
        return "closed"
    if category != DONE and status:
        return "reopened"  # storage ignores it unless cxbot saw the issue closed
    dc_kind = DC_EVENT_TYPES.get((hook.issue_event_type_name or "").lower())
    if dc_kind is not None and (dc_kind == "closed") == (category == DONE):
        return dc_kind
    changed = ", ".join(
        sorted({item.field_id or item.field or "?" for item in (changelog.items or [])})
        if changelog
        else []
    )
    raise Ignored(
        f"update to {issue.key} did not change its status "
        f"(changed: {changed or 'nothing listed'}; status {_status_name(issue)!r}, "
        f"category {category})"
    )


def _from_issue_data(issue: Issue, data: dict) -> TicketEvent:
    """A JSM "Send web request" with the issue as body: the rule's trigger (a transition to
    or from done) is the event, so the current category alone decides."""
    kind: EventKind = "closed" if _category(issue) == DONE else "reopened"
    return _event(issue, kind, data, None)


def _from_custom(body: CustomData, data: dict) -> TicketEvent:
    name = body.cxbot_event.strip().lower()
    kind = CUSTOM_EVENTS.get(name)
    if kind is None:
        raise Ignored(f"cxbot_event {body.cxbot_event!r} is not issue_resolved or issue_reopened")
    category = (body.status_category or "").strip().lower()
    # The smart value may not render (unconfirmed): only a known, contradicting one counts.
    if (kind == "closed" and category in ("new", "indeterminate")) or (
        kind == "reopened" and category == DONE
    ):
        raise Ignored(
            f"cxbot_event {name} but {body.issue_key} is in status category {category}; "
            "check the automation rule's trigger"
        )
    email = _email(body.reporter_email)
    return TicketEvent(
        source="jira",
        kind=kind,
        external_id=body.issue_key,
        customer_email=email,
        customer_ref=body.reporter_account_id,
        customer_name=body.reporter_name,
        no_customer=None
        if email
        else _no_customer(body.reporter_account_id, bool(body.reporter_email)),
        agent_name=body.assignee_name,
        tags=fields.tag_list(_labels(body.labels)),
        channel="jira",
        priority=body.priority,
        created_at=time_or_none(body.created),
        closed_at=time_or_none(body.fired_at) if kind == "closed" else None,
        raw=data,
    )


def _labels(value: str | list[str] | None) -> str | list[str] | None:
    """``{{issue.labels}}`` may render as ``[vpn, billing]`` (unconfirmed): drop the brackets."""
    return value.strip().strip("[]") if isinstance(value, str) else value


def _email(value: str | None) -> str | None:
    """A reporter email, lower-cased; blank or malformed (an unrendered smart value) is
    treated as hidden rather than refusing the closure."""
    if value is None or not EMAIL.match(value):
        return None
    return value.lower()


def _no_customer(account_id: str | None, malformed: bool = False) -> str:
    if account_id is None:
        return "issue has no reporter in the payload: nobody to survey"
    what = "an unreadable email" if malformed else "no email"
    return (
        f"reporter has {what} in the payload (Jira hides it unless the reporter's profile "
        f"shows it): set {API_SETTINGS} to look it up, or send reporter_email from a JSM "
        "automation rule"
    )


def _event(issue: Issue, kind: EventKind, data: dict, fired_ms: int | None) -> TicketEvent:
    info = issue.fields
    reporter = info.reporter or JiraUser.model_validate({})
    email = _email(reporter.email_address)
    components = [c.name for c in info.components or [] if c.name]
    project = info.project
    closed_at = None
    if kind == "closed":
        closed_at = time_or_none(info.resolutiondate) or time_or_none(fired_ms) or None
    return TicketEvent(
        source="jira",
        kind=kind,
        external_id=issue.key,
        customer_email=email,
        customer_ref=reporter.account_id,
        customer_name=reporter.display_name,
        customer_locale=reporter.locale or info.request_language(),
        no_customer=None
        if email
        else _no_customer(reporter.account_id, bool(reporter.email_address)),
        agent_name=info.assignee.display_name if info.assignee else None,
        agent_email=_email(info.assignee.email_address) if info.assignee else None,
        team=(components[0] if components else None) or (project.key if project else None),
        tags=fields.tag_list(info.labels or []),
        channel="jira",
        priority=info.priority.name if info.priority else None,
        created_at=time_or_none(info.created),
        closed_at=closed_at,
        handle_time_seconds=_time_spent(issue),
        raw=data,
    )


def _time_spent(issue: Issue) -> int | None:
    """The issue's logged work where the body carries it; no worklog is no data, not 0."""
    spent = issue.fields.timespent
    if spent is None and issue.fields.timetracking is not None:
        spent = issue.fields.timetracking.time_spent_seconds
    return spent if spent and spent > 0 else None

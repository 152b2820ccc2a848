"""``POST /webhooks/jira``: Jira Service Management issue webhooks.

Jira Cloud signs webhooks registered with a secret as
``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>``.  An issue moving
into the "done" status category is a closure; moving out of it, a reopen;
other updates are ignored.  The customer is the issue's reporter.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.settings import Settings
from bot.webhooks import fields
from bot.webhooks.errors import Ignored, WebhookPayloadError
from bot.webhooks.generic import load_json_object
from bot.webhooks.lenient import dig, text_or_none, time_or_none
from bot.webhooks.signatures import check_equal, hmac_hex, require_secret
from storage.tickets import EventKind, TicketEvent

LABEL = "Jira issue"
SIGNATURE = "X-Hub-Signature"


def verify(headers: Mapping[str, str], body: bytes, settings: Settings) -> None:
    secret = require_secret(
        settings.source_secret("jira"), "CXBOT_JIRA_SECRET (or CXBOT_WEBHOOK_SECRET)"
    )
    check_equal("sha256=" + hmac_hex(secret, body), headers.get(SIGNATURE), SIGNATURE)


def _status_change(data: dict) -> tuple[str | None, str | None]:
    for item in dig(data, "changelog", "items") or []:
        if isinstance(item, dict) and item.get("field") == "status":
            return text_or_none(item.get("fromString")), text_or_none(item.get("toString"))
    raise Ignored("issue update without a status change")


def parse(body: bytes) -> TicketEvent:
    data = load_json_object(body)
    if data.get("webhookEvent") not in ("jira:issue_updated", "jira:issue_created"):
        raise Ignored(f"Jira event {data.get('webhookEvent')!r} is not an issue update")
    issue = fields.mapping(data, "issue")
    key = text_or_none(issue.get("key"))
    if key is None:
        raise WebhookPayloadError("issue.key: required")
    before, after = _status_change(data)
    done = dig(issue, "fields", "status", "statusCategory", "key") == "done"
    kind: EventKind = "closed" if done else "reopened"
    if not done and not before:
        raise Ignored(f"status change to {after!r} is not a closure or reopen")
    info = issue.get("fields") or {}
    email = text_or_none(dig(info, "reporter", "emailAddress"))
    if email is None:
        raise WebhookPayloadError(
            "issue.fields.reporter.emailAddress: required (Jira hides it unless the reporter's email is visible)"
        )
    fields.email(email, "issue.fields.reporter.emailAddress")
    components = info.get("components") or []
    return TicketEvent(
        source="jira",
        kind=kind,
        external_id=key,
        customer_email=email.lower(),
        agent_name=text_or_none(dig(info, "assignee", "displayName")),
        agent_email=text_or_none(dig(info, "assignee", "emailAddress")),
        team=text_or_none(dig(components, 0, "name")) or text_or_none(dig(info, "project", "key")),
        tags=fields.tag_list(info.get("labels")),
        channel="jira",
        priority=text_or_none(dig(info, "priority", "name")),
        created_at=time_or_none(info.get("created")),
        closed_at=time_or_none(info.get("resolutiondate")) if done else None,
        raw=data,
    )

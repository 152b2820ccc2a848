"""The detractor alert message and its two modals (resolve, correct the labels)."""

from __future__ import annotations

import re
from urllib.parse import quote

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.limits import clip, context, quoted, section
from bot.formatting import METRIC_NAMES, NO_DATA
from bot.mrkdwn import escape_mrkdwn
from storage.alerts import OUTCOMES, AlertView

OUTCOME_TEXT = {
    "contacted": "Contacted the customer",
    "fixed": "Problem fixed",
    "refunded": "Refund or credit given",
    "no_action": "No action needed",
    "unreachable": "Customer unreachable",
}
RESOLVE_MODAL = "cx_alert_resolve_modal"
RELABEL_MODAL = "cx_alert_relabel_modal"


def _ticket(alert: AlertView, ticket_url: str | None) -> str:
    if not alert.ticket:
        return NO_DATA
    label = escape_mrkdwn(alert.ticket)
    if ticket_url:  # the id goes into the link percent-encoded, into its label escaped
        source = quote(alert.ticket_source or "", safe="")
        return f"<{ticket_url.format(id=quote(alert.ticket, safe=''), source=source)}|{label}>"
    return label


_SLACK_USER = re.compile(r"[UW][A-Z0-9]{6,}")


def customer_text(alert: AlertView) -> str:
    """The customer as a Slack mention when Slack knows them (``<@U…>`` shows their name and
    profile), with the helpdesk's email beside it; otherwise the key, escaped."""
    user = alert.customer_slack_id or (
        alert.customer if alert.customer and _SLACK_USER.fullmatch(alert.customer) else None
    )
    if user is None:
        return escape_mrkdwn(alert.customer or NO_DATA)
    if alert.customer and alert.customer != user:
        return f"<@{user}> ({escape_mrkdwn(alert.customer)})"
    return f"<@{user}>"


def alert_text(alert: AlertView) -> str:
    metric, ticket = METRIC_NAMES[alert.survey_type], escape_mrkdwn(alert.ticket or NO_DATA)
    if alert.withdrawn:
        return (
            f"Withdrawn, no follow-up needed: the customer changed their {metric} score "
            f"to {alert.score} on ticket {ticket}"
        )
    return f"Detractor: {metric} {alert.score} on ticket {ticket}"


def alert_blocks(
    alert: AlertView, theme_labels: dict[str, str], ticket_url: str | None = None
) -> list[dict]:
    themes = ", ".join(theme_labels.get(t, t) for t in alert.themes) or "unthemed"
    comment = quoted(alert.comment) if alert.comment else "_No comment (yet)._"
    icon = ":information_source:" if alert.withdrawn else ":rotating_light:"
    blocks = [
        section(f"{icon} *{alert_text(alert)}*"),
        section(clip(comment)),
        context(
            f"Themes: {themes} · Sentiment: {alert.sentiment or 'not classified yet'} · Ticket {_ticket(alert, ticket_url)} · "
            f"Agent {escape_mrkdwn(alert.agent or NO_DATA)} · Team {escape_mrkdwn(alert.team or NO_DATA)} · "
            f"Customer {customer_text(alert)}"
        ),
    ]
    if alert.resolved_by:
        note = f" — “{escape_mrkdwn(alert.note)}”" if alert.note else ""
        blocks.append(
            section(
                f":white_check_mark: Resolved by <@{alert.resolved_by}>: {OUTCOME_TEXT.get(alert.outcome or '', alert.outcome)}{note}"
            )
        )
    elif alert.owner:
        blocks.append(section(f":raising_hand: <@{alert.owner}> is following up."))
    buttons = []
    if not alert.owner and not alert.resolved_by and not alert.withdrawn:
        buttons.append(
            ButtonElement(
                text=PlainTextObject(text="I'll follow up"),
                action_id="cx_alert_take",
                value=str(alert.id),
                style="primary",
            )
        )
    if not alert.resolved_by and not alert.withdrawn:
        buttons.append(
            ButtonElement(
                text=PlainTextObject(text="Resolved"),
                action_id="cx_alert_resolve",
                value=str(alert.id),
            )
        )
    buttons.append(
        ButtonElement(
            text=PlainTextObject(text="Wrong theme"),
            action_id="cx_alert_relabel",
            value=str(alert.id),
        )
    )
    blocks.append(ActionsBlock(block_id="cx_alert_actions", elements=buttons).to_dict())
    return blocks


def resolve_modal(alert_id: int) -> dict:
    options = [Option(text=PlainTextObject(text=OUTCOME_TEXT[o]), value=o) for o in OUTCOMES]
    return View(
        type="modal", callback_id=RESOLVE_MODAL, private_metadata=str(alert_id),
        title=PlainTextObject(text="Resolve detractor"), submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            InputBlock(block_id="outcome", label=PlainTextObject(text="Outcome"), element=StaticSelectElement(action_id="value", options=options)),
            InputBlock(block_id="note", label=PlainTextObject(text="Note"), optional=True, element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000)),
        ],
    ).to_dict()  # fmt: skip


def relabel_modal(alert: AlertView, theme_labels: dict[str, str]) -> dict:
    """Checkboxes for the themes (current ones ticked) and the sentiment."""
    theme_options = [
        Option(text=PlainTextObject(text=label[:75]), value=theme)
        for theme, label in list(theme_labels.items())[:10]
    ]
    ticked = [o for o in theme_options if o.value in alert.themes]
    sentiments = [
        Option(text=PlainTextObject(text=s.capitalize()), value=s)
        for s in ("negative", "neutral", "positive")
    ]
    current = next((o for o in sentiments if o.value == alert.sentiment), None)
    return View(
        type="modal", callback_id=RELABEL_MODAL, private_metadata=str(alert.id),
        title=PlainTextObject(text="Correct the labels"), submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            InputBlock(block_id="themes", label=PlainTextObject(text="Themes (none = unthemed)"), optional=True,
                       element=CheckboxesElement(action_id="value", options=theme_options, initial_options=ticked or None)),
            InputBlock(block_id="sentiment", label=PlainTextObject(text="Sentiment"),
                       element=StaticSelectElement(action_id="value", options=sentiments, initial_option=current)),
        ],
    ).to_dict()  # fmt: skip

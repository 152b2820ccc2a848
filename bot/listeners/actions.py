"""Survey buttons: a score click, "Add a comment", and one-click reasons.

The score is written before the click is acknowledged (so an acknowledged
click is stored); Slack calls that update the message run lazily after.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.survey import answered_blocks, comment_modal
from bot.i18n import language_for_locale, text
from bot.listeners.middleware import services
from storage import surveys as outbox

SCORE = re.compile(r"^cx_score_\d+$")
REASON = re.compile(r"^cx_reason_[a-z]+$")
REASON_TEXT = {
    "slow": "Too slow",
    "unsolved": "Not solved",
    "unfriendly": "Unfriendly",
    "repeat": "Had to repeat myself",
}


def _value(body: dict) -> tuple[int, str]:
    survey_id, _, rest = body["actions"][0]["value"].partition(":")
    return int(survey_id), rest


async def _ephemeral(
    client: AsyncWebClient, body: dict, message: str, thread_ts: str | None = None
) -> None:
    """Tell only the clicker; a click in a thread is answered in that thread, where they are.

    Without ``thread_ts`` an ephemeral about a survey in a channel thread shows in
    the channel's main view, away from the buttons that were clicked.
    """
    container = body.get("container", {})
    channel = container.get("channel_id") or body.get("channel", {}).get("id")
    thread = container.get("thread_ts") or body.get("message", {}).get("thread_ts") or thread_ts
    await client.chat_postEphemeral(
        channel=channel, user=body["user"]["id"], text=message, thread_ts=thread
    )


async def store_score(ack: AsyncAck, body: dict, context: AsyncBoltContext) -> None:
    """Store the click (and a detractor's alert, in the same transaction) before acknowledging it."""
    store, settings = services(context).store, services(context).settings
    survey_id, score = _value(body)
    survey = await store.run(outbox.get_survey, survey_id)
    user = body["user"]["id"]
    if survey is not None and survey.slack_user_id and survey.slack_user_id != user:
        context["cx_outcome"] = "not_for_you"
    else:
        now = datetime.now(UTC)
        result = await store.run(
            outbox.record_score, survey_id, int(score), now, user,
            alert_channel=settings.alert_channel,
        )  # fmt: skip
        context["cx_outcome"] = result.status
    await ack()


async def show_answer(body: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    """After a click: the message shows the answer, or the clicker learns why it did not count."""
    survey_id, score = _value(body)
    survey = await services(context).store.run(outbox.get_survey, survey_id)
    language = language_for_locale(survey.locale if survey else None)
    outcome = context.get("cx_outcome")
    if outcome in ("not_for_you", "closed") or survey is None:
        await _ephemeral(
            client,
            body,
            text("not_for_you" if outcome == "not_for_you" else "closed_click", language),
            survey.thread_ts if survey else None,
        )
        return
    container = body["container"]
    await client.chat_update(
        channel=container["channel_id"],
        ts=container["message_ts"],
        text=text("thanks", language, score=score),
        blocks=answered_blocks(
            survey_id, survey.survey_type, language, survey.ticket_ref, int(score)
        ),
    )


async def just_ack(ack: AsyncAck) -> None:
    await ack()


async def open_comment(body: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    survey_id, _ = _value(body)  # the button's value is the survey id alone
    survey = await services(context).store.run(outbox.get_survey, survey_id)
    language = language_for_locale(survey.locale if survey else None)
    await client.views_open(trigger_id=body["trigger_id"], view=comment_modal(survey_id, language))


async def store_reason(ack: AsyncAck, body: dict, context: AsyncBoltContext) -> None:
    survey_id, key = _value(body)
    saved = await services(context).store.run(
        outbox.add_comment, survey_id, f"[reason] {REASON_TEXT.get(key, key)}"
    )
    context["cx_saved"] = saved is not None
    await ack()


async def confirm_reason(body: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    survey_id, _ = _value(body)
    survey = await services(context).store.run(outbox.get_survey, survey_id)
    language = language_for_locale(survey.locale if survey else None)
    message = "comment_saved" if context.get("cx_saved") else "closed_click"
    await _ephemeral(client, body, text(message, language))


def register(app: AsyncApp) -> None:
    app.action(SCORE)(ack=store_score, lazy=[show_answer])
    app.action("cx_comment")(ack=just_ack, lazy=[open_comment])
    app.action(REASON)(ack=store_reason, lazy=[confirm_reason])

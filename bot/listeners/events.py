"""Plain replies in the survey's DM become the comment.

Slack's retries of an event are dropped before they get here
(``bot.listeners.middleware.skip_retried_events``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.listeners.middleware import services
from bot.mrkdwn import plain_from_slack
from storage import surveys as outbox


def _comment_target(db: Database, event: dict, now: datetime) -> int | None:
    thread = event.get("thread_ts")
    if thread:
        survey_id = outbox.survey_for_message(db, event["channel"], thread)
        if survey_id is not None:
            return survey_id
    return outbox.latest_open_survey_for_user(db, event.get("user", ""), now)


def save_reply(db: Database, event: dict, now: datetime) -> int | None:
    """Attach a DM reply to the right survey's response; None when nothing to attach to."""
    survey_id = _comment_target(db, event, now)
    if survey_id is None:
        return None
    return outbox.add_comment(db, survey_id, plain_from_slack(event.get("text") or ""))


async def direct_message(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    saved = await services(context).store.run(save_reply, event, datetime.now(UTC))
    if saved is not None:
        try:
            await client.reactions_add(
                channel=event["channel"], timestamp=event["ts"], name="white_check_mark"
            )
        except SlackApiError:
            pass  # the comment is stored; the tick is only a courtesy


def register(app: AsyncApp) -> None:
    app.event("message")(direct_message)

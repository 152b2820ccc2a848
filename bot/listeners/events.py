"""Plain replies in the survey's DM become the comment; Slack's retries apply once."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.mrkdwn import plain_from_slack
from bot.store import Store
from storage import surveys as outbox


def _comment_target(db, event: dict, now: datetime) -> int | None:
    thread = event.get("thread_ts")
    if thread:
        survey_id = outbox.survey_for_message(db, event["channel"], thread)
        if survey_id is not None:
            return survey_id
    return outbox.latest_open_survey_for_user(db, event.get("user", ""), now)


def save_reply(db, event_id: str | None, event: dict, now: datetime) -> int | None:
    """Attach a DM reply to the right survey's response; None when nothing to attach to."""
    if event_id and not outbox.first_time_event(db, event_id, now):
        return None
    survey_id = _comment_target(db, event, now)
    if survey_id is None:
        return None
    return outbox.add_comment(db, survey_id, plain_from_slack(event.get("text") or ""))


def register(app: AsyncApp, store: Store) -> None:
    @app.event("message")
    async def direct_message(body: dict, event: dict, client: AsyncWebClient) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        saved = await store.run(save_reply, body.get("event_id"), event, datetime.now(UTC))
        if saved is not None:
            try:
                await client.reactions_add(
                    channel=event["channel"], timestamp=event["ts"], name="white_check_mark"
                )
            except SlackApiError:
                pass  # the comment is stored; the tick is only a courtesy

"""Surveys: send the due ones, remind once, and close the expired ones.

A survey is claimed (a short lease) before it is sent and marked sent right
after Slack accepts it, so the only window for a double send is a crash
between those two steps; a resend after such a crash first looks for the
message it may already have posted.  Claims an earlier process left are
released when the job starts.  Transient Slack faults reschedule with backoff
and record the error; permanent ones mark the survey failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlite_utils import Database

from bot.blocks.survey import expired_blocks, survey_blocks, survey_text
from bot.i18n import language_for_locale, text
from bot.slack_client import PERMANENT_ERRORS, slack_error
from storage import surveys as outbox

log = logging.getLogger("cxbot.delivery")
MAX_BACKOFF = timedelta(hours=1)


class PermanentDeliveryError(Exception):
    """Sending can never succeed (unknown user, bot user, missing channel…)."""


@dataclass(frozen=True)
class SurveyPolicy:
    """How long a survey stays answerable, and when its one reminder goes out."""

    expires_after: timedelta = timedelta(days=7)
    reminder_after: timedelta = timedelta(hours=24)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at an hour."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _resolve_user(client: WebClient, survey: outbox.OutgoingSurvey) -> tuple[str, str | None]:
    """The customer's Slack user id and locale (from users.info)."""
    user_id = survey.slack_user_id
    if not user_id:
        if not survey.customer_email:
            raise PermanentDeliveryError("no Slack user id or email for the customer")
        user_id = client.users_lookupByEmail(email=survey.customer_email)["user"]["id"]
    user = client.users_info(user=user_id, include_locale=True)["user"]
    if user.get("is_bot"):
        raise PermanentDeliveryError("cannot_dm_bot")
    if user.get("deleted"):
        raise PermanentDeliveryError("account_inactive")
    return user_id, user.get("locale")


def _already_posted(client: WebClient, channel: str, survey: outbox.OutgoingSurvey) -> dict | None:
    """The survey's message if an earlier attempt posted it before a crash (found by its metadata).

    Only a crash between Slack accepting the message and the database recording
    it can leave such a message; checking keeps that from becoming a double send.
    """
    history = client.conversations_history(channel=channel, limit=50, include_all_metadata=True)
    message: dict
    for message in history.get("messages", []):
        payload: dict = (message.get("metadata") or {}).get("event_payload") or {}
        if payload.get("survey_id") == survey.id:
            log.info(
                "survey %s was already posted as %s; not sending it twice", survey.id, message["ts"]
            )
            return {"channel": channel, "ts": message["ts"]}
    return None


def send_survey(
    client: WebClient,
    db: Database,
    survey: outbox.OutgoingSurvey,
    policy: SurveyPolicy,
    now: datetime,
) -> str:
    """Deliver one claimed survey; returns what happened (sent/skipped/failed/retry)."""
    if survey.reopened:
        outbox.mark_skipped(db, survey.id, "ticket reopened before the survey was sent", "reopened")
        return "skipped"
    try:
        user_id, locale = _resolve_user(client, survey)
        language = language_for_locale(locale)
        channel = survey.slack_channel or client.conversations_open(users=user_id)["channel"]["id"]
        earlier = _already_posted(client, channel, survey) if survey.attempts > 1 else None
        reply = earlier or client.chat_postMessage(
            channel=channel,
            thread_ts=survey.thread_ts,
            text=survey_text(survey.survey_type, language, survey.ticket_ref),
            blocks=survey_blocks(survey.id, survey.survey_type, language, survey.ticket_ref),
            metadata={"event_type": "cxbot_survey", "event_payload": {"survey_id": survey.id}},
        )
    except PermanentDeliveryError as exc:
        outbox.mark_failed(db, survey.id, str(exc))
        return "failed"
    except SlackApiError as exc:
        error = slack_error(exc)
        if error in PERMANENT_ERRORS:
            outbox.mark_failed(db, survey.id, error)
            return "failed"
        outbox.reschedule(db, survey.id, f"slack: {error}", now + backoff(survey.attempts))
        return "retry"
    except Exception as exc:  # network faults after the client's own retries
        outbox.reschedule(
            db, survey.id, f"{type(exc).__name__}: {exc}", now + backoff(survey.attempts)
        )
        return "retry"
    outbox.mark_sent(
        db, survey.id, channel=reply["channel"], ts=reply["ts"], user_id=user_id,
        locale=locale, now=datetime.now(UTC), expires_after=policy.expires_after,
    )  # fmt: skip
    return "sent"


def send_reminder(
    client: WebClient, db: Database, survey: outbox.OutgoingSurvey, now: datetime
) -> None:
    """Nudge once in the survey's thread; a transient fault leaves it due for the next pass."""
    language = language_for_locale(survey.locale)
    if survey.slack_channel and survey.slack_ts:  # a sent survey always has both
        try:
            client.chat_postMessage(
                channel=survey.slack_channel, thread_ts=survey.slack_ts,
                text=text("reminder", language, ticket=survey.ticket_ref),
            )  # fmt: skip
        except SlackApiError as exc:
            if slack_error(exc) not in PERMANENT_ERRORS:
                return  # try again on the next pass
    outbox.mark_reminded(db, survey.id, now)


def close_expired(client: WebClient, db: Database, survey: outbox.OutgoingSurvey) -> None:
    """Replace the buttons with the final state; a transient fault leaves them for the next pass."""
    language = language_for_locale(survey.locale)
    score = db.execute("SELECT score FROM responses WHERE survey_id = ?", [survey.id]).fetchone()
    if survey.slack_channel and survey.slack_ts:  # due_expiries only returns posted surveys
        try:
            client.chat_update(
                channel=survey.slack_channel, ts=survey.slack_ts, text=text("expired", language),
                blocks=expired_blocks(survey.survey_type, language, survey.ticket_ref, score[0] if score else None),
            )  # fmt: skip
        except SlackApiError as exc:
            if slack_error(exc) not in PERMANENT_ERRORS | {
                "message_not_found",
                "cant_update_message",
            }:
                return  # buttons still live: retry next pass
    outbox.mark_expired(db, survey.id)


class SendSurveys:
    """The survey outbox: due surveys, then reminders, then expiries, on every tick."""

    name = "surveys"
    every: timedelta | None = None

    def __init__(self, client: WebClient, policy: SurveyPolicy):
        self._client, self.policy = client, policy

    def prepare(self, db: Database) -> None:
        """Release claims a crashed or killed process left, so those surveys go out now."""
        if released := outbox.release_claims(db):
            log.info("released %d claims left by an earlier run", released)

    def run(self, db: Database, now: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for survey in outbox.claim_due(db, now):
            outcome = send_survey(self._client, db, survey, self.policy, now)
            counts[outcome] = counts.get(outcome, 0) + 1
            log.info("survey %s %s", survey.id, outcome)
        for survey in outbox.due_reminders(db, now, self.policy.reminder_after):
            send_reminder(self._client, db, survey, now)
            counts["reminded"] = counts.get("reminded", 0) + 1
        for survey in outbox.due_expiries(db, now):
            close_expired(self._client, db, survey)
            counts["expired"] = counts.get("expired", 0) + 1
        return counts

"""Surveys: send the due ones, remind once, and close the expired ones.

A survey is claimed (a short lease) before it is sent and marked sent right
after Slack accepts it, so the only window for a double send is a crash
between those two steps; a resend after such a crash first looks for the
message it may already have posted.  Claims an earlier process left are
released when the job starts.  Transient Slack faults reschedule with backoff
and record the error; permanent ones mark the survey failed.

A survey that only knows the helpdesk's id for the customer (a Zendesk
requester id, a Jira accountId, an Intercom contact id) is looked up here, off
the webhook's request path: the email goes onto the survey and the ticket, the
per-customer cooldown is checked again (intake could not), and the survey goes
out as usual.  A customer who cannot be reached — no email at the helpdesk, a
refused look-up, no account in this Slack workspace — is *skipped* with a
reason that says what to do, not failed: nothing about it is worth a retry.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlite_utils import Database

from bot.blocks.survey import expired_blocks, reminder_text, survey_blocks, survey_text
from bot.helpdesks.api import HelpdeskClient, HelpdeskRefused, HelpdeskUnavailable, Person
from bot.i18n import language_for_locale, text
from bot.settings import Settings
from bot.slack_client import PERMANENT_ERRORS, TOKEN_ERRORS, TokenHealth, slack_error
from storage import surveys as outbox

log = logging.getLogger("cxbot.delivery")
MAX_BACKOFF = timedelta(hours=1)
LOOKUP_TTL = 3600.0  # seconds a looked-up person is reused: a burst of tickets asks once
DEAD_END_TTL = 300.0  # seconds a person without email, or a refused look-up, is reused
CACHE_SIZE = 10_000  # look-ups kept before the expired ones are dropped

_VENDOR = {"zendesk": "Zendesk", "freshdesk": "Freshdesk", "jira": "Jira", "intercom": "Intercom"}
_PERSON = {
    "zendesk": "requester",
    "freshdesk": "contact",
    "jira": "reporter",
    "intercom": "contact",
}
#: Why a looked-up person has no email, and what to do, per helpdesk.
_NO_EMAIL = {
    "zendesk": "Zendesk requester {ref} has no email (a user created from phone or "
    "messaging): add an email to the user in Zendesk",
    "freshdesk": "Freshdesk contact {ref} has no email: add an email to the contact in Freshdesk",
    "jira": "Jira reporter {ref} hides their email: add the reporter's email smart value "
    "to the JSM automation body (README)",
    "intercom": "Intercom contact {ref} has no email (a lead who never gave one): "
    "nothing to send in Slack until they do",
}


class PermanentDeliveryError(Exception):
    """Sending can never succeed (unknown user, bot user, missing channel…)."""


class TokenDead(Exception):
    """Slack refused the bot's own token: nothing can be sent until it works again."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class Deactivated(Exception):
    """The customer's Slack account is deactivated (``deleted: true``, ``user_disabled``)."""


DEACTIVATED_REASON = (
    "the customer's Slack account is deactivated (user_disabled): "
    "nothing to send unless a Slack admin reactivates it"
)


class NotInSlack(Exception):
    """The customer's email has no account in this Slack workspace (``users_not_found``)."""


@dataclass(frozen=True)
class SurveyPolicy:
    """How long a survey stays answerable, when its one reminder goes out, and the
    per-customer cooldown a looked-up customer is checked against."""

    expires_after: timedelta = timedelta(days=7)
    reminder_after: timedelta = timedelta(hours=24)
    cooldown: timedelta = timedelta(days=7)


class PeopleCache:
    """Look-ups of helpdesk people, remembered per (source, ref): a burst of tickets from
    one person asks the helpdesk once.

    A person with an email is kept ``ttl`` seconds (an hour). A dead end (no email, a
    refusal) is kept ``dead_end_ttl`` (5 minutes): long enough for a burst, short
    enough that ``cxbot surveys retry`` after someone added the email asks again.
    A fault (429, 5xx) is not kept, so the rescheduled attempt asks again.
    """

    def __init__(
        self,
        clients: Mapping[str, HelpdeskClient],
        ttl: float = LOOKUP_TTL,
        dead_end_ttl: float = DEAD_END_TTL,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._clients, self._clock = dict(clients), clock
        self._ttl, self._dead_end_ttl = ttl, dead_end_ttl
        self._known: dict[tuple[str, str], tuple[float, Person | HelpdeskRefused]] = {}

    def person(self, source: str, ref: str) -> Person:
        """The person, or HelpdeskRefused / HelpdeskUnavailable as the helpdesk answered."""
        key, now = (source, ref), self._clock()
        cached = self._known.get(key)
        if cached is None or cached[0] <= now:
            answer = self._ask(source, ref)
            found = isinstance(answer, Person) and bool(answer.email)
            cached = (now + (self._ttl if found else self._dead_end_ttl), answer)
            if len(self._known) >= CACHE_SIZE:  # months of customers: drop the stale ones
                self._known = {k: v for k, v in self._known.items() if v[0] > now}
            self._known[key] = cached
        if isinstance(cached[1], HelpdeskRefused):
            raise cached[1]
        return cached[1]

    def _ask(self, source: str, ref: str) -> Person | HelpdeskRefused:
        client = self._clients.get(source)
        if client is None:
            vendor = _VENDOR.get(source, source)
            setting = Settings.helpdesk_api_settings(source) or "its API credentials"
            return HelpdeskRefused(f"no {vendor} API credentials to ask: set {setting}")
        try:
            return client.person(ref)
        except HelpdeskRefused as exc:
            return exc


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at an hour."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def not_in_slack_reason(email: str) -> str:
    """The skip reason for a customer Slack does not know; it names the email's domain only.

    The full address is already the survey's recipient beside it in ``cxbot surveys``;
    the domain is what the fix depends on (a company not in Slack Connect, a guest
    never invited), it groups the same way for every person from that company, and
    it keeps a personal address out of logs and summaries that quote reasons.
    """
    domain = email.rpartition("@")[2] or "?"
    return (
        f"no Slack account for the customer's email at @{domain} in this workspace: "
        "cxbot surveys in Slack only (invite them as a guest or through Slack Connect)"
    )


def _lookup_by_email(client: WebClient, email: str) -> str:
    try:
        return client.users_lookupByEmail(email=email)["user"]["id"]
    except SlackApiError as exc:
        if slack_error(exc) == "users_not_found":
            raise NotInSlack(not_in_slack_reason(email)) from None
        raise


def _resolve_user(client: WebClient, survey: outbox.OutgoingSurvey) -> tuple[str, str | None]:
    """The customer's Slack user id and locale (from users.info)."""
    user_id = survey.slack_user_id
    if not user_id:
        if not survey.customer_email:
            raise PermanentDeliveryError("no Slack user id or email for the customer")
        user_id = _lookup_by_email(client, survey.customer_email)
    user = client.users_info(user=user_id, include_locale=True)["user"]
    if user.get("is_bot"):
        raise PermanentDeliveryError("cannot_dm_bot")
    if user.get("deleted"):
        raise Deactivated()
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


def find_customer(
    db: Database,
    survey: outbox.OutgoingSurvey,
    people: PeopleCache,
    policy: SurveyPolicy,
    now: datetime,
) -> str | None:
    """Ask the ticket's helpdesk who the customer is and store the email on the survey.

    None: found, go on and send. Otherwise the outcome: ``retry`` (the helpdesk is
    busy or down: rescheduled no sooner than its Retry-After) or ``skipped``
    (no email, a refused look-up, or the customer's cooldown now applies).
    """
    source, ref = survey.source, survey.customer_ref or ""
    vendor = _VENDOR.get(source, source)
    try:
        person = people.person(source, ref)
    except HelpdeskUnavailable as exc:
        wait = max(backoff(survey.attempts), timedelta(seconds=exc.retry_after or 0))
        outbox.reschedule(db, survey.id, f"{vendor} look-up: {exc}", now + wait)
        return "retry"
    except HelpdeskRefused as exc:
        role = _PERSON.get(source, "customer")
        reason = f"{vendor} refused the look-up of {role} {ref}: {exc}"
        outbox.mark_skipped(db, survey.id, reason, "no_customer")
        return "skipped"
    if not person.email:
        reason = _NO_EMAIL.get(source, "{ref} has no email at the helpdesk").format(ref=ref)
        outbox.mark_skipped(db, survey.id, reason, "no_customer")
        return "skipped"
    cooldown = outbox.store_customer(
        db, survey, person.email, name=person.name, locale=person.locale,
        cooldown=policy.cooldown, now=now,
    )  # fmt: skip
    return "skipped" if cooldown else None


def send_survey(
    client: WebClient,
    db: Database,
    survey: outbox.OutgoingSurvey,
    policy: SurveyPolicy,
    now: datetime,
    people: PeopleCache | None = None,
) -> str:
    """Deliver one claimed survey; returns what happened (sent/skipped/failed/retry)."""
    if survey.reopened:
        outbox.mark_skipped(db, survey.id, "ticket reopened before the survey was sent", "reopened")
        return "skipped"
    looked_up = survey.needs_lookup
    if looked_up:
        outcome = find_customer(db, survey, people or PeopleCache({}), policy, now)
        if outcome is not None:
            return outcome
        survey = outbox.get_survey(db, survey.id) or survey  # now with the customer's email
    try:
        user_id, locale = _resolve_user(client, survey)
        if looked_up and (
            cooldown := outbox.cooldown_for_user(db, survey, user_id, policy.cooldown, now)
        ):
            outbox.mark_skipped(db, survey.id, cooldown, "cooldown")
            return "skipped"
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
    except NotInSlack as exc:
        outbox.mark_skipped(db, survey.id, str(exc), "not_in_slack")
        return "skipped"
    except PermanentDeliveryError as exc:
        outbox.mark_failed(db, survey.id, str(exc))
        return "failed"
    except Deactivated:
        outbox.mark_skipped(db, survey.id, DEACTIVATED_REASON, "deactivated")
        return "skipped"
    except SlackApiError as exc:
        error = slack_error(exc)
        if error in TOKEN_ERRORS:
            outbox.release(db, [survey.id], f"slack: {error} (the bot's token; kept queued)")
            raise TokenDead(error) from None
        if error == "user_disabled":
            outbox.mark_skipped(db, survey.id, DEACTIVATED_REASON, "deactivated")
            return "skipped"
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
                text=reminder_text(language, survey.ticket_ref),
            )  # fmt: skip
        except SlackApiError as exc:
            if slack_error(exc) in TOKEN_ERRORS:
                raise TokenDead(slack_error(exc)) from None
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
            if slack_error(exc) in TOKEN_ERRORS:
                raise TokenDead(slack_error(exc)) from None
            if slack_error(exc) not in PERMANENT_ERRORS | {
                "message_not_found",
                "cant_update_message",
            }:
                return  # buttons still live: retry next pass
    outbox.mark_expired(db, survey.id)


def _log_outcome(db: Database, survey_id: int, outcome: str) -> None:
    """One line per survey, with the reason when it did not go out ("survey 1 failed" alone said nothing)."""
    if outcome == "sent":
        log.info("survey %s sent", survey_id)
        return
    row = db.execute(
        "SELECT last_error, skip_reason FROM surveys WHERE id = ?", [survey_id]
    ).fetchone()
    reason = (row and (row[1] if outcome == "skipped" else row[0])) or "no reason recorded"
    level = logging.WARNING if outcome == "failed" else logging.INFO
    log.log(level, "survey %s %s: %s", survey_id, outcome, reason)


class SendSurveys:
    """The survey outbox: due surveys, then reminders, then expiries, on every tick."""

    name = "surveys"
    every: timedelta | None = None

    def __init__(
        self,
        client: WebClient,
        policy: SurveyPolicy,
        helpdesks: Mapping[str, HelpdeskClient] | None = None,
        token: TokenHealth | None = None,
    ):
        self._client, self.policy = client, policy
        self._people = PeopleCache(helpdesks or {})
        self.token = token or TokenHealth()
        #: Set by the scheduler: true once ``cxbot serve`` is stopping (see ``_send_due``).
        self.stopping: Callable[[], bool] = lambda: False

    def prepare(self, db: Database) -> None:
        """Release claims a crashed or killed process left, so those surveys go out now."""
        if released := outbox.release_claims(db):
            log.info("released %d claims left by an earlier run", released)

    def run(self, db: Database, now: datetime) -> dict[str, int]:
        """One pass; a dead bot token stops it, leaving every survey queued as it was."""
        counts: dict[str, int] = {}
        if not self.token.usable(self._client):
            return counts
        try:
            self._send_due(db, now, counts)
            for survey in outbox.due_reminders(db, now, self.policy.reminder_after):
                send_reminder(self._client, db, survey, now)
                counts["reminded"] = counts.get("reminded", 0) + 1
            for survey in outbox.due_expiries(db, now):
                close_expired(self._client, db, survey)
                counts["expired"] = counts.get("expired", 0) + 1
        except TokenDead as exc:
            self.token.failed(exc.error)
        return counts

    def _send_due(self, db: Database, now: datetime, counts: dict[str, int]) -> None:
        claimed = outbox.claim_due(db, now)
        for index, survey in enumerate(claimed):
            if self.stopping():  # during a Slack outage each survey can take seconds of retries
                outbox.release(db, [s.id for s in claimed[index:]])
                return
            try:
                outcome = send_survey(self._client, db, survey, self.policy, now, self._people)
            except TokenDead:
                outbox.release(db, [s.id for s in claimed[index + 1 :]])
                raise
            counts[outcome] = counts.get(outcome, 0) + 1
            _log_outcome(db, survey.id, outcome)

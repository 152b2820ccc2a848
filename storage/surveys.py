"""The survey outbox and the answers that come back.

Surveys wait in SQLite until due; a worker claims one (a lease, so a crashed
worker's claim runs out), sends it, and records the Slack message.  Answers
are written against the survey, so a second click changes the score instead
of adding a response, and Slack's retried events apply once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.alerts import flag_alert, sync_alert_with_score
from storage.db import write_transaction
from storage.responses import ResponseRow
from storage.survey_types import SURVEYS
from storage.tickets import cooldown_reason, recent_survey
from storage.timestamps import parse_timestamp, to_db
from storage.writebacks import writeback_counts

CLAIM_LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class OutgoingSurvey:
    """What the sender needs to deliver one survey."""

    id: int
    survey_type: str
    recipient: str
    customer_email: str | None
    slack_user_id: str | None
    slack_channel: str | None
    thread_ts: str | None
    ticket_ref: str
    ticket_status: str
    ticket_closures: int
    closure_seq: int
    attempts: int
    locale: str | None
    slack_ts: str | None
    state: str
    #: The ticket's helpdesk (``zendesk``…) and its id for the customer, when the
    #: survey waits for a look-up (``recipient`` is then ``<source>:<ref>``).
    source: str
    customer_ref: str | None

    @property
    def needs_lookup(self) -> bool:
        """No email and no Slack id yet, only the helpdesk's person id to ask about."""
        return bool(self.customer_ref) and not (self.customer_email or self.slack_user_id)

    @property
    def reopened(self) -> bool:
        """The ticket was reopened (or closed again) after this survey was scheduled."""
        return self.ticket_status != "closed" or self.ticket_closures != self.closure_seq


_SELECT = (
    "SELECT s.id, s.survey_type, s.recipient, s.customer_email, s.slack_user_id, s.slack_channel, "
    "s.thread_ts, t.external_id, t.status, t.closure_count, s.closure_seq, s.attempts, s.locale, "
    "s.slack_ts, s.state, t.source, s.customer_ref FROM surveys s JOIN tickets t ON t.id = s.ticket_id"
)


def _outgoing(rows) -> list[OutgoingSurvey]:
    return [OutgoingSurvey(*row) for row in rows]


def get_survey(db: Database, survey_id: int) -> OutgoingSurvey | None:
    rows = _outgoing(db.execute(f"{_SELECT} WHERE s.id = ?", [survey_id]))
    return rows[0] if rows else None


def claim_due(db: Database, now: datetime, limit: int = 20) -> list[OutgoingSurvey]:
    """Claim due surveys for sending (at most ``limit``); each claim is a short lease."""
    cutoff = to_db(now - CLAIM_LEASE)
    with write_transaction(db):
        ids = [
            row[0]
            for row in db.execute(
                "SELECT id FROM surveys WHERE state = 'scheduled' AND due_at <= ? "
                "AND (claimed_at IS NULL OR claimed_at < ?) ORDER BY due_at LIMIT ?",
                [to_db(now), cutoff, limit],
            )
        ]
        for survey_id in ids:
            db.execute(
                "UPDATE surveys SET claimed_at = ?, attempts = attempts + 1 WHERE id = ?",
                [to_db(now), survey_id],
            )
    return [s for s in (get_survey(db, i) for i in ids) if s is not None]


def release_claims(db: Database) -> int:
    """Drop every claim: called when the only sender starts, so a crashed run's surveys go out now."""
    with write_transaction(db):
        return db.execute(
            "UPDATE surveys SET claimed_at = NULL WHERE state = 'scheduled' AND claimed_at IS NOT NULL"
        ).rowcount


def release(db: Database, survey_ids: list[int], error: str | None = None) -> None:
    """Hand claimed surveys back, still due and with the attempt not counted.

    For a pause that is not the surveys' doing (the bot's token is dead): they
    go out first when sending resumes. ``error`` is recorded when given.
    """
    if not survey_ids:
        return
    marks = ", ".join("?" for _ in survey_ids)
    with write_transaction(db):
        db.execute(
            "UPDATE surveys SET claimed_at = NULL, attempts = max(attempts - 1, 0), "
            f"last_error = coalesce(?, last_error) WHERE id IN ({marks}) AND state = 'scheduled'",
            [error, *survey_ids],
        )


def mark_sent(
    db: Database,
    survey_id: int,
    *,
    channel: str,
    ts: str,
    user_id: str | None,
    locale: str | None,
    now: datetime,
    expires_after: timedelta,
) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE surveys SET state = 'sent', slack_channel = ?, slack_ts = ?, slack_user_id = coalesce(?, slack_user_id), "
            "locale = ?, sent_at = ?, expires_at = ?, claimed_at = NULL, last_error = NULL WHERE id = ?",
            [channel, ts, user_id, locale, to_db(now), to_db(now + expires_after), survey_id],
        )


def mark_failed(db: Database, survey_id: int, error: str) -> None:
    """A permanent delivery error (no such user, cannot DM a bot…): keep it visible."""
    with write_transaction(db):
        db.execute(
            "UPDATE surveys SET state = 'failed', last_error = ?, claimed_at = NULL WHERE id = ?",
            [error, survey_id],
        )


def mark_skipped(db: Database, survey_id: int, reason: str, code: str) -> None:
    """Not sent, for a reason that is nobody's fault to retry (``code`` groups the reasons)."""
    with write_transaction(db):
        db.execute(
            "UPDATE surveys SET state = 'skipped', skip_code = ?, skip_reason = ?, claimed_at = NULL "
            "WHERE id = ?",
            [code, reason, survey_id],
        )


def store_customer(
    db: Database,
    survey: OutgoingSurvey,
    email: str,
    *,
    name: str | None,
    locale: str | None,
    cooldown: timedelta,
    now: datetime,
) -> str | None:
    """Record the looked-up customer on the survey and its ticket; the cooldown reason if the
    customer now turns out to have had a survey too recently (the survey is then skipped).

    The cooldown could not be checked at intake, when only the helpdesk's person id
    was known; a burst of tickets from one person is caught here instead. The check
    runs before this survey's recipient is set, so it never finds the survey itself.
    """
    email = email.strip().lower()
    with write_transaction(db):
        recent = recent_survey(db, email, survey.survey_type, now, cooldown)
        db.execute(
            "UPDATE surveys SET customer_email = ?, recipient = ?, last_error = NULL WHERE id = ?",
            [email, email, survey.id],
        )
        db.execute(
            "UPDATE tickets SET customer_email = ?, customer_name = coalesce(customer_name, ?), "
            "customer_locale = coalesce(customer_locale, ?) WHERE id = (SELECT ticket_id FROM surveys WHERE id = ?)",
            [email, name, locale, survey.id],
        )
        if recent is None:
            return None
        reason = cooldown_reason(survey.survey_type, recent)
        db.execute(
            "UPDATE surveys SET state = 'skipped', skip_code = 'cooldown', skip_reason = ?, "
            "claimed_at = NULL WHERE id = ?",
            [reason, survey.id],
        )
    return reason


def cooldown_for_user(
    db: Database, survey: OutgoingSurvey, user_id: str, cooldown: timedelta, now: datetime
) -> str | None:
    """The cooldown reason if the Slack user behind a looked-up email had a survey too recently.

    Surveys addressed by Slack id never match the email, so once the email resolves
    to a Slack user the cooldown is checked once more under that id.
    """
    recent = recent_survey(db, user_id, survey.survey_type, now, cooldown)
    return cooldown_reason(survey.survey_type, recent) if recent else None


def reschedule(db: Database, survey_id: int, error: str, due: datetime) -> None:
    """A transient failure (Slack down, timeouts): record it and try again later."""
    with write_transaction(db):
        db.execute(
            "UPDATE surveys SET due_at = ?, last_error = ?, claimed_at = NULL WHERE id = ? AND state = 'scheduled'",
            [to_db(due), error, survey_id],
        )


def retry_survey(db: Database, survey_id: int, now: datetime) -> bool:
    """Re-queue a failed (or skipped) survey to go out now; False if there is no such survey."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE surveys SET state = 'scheduled', due_at = ?, claimed_at = NULL, skip_reason = NULL, "
            "skip_code = NULL "
            "WHERE id = ? AND state IN ('failed', 'skipped')",
            [to_db(now), survey_id],
        )
    return cursor.rowcount == 1


def due_reminders(db: Database, now: datetime, after: timedelta) -> list[OutgoingSurvey]:
    """Sent, unanswered, not yet reminded, and older than ``after`` (none when after is 0)."""
    if after <= timedelta(0):
        return []
    return _outgoing(
        db.execute(
            f"{_SELECT} WHERE s.state = 'sent' AND s.reminded_at IS NULL AND s.sent_at <= ? AND s.expires_at > ?",
            [to_db(now - after), to_db(now)],
        )
    )


def mark_reminded(db: Database, survey_id: int, now: datetime) -> None:
    with write_transaction(db):
        db.execute("UPDATE surveys SET reminded_at = ? WHERE id = ?", [to_db(now), survey_id])


def due_expiries(db: Database, now: datetime) -> list[OutgoingSurvey]:
    """Surveys past their answer window that still show live buttons."""
    return _outgoing(
        db.execute(
            f"{_SELECT} WHERE s.state IN ('sent', 'answered') AND s.expires_at <= ? AND s.slack_ts IS NOT NULL",
            [to_db(now)],
        )
    )


def mark_expired(db: Database, survey_id: int) -> None:
    """Close the answer window; an answered survey keeps its response and answered_at."""
    with write_transaction(db):
        db.execute(
            "UPDATE surveys SET state = 'expired' WHERE id = ? AND state IN ('sent', 'answered')",
            [survey_id],
        )


@dataclass(frozen=True)
class ScoreResult:
    status: str  # recorded | changed | unchanged | closed
    response_id: int | None
    survey: OutgoingSurvey | None


def record_score(
    db: Database,
    survey_id: int,
    score: int,
    now: datetime,
    user_id: str | None = None,
    *,
    alert_channel: str | None = None,
) -> ScoreResult:
    """Store a clicked score; a later click changes it until the survey expires.

    With an ``alert_channel``, the score's alert is raised, re-raised or
    withdrawn in the same transaction: a crash can lose the click (which was
    then not acknowledged, so the customer sees it and clicks again) but never
    keep a detractor score without its alert.
    """
    with write_transaction(db):
        result = _store_score(db, survey_id, score, now, user_id)
        if alert_channel and result.response_id and result.survey:
            if result.status in ("recorded", "changed"):
                detractor = SURVEYS[result.survey.survey_type].is_detractor(score)
                sync_alert_with_score(db, result.response_id, detractor, alert_channel, now)
    return result


def _store_score(
    db: Database, survey_id: int, score: int, now: datetime, user_id: str | None
) -> ScoreResult:
    """``record_score`` without its transaction or its alert."""
    row = db.execute(
        "SELECT s.state, s.expires_at, s.survey_type, t.external_id, s.team, s.agent, s.channel, s.tags, "
        "s.recipient, s.locale FROM surveys s JOIN tickets t ON t.id = s.ticket_id WHERE s.id = ?",
        [survey_id],
    ).fetchone()
    if row is None:
        return ScoreResult("closed", None, None)
    state, expires_at, survey_type, ticket_ref, team, agent, channel, tags, recipient, locale = row
    if state not in ("sent", "answered") or (expires_at and parse_timestamp(expires_at) <= now):
        return ScoreResult("closed", None, get_survey(db, survey_id))
    existing = db.execute(
        "SELECT id, score FROM responses WHERE survey_id = ?", [survey_id]
    ).fetchone()
    if existing:
        if existing[1] == score:
            return ScoreResult("unchanged", existing[0], get_survey(db, survey_id))
        db.execute("UPDATE responses SET score = ? WHERE id = ?", [score, existing[0]])
        return ScoreResult("changed", existing[0], get_survey(db, survey_id))
    answer = ResponseRow(
        survey_type=survey_type, score=score, answered_at=to_db(now), ticket_ref=ticket_ref,
        team=team, agent=agent, channel=channel, tags=tuple(json.loads(tags or "[]")),
        locale=locale, customer=user_id or recipient,
    )  # fmt: skip
    response_id = db.table("responses").insert(_response_values(answer, survey_id, now)).last_pk
    db.execute(
        "UPDATE surveys SET state = 'answered', answered_at = ? WHERE id = ?",
        [to_db(now), survey_id],
    )
    return ScoreResult("recorded", response_id, get_survey(db, survey_id))


def _response_values(answer: ResponseRow, survey_id: int, now: datetime) -> dict[str, object]:
    return {
        "survey_id": survey_id,
        "dedupe_key": answer.dedupe_key(),
        "source": "slack",
        "ticket_ref": answer.ticket_ref,
        "customer": answer.customer,
        "survey_type": answer.survey_type,
        "score": answer.score,
        "answered_at": answer.answered_at,
        "locale": answer.locale,
        "team": answer.team,
        "agent": answer.agent,
        "channel": answer.channel,
        "tags": json.dumps(list(answer.tags), ensure_ascii=False),
        "created_at": to_db(now),
    }


def add_comment(db: Database, survey_id: int, text: str) -> int | None:
    """Append a comment to the survey's response (modal, reply and reasons all land here).

    Returns the response id, or None when the survey has no score yet.
    """
    text = text.strip()
    if not text:
        return None
    with write_transaction(db):
        row = db.execute(
            "SELECT id, comment FROM responses WHERE survey_id = ?", [survey_id]
        ).fetchone()
        if row is None:
            return None
        response_id, current = row
        if current and text in current.split("\n"):
            return response_id
        merged = f"{current}\n{text}" if current else text
        db.execute(
            "UPDATE responses SET comment = ?, comment_version = comment_version + 1 WHERE id = ?",
            [merged, response_id],
        )
        flag_alert(db, response_id)
    return response_id


def survey_for_message(db: Database, channel: str, ts: str) -> int | None:
    """The survey posted as message ``ts`` in ``channel`` (to attach thread replies)."""
    row = db.execute(
        "SELECT id FROM surveys WHERE slack_channel = ? AND slack_ts = ?", [channel, ts]
    ).fetchone()
    return row[0] if row else None


def latest_open_survey_for_user(db: Database, user_id: str, now: datetime) -> int | None:
    """The user's most recent answered survey still open for a comment (plain DM replies)."""
    row = db.execute(
        "SELECT id FROM surveys WHERE slack_user_id = ? AND state = 'answered' AND expires_at > ? "
        "ORDER BY answered_at DESC LIMIT 1",
        [user_id, to_db(now)],
    ).fetchone()
    return row[0] if row else None


def first_time_event(db: Database, event_id: str, now: datetime) -> bool:
    """Remember a Slack event id; False if it was seen before (Slack retried it)."""
    with write_transaction(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO slack_events (event_id, received_at) VALUES (?, ?)",
            [event_id, to_db(now)],
        )
    return cursor.rowcount == 1


def list_surveys(db: Database, state: str | None = None, limit: int = 50) -> list[dict]:
    """Recent surveys, newest first, for `cxbot surveys`; ``writeback_error`` is why the
    answer's latest failed write-back to the ticket failed (None: none failed)."""
    where, params = ("WHERE s.state = ?", [state]) if state else ("", [])
    sql = (
        "SELECT s.id, s.state, s.survey_type, s.recipient, t.source, t.external_id AS ticket, s.due_at, "
        "s.sent_at, s.attempts, s.skip_code, coalesce(s.last_error, s.skip_reason) AS reason, "
        "(SELECT w.last_error FROM responses r JOIN writebacks w ON w.response_id = r.id "
        " WHERE r.survey_id = s.id AND w.state = 'failed' ORDER BY w.id DESC LIMIT 1) AS writeback_error "
        "FROM surveys s "
        f"JOIN tickets t ON t.id = s.ticket_id {where} ORDER BY s.id DESC LIMIT ?"
    )
    cursor = db.execute(sql, [*params, limit])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


SKIP_WINDOW = timedelta(days=7)


def skipped_by_code(db: Database, since: datetime | None = None) -> dict[str, int]:
    """How many surveys were skipped, by ``skip_code``, created since ``since`` (all: None).

    Surveys skipped before skip codes existed (migration 0008) count as ``other``.
    """
    where, params = ("AND created_at >= ?", [to_db(since)]) if since else ("", [])
    rows = db.execute(
        "SELECT coalesce(skip_code, 'other'), count(*) FROM surveys "
        f"WHERE state = 'skipped' {where} GROUP BY 1 ORDER BY 2 DESC, 1",
        params,
    )
    return {code: count for code, count in rows}


@dataclass(frozen=True)
class SkipReason:
    """One skip code with its count and the most recent reason given for it (what to do)."""

    code: str
    count: int
    latest_reason: str | None


def skip_reasons(db: Database, since: datetime | None = None) -> list[SkipReason]:
    """Skipped surveys grouped by code, most frequent first, each with its latest reason.

    Grouped by code, not by reason text: a reason names a time or a ticket
    (``cooldown: customer got a csat survey at …``), so every row would differ.
    """
    where, params = ("AND created_at >= ?", [to_db(since)]) if since else ("", [])
    rows = db.execute(
        "SELECT coalesce(skip_code, 'other') AS code, count(*), "
        "(SELECT skip_reason FROM surveys l WHERE l.state = 'skipped' "
        "AND coalesce(l.skip_code, 'other') = coalesce(s.skip_code, 'other') ORDER BY l.id DESC LIMIT 1) "
        f"FROM surveys s WHERE state = 'skipped' {where} GROUP BY code ORDER BY 2 DESC, code",
        params,
    )
    return [SkipReason(code, count, reason) for code, count, reason in rows]


def queue_status(db: Database, now: datetime) -> dict[str, object]:
    """How many surveys are due and not yet sent, and how long the oldest has waited."""
    count, oldest = db.execute(
        "SELECT count(*), min(due_at) FROM surveys WHERE state = 'scheduled' AND due_at <= ?",
        [to_db(now)],
    ).fetchone()
    age = (now - parse_timestamp(oldest)).total_seconds() if oldest else 0.0
    return {"due": count, "oldest_due_age_seconds": round(age, 1)}


def outbox_status(db: Database, now: datetime) -> dict[str, object]:
    """What ``/healthz`` shows of the outboxes: the survey queue, the surveys skipped in the
    last 7 days by reason code, and the write-backs waiting or failed."""
    return {
        "queue": queue_status(db, now),
        "skipped_7d": skipped_by_code(db, now - SKIP_WINDOW),
        "writeback": writeback_counts(db),
    }

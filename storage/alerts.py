"""Detractor alerts and their follow-up: who took it, how it ended, how fast.

An alert row is an outbox entry too: ``needs_update`` counts changes to what
the alert shows (new comment, new labels, an owner) since it was last posted,
and the background worker posts or updates the Slack message, retrying on
faults.  It is a counter, not a flag, so a change that lands while the worker
is rendering an older view is not wiped out when that older view is posted.

The alert follows its score in the score's own transaction
(``sync_alert_with_score``): a detractor score is never stored without its
alert, and a score corrected out of the detractor range before anyone acted
withdraws the alert instead of leaving a follow-up nobody needs.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.db import write_transaction
from storage.filters import Filters
from storage.metrics import period_clauses
from storage.periods import Period
from storage.timestamps import parse_timestamp, to_db

OUTCOMES = ("contacted", "fixed", "refunded", "no_action", "unreachable")


@dataclass(frozen=True)
class AlertView:
    """Everything an alert message shows."""

    id: int
    channel: str
    slack_ts: str | None
    response_id: int
    survey_type: str
    score: int
    comment: str | None
    ticket: str | None
    ticket_source: str | None
    agent: str | None
    team: str | None
    customer: str | None
    sentiment: str | None
    themes: tuple[str, ...]
    owner: str | None
    resolved_by: str | None
    outcome: str | None
    note: str | None
    attempts: int
    revision: int = 0  # the ``needs_update`` count this view was read at
    withdrawn: bool = False  # the customer changed the score out of the detractor range
    customer_slack_id: str | None = None  # the survey's recipient, once Slack knew them


def flag_alert(db: Database, response_id: int) -> None:
    """Mark a response's alert (if any) for re-rendering; call inside the writer's transaction."""
    db.execute(
        "UPDATE alerts SET needs_update = needs_update + 1 WHERE response_id = ?", [response_id]
    )


def queue_alert(db: Database, response_id: int, channel: str, now: datetime) -> int:
    """Create the alert for a detractor answer, or flag the existing one for an update."""
    with write_transaction(db):
        return _raise_alert(db, response_id, channel, now)


def _raise_alert(db: Database, response_id: int, channel: str, now: datetime) -> int:
    """Insert the alert, or flag (and un-withdraw) the existing one; inside a transaction."""
    db.execute(
        "INSERT INTO alerts (response_id, channel, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (response_id) DO UPDATE SET needs_update = needs_update + 1, withdrawn_at = NULL",
        [response_id, channel, to_db(now)],
    )
    return db.execute("SELECT id FROM alerts WHERE response_id = ?", [response_id]).fetchone()[0]


def _withdraw_alert(db: Database, response_id: int, now: datetime) -> None:
    """The score is no longer a detractor's: withdraw the alert unless someone already acted.

    Either way the alert is flagged, so its message shows the new score.
    """
    db.execute(
        "UPDATE alerts SET needs_update = needs_update + 1, withdrawn_at = CASE "
        "WHEN owner IS NULL AND resolved_at IS NULL THEN coalesce(withdrawn_at, ?) ELSE withdrawn_at END "
        "WHERE response_id = ?",
        [to_db(now), response_id],
    )


def sync_alert_with_score(
    db: Database, response_id: int, detractor: bool, channel: str, now: datetime
) -> None:
    """Make the alert follow a new or changed score; call inside the score's transaction.

    A detractor score raises (or re-raises) the alert; any other score
    withdraws an alert nobody has acted on yet.
    """
    if detractor:
        _raise_alert(db, response_id, channel, now)
    else:
        _withdraw_alert(db, response_id, now)


_VIEW = (
    "SELECT a.id, a.channel, a.slack_ts, r.id, r.survey_type, r.score, r.comment, r.ticket_ref, t.source, r.agent, "
    "r.team, r.customer, c.sentiment, (SELECT json_group_array(theme) FROM comment_themes WHERE response_id = r.id), "
    "a.owner, a.resolved_by, a.outcome, a.note, a.attempts, a.needs_update, a.withdrawn_at IS NOT NULL, s.slack_user_id "
    "FROM alerts a JOIN responses r ON r.id = a.response_id "
    "LEFT JOIN classifications c ON c.response_id = r.id LEFT JOIN surveys s ON s.id = r.survey_id "
    "LEFT JOIN tickets t ON t.id = s.ticket_id"
)


def _views(rows) -> list[AlertView]:
    return [
        AlertView(
            id=row[0],
            channel=row[1],
            slack_ts=row[2],
            response_id=row[3],
            survey_type=row[4],
            score=row[5],
            comment=row[6],
            ticket=row[7],
            ticket_source=row[8],
            agent=row[9],
            team=row[10],
            customer=row[11],
            sentiment=row[12],
            themes=tuple(json.loads(row[13] or "[]")),
            owner=row[14],
            resolved_by=row[15],
            outcome=row[16],
            note=row[17],
            attempts=row[18],
            revision=row[19],
            withdrawn=bool(row[20]),
            customer_slack_id=row[21],
        )  # fmt: skip
        for row in rows
    ]


def alert_view(db: Database, alert_id: int) -> AlertView | None:
    found = _views(db.execute(f"{_VIEW} WHERE a.id = ?", [alert_id]))
    return found[0] if found else None


def pending_alerts(db: Database, limit: int = 20) -> list[AlertView]:
    """Alerts to post or update; one withdrawn before it was ever posted is not posted at all."""
    return _views(
        db.execute(
            f"{_VIEW} WHERE a.needs_update > 0 AND (a.withdrawn_at IS NULL OR a.slack_ts IS NOT NULL) "
            "ORDER BY a.id LIMIT ?",
            [limit],
        )
    )


# Clear the pending count only if nothing changed since the view was read
# (first parameter: whether to settle at all, second: the revision read).
_SETTLE = "needs_update = CASE WHEN ? AND needs_update = ? THEN 0 ELSE needs_update END"


def alert_posted(db: Database, alert_id: int, ts: str, revision: int) -> None:
    """Record the posted message; changes made since ``revision`` was read stay pending."""
    with write_transaction(db):
        db.execute(
            f"UPDATE alerts SET slack_ts = ?, {_SETTLE}, last_error = NULL WHERE id = ?",
            [ts, True, revision, alert_id],
        )


def alert_failed(
    db: Database, alert_id: int, error: str, *, permanent: bool, revision: int
) -> None:
    """Record a Slack fault; a permanent one stops retrying (the error stays visible)."""
    with write_transaction(db):
        db.execute(
            f"UPDATE alerts SET attempts = attempts + 1, last_error = ?, {_SETTLE} WHERE id = ?",
            [error, permanent, revision, alert_id],
        )


def take_alert(db: Database, alert_id: int, user: str, now: datetime) -> bool:
    """ "I'll follow up": the first taker owns it; False if someone already does."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE alerts SET owner = ?, owner_at = ?, needs_update = needs_update + 1 WHERE id = ? AND owner IS NULL",
            [user, to_db(now), alert_id],
        )
    return cursor.rowcount == 1


def resolve_alert(
    db: Database, alert_id: int, user: str, outcome: str, note: str | None, now: datetime
) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    with write_transaction(db):
        db.execute(
            "UPDATE alerts SET resolved_by = ?, resolved_at = ?, outcome = ?, note = ?, owner = coalesce(owner, ?), "
            "owner_at = coalesce(owner_at, ?), needs_update = needs_update + 1 WHERE id = ?",
            [user, to_db(now), outcome, (note or "").strip() or None, user, to_db(now), alert_id],
        )


def correct_labels(
    db: Database,
    response_id: int,
    themes: list[str],
    sentiment: str | None,
    user: str,
    now: datetime,
) -> None:
    """Store a person's correction (kept for retraining) and show it in place of the model's labels."""
    with write_transaction(db):
        db.execute(
            "INSERT INTO corrections (response_id, themes, sentiment, corrected_by, created_at) VALUES (?, ?, ?, ?, ?)",
            [response_id, json.dumps(sorted(set(themes))), sentiment, user, to_db(now)],
        )
        db.execute("DELETE FROM comment_themes WHERE response_id = ?", [response_id])
        for theme in sorted(set(themes)):
            db.execute(
                "INSERT INTO comment_themes (response_id, theme, confidence) VALUES (?, ?, 1.0)",
                [response_id, theme],
            )
        version = db.execute(
            "SELECT comment_version FROM responses WHERE id = ?", [response_id]
        ).fetchone()[0]
        db.execute(
            "INSERT INTO classifications (response_id, sentiment, sentiment_confidence, language, model_version, classified_at, comment_version) "
            "VALUES (?, ?, 1.0, NULL, ?, ?, ?) ON CONFLICT (response_id) DO UPDATE SET sentiment = coalesce(excluded.sentiment, sentiment), "
            "sentiment_confidence = 1.0, model_version = excluded.model_version, classified_at = excluded.classified_at, comment_version = excluded.comment_version",
            [response_id, sentiment, f"corrected-by:{user}", to_db(now), version],
        )
        flag_alert(db, response_id)


def corrections(db: Database) -> list[dict]:
    """Every correction with its comment (latest per response), for retraining."""
    cursor = db.execute(
        "SELECT r.comment, k.themes, k.sentiment FROM corrections k JOIN responses r ON r.id = k.response_id "
        "WHERE k.id IN (SELECT max(id) FROM corrections GROUP BY response_id) AND r.comment IS NOT NULL"
    )
    return [
        {"text": text, "themes": json.loads(themes), "sentiment": sentiment}
        for text, themes, sentiment in cursor
    ]


@dataclass(frozen=True)
class FollowUpStats:
    detractors: int  # detractor alerts raised
    followed_up: int  # ... that someone took or resolved
    median_time_to_follow_up: timedelta | None
    resolved: int  # ... that someone resolved

    @property
    def rate(self) -> float | None:
        return round(100 * self.followed_up / self.detractors, 1) if self.detractors else None


def follow_up_stats(
    db: Database,
    period: Period | None,
    filters: Filters = Filters(),
    survey_type: str | None = None,
) -> FollowUpStats:
    """Share of detractor alerts someone took or resolved, and the median time until they did.

    Withdrawn alerts (the customer corrected the score first) are not counted.

    ``survey_type`` keeps the answer to ``/cx nps`` about NPS detractors: the
    alerts of all three surveys share the table, and a count of all of them
    under an NPS score read as if it were that score's detractors.
    """
    time_sql, time_params = period_clauses(period, "a.created_at")
    filter_sql, filter_params = filters.where(table="r")
    type_sql, type_params = (["r.survey_type = ?"], [survey_type]) if survey_type else ([], [])
    where = " AND ".join(["a.withdrawn_at IS NULL", *time_sql, *filter_sql, *type_sql])
    rows = db.execute(
        "SELECT a.created_at, a.owner_at, a.resolved_at FROM alerts a JOIN responses r ON r.id = a.response_id "
        f"WHERE {where}",
        [*time_params, *filter_params, *type_params],
    ).fetchall()
    waits = [
        (parse_timestamp(owned) - parse_timestamp(created)).total_seconds()
        for created, owned, _ in rows
        if owned
    ]
    median = timedelta(seconds=round(statistics.median(waits))) if waits else None
    resolved = sum(1 for *_, done in rows if done)
    return FollowUpStats(len(rows), len(waits), median, resolved)


def open_follow_ups(db: Database, keys: list[str]) -> list[dict]:
    """Unresolved, not withdrawn detractor alerts for a customer (any of their keys)."""
    marks = ", ".join("?" for _ in keys) or "NULL"
    cursor = db.execute(
        "SELECT a.id, r.survey_type, r.score, r.ticket_ref, a.owner, a.created_at FROM alerts a "
        "JOIN responses r ON r.id = a.response_id WHERE a.resolved_at IS NULL AND a.withdrawn_at IS NULL "
        f"AND r.customer IN ({marks}) ORDER BY a.id",
        keys,
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]

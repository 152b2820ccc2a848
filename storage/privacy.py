"""Forgetting a customer, and pruning old comments (data retention).

Both delete inside one transaction, so a crash never leaves a customer half
forgotten.  Scores without comments stay for retention (they carry no words),
but everything tied to a forgotten customer goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.db import write_transaction
from storage.timestamps import to_db


@dataclass(frozen=True)
class Forgotten:
    tickets: int
    responses: int
    comments: int


def forget_customer(db: Database, key: str) -> Forgotten:
    """Delete every ticket, survey, answer, comment, label, alert and webhook body of a customer."""
    keys = sorted({key, key.lower()})
    marks = ", ".join("?" for _ in keys)
    with write_transaction(db):
        ticket_ids = [
            r[0]
            for r in db.execute(
                f"SELECT id FROM tickets WHERE customer_email IN ({marks}) OR customer_slack_id IN ({marks})",
                [*keys, *keys],
            )
        ]
        survey_where = (
            f"recipient IN ({marks}) OR slack_user_id IN ({marks}) OR customer_email IN ({marks})"
        )
        survey_ids = [
            r[0]
            for r in db.execute(
                f"SELECT id FROM surveys WHERE {survey_where}", [*keys, *keys, *keys]
            )
        ]
        response_where = f"customer IN ({marks})" + (
            f" OR survey_id IN ({', '.join('?' for _ in survey_ids)})" if survey_ids else ""
        )
        response_params = [*keys, *survey_ids]
        responses, comments = db.execute(
            f"SELECT count(*), count(comment) FROM responses WHERE {response_where}",
            response_params,
        ).fetchone()
        db.execute(f"DELETE FROM responses WHERE {response_where}", response_params)
        if survey_ids:
            db.execute(
                f"DELETE FROM surveys WHERE id IN ({', '.join('?' for _ in survey_ids)})",
                survey_ids,
            )
        if ticket_ids:
            db.execute(
                f"DELETE FROM tickets WHERE id IN ({', '.join('?' for _ in ticket_ids)})",
                ticket_ids,
            )
    return Forgotten(len(ticket_ids), responses, comments)


def prune_comments(db: Database, older_than: timedelta, now: datetime) -> int:
    """Remove comment text (and its labels) older than the retention period; scores stay."""
    cutoff = to_db(now - older_than)
    with write_transaction(db):
        ids = [
            r[0]
            for r in db.execute(
                "SELECT id FROM responses WHERE comment IS NOT NULL AND answered_at < ?", [cutoff]
            )
        ]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            db.execute(
                f"UPDATE responses SET comment = NULL, comment_version = comment_version + 1 WHERE id IN ({marks})",
                chunk,
            )
            db.execute(f"DELETE FROM comment_themes WHERE response_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM classifications WHERE response_id IN ({marks})", chunk)
        db.execute(
            "UPDATE webhook_events SET body = NULL WHERE body IS NOT NULL AND received_at < ?",
            [cutoff],
        )
    return len(ids)

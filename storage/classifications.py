"""Theme and sentiment labels of stored comments: what needs labelling, and writing labels.

A comment needs (re)labelling when it has no labels yet or was edited since
(``comment_version`` moved on).  Labels a person corrected are never
overwritten by the model, except by an explicit reclassification.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.alerts import flag_alert
from storage.db import write_transaction
from storage.metrics import period_clauses
from storage.periods import Period
from storage.timestamps import to_db


@dataclass(frozen=True)
class CommentToLabel:
    response_id: int
    text: str
    version: int


@dataclass(frozen=True)
class Labels:
    """The model's verdict on one comment, in storage terms (no nlp import here)."""

    themes: tuple[tuple[str, float], ...]
    sentiment: str | None
    sentiment_confidence: float
    language: str | None
    model_version: str


def pending_comments(db: Database, limit: int = 256) -> list[CommentToLabel]:
    """Comments without labels, or edited since they were labelled (and not corrected); oldest first.

    Served by the partial index ``ix_responses_unlabelled`` (migration 0006),
    so an idle poll costs nothing however many comments are stored.
    """
    rows = db.execute(
        "SELECT id, comment, comment_version FROM responses INDEXED BY ix_responses_unlabelled "
        "WHERE comment IS NOT NULL AND labelled_version < comment_version AND comment != '' ORDER BY id LIMIT ?",
        [limit],
    )
    return [CommentToLabel(*row) for row in rows]


def comments_in_period(
    db: Database, period: Period | None, after_id: int = 0, limit: int = 1000
) -> list[CommentToLabel]:
    """Every comment in a period, in id order from ``after_id`` (for `cxbot nlp reclassify`)."""
    time_sql, params = period_clauses(period, "answered_at")
    where = " AND ".join(["comment IS NOT NULL", "comment != ''", "id > ?", *time_sql])
    rows = db.execute(
        f"SELECT id, comment, comment_version FROM responses WHERE {where} ORDER BY id LIMIT ?",
        [after_id, *params, limit],
    )
    return [CommentToLabel(*row) for row in rows]


def store_labels(
    db: Database, items: Iterable[tuple[CommentToLabel, Labels]], now: datetime
) -> int:
    """Replace the labels of each comment (one transaction); flags their alerts for an update."""
    count = 0
    with write_transaction(db):
        for comment, labels in items:
            db.execute("DELETE FROM comment_themes WHERE response_id = ?", [comment.response_id])
            for theme, confidence in labels.themes:
                db.execute(
                    "INSERT INTO comment_themes (response_id, theme, confidence) VALUES (?, ?, ?)",
                    [comment.response_id, theme, confidence],
                )
            db.execute(
                "INSERT INTO classifications (response_id, sentiment, sentiment_confidence, language, model_version, classified_at, comment_version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (response_id) DO UPDATE SET sentiment = excluded.sentiment, "
                "sentiment_confidence = excluded.sentiment_confidence, language = excluded.language, model_version = excluded.model_version, "
                "classified_at = excluded.classified_at, comment_version = excluded.comment_version",
                [
                    comment.response_id,
                    labels.sentiment,
                    labels.sentiment_confidence,
                    labels.language,
                    labels.model_version,
                    to_db(now),
                    comment.version,
                ],
            )
            flag_alert(db, comment.response_id)
            count += 1
    return count


def unthemed_or_unsure(
    db: Database, period: Period | None, below: float = 0.5, limit: int = 2000
) -> list[str]:
    """Comments with no theme, or whose best theme is unsure — material for new themes."""
    time_sql, params = period_clauses(period, "r.answered_at")
    where = " AND ".join(["r.comment IS NOT NULL", "r.comment != ''", *time_sql])
    rows = db.execute(
        "SELECT r.comment FROM responses r JOIN classifications c ON c.response_id = r.id "
        f"WHERE {where} AND coalesce((SELECT max(confidence) FROM comment_themes t WHERE t.response_id = r.id), 0) < ? "
        "ORDER BY r.answered_at DESC LIMIT ?",
        [*params, below, limit],
    )
    return [row[0] for row in rows]

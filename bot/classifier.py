"""Labelling comments with the nlp model and storing the labels.

The classification job (``bot/jobs/classification.py``) calls ``label_pending``
every tick; ``cxbot nlp`` and the demo call these functions directly.  ``bot``
is where ``nlp`` (which knows no storage) meets ``storage`` (which knows no nlp).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlite_utils import Database

from storage.classifications import CommentToLabel, Labels, pending_comments, store_labels


def to_labels(classification) -> Labels:
    """nlp's Classification → storage's Labels."""
    return Labels(
        themes=tuple((t.theme, t.confidence) for t in classification.themes),
        sentiment=classification.sentiment,
        sentiment_confidence=classification.sentiment_confidence,
        language=classification.language,
        model_version=classification.model_version,
    )


def label_comments(db: Database, comments: list[CommentToLabel], model=None, taxonomy=None) -> int:
    """Classify ``comments`` in one batch and store their labels."""
    if not comments:
        return 0
    from nlp.classify import classify_texts

    results = classify_texts([c.text for c in comments], model, taxonomy)
    return store_labels(
        db, [(c, to_labels(r)) for c, r in zip(comments, results, strict=True)], datetime.now(UTC)
    )


def label_pending(db: Database, model=None, taxonomy=None, batch: int = 256) -> int:
    """Label every pending comment; returns how many."""
    total = 0
    while comments := pending_comments(db, batch):
        total += label_comments(db, comments, model, taxonomy)
        if len(comments) < batch:
            break
    return total

"""Labels new and edited comments off the request path, within seconds of their arrival.

A background thread (started by ``cxbot serve``) loads the model once, then
every second labels whatever comments are pending, in batches.  ``bot`` is
where ``nlp`` (which knows no storage) meets ``storage`` (which knows no nlp).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bot.workers import PeriodicWorker
from storage.classifications import CommentToLabel, Labels, pending_comments, store_labels

if TYPE_CHECKING:
    from nlp.model import Model
    from nlp.taxonomy import Taxonomy

log = logging.getLogger("cxbot.classifier")


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


class ClassifierWorker(PeriodicWorker):
    def __init__(
        self,
        connect: Callable[[], Database],
        themes_path: str | None,
        interval: float = 1.0,
        *,
        model_dir: Path | None = None,
    ):
        super().__init__("classifier", connect, interval)
        self._themes_path, self._model_dir = themes_path, model_dir
        self._model: Model | None = None
        self._taxonomy: Taxonomy | None = None
        self.ready = False

    def prepare(self) -> None:
        from nlp.classify import load_default_model
        from nlp.taxonomy import load_taxonomy

        self._model = load_default_model(self._model_dir)
        self._taxonomy = load_taxonomy(self._themes_path)
        self.ready = True

    def run_once(self, db: Database) -> None:
        if done := label_pending(db, self._model, self._taxonomy):
            log.info("labelled %d comments", done)

"""Classification: label new and edited comments within seconds of their arrival.

The model loads once when the job starts (slow: it is the job's ``prepare``,
and ``/healthz`` says "loading" until it is done); then every tick labels
whatever comments are pending, in batches, off the request path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bot.classifier import label_pending

if TYPE_CHECKING:  # nlp loads numpy and scikit-learn: only on the job's thread
    from nlp.model import Model
    from nlp.taxonomy import Taxonomy

log = logging.getLogger("cxbot.classifier")


@dataclass(frozen=True)
class ClassificationPolicy:
    """Where the model and theme taxonomy come from, and how many comments one batch labels."""

    themes_path: str | None = None
    model_dir: Path | None = None
    batch: int = 256


class LabelComments:
    """Labels pending comments on every tick, with the model loaded once."""

    name = "classification"
    every: timedelta | None = None

    def __init__(self, policy: ClassificationPolicy):
        self.policy = policy
        self._model: Model | None = None
        self._taxonomy: Taxonomy | None = None

    def prepare(self, db: Database) -> None:
        from nlp.classify import load_default_model
        from nlp.taxonomy import load_taxonomy

        self._model = load_default_model(self.policy.model_dir)
        self._taxonomy = load_taxonomy(self.policy.themes_path)

    def run(self, db: Database, now: datetime) -> dict[str, int]:
        done = label_pending(db, self._model, self._taxonomy, self.policy.batch)
        if done:
            log.info("labelled %d comments", done)
        return {"labelled": done} if done else {}

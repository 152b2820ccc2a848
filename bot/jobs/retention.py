"""Retention: remove comment text older than ``CXBOT_RETENTION``, hourly; scores stay.

Comments are personal data; the scores and their dimensions are kept so the
metrics do not change when the words behind them are gone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.privacy import prune_comments

log = logging.getLogger("cxbot.retention")


@dataclass(frozen=True)
class RetentionPolicy:
    """How long comments are kept, and how often old ones are looked for."""

    keep: timedelta
    every: timedelta = timedelta(hours=1)


class PruneComments:
    """Prunes once when cxbot starts, then every ``policy.every``."""

    name = "retention"

    def __init__(self, policy: RetentionPolicy):
        self.policy = policy
        self.every: timedelta | None = policy.every

    def prepare(self, db: Database) -> None:
        """Nothing to set up."""

    def run(self, db: Database, now: datetime) -> dict[str, int]:
        pruned = prune_comments(db, self.policy.keep, now)
        if pruned:
            log.info("retention: removed %d comments older than %s", pruned, self.policy.keep)
        return {"pruned": pruned} if pruned else {}

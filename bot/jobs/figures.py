"""Ticket figures: ask the helpdesk for a closed ticket's handle time and reply counts.

At closure, intake marks the ticket pending when its source has API
credentials; this job calls the vendor client's ``figures`` off the request
path and stores what it says (``storage/figures.py``). A figure the vendor
does not record stays NULL ("no data" in ``/cx ops``), never 0.

Faults: ``HelpdeskUnavailable`` (429, 5xx, timeouts) tries again with backoff,
never sooner than the vendor's Retry-After, and that vendor is left alone for
the rest of the pass (its other tickets wait, without a failed try counted);
after ``max_attempts`` tries the ticket is ``failed`` with the last error.
``HelpdeskRefused`` (credentials, no such ticket) fails at once. Fetching
twice is harmless (a read), so no claim is taken: a crash mid-pass only
means the next pass asks again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.helpdesks.api import HelpdeskClient, HelpdeskRefused, HelpdeskUnavailable
from storage import figures as outbox

log = logging.getLogger("cxbot.figures")


@dataclass(frozen=True)
class FiguresPolicy:
    """How often to look for due tickets, and how hard to try each one."""

    every: timedelta = timedelta(seconds=15)
    max_attempts: int = 6
    first_backoff: timedelta = timedelta(minutes=1)
    max_backoff: timedelta = timedelta(hours=1)
    batch: int = 50

    def backoff(self, attempts: int, retry_after: float | None) -> timedelta:
        """1 min, 2 min, 4 min … capped; never shorter than the vendor's Retry-After."""
        wait = min(self.first_backoff * 2 ** max(attempts - 1, 0), self.max_backoff)
        return max(wait, timedelta(seconds=retry_after or 0))


class FetchTicketFigures:
    """Every ``policy.every``: the due tickets of each configured helpdesk."""

    name = "figures"

    def __init__(
        self, clients: Mapping[str, HelpdeskClient], policy: FiguresPolicy = FiguresPolicy()
    ):
        self._clients, self.policy = clients, policy
        self.every: timedelta | None = policy.every

    def prepare(self, db: Database) -> None:
        """Nothing to set up: a pending ticket is simply due again."""

    def run(self, db: Database, now: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        resting: set[str] = set()  # vendors that said "later" in this pass
        for pending in outbox.due_figures(db, self._clients, now, self.policy.batch):
            if pending.source in resting:
                continue
            outcome = self._fetch(db, pending, now)
            if outcome == "retry":
                resting.add(pending.source)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def _fetch(self, db: Database, pending: outbox.PendingFigures, now: datetime) -> str:
        """One ticket: done, retry, failed, or superseded (it closed again meanwhile)."""
        client = self._clients[pending.source]
        what = f"{pending.source} ticket {pending.external_id}"
        try:
            got = client.figures(pending.external_id)
        except HelpdeskRefused as exc:
            log.warning("figures of %s: %s; not asking again", what, exc)
            return _outcome(outbox.fail_figures(db, pending, str(exc)), "failed")
        except HelpdeskUnavailable as exc:
            tries = pending.attempts + 1
            if tries >= self.policy.max_attempts:
                log.warning("figures of %s: %s; giving up after %d tries", what, exc, tries)
                error = f"{exc} (gave up after {tries} tries)"
                return _outcome(outbox.fail_figures(db, pending, error), "failed")
            due = now + self.policy.backoff(tries, exc.retry_after)
            log.info("figures of %s: %s; trying again at %s", what, exc, due.isoformat())
            return _outcome(outbox.retry_figures(db, pending, str(exc), due), "retry")
        stored = outbox.store_figures(
            db,
            pending,
            got.handle_time_seconds,
            got.customer_replies,
            got.agent_replies,
            got.created_at,
        )
        return _outcome(stored, "done")


def _outcome(written: bool, outcome: str) -> str:
    return outcome if written else "superseded"

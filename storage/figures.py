"""The ticket-figures outbox: tickets whose helpdesk is asked for handle time and reply counts.

Intake marks a closed ticket ``figures_state = 'pending'`` (due at once) when its
source has API credentials; ``bot/jobs/figures.py`` asks the helpdesk and records
the answer here. States: ``pending`` → ``done`` (figures stored, a figure the
vendor does not record stays NULL), or ``failed`` with ``figures_error``.

Each write is guarded by the closure it was fetched for (``closure_count``): a
ticket reopened and closed again while the helpdesk was being asked is pending
for its new closure, and the older answer must not mark it done.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import write_transaction
from storage.timestamps import to_db


@dataclass(frozen=True)
class PendingFigures:
    ticket_id: int
    source: str
    external_id: str
    closure: int
    #: Failed tries so far for this closure.
    attempts: int


def due_figures(
    db: Database, sources: Collection[str], now: datetime, limit: int = 50
) -> list[PendingFigures]:
    """Pending tickets of ``sources`` due by ``now``, oldest first (the partial index
    ``ix_tickets_figures`` holds only pending tickets, so done ones cost nothing)."""
    if not sources:
        return []
    marks = ", ".join("?" for _ in sources)
    rows = db.execute(
        "SELECT id, source, external_id, closure_count, figures_attempts FROM tickets "
        f"WHERE figures_state = 'pending' AND figures_due_at <= ? AND source IN ({marks}) "
        "ORDER BY figures_due_at LIMIT ?",
        [to_db(now), *sources, limit],
    )
    return [PendingFigures(*row) for row in rows]


def _guarded(db: Database, pending: PendingFigures, assignments: str, params: list) -> bool:
    with write_transaction(db):
        cursor = db.execute(
            f"UPDATE tickets SET {assignments} "
            "WHERE id = ? AND figures_state = 'pending' AND closure_count = ?",
            [*params, pending.ticket_id, pending.closure],
        )
    return cursor.rowcount == 1


def store_figures(
    db: Database,
    pending: PendingFigures,
    handle_time_seconds: int | None,
    customer_replies: int | None,
    agent_replies: int | None,
    created_at: str | None = None,
) -> bool:
    """Record the helpdesk's figures and mark them done; False when the ticket closed again meanwhile.

    A figure the helpdesk does not record (None) leaves the stored value as it
    is: NULL, or what the webhook itself carried; never 0. ``created_at`` only
    fills a creation time the webhook did not send (Freshdesk's), so resolution
    times can be computed.
    """
    return _guarded(
        db,
        pending,
        "handle_time_seconds = coalesce(?, handle_time_seconds), "
        "customer_replies = coalesce(?, customer_replies), "
        "agent_replies = coalesce(?, agent_replies), "
        "created_at = coalesce(created_at, ?), "
        "figures_state = 'done', figures_error = NULL",
        [handle_time_seconds, customer_replies, agent_replies, created_at],
    )


def retry_figures(db: Database, pending: PendingFigures, error: str, due: datetime) -> bool:
    """One more failed try: ask again at ``due``; the error stays visible meanwhile."""
    return _guarded(
        db,
        pending,
        "figures_attempts = figures_attempts + 1, figures_due_at = ?, figures_error = ?",
        [to_db(due), error],
    )


def fail_figures(db: Database, pending: PendingFigures, error: str) -> bool:
    """Give up on this closure's figures (the last try failed, or can never work), with the reason."""
    return _guarded(
        db,
        pending,
        "figures_state = 'failed', figures_error = ?, figures_attempts = figures_attempts + 1",
        [error],
    )

"""The write-back ledger: each answer revision written onto its helpdesk ticket once.

One ``writebacks`` row per (answer, revision). A revision is one version of what
the note says (score, comment, themes): the job compares what an answer says now
with its latest row, and a change either updates a row that has not been tried yet
(the settle time starts again, so a score followed by a comment makes one note) or
adds the next revision (a later change adds one note, once).  Rows are claimed with
a lease and ``attempts`` counts the claims, so a row claimed before (a crash, a
timeout after the vendor stored the note) is checked on the ticket before it is
written again.  Nothing here knows HTTP or a vendor.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.db import write_transaction
from storage.survey_types import SURVEY_NAMES
from storage.timestamps import parse_timestamp, to_db

CLAIM_LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class AnswerNow:
    """An answer as it stands, with what its latest ledger row says (if any)."""

    response_id: int
    source: str
    ticket_ref: str
    survey_type: str
    score: int
    comment: str | None
    themes: tuple[str, ...]
    answered_at: datetime
    #: The comment changed since the classifier last labelled it.
    awaiting_labels: bool
    latest: LedgerRow | None


@dataclass(frozen=True)
class LedgerRow:
    """One revision of one answer, as the ledger holds it."""

    id: int
    response_id: int
    revision: int
    source: str
    ticket_ref: str
    body: str
    tags: tuple[str, ...]
    state: str
    attempts: int
    due_at: str
    created_at: str
    last_error: str | None

    @property
    def marker(self) -> str:
        """The string the note carries so a retry can find it on the ticket (``[cxbot:r12.2]``)."""
        return revision_marker(self.response_id, self.revision)

    @property
    def untried(self) -> bool:
        """Still pending and never claimed: its text may still change before it is written."""
        return self.state == "pending" and self.attempts == 0


def revision_marker(response_id: int, revision: int) -> str:
    """``[cxbot:r12.2]``: the brackets close it, so revision 1's marker is not found inside
    revision 10's (``cxbot:r12.1`` is a prefix of ``cxbot:r12.10``)."""
    return f"[cxbot:r{response_id}.{revision}]"


_ROW = (
    "w.id, w.response_id, w.revision, w.source, w.ticket_ref, w.body, w.tags, w.state, "
    "w.attempts, w.due_at, w.created_at, w.last_error"
)


def _ledger_row(values: tuple) -> LedgerRow:
    fields = list(values)
    fields[6] = tuple(json.loads(fields[6] or "[]"))
    return LedgerRow(*fields)


def answers_to_write(db: Database, sources: Collection[str], since: datetime) -> list[AnswerNow]:
    """Slack answers since ``since`` whose ticket comes from one of ``sources``, each with
    its latest ledger row: what the write-back job compares to decide on a new revision.

    Only answers given in Slack count (an imported answer has no ticket cxbot saw
    closed); ``since`` bounds the work per pass to the answers that can still change.
    """
    if not sources:
        return []
    marks = ", ".join("?" for _ in sources)
    types = ", ".join("?" for _ in SURVEY_NAMES)
    # Driven from the answers' time index (CROSS JOIN keeps that order): starting from the
    # tickets of a source would read every ticket it ever sent, on every pass.
    rows = db.execute(
        "SELECT r.id, t.source, t.external_id, r.survey_type, r.score, r.comment, "
        "(SELECT json_group_array(theme) FROM (SELECT theme FROM comment_themes "
        " WHERE response_id = r.id ORDER BY theme)), r.answered_at, "
        f"r.comment IS NOT NULL AND r.labelled_version < r.comment_version, {_ROW} "
        "FROM responses r CROSS JOIN surveys s ON s.id = r.survey_id JOIN tickets t ON t.id = s.ticket_id "
        "LEFT JOIN writebacks w ON w.response_id = r.id "
        "AND w.revision = (SELECT max(revision) FROM writebacks WHERE response_id = r.id) "
        f"WHERE r.survey_type IN ({types}) AND r.answered_at >= ? AND t.source IN ({marks}) "
        "ORDER BY r.id",
        [*SURVEY_NAMES, to_db(since), *sources],
    )
    return [_answer(row) for row in rows]


def _answer(row: tuple) -> AnswerNow:
    rid, source, ref, survey_type, score, comment, themes, at, awaiting = row[:9]
    return AnswerNow(
        rid, source, ref, survey_type, score, comment, tuple(json.loads(themes or "[]")),
        parse_timestamp(at), bool(awaiting), _ledger_row(row[9:]) if row[9] is not None else None,
    )  # fmt: skip


def get_writeback(db: Database, writeback_id: int) -> LedgerRow | None:
    row = db.execute(f"SELECT {_ROW} FROM writebacks w WHERE id = ?", [writeback_id]).fetchone()
    return _ledger_row(row) if row else None


def add_revision(
    db: Database,
    answer: AnswerNow,
    body: str,
    tags: tuple[str, ...],
    due: datetime,
    now: datetime,
) -> int:
    """Queue the answer's next revision (1 for a new answer); its id."""
    revision = (answer.latest.revision if answer.latest else 0) + 1
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO writebacks (response_id, revision, source, ticket_ref, body, tags, state, "
            "due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            [
                answer.response_id,
                revision,
                answer.source,
                answer.ticket_ref,
                body,
                json.dumps(list(tags)),
                to_db(due),
                to_db(now),
            ],  # fmt: skip
        )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def revise_untried(
    db: Database, writeback_id: int, body: str, tags: tuple[str, ...], due: datetime
) -> bool:
    """New text for a revision nobody tried to write yet, due again after the settle time.

    False when a worker claimed it meanwhile: it may be on the ticket already, so the
    change becomes the next revision instead.
    """
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE writebacks SET body = ?, tags = ?, due_at = ? "
            "WHERE id = ? AND state = 'pending' AND attempts = 0",
            [body, json.dumps(list(tags)), to_db(due), writeback_id],
        )
    return cursor.rowcount == 1


def postpone_untried(db: Database, writeback_id: int, due: datetime) -> None:
    """Wait a little longer before the first attempt (the comment's themes are coming)."""
    with write_transaction(db):
        db.execute(
            "UPDATE writebacks SET due_at = max(due_at, ?) "
            "WHERE id = ? AND state = 'pending' AND attempts = 0",
            [to_db(due), writeback_id],
        )


def claim_due(db: Database, now: datetime, limit: int = 20) -> list[LedgerRow]:
    """Claim due revisions (a short lease each), oldest first; ``attempts`` counts the claims."""
    cutoff = to_db(now - CLAIM_LEASE)
    with write_transaction(db):
        ids = [
            row[0]
            for row in db.execute(
                "SELECT id FROM writebacks WHERE state = 'pending' AND due_at <= ? "
                "AND (claimed_at IS NULL OR claimed_at < ?) ORDER BY due_at, id LIMIT ?",
                [to_db(now), cutoff, limit],
            )
        ]
        for writeback_id in ids:
            db.execute(
                "UPDATE writebacks SET claimed_at = ?, attempts = attempts + 1 WHERE id = ?",
                [to_db(now), writeback_id],
            )
    return [row for row in (get_writeback(db, i) for i in ids) if row is not None]


def release_claims(db: Database) -> int:
    """Drop every claim (the only write-back worker is starting); their attempts stay counted,
    so each is checked on the ticket before it is written again."""
    with write_transaction(db):
        return db.execute(
            "UPDATE writebacks SET claimed_at = NULL WHERE state = 'pending' AND claimed_at IS NOT NULL"
        ).rowcount


def mark_written(db: Database, writeback_id: int, now: datetime) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE writebacks SET state = 'done', written_at = ?, claimed_at = NULL, "
            "last_error = NULL WHERE id = ?",
            [to_db(now), writeback_id],
        )


def reschedule(db: Database, writeback_id: int, error: str, due: datetime) -> None:
    """A transient fault (429, 5xx, timeout): record it and try again at ``due``."""
    with write_transaction(db):
        db.execute(
            "UPDATE writebacks SET due_at = ?, last_error = ?, claimed_at = NULL "
            "WHERE id = ? AND state = 'pending'",
            [to_db(due), error, writeback_id],
        )


def mark_failed(db: Database, writeback_id: int, error: str) -> None:
    """It will not work (refused, or out of attempts): stop, and keep the reason visible."""
    with write_transaction(db):
        db.execute(
            "UPDATE writebacks SET state = 'failed', last_error = ?, claimed_at = NULL WHERE id = ?",
            [error, writeback_id],
        )


def writeback_counts(db: Database) -> dict[str, int]:
    """Write-backs waiting (``pending``) and given up on (``failed``), for ``/healthz``."""
    counts = dict(
        db.execute(
            "SELECT state, count(*) FROM writebacks WHERE state IN ('pending', 'failed') "
            "GROUP BY state"
        ).fetchall()
    )
    return {"pending": counts.get("pending", 0), "failed": counts.get("failed", 0)}


def failed_writebacks(db: Database, limit: int = 20) -> list[dict]:
    """The most recent failed write-backs with their reason, newest first (``cxbot surveys``)."""
    cursor = db.execute(
        "SELECT w.id, w.response_id, r.survey_id, w.revision, w.source, w.ticket_ref, w.attempts, "
        "w.last_error AS reason, w.created_at FROM writebacks w JOIN responses r ON r.id = w.response_id "
        "WHERE w.state = 'failed' ORDER BY w.id DESC LIMIT ?",
        [limit],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]

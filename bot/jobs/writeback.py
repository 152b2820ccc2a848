"""Write-back: each answer goes onto its helpdesk ticket as a private note (and tags).

Agents see the score where they work (what Nicereply and Simplesat do). On when
``CXBOT_WRITEBACK=1`` and only for tickets whose helpdesk has API credentials.
Each pass first brings the ledger (``storage/writebacks.py``) up to date with
the answers — an answer's text waits ``settle`` after its last change, so a score
followed by a comment makes one note, and a later change adds one more, once —
then writes the due revisions.  A revision claimed before (a crash or a timeout
after the vendor stored it) is looked for on the ticket by its marker before it
is written again.  429/5xx/timeouts retry with backoff (at least the vendor's
Retry-After) up to ``max_attempts``; a refusal (closed ticket, bad credentials)
fails at once with the vendor's reason.  Nothing is retried forever.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from bot.helpdesks.api import HelpdeskClient, HelpdeskRefused, HelpdeskUnavailable, WriteBack
from bot.jobs.surveys import backoff
from storage import writebacks as ledger
from storage.survey_types import SURVEYS
from storage.timestamps import parse_timestamp

log = logging.getLogger("cxbot.writeback")


@dataclass(frozen=True)
class WritebackPolicy:
    """How long an answer settles, how long themes are waited for, and when to give up."""

    theme_labels: dict[str, str] = field(default_factory=dict)
    #: Quiet time after an answer's last change before it is written.
    settle: timedelta = timedelta(minutes=2)
    #: How long a new comment's note waits for the classifier's themes at most.
    label_wait: timedelta = timedelta(minutes=10)
    #: Answers older than this are no longer compared (the survey window plus a day).
    watch: timedelta = timedelta(days=8)
    #: Claims of one revision before it is failed (429/5xx/timeouts).
    max_attempts: int = 6
    every: timedelta = timedelta(seconds=10)


def note_content(answer: ledger.AnswerNow, labels: Mapping[str, str]) -> str:
    """What the note says, without its marker: survey, score on its scale, comment, themes.

    Plain text with no links, so it reads the same in a Zendesk comment, a
    Freshdesk note, a Jira comment and an Intercom note.
    """
    survey = SURVEYS[answer.survey_type]
    lines = [f"cxbot survey: {survey.label} {answer.score}/{survey.high}"]
    if answer.comment:
        lines.append(f"Comment: {answer.comment}")
    if answer.themes:
        lines.append("Themes: " + ", ".join(labels.get(t, t) for t in answer.themes))
    return "\n".join(lines)


def note_text(content: str, marker: str) -> str:
    """The note as written: its content, then the marker a retry looks for."""
    return f"{content}\n{marker}"


def answer_tags(answer: ledger.AnswerNow) -> tuple[str, ...]:
    """``cxbot_csat_4``: one tag per score, so a helpdesk view or trigger can filter on it."""
    return (f"cxbot_{answer.survey_type}_{answer.score}",)


def sync_ledger(
    db: Database, clients: Mapping[str, HelpdeskClient], policy: WritebackPolicy, now: datetime
) -> dict[str, int]:
    """Queue a revision for every answer whose note would now say something new."""
    counts: dict[str, int] = {}
    for answer in ledger.answers_to_write(db, list(clients), now - policy.watch):
        outcome = _sync_answer(db, answer, policy, now)
        if outcome:
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _sync_answer(
    db: Database, answer: ledger.AnswerNow, policy: WritebackPolicy, now: datetime
) -> str | None:
    content, tags = note_content(answer, policy.theme_labels), answer_tags(answer)
    latest = answer.latest
    settled = now + policy.settle
    if latest is None:
        due = settled if answer.awaiting_labels else max(answer.answered_at + policy.settle, now)
        marker = ledger.revision_marker(answer.response_id, 1)
        ledger.add_revision(db, answer, note_text(content, marker), tags, due, now)
        return "queued"
    if latest.body == note_text(content, latest.marker):
        if answer.awaiting_labels and latest.untried and _may_wait(latest, policy, now):
            ledger.postpone_untried(db, latest.id, settled)
        return None
    if latest.untried and ledger.revise_untried(
        db, latest.id, note_text(content, latest.marker), tags, settled
    ):
        return "revised"
    if latest.state == "pending":  # being written: the change becomes the next revision after it
        return None
    marker = ledger.revision_marker(answer.response_id, latest.revision + 1)
    ledger.add_revision(db, answer, note_text(content, marker), tags, settled, now)
    return "queued"


def _may_wait(row: ledger.LedgerRow, policy: WritebackPolicy, now: datetime) -> bool:
    """Whether a note may still wait for its comment's themes (a stuck classifier must not
    hold it back for good)."""
    return now - parse_timestamp(row.created_at) < policy.label_wait


def write_one(
    helpdesk: HelpdeskClient | None,
    db: Database,
    row: ledger.LedgerRow,
    policy: WritebackPolicy,
    now: datetime,
) -> str:
    """Write one claimed revision; returns written/already_written/retry/failed."""
    if helpdesk is None:
        ledger.mark_failed(db, row.id, f"no {row.source} API credentials any more")
        return "failed"
    write = WriteBack(ticket_ref=row.ticket_ref, note=row.body, tags=row.tags, marker=row.marker)
    try:
        if row.attempts > 1 and helpdesk.already_written(write):
            log.info("write-back %s is already on %s; not writing it twice", row.marker, row.source)
            ledger.mark_written(db, row.id, datetime.now(UTC))
            return "already_written"
        helpdesk.write_back(write)
    except HelpdeskRefused as exc:
        ledger.mark_failed(db, row.id, str(exc))
        return "failed"
    except HelpdeskUnavailable as exc:
        return _retry_or_fail(db, row, policy, now, str(exc), exc.retry_after)
    except Exception as exc:  # a client bug must not stop the job; bounded like a fault
        log.exception("write-back %s: unexpected error", row.marker)
        return _retry_or_fail(db, row, policy, now, f"{type(exc).__name__}: {exc}", None)
    ledger.mark_written(db, row.id, datetime.now(UTC))
    return "written"


def _retry_or_fail(
    db: Database,
    row: ledger.LedgerRow,
    policy: WritebackPolicy,
    now: datetime,
    error: str,
    retry_after: float | None,
) -> str:
    if row.attempts >= policy.max_attempts:
        ledger.mark_failed(db, row.id, f"gave up after {row.attempts} attempts: {error}")
        return "failed"
    wait = max(backoff(row.attempts), timedelta(seconds=retry_after or 0))
    ledger.reschedule(db, row.id, error, now + wait)
    return "retry"


class WriteBackScores:
    """The write-back outbox: sync the ledger with the answers, then write what is due."""

    name = "writeback"

    def __init__(self, clients: Mapping[str, HelpdeskClient], policy: WritebackPolicy):
        self._clients, self.policy = dict(clients), policy
        self.every: timedelta | None = policy.every

    def prepare(self, db: Database) -> None:
        """Release claims a crashed process left; their attempts stay, so each is checked first."""
        if released := ledger.release_claims(db):
            log.info("released %d write-back claims left by an earlier run", released)

    def run(self, db: Database, now: datetime) -> dict[str, int]:
        if not self._clients:
            return {}
        counts = sync_ledger(db, self._clients, self.policy, now)
        for row in ledger.claim_due(db, now):
            outcome = write_one(self._clients.get(row.source), db, row, self.policy, now)
            counts[outcome] = counts.get(outcome, 0) + 1
            log.info("write-back %s to %s %s: %s", row.marker, row.source, row.ticket_ref, outcome)
        return counts

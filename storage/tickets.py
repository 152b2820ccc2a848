"""Ticket events from helpdesks, and the survey rules that decide what happens next.

A closure schedules at most one survey (one row per ticket closure, unique in
the schema); a repeated webhook for the same closure is a duplicate; a reopen
cancels a survey that has not gone out yet.  Every decision not to survey is a
``skipped`` survey row with its reason, so "why didn't they get a survey?"
always has an answer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlite_utils import Database

from storage.db import write_transaction
from storage.timestamps import to_db

EventKind = Literal["closed", "reopened"]
ACTIVE_STATES = ("scheduled", "sent", "answered", "expired")


@dataclass(frozen=True)
class TicketEvent:
    """A helpdesk event, already validated and mapped from the source's own format."""

    source: str
    kind: EventKind
    external_id: str
    customer_slack_id: str | None = None
    customer_email: str | None = None
    agent_name: str | None = None
    agent_email: str | None = None
    agent_slack_id: str | None = None
    team: str | None = None
    tags: tuple[str, ...] = ()
    channel: str | None = None
    priority: str | None = None
    created_at: str | None = None
    first_response_at: str | None = None
    closed_at: str | None = None
    survey_type: str | None = None
    slack_channel: str | None = None
    thread_ts: str | None = None
    #: The helpdesk's own id for the customer (Zendesk requester_id, Jira accountId,
    #: Intercom contact id), looked up over its API when no email came with the event.
    customer_ref: str | None = None
    customer_name: str | None = None
    customer_locale: str | None = None
    #: Why the event names no reachable customer and what to do about it; the skip
    #: reason when the helpdesk cannot be asked either.
    no_customer: str | None = None
    #: The ticket's own figures where the source sends them; None: not said (never 0).
    handle_time_seconds: int | None = None
    customer_replies: int | None = None
    agent_replies: int | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def recipient(self) -> str:
        """Who the survey is for: the Slack user id, else the email (lower-cased), else the
        helpdesk's person id (``zendesk:8447399911223``) until it is looked up."""
        if self.customer_slack_id or self.customer_email:
            return self.customer_slack_id or (self.customer_email or "").lower()
        return f"{self.source}:{self.customer_ref}" if self.customer_ref else ""

    @property
    def reachable(self) -> bool:
        """Whether the event itself says how to reach the customer in Slack."""
        return bool(self.customer_slack_id or self.customer_email)


@dataclass(frozen=True)
class SurveyRules:
    delay: timedelta = timedelta(minutes=10)
    cooldown: timedelta = timedelta(days=7)
    sample: float = 1.0
    default_survey: str = "csat"
    #: Sources whose REST API cxbot can ask for a customer's email (credentials set).
    lookup_sources: frozenset[str] = frozenset()
    #: Sources whose ticket figures (handle time, replies) are fetched at closure.
    figures_sources: frozenset[str] = frozenset()


@dataclass(frozen=True)
class IntakeResult:
    ticket_id: int | None
    survey_id: int | None
    status: Literal["scheduled", "duplicate", "skipped"]
    reason: str | None = None


def record_ticket_event(
    db: Database, event: TicketEvent, rules: SurveyRules, now: datetime
) -> IntakeResult:
    """Store the event and apply the survey rules, in one durable transaction."""
    with write_transaction(db):
        return apply_ticket_event(db, event, rules, now)


def apply_ticket_event(
    db: Database, event: TicketEvent, rules: SurveyRules, now: datetime
) -> IntakeResult:
    """The writes for one event, inside the caller's transaction (see bot/intake_writer.py)."""
    ticket = _ticket_row(db, event)
    if event.kind == "closed":
        result = _closed(db, ticket, event, rules, now)
    else:
        result = _reopened(db, ticket, event, now)
    if result.ticket_id is not None:  # an event that changed nothing is not stored
        _log_event(db, event, result, now)
    return result


# The intake path writes with plain SQL: sqlite-utils' insert() reads the
# table's schema on every call, which tripled the cost of a webhook.


def _one(db: Database, sql: str, params: list) -> dict | None:
    cursor = db.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None


def _insert(db: Database, table: str, values: dict[str, object]) -> int:
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    row_id = db.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values())
    ).lastrowid
    assert row_id is not None  # an INSERT that did not raise always has a rowid
    return row_id


def _update(db: Database, table: str, row_id: int, values: dict[str, object]) -> None:
    assignments = ", ".join(f"{column} = ?" for column in values)
    db.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), row_id])


def _ticket_row(db: Database, event: TicketEvent) -> dict | None:
    return _one(
        db,
        "SELECT * FROM tickets WHERE source = ? AND external_id = ?",
        [event.source, event.external_id],
    )


def _attributes(event: TicketEvent) -> dict[str, object]:
    """Ticket fields the event carries; absent ones keep their stored value."""
    values = {
        "customer_slack_id": event.customer_slack_id,
        "customer_email": event.customer_email,
        "customer_ref": event.customer_ref,
        "customer_name": event.customer_name,
        "customer_locale": event.customer_locale,
        "handle_time_seconds": event.handle_time_seconds,
        "customer_replies": event.customer_replies,
        "agent_replies": event.agent_replies,
        "agent_name": event.agent_name,
        "agent_email": event.agent_email,
        "agent_slack_id": event.agent_slack_id,
        "team": event.team,
        "tags": json.dumps(list(event.tags), ensure_ascii=False) if event.tags else None,
        "channel": event.channel,
        "priority": event.priority,
        "created_at": event.created_at,
        "first_response_at": event.first_response_at,
    }
    return {k: v for k, v in values.items() if v is not None}


def _upsert_ticket(
    db: Database, ticket: dict | None, event: TicketEvent, changes: dict, now: datetime
) -> dict:
    values = {**_attributes(event), **changes, "updated_at": to_db(now)}
    if ticket is None:
        values.update(source=event.source, external_id=event.external_id)
        ticket_id = _insert(db, "tickets", values)
    else:
        ticket_id = ticket["id"]
        _update(db, "tickets", ticket_id, values)
    stored = _one(db, "SELECT * FROM tickets WHERE id = ?", [ticket_id])
    assert stored is not None  # written just above, in the same transaction
    return stored


def _closed(
    db: Database, ticket: dict | None, event: TicketEvent, rules: SurveyRules, now: datetime
) -> IntakeResult:
    if ticket is not None and ticket["status"] == "closed":
        survey = _survey_for_closure(db, ticket["id"], ticket["closure_count"])
        note = (
            f"ticket already closed (closure {ticket['closure_count']}); repeated webhook ignored"
        )
        return IntakeResult(ticket["id"], survey["id"] if survey else None, "duplicate", note)
    closures = (ticket["closure_count"] if ticket else 0) + 1
    closed_at = event.closed_at or to_db(now)
    changes: dict[str, object] = {
        "status": "closed",
        "closure_count": closures,
        "closed_at": closed_at,
    }
    if event.source in rules.figures_sources:  # the figures job asks the helpdesk, off the path
        changes.update(figures_state="pending", figures_due_at=to_db(now), figures_attempts=0)
    ticket = _upsert_ticket(db, ticket, event, changes, now)
    survey_type = event.survey_type or rules.default_survey
    due = now + rules.delay
    skip = _skip_reason(db, event, rules, survey_type, closures, due)
    survey_id = _insert_survey(db, ticket, event, survey_type, closures, due, now, skip)
    reason = skip[1] if skip else None
    return IntakeResult(ticket["id"], survey_id, "skipped" if skip else "scheduled", reason)


def _reopened(db: Database, ticket: dict | None, event: TicketEvent, now: datetime) -> IntakeResult:
    if ticket is None:  # a status change on a ticket cxbot never saw closed is not a reopen
        return IntakeResult(
            None, None, "skipped", "ticket was never closed in cxbot; not counted as a reopen"
        )
    if ticket["status"] != "closed":
        return IntakeResult(
            ticket["id"], None, "duplicate", "ticket already open; repeated webhook ignored"
        )
    reopens = (ticket["reopen_count"] if ticket else 0) + 1
    ticket = _upsert_ticket(
        db,
        ticket,
        event,
        {"status": "open", "reopened_at": to_db(now), "reopen_count": reopens},
        now,
    )
    survey = _survey_for_closure(db, ticket["id"], ticket["closure_count"])
    if survey and survey["state"] == "scheduled":
        reason = "ticket reopened before the survey was sent"
        _update(
            db,
            "surveys",
            survey["id"],
            {"state": "skipped", "skip_code": "reopened", "skip_reason": reason},
        )
        return IntakeResult(ticket["id"], survey["id"], "skipped", reason)
    return IntakeResult(
        ticket["id"], None, "skipped", "ticket reopened; nothing to survey until it closes again"
    )


def _survey_for_closure(db: Database, ticket_id: int, closure: int) -> dict | None:
    return _one(
        db, "SELECT * FROM surveys WHERE ticket_id = ? AND closure_seq = ?", [ticket_id, closure]
    )


def sampled(source: str, external_id: str, closure: int, rate: float) -> bool:
    """Deterministic sampling: the same closure always gets the same answer."""
    if rate >= 1:
        return True
    digest = hashlib.sha256(f"{source}\x1f{external_id}\x1f{closure}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def _skip_reason(
    db: Database,
    event: TicketEvent,
    rules: SurveyRules,
    survey_type: str,
    closure: int,
    due: datetime,
) -> tuple[str, str] | None:
    """Why this closure gets no survey, as (code, reason for people); None: survey it."""
    if not event.reachable and not (event.customer_ref and event.source in rules.lookup_sources):
        return "no_customer", event.no_customer or "the event names no customer email or Slack id"
    if not sampled(event.source, event.external_id, closure, rules.sample):
        return "not_sampled", f"not sampled (CXBOT_SURVEY_SAMPLE={rules.sample:g})"
    recent = recent_survey(db, event.recipient, survey_type, due, rules.cooldown)
    if recent is not None:
        return "cooldown", cooldown_reason(survey_type, recent)
    return None


def cooldown_reason(survey_type: str, recent: str) -> str:
    return f"cooldown: customer got a {survey_type} survey at {recent} (CXBOT_SURVEY_COOLDOWN)"


def recent_survey(
    db: Database, recipient: str, survey_type: str, due: datetime, cooldown: timedelta
) -> str | None:
    """When this customer got (or is due) a survey of this type within ``cooldown`` of ``due``.

    Only the same survey type counts, so a CES survey never pushes an NPS one back.
    The window runs both ways: the intake writer batches, so a survey stamped a
    moment *after* this one can already be stored; with no cooldown the window
    is empty.
    """
    states = ", ".join(f"'{state}'" for state in ACTIVE_STATES)
    # Two indexed lookups instead of one OR, which SQLite answers with a scan.
    row = db.execute(
        "SELECT max(at) FROM ("
        f"SELECT coalesce(sent_at, due_at) AS at FROM surveys WHERE recipient = ? AND survey_type = ? AND state IN ({states}) "
        "UNION ALL "
        f"SELECT coalesce(sent_at, due_at) FROM surveys WHERE slack_user_id = ? AND survey_type = ? AND state IN ({states})"
        ") WHERE at > ? AND at < ?",
        [
            recipient,
            survey_type,
            recipient,
            survey_type,
            to_db(due - cooldown),
            to_db(due + cooldown),
        ],
    ).fetchone()
    return row[0] if row else None


def _insert_survey(
    db: Database,
    ticket: dict,
    event: TicketEvent,
    survey_type: str,
    closure: int,
    due: datetime,
    now: datetime,
    skip: tuple[str, str] | None,
) -> int:
    """The survey row, with attribution snapshotted from the ticket as it is now."""
    return _insert(
        db,
        "surveys",
        {
            "ticket_id": ticket["id"],
            "closure_seq": closure,
            "survey_type": survey_type,
            "recipient": event.recipient,
            "customer_email": event.customer_email,
            "slack_user_id": event.customer_slack_id,
            "slack_channel": event.slack_channel,
            "thread_ts": event.thread_ts,
            "customer_ref": event.customer_ref,
            "state": "skipped" if skip else "scheduled",
            "skip_code": skip[0] if skip else None,
            "skip_reason": skip[1] if skip else None,
            "due_at": to_db(due),
            "agent": ticket["agent_name"],
            "team": ticket["team"],
            "tags": ticket["tags"],
            "channel": ticket["channel"],
            "priority": ticket["priority"],
            "created_at": to_db(now),
        },
    )


def _log_event(db: Database, event: TicketEvent, result: IntakeResult, now: datetime) -> None:
    _insert(
        db,
        "webhook_events",
        {
            "source": event.source,
            "event": event.kind,
            "ticket_ref": event.external_id,
            "received_at": to_db(now),
            "status": result.status,
            "reason": result.reason,
            "ticket_id": result.ticket_id,
            "survey_id": result.survey_id,
            "body": json.dumps(event.raw, ensure_ascii=False) if event.raw else None,
        },
    )

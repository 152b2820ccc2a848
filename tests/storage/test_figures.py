"""The ticket-figures outbox: what is due, what a stored answer keeps, and the closure guard."""

from __future__ import annotations

from datetime import timedelta

from storage import figures
from storage.tickets import SurveyRules, TicketEvent, record_ticket_event
from tests.conftest import NOW

RULES = SurveyRules(figures_sources=frozenset({"zendesk"}))


def close(db, ticket="5158", source="zendesk", at=NOW, **extra) -> int:
    event = TicketEvent(
        source=source, kind="closed", external_id=ticket, customer_email="a@example.com", **extra
    )
    result = record_ticket_event(db, event, RULES, at)
    assert result.ticket_id is not None
    return result.ticket_id


def reopen(db, ticket="5158", at=NOW) -> None:
    event = TicketEvent(source="zendesk", kind="reopened", external_id=ticket)
    record_ticket_event(db, event, RULES, at)


def test_only_pending_due_tickets_of_the_given_sources(db):
    close(db, "1")
    close(db, "2", at=NOW + timedelta(minutes=5))
    close(db, "3", source="generic")  # no helpdesk API: never pending
    due = figures.due_figures(db, {"zendesk"}, NOW)
    assert [(p.external_id, p.closure, p.attempts) for p in due] == [("1", 1, 0)]
    assert figures.due_figures(db, {"freshdesk"}, NOW + timedelta(hours=1)) == []
    assert figures.due_figures(db, set(), NOW) == []


def test_stored_figures_keep_unknown_ones_null_and_what_the_webhook_said(db):
    ticket = close(db, agent_replies=4)
    [pending] = figures.due_figures(db, {"zendesk"}, NOW)
    assert figures.store_figures(db, pending, 840, None, None)
    row = db["tickets"].get(ticket)
    assert (row["handle_time_seconds"], row["customer_replies"], row["agent_replies"]) == (
        840,
        None,
        4,
    )
    assert (row["figures_state"], row["figures_error"]) == ("done", None)
    assert figures.due_figures(db, {"zendesk"}, NOW + timedelta(days=1)) == []


def test_an_answer_for_an_earlier_closure_does_not_mark_the_new_one_done(db):
    ticket = close(db)
    [pending] = figures.due_figures(db, {"zendesk"}, NOW)
    reopen(db, at=NOW + timedelta(minutes=1))
    close(db, at=NOW + timedelta(minutes=2))  # closure 2: pending again
    assert not figures.store_figures(db, pending, 60, 1, 1)
    assert not figures.retry_figures(db, pending, "HTTP 500", NOW + timedelta(minutes=5))
    row = db["tickets"].get(ticket)
    assert (row["figures_state"], row["handle_time_seconds"], row["figures_attempts"]) == (
        "pending",
        None,
        0,
    )
    [again] = figures.due_figures(db, {"zendesk"}, NOW + timedelta(minutes=2))
    assert again.closure == 2


def test_retry_then_fail_count_the_tries_and_keep_the_error(db):
    ticket = close(db)
    [pending] = figures.due_figures(db, {"zendesk"}, NOW)
    assert figures.retry_figures(db, pending, "HTTP 429", NOW + timedelta(minutes=2))
    assert figures.due_figures(db, {"zendesk"}, NOW + timedelta(minutes=1)) == []
    [later] = figures.due_figures(db, {"zendesk"}, NOW + timedelta(minutes=2))
    assert later.attempts == 1
    assert figures.fail_figures(db, later, "HTTP 404 no such ticket")
    row = db["tickets"].get(ticket)
    assert (row["figures_state"], row["figures_attempts"], row["figures_error"]) == (
        "failed", 2, "HTTP 404 no such ticket"
    )  # fmt: skip

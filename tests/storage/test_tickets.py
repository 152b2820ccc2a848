"""Survey rules on ticket events: delay, once per closure, reopen, cooldown, sampling, snapshot."""

from __future__ import annotations

from datetime import timedelta

from storage.tickets import SurveyRules, TicketEvent, record_ticket_event, sampled
from tests.conftest import NOW

RULES = SurveyRules(
    delay=timedelta(minutes=10), cooldown=timedelta(days=7), sample=1.0, default_survey="csat"
)


def event(kind="closed", ticket="T1", customer="U0CUST", **extra) -> TicketEvent:
    return TicketEvent(
        source="generic", kind=kind, external_id=ticket, customer_slack_id=customer, **extra
    )


def surveys(db) -> list[dict]:
    return list(db["surveys"].rows_where(order_by="id"))


def test_closure_schedules_one_survey_after_the_delay(db):
    result = record_ticket_event(
        db, event(team="billing", agent_name="Dana", tags=("vip",)), RULES, NOW
    )
    assert result.status == "scheduled"
    [survey] = surveys(db)
    assert survey["state"] == "scheduled"
    assert survey["due_at"] == "2026-11-23T12:10:00.000Z"
    assert survey["survey_type"] == "csat"  # the default
    assert (survey["team"], survey["agent"], survey["tags"]) == ("billing", "Dana", '["vip"]')
    assert db["webhook_events"].count == 1


def test_survey_type_from_the_event(db):
    record_ticket_event(db, event(survey_type="nps"), RULES, NOW)
    assert surveys(db)[0]["survey_type"] == "nps"


def test_repeated_closure_webhook_is_a_duplicate(db):
    first = record_ticket_event(db, event(), RULES, NOW)
    again = record_ticket_event(db, event(), RULES, NOW + timedelta(seconds=5))
    assert again.status == "duplicate" and again.survey_id == first.survey_id
    assert len(surveys(db)) == 1


def test_reopen_cancels_a_pending_survey_and_a_reclose_surveys_again(db):
    record_ticket_event(db, event(), RULES, NOW)
    reopened = record_ticket_event(db, event("reopened"), RULES, NOW + timedelta(minutes=5))
    assert reopened.status == "skipped" and "reopened" in reopened.reason
    assert surveys(db)[0]["state"] == "skipped"
    again = record_ticket_event(db, event(), RULES, NOW + timedelta(hours=2))
    assert again.status == "scheduled"
    assert [s["closure_seq"] for s in surveys(db)] == [1, 2]
    ticket = db["tickets"].get(again.ticket_id)
    assert (ticket["closure_count"], ticket["reopen_count"], ticket["status"]) == (2, 1, "closed")


def test_cooldown_is_per_customer_and_per_survey_type(db):
    record_ticket_event(db, event(ticket="A", survey_type="nps"), RULES, NOW)
    second = record_ticket_event(
        db, event(ticket="B", survey_type="nps"), RULES, NOW + timedelta(days=1)
    )
    assert second.status == "skipped" and second.reason.startswith("cooldown")
    other_type = record_ticket_event(
        db, event(ticket="C", survey_type="ces"), RULES, NOW + timedelta(days=1)
    )
    assert other_type.status == "scheduled"  # a CES survey is not pushed back by an NPS one
    other_customer = record_ticket_event(
        db, event(ticket="D", customer="U0OTHER", survey_type="nps"), RULES, NOW + timedelta(days=1)
    )
    assert other_customer.status == "scheduled"
    later = record_ticket_event(
        db, event(ticket="E", survey_type="nps"), RULES, NOW + timedelta(days=8)
    )
    assert later.status == "scheduled"


def test_a_skipped_survey_does_not_start_a_cooldown(db):
    record_ticket_event(db, event(ticket="A"), RULES, NOW)
    record_ticket_event(db, event("reopened", ticket="A"), RULES, NOW)
    assert (
        record_ticket_event(db, event(ticket="B"), RULES, NOW + timedelta(hours=1)).status
        == "scheduled"
    )


def test_sampling_is_deterministic_and_close_to_the_rate(db):
    rules = SurveyRules(sample=0.3)
    outcomes = [
        record_ticket_event(db, event(ticket=f"S{i}", customer=f"U{i:05d}X"), rules, NOW).status
        for i in range(400)
    ]
    share = outcomes.count("scheduled") / len(outcomes)
    assert 0.24 < share < 0.36
    assert all(
        s["skip_reason"] == "not sampled (CXBOT_SURVEY_SAMPLE=0.3)"
        for s in surveys(db)
        if s["state"] == "skipped"
    )
    assert sampled("generic", "S1", 1, 0.3) == sampled("generic", "S1", 1, 0.3)
    assert not sampled("generic", "S1", 1, 0.0)


def test_attribution_is_a_snapshot(db):
    record_ticket_event(db, event(team="billing", agent_name="Dana"), RULES, NOW)
    record_ticket_event(
        db,
        event("reopened", team="technical", agent_name="Omar"),
        RULES,
        NOW + timedelta(minutes=1),
    )
    first = surveys(db)[0]
    assert (first["team"], first["agent"]) == ("billing", "Dana")


def test_a_reopen_of_a_ticket_never_seen_closed_is_ignored_and_stores_nothing(db):
    """Issue 15: Jira To Do → In Progress arrived as a 'reopen' and inflated the reopen rate."""
    result = record_ticket_event(db, event("reopened"), RULES, NOW)
    assert (result.status, result.ticket_id, result.survey_id) == ("skipped", None, None)
    assert "never closed" in (result.reason or "")
    assert db["tickets"].count == 0 and db["webhook_events"].count == 0


def test_a_closure_without_a_reachable_customer_stores_the_ticket_and_skips_with_the_hint(db):
    hint = "requester has no email in the payload: set CXBOT_ZENDESK_TOKEN to look it up"
    closed = TicketEvent(
        source="zendesk", kind="closed", external_id="5158", customer_ref="844", no_customer=hint
    )
    result = record_ticket_event(db, closed, RULES, NOW)
    assert (result.status, result.reason) == ("skipped", hint)
    survey = db["surveys"].get(result.survey_id)
    assert (survey["skip_code"], survey["recipient"]) == ("no_customer", "zendesk:844")
    assert db["tickets"].get(result.ticket_id)["status"] == "closed"  # still counts for /cx ops


def test_a_closure_with_a_person_id_is_scheduled_when_the_helpdesk_can_be_asked(db):
    closed = TicketEvent(source="zendesk", kind="closed", external_id="5158", customer_ref="844")
    rules = SurveyRules(
        lookup_sources=frozenset({"zendesk"}), figures_sources=frozenset({"zendesk"})
    )
    result = record_ticket_event(db, closed, rules, NOW)
    assert result.status == "scheduled"
    survey = db["surveys"].get(result.survey_id)
    assert (survey["customer_ref"], survey["customer_email"]) == ("844", None)
    assert db["tickets"].get(result.ticket_id)["figures_state"] == "pending"


def test_a_zero_cooldown_never_skips_even_when_events_are_written_out_of_order(db):
    """The intake writer batches: an event stamped later can be written before an earlier one."""
    rules = SurveyRules(delay=timedelta(0), cooldown=timedelta(0), sample=1.0)
    later = record_ticket_event(db, event(ticket="B"), rules, NOW + timedelta(seconds=2))
    earlier = record_ticket_event(db, event(ticket="A"), rules, NOW)
    assert (later.status, earlier.status) == ("scheduled", "scheduled")

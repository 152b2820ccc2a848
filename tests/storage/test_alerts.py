"""The alerts outbox: a change made while an older view is being posted is not lost."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.alerts import (
    alert_failed,
    alert_posted,
    follow_up_stats,
    open_follow_ups,
    pending_alerts,
    queue_alert,
    resolve_alert,
    take_alert,
)
from storage.classifications import Labels, pending_comments, store_labels
from storage.responses import ResponseRow, insert_responses
from storage.surveys import add_comment, record_score
from storage.tickets import SurveyRules, TicketEvent, record_ticket_event
from storage.timestamps import to_db
from tests.conftest import NOW

LABELS = Labels(
    themes=(("response_speed", 0.9),),
    sentiment="negative",
    sentiment_confidence=0.8,
    language="en",
    model_version="m1",
)


def detractor(db) -> int:
    insert_responses(db, [ResponseRow("nps", 2, to_db(NOW), ticket_ref="A", comment="slow")])
    response_id = db.execute("SELECT id FROM responses").fetchone()[0]
    queue_alert(db, response_id, "C0ALERTS", NOW)
    return response_id


def test_posting_settles_the_alert(db):
    detractor(db)
    [view] = pending_alerts(db)
    alert_posted(db, view.id, "1.000", view.revision)
    assert pending_alerts(db) == []
    assert db.execute("SELECT slack_ts FROM alerts").fetchone()[0] == "1.000"


def test_labels_arriving_while_an_older_view_is_posted_stay_pending(db):
    detractor(db)
    [stale] = pending_alerts(db)  # the worker renders this: no labels yet
    assert stale.sentiment is None
    store_labels(db, [(pending_comments(db)[0], LABELS)], NOW)  # classifier, meanwhile
    alert_posted(db, stale.id, "1.000", stale.revision)  # the stale view reaches Slack
    [fresh] = pending_alerts(db)
    assert (fresh.slack_ts, fresh.sentiment, fresh.themes) == (
        "1.000",
        "negative",
        ("response_speed",),
    )
    alert_posted(db, fresh.id, "1.000", fresh.revision)
    assert pending_alerts(db) == []


def test_a_transient_fault_keeps_the_alert_pending_and_a_permanent_one_settles_it(db):
    detractor(db)
    [view] = pending_alerts(db)
    alert_failed(db, view.id, "ratelimited", permanent=False, revision=view.revision)
    [again] = pending_alerts(db)
    assert again.attempts == 1
    alert_failed(db, again.id, "channel_not_found", permanent=True, revision=again.revision)
    assert pending_alerts(db) == []
    assert db.execute("SELECT attempts, last_error FROM alerts").fetchone() == (
        2,
        "channel_not_found",
    )


def test_follow_up_stats_count_alerts_of_one_survey_type_when_asked(db):
    rows = [
        ResponseRow("nps", 2, to_db(NOW), ticket_ref="N1"),
        ResponseRow("nps", 4, to_db(NOW), ticket_ref="N2"),
        ResponseRow("csat", 1, to_db(NOW), ticket_ref="C1"),
    ]
    insert_responses(db, rows)
    ids = dict(db.execute("SELECT ticket_ref, id FROM responses").fetchall())
    alerts = {ref: queue_alert(db, ids[ref], "C0ALERTS", NOW) for ref in ids}
    take_alert(db, alerts["N1"], "U0MANAGER", NOW + timedelta(hours=3))
    resolve_alert(db, alerts["C1"], "U0MANAGER", "fixed", None, NOW + timedelta(hours=1))

    nps = follow_up_stats(db, None, survey_type="nps")
    assert (nps.detractors, nps.followed_up, nps.resolved) == (2, 1, 0)
    assert nps.median_time_to_follow_up == timedelta(hours=3)
    every = follow_up_stats(db, None)
    assert (every.detractors, every.followed_up, every.resolved) == (3, 2, 1)
    assert every.median_time_to_follow_up == timedelta(hours=2)


def sent_survey(db, ticket: str = "S1") -> int:
    event = TicketEvent(
        source="generic",
        kind="closed",
        external_id=ticket,
        survey_type="nps",
        customer_slack_id="U0CUSTOMER",
    )
    survey_id = record_ticket_event(db, event, SurveyRules(delay=timedelta(0)), NOW).survey_id
    db.execute(
        "UPDATE surveys SET state = 'sent', sent_at = ?, expires_at = ? WHERE id = ?",
        [to_db(NOW), to_db(NOW + timedelta(days=7)), survey_id],
    )
    return survey_id


def score(db, survey_id: int, value: int, minutes: int = 0):
    later = NOW + timedelta(minutes=minutes)
    return record_score(db, survey_id, value, later, "U0CUSTOMER", alert_channel="C0ALERTS")


def open_alerts(db) -> int:
    return follow_up_stats(db, None).detractors


def test_a_detractor_score_raises_its_alert_and_a_corrected_one_withdraws_it(db):
    survey_id = sent_survey(db)
    score(db, survey_id, 3)
    [raised] = pending_alerts(db)
    alert_posted(db, raised.id, "1.000", raised.revision)
    assert (open_alerts(db), len(open_follow_ups(db, ["U0CUSTOMER"]))) == (1, 1)

    score(db, survey_id, 8, minutes=1)  # a passive: not a detractor any more
    [withdrawn] = pending_alerts(db)  # the posted message must say so
    assert (withdrawn.withdrawn, withdrawn.score, withdrawn.slack_ts) == (True, 8, "1.000")
    assert (open_alerts(db), open_follow_ups(db, ["U0CUSTOMER"])) == (0, [])

    alert_posted(db, withdrawn.id, "1.000", withdrawn.revision)
    score(db, survey_id, 1, minutes=2)  # and back: the alert is raised again
    [again] = pending_alerts(db)
    assert (again.withdrawn, again.score) == (False, 1)
    assert open_alerts(db) == 1


def test_an_alert_someone_acted_on_is_not_withdrawn(db):
    survey_id = sent_survey(db)
    score(db, survey_id, 2)
    [alert] = pending_alerts(db)
    assert take_alert(db, alert.id, "U0MANAGER", NOW)
    score(db, survey_id, 10, minutes=1)
    [shown] = pending_alerts(db)  # still updated, to show the new score
    assert (shown.withdrawn, shown.score, shown.owner) == (False, 10, "U0MANAGER")
    assert follow_up_stats(db, None).followed_up == 1


def test_an_alert_withdrawn_before_it_was_posted_is_never_posted(db):
    survey_id = sent_survey(db)
    score(db, survey_id, 0)
    score(db, survey_id, 9, minutes=1)
    assert pending_alerts(db) == []
    assert open_alerts(db) == 0


def test_without_an_alert_channel_a_score_raises_no_alert(db):
    survey_id = sent_survey(db)
    record_score(db, survey_id, 0, NOW, "U0CUSTOMER")
    assert db["alerts"].count == 0


def test_a_comment_and_its_alert_update_are_one_write(db):
    survey_id = sent_survey(db)
    score(db, survey_id, 2)
    db.execute(
        "CREATE TRIGGER fail_alert_update BEFORE UPDATE ON alerts "
        "BEGIN SELECT RAISE(ABORT, 'killed before the alert was flagged'); END"
    )
    with pytest.raises(Exception, match="killed before"):
        add_comment(db, survey_id, "nobody called back")
    assert db.execute("SELECT comment FROM responses").fetchone() == (None,)

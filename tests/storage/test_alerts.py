"""The alerts outbox: a change made while an older view is being posted is not lost."""

from __future__ import annotations

from storage.alerts import alert_failed, alert_posted, pending_alerts, queue_alert
from storage.classifications import Labels, pending_comments, store_labels
from storage.responses import ResponseRow, insert_responses
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

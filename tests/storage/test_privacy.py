"""Forgetting a customer everywhere, and pruning comments past the retention period."""

from __future__ import annotations

from datetime import timedelta

from storage.alerts import correct_labels, queue_alert
from storage.privacy import forget_customer, prune_comments
from storage.responses import ResponseRow, insert_responses
from storage.surveys import add_comment, record_score
from storage.tickets import SurveyRules, TicketEvent, record_ticket_event
from storage.timestamps import to_db
from tests.conftest import NOW


def answered(db, ticket: str, email: str, comment: str) -> int:
    event = TicketEvent(
        source="generic",
        kind="closed",
        external_id=ticket,
        customer_email=email,
        raw={"customer": {"email": email}},
    )
    survey_id = record_ticket_event(db, event, SurveyRules(delay=timedelta(0)), NOW).survey_id
    db.execute(
        "UPDATE surveys SET state = 'sent', sent_at = ?, expires_at = ? WHERE id = ?",
        [to_db(NOW), to_db(NOW + timedelta(days=7)), survey_id],
    )
    result = record_score(db, survey_id, 2, NOW, None)
    add_comment(db, survey_id, comment)
    queue_alert(db, result.response_id, "C0ALERTS1", NOW)
    correct_labels(db, result.response_id, ["resolution"], "negative", "U0MGR", NOW)
    return result.response_id


def test_forget_removes_the_customer_everywhere_and_nobody_else(db):
    answered(db, "T1", "gone@example.com", "my phone is 0721 123 456")
    answered(db, "T2", "gone@example.com", "second complaint")
    kept = answered(db, "T3", "stays@example.com", "fine")
    insert_responses(
        db,
        [
            ResponseRow(
                "nps",
                9,
                to_db(NOW),
                ticket_ref="IMP1",
                comment="imported",
                customer="gone@example.com",
            )
        ],
    )
    done = forget_customer(db, "GONE@example.com")
    assert (done.tickets, done.responses, done.comments) == (2, 3, 3)
    for table, column in (
        ("responses", "comment"),
        ("webhook_events", "body"),
        ("tickets", "customer_email"),
        ("surveys", "recipient"),
    ):
        values = " ".join(str(r[0]) for r in db.execute(f"SELECT {column} FROM {table}"))
        assert "gone@example.com" not in values and "0721" not in values, table
    assert (
        db["alerts"].count == 1 and db["corrections"].count == 1 and db["comment_themes"].count == 1
    )
    assert db["responses"].get(kept)["comment"] == "fine"


def test_retention_prunes_old_comments_but_keeps_scores(db):
    insert_responses(db, [
        ResponseRow("nps", 3, to_db(NOW - timedelta(days=400)), ticket_ref="OLD", comment="old words"),
        ResponseRow("nps", 9, to_db(NOW - timedelta(days=10)), ticket_ref="NEW", comment="new words"),
    ])  # fmt: skip
    old_id = db.execute("SELECT id FROM responses WHERE ticket_ref = 'OLD'").fetchone()[0]
    db.execute(
        "INSERT INTO classifications (response_id, sentiment, model_version, classified_at) VALUES (?, 'negative', 'm', 'x')",
        [old_id],
    )
    assert prune_comments(db, timedelta(days=365), NOW) == 1
    rows = dict(db.execute("SELECT ticket_ref, comment FROM responses").fetchall())
    assert rows == {"OLD": None, "NEW": "new words"}
    assert db.execute("SELECT score FROM responses WHERE ticket_ref = 'OLD'").fetchone() == (3,)
    assert db["classifications"].count == 0
    assert prune_comments(db, timedelta(days=365), NOW) == 0

"""Skip counts and the write-back ledger in storage terms, on a real SQLite file."""

from __future__ import annotations

from datetime import timedelta

from storage import writebacks
from storage.surveys import mark_skipped, outbox_status, skip_reasons, skipped_by_code
from storage.tickets import SurveyRules, TicketEvent, record_ticket_event
from storage.timestamps import to_db
from tests.helpers import add_scores


def skip(db, now, ticket: str, code: str | None, reason: str, age: timedelta = timedelta(0)):
    event = TicketEvent(
        source="generic", kind="closed", external_id=ticket, customer_email=f"{ticket}@x.io"
    )
    survey_id = record_ticket_event(
        db, event, SurveyRules(cooldown=timedelta(0)), now - age
    ).survey_id
    if code is None:  # a survey skipped before skip codes existed
        db.execute(
            "UPDATE surveys SET state = 'skipped', skip_reason = ? WHERE id = ?",
            [reason, survey_id],
        )
    else:
        mark_skipped(db, survey_id, reason, code)


def test_skips_are_counted_by_code_over_the_last_week(db, now):
    skip(db, now, "A", "not_in_slack", "no Slack account at @a.io")
    skip(db, now, "B", "not_in_slack", "no Slack account at @b.io")
    skip(db, now, "C", "no_customer", "hidden email")
    skip(db, now, "D", "no_customer", "old one", age=timedelta(days=8))
    skip(db, now, "E", None, "before 0008")
    assert skipped_by_code(db, now - timedelta(days=7)) == {
        "not_in_slack": 2,
        "no_customer": 1,
        "other": 1,
    }
    assert outbox_status(db, now)["skipped_7d"] == {"not_in_slack": 2, "no_customer": 1, "other": 1}
    assert [(r.code, r.count, r.latest_reason) for r in skip_reasons(db)] == [
        ("no_customer", 2, "old one"),
        ("not_in_slack", 2, "no Slack account at @b.io"),
        ("other", 1, "before 0008"),
    ]


def test_a_claimed_revision_is_never_rewritten_in_place(db, now):
    """Once a worker claimed a revision it may be on the ticket: new text is a new revision."""
    add_scores(db, "csat", [4], now)
    (response_id,) = db.execute("SELECT id FROM responses").fetchone()
    db.execute(
        "INSERT INTO writebacks (response_id, revision, source, ticket_ref, body, due_at, created_at) "
        "VALUES (?, 1, 'zendesk', '7', 'CSAT 4/5', ?, ?)",
        [response_id, to_db(now), to_db(now)],
    )
    (claimed,) = writebacks.claim_due(db, now)
    assert (claimed.attempts, claimed.marker, claimed.untried) == (
        1,
        f"[cxbot:r{response_id}.1]",
        False,
    )
    assert not writebacks.revise_untried(db, claimed.id, "CSAT 5/5", (), now)
    assert writebacks.claim_due(db, now) == []  # leased
    after_lease = now + writebacks.CLAIM_LEASE + timedelta(seconds=1)
    assert [r.attempts for r in writebacks.claim_due(db, after_lease)] == [2]
    writebacks.mark_failed(db, claimed.id, "closed")
    assert writebacks.writeback_counts(db) == {"pending": 0, "failed": 1}
    assert writebacks.get_writeback(db, claimed.id).body == "CSAT 4/5"


def test_one_revisions_marker_is_not_found_inside_another():
    assert writebacks.revision_marker(12, 1) not in writebacks.revision_marker(12, 10)
    assert writebacks.revision_marker(1, 2) not in writebacks.revision_marker(11, 2)


def test_the_write_back_pass_reads_recent_answers_from_the_time_index(db, now, monkeypatch):
    """Every pass runs this query; it must not read every ticket a helpdesk ever sent."""
    plans: list[str] = []
    execute = db.execute

    def explain(sql, params=()):
        if "FROM responses r CROSS JOIN surveys" in sql:
            plans.extend(row[3] for row in execute(f"EXPLAIN QUERY PLAN {sql}", params))
        return execute(sql, params)

    monkeypatch.setattr(db, "execute", explain)
    writebacks.answers_to_write(db, ["zendesk"], now)
    assert plans[0].startswith(
        "SEARCH r USING INDEX ix_responses_time (survey_type=? AND answered_at>?)"
    )
    tables_scanned = [p for p in plans if p.startswith("SCAN") and "subquery" not in p]
    assert tables_scanned == [], plans  # one answer's themes are read as a subquery, no table

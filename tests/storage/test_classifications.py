"""Which comments the classifier must (re)label, kept by triggers whoever writes the labels."""

from __future__ import annotations

from storage.alerts import correct_labels
from storage.classifications import Labels, pending_comments, store_labels
from storage.responses import ResponseRow, insert_responses
from storage.surveys import add_comment
from storage.timestamps import to_db
from tests.conftest import NOW

LABELS = Labels(
    themes=(("resolution", 0.9),),
    sentiment="negative",
    sentiment_confidence=0.8,
    language="en",
    model_version="m1",
)


def pending_ids(db) -> list[int]:
    return [c.response_id for c in pending_comments(db)]


def seed(db) -> list[int]:
    insert_responses(db, [
        ResponseRow("nps", 2, to_db(NOW), ticket_ref="A", comment="still broken"),
        ResponseRow("nps", 9, to_db(NOW), ticket_ref="B", comment="great"),
        ResponseRow("nps", 7, to_db(NOW), ticket_ref="C"),
        ResponseRow("nps", 5, to_db(NOW), ticket_ref="D", comment=""),
    ])  # fmt: skip
    return [r[0] for r in db.execute("SELECT id FROM responses ORDER BY id")]


def test_unlabelled_comments_are_pending_and_labelled_ones_are_not(db):
    a, b, _, _ = seed(db)
    assert pending_ids(db) == [a, b]  # no comment and empty comment are never pending
    store_labels(db, [(pending_comments(db)[0], LABELS)], NOW)
    assert pending_ids(db) == [b]


def test_an_edited_comment_is_pending_again(db):
    a, b, _, _ = seed(db)
    store_labels(db, [(c, LABELS) for c in pending_comments(db)], NOW)
    db.execute(
        "INSERT INTO tickets (id, source, external_id, updated_at) VALUES (1, 't', 'B', 'x')"
    )
    db.execute(
        "INSERT INTO surveys (id, ticket_id, survey_type, recipient, due_at, created_at) VALUES (1, 1, 'nps', 'U', 'x', 'x')"
    )
    db.execute("UPDATE responses SET survey_id = 1 WHERE id = ?", [b])
    add_comment(db, 1, "and fast")
    assert pending_ids(db) == [b]


def test_corrections_are_never_relabelled_by_the_model(db):
    a, _, _, _ = seed(db)
    correct_labels(db, a, ["communication"], "negative", "U0MGR", NOW)
    db.execute(
        "UPDATE responses SET comment = 'edited', comment_version = comment_version + 1 WHERE id = ?",
        [a],
    )
    assert a not in pending_ids(db)


def test_labels_written_by_hand_count_and_deleting_them_makes_the_comment_pending(db):
    a, b, _, _ = seed(db)
    db.execute(
        "INSERT INTO classifications (response_id, sentiment, model_version, classified_at) VALUES (?, 'neutral', 'x', 'x')",
        [a],
    )
    assert pending_ids(db) == [b]
    db.execute("DELETE FROM classifications WHERE response_id = ?", [a])
    assert pending_ids(db) == [a, b]

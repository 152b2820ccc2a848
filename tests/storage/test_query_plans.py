"""The hot metric queries are served by the indexes made for them (EXPLAIN QUERY PLAN)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from storage.classifications import pending_comments
from storage.db import open_db
from storage.filters import Filters
from storage.metrics import breakdown, response_rate, score_counts, weekly_series
from storage.periods import parse_period
from storage.sample_data import generate_history
from tests.conftest import NOW

UTC_TZ = ZoneInfo("UTC")


def plans_of(db, action) -> list[str]:
    """Run ``action`` and return the query plan of every SELECT it executed."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        action()
    finally:
        db.conn.set_trace_callback(None)
    plans = []
    for sql in statements:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            rows = db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            plans.append(" | ".join(row[-1] for row in rows))
    return plans


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    db = open_db(tmp_path_factory.mktemp("plans") / "cxbot.db")
    generate_history(db, 3000, days=120, now=NOW, seed=3)
    db.execute("ANALYZE")
    yield db
    db.close()


PERIOD = parse_period("30d", UTC_TZ, NOW)


@pytest.mark.parametrize(
    ("name", "action", "index"),
    [
        ("nps 30d", lambda db: score_counts(db, "nps", PERIOD), "COVERING INDEX ix_responses_time"),
        (
            "team filter",
            lambda db: score_counts(db, "nps", PERIOD, Filters(team="billing")),
            "COVERING INDEX ix_responses_team",
        ),
        (
            "agent filter",
            lambda db: score_counts(db, "csat", PERIOD, Filters(agent="agent007")),
            "COVERING INDEX ix_responses_agent",
        ),
        (
            "channel filter",
            lambda db: score_counts(db, "nps", PERIOD, Filters(channel="chat")),
            "COVERING INDEX ix_responses_time",
        ),
        (
            "tag filter",
            lambda db: score_counts(db, "nps", PERIOD, Filters(tag="bug")),
            "COVERING INDEX ix_responses_time",
        ),
        (
            "by team",
            lambda db: breakdown(db, "nps", "team", PERIOD),
            "COVERING INDEX ix_responses_time",
        ),
        (
            "weekly",
            lambda db: weekly_series(db, "nps", 12, UTC_TZ, NOW),
            "COVERING INDEX ix_responses_time",
        ),
        (
            "response rate",
            lambda db: response_rate(db, "nps", PERIOD),
            "COVERING INDEX ix_surveys_sent",
        ),
    ],
)
def test_hot_query_uses_its_index(filled, name, action, index):
    plans = plans_of(filled, lambda: action(filled))
    assert plans, f"{name}: no query ran"
    for plan in plans:
        assert index in plan, f"{name}: {plan}"
        assert "SCAN responses" not in plan and "SCAN surveys" not in plan, f"{name}: {plan}"


def test_pending_labels_read_only_the_partial_index(filled):
    # walking the partial index visits only comments still to label, never the table
    [plan] = plans_of(filled, lambda: pending_comments(filled))
    assert plan == "SCAN responses USING INDEX ix_responses_unlabelled"

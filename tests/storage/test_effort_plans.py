"""The effort figures of ``/cx ops`` read only the period's tickets (EXPLAIN QUERY PLAN):
the closed_at index (or team + closed_at), then surveys and responses by key, never a scan."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from storage.db import open_db
from storage.effort import effort_report, satisfaction_by_contacts
from storage.filters import Filters
from storage.periods import parse_period
from storage.sample_data import generate_history
from tests.conftest import NOW
from tests.storage.test_query_plans import plans_of

PERIOD = parse_period("30d", ZoneInfo("UTC"), NOW)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    db = open_db(tmp_path_factory.mktemp("effort-plans") / "cxbot.db")
    generate_history(db, 3000, days=120, now=NOW, seed=3)
    db.execute(
        "UPDATE tickets SET handle_time_seconds = id * 7 % 3600, customer_replies = id % 5, "
        "agent_replies = id % 3"
    )
    db.conn.commit()
    db.execute("ANALYZE")
    yield db
    db.close()


@pytest.mark.parametrize(
    ("name", "action", "index"),
    [
        ("effort", lambda db: effort_report(db, PERIOD), "ix_tickets_closed"),
        (
            "effort team",
            lambda db: effort_report(db, PERIOD, Filters(team="billing")),
            "ix_tickets_team_closed",
        ),
        (
            "by contacts",
            lambda db: satisfaction_by_contacts(db, "csat", PERIOD),
            "ix_tickets_closed",
        ),
        (
            "by contacts team",
            lambda db: satisfaction_by_contacts(db, "csat", PERIOD, Filters(team="billing")),
            "ix_tickets_team_closed",
        ),
    ],
)
def test_effort_queries_search_the_period_by_index(filled, name, action, index):
    plans = plans_of(filled, lambda: action(filled))
    assert plans, f"{name}: no query ran"
    for plan in plans:
        assert (
            f"SEARCH tickets USING INDEX {index}" in plan or f"SEARCH t USING INDEX {index}" in plan
        ), plan
        assert "SCAN" not in plan, f"{name}: {plan}"

"""The at-risk list: why each customer is on it, in words that compare like with like."""

from __future__ import annotations

from datetime import timedelta

from storage.customers import at_risk_customers
from storage.periods import parse_period
from storage.responses import ResponseRow, insert_responses
from storage.timestamps import to_db
from tests.conftest import NOW


def _answers(db, customer: str, *scores: tuple[str, int]) -> None:
    rows = [
        ResponseRow(survey, score, to_db(NOW - timedelta(days=len(scores) - i)), ticket_ref=f"{customer}{i}", customer=customer)
        for i, (survey, score) in enumerate(scores)
    ]  # fmt: skip
    insert_responses(db, rows)


def test_a_drop_across_two_surveys_names_each_scales_top(db):
    _answers(db, "mixed@example.com", ("csat", 5), ("nps", 0))
    _answers(db, "same@example.com", ("nps", 9), ("nps", 1))
    _answers(db, "mild@example.com", ("nps", 7), ("nps", 6))  # a detractor, but no sharp drop
    reasons = {
        r.customer: r.reason for r in at_risk_customers(db, parse_period("30d", NOW.tzinfo, NOW))
    }
    assert reasons == {
        "mixed@example.com": "dropped from CSAT 5/5 to NPS 0/10",
        "same@example.com": "dropped from NPS 9 to NPS 1",
    }

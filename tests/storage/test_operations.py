"""Operational metrics from ticket timestamps."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from storage.filters import Filters
from storage.operations import operations_report, satisfaction_by_resolution_time
from storage.periods import parse_period
from storage.timestamps import to_db
from tests.conftest import NOW

PERIOD = parse_period("30d", ZoneInfo("UTC"), NOW)


def ticket(
    db,
    tid: int,
    *,
    opened_h: float,
    first_h: float | None,
    closed_h: float,
    team="a",
    reopens=0,
    agent="dana",
):
    """A ticket opened ``opened_h`` hours before NOW-1d, answered/closed after N hours."""
    base = NOW - timedelta(days=1, hours=opened_h)
    db.execute(
        "INSERT INTO tickets (id, source, external_id, agent_name, team, created_at, first_response_at, "
        "closed_at, reopen_count, updated_at) VALUES (?, 't', ?, ?, ?, ?, ?, ?, ?, 'x')",
        [tid, f"T{tid}", agent, team, to_db(base),
         to_db(base + timedelta(hours=first_h)) if first_h is not None else None,
         to_db(base + timedelta(hours=closed_h)), reopens],
    )  # fmt: skip


def survey_answer(db, tid: int, score: int):
    db.execute(
        "INSERT INTO surveys (id, ticket_id, survey_type, recipient, state, due_at, created_at) "
        "VALUES (?, ?, 'csat', 'U', 'answered', 'x', 'x')",
        [tid, tid],
    )
    db.execute(
        "INSERT INTO responses (survey_id, dedupe_key, survey_type, score, answered_at, created_at) "
        "VALUES (?, ?, 'csat', ?, ?, 'x')",
        [tid, f"k{tid}", score, to_db(NOW - timedelta(hours=1))],
    )


def test_medians_and_reopen_rate(db):
    ticket(db, 1, opened_h=10, first_h=0.5, closed_h=2, reopens=1)
    ticket(db, 2, opened_h=10, first_h=1.0, closed_h=6)
    ticket(db, 3, opened_h=60, first_h=4.0, closed_h=50, team="b")
    ticket(db, 4, opened_h=10, first_h=None, closed_h=1)  # never answered before closing
    report = operations_report(db, PERIOD)
    assert report.tickets_closed == 4
    assert report.median_first_response == timedelta(hours=1)  # median of 0.5, 1, 4
    assert report.median_resolution == timedelta(hours=4)  # median of 1, 2, 6, 50
    assert report.reopen_rate == 25.0
    team_b = operations_report(db, PERIOD, Filters(team="b"))
    assert (team_b.tickets_closed, team_b.median_resolution) == (1, timedelta(hours=50))
    assert operations_report(db, PERIOD, Filters(agent="dana")).tickets_closed == 4


def test_no_tickets_is_no_data(db):
    report = operations_report(db, PERIOD)
    assert report.tickets_closed == 0
    assert report.median_first_response is None and report.reopen_rate is None


def test_satisfaction_by_resolution_time(db):
    ticket(db, 1, opened_h=10, first_h=0.1, closed_h=0.5)
    ticket(db, 2, opened_h=10, first_h=0.1, closed_h=0.9)
    ticket(db, 3, opened_h=100, first_h=1, closed_h=90)
    for tid, score in ((1, 5), (2, 4), (3, 1)):
        survey_answer(db, tid, score)
    buckets = dict(satisfaction_by_resolution_time(db, "csat", PERIOD))
    assert buckets["< 1h"].score == 100.0 and buckets["< 1h"].n == 2
    assert buckets["> 3d"].score == 0.0
    assert buckets["1–4h"].score is None

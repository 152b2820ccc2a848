"""Metric queries on a real SQLite file with known answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.filters import Filters
from storage.metrics import breakdown, metric_report, report_dict, response_rate, weekly_series
from storage.periods import parse_period
from storage.responses import insert_responses
from storage.timestamps import to_db
from tests.conftest import NOW
from tests.helpers import add_scores, answer

UTC_TZ = ZoneInfo("UTC")


def seed(db) -> None:
    recent = NOW - timedelta(days=3)
    add_scores(
        db,
        "nps",
        [10, 9, 9],
        recent,
        team="billing",
        agent="dana",
        tags=("refund", "vip"),
        channel="email",
    )
    add_scores(
        db,
        "nps",
        [10, 9, 8, 7, 7, 6, 0],
        recent,
        team="technical",
        agent="omar",
        tags=("bug",),
        channel="chat",
    )
    add_scores(db, "nps", [10, 10, 0, 3], NOW - timedelta(days=40), team="billing", agent="dana")
    add_scores(db, "csat", [5, 4, 2], recent, team="billing", agent="dana")


def test_score_with_delta_against_the_previous_period(db):
    seed(db)
    report = metric_report(db, "nps", parse_period("30d", UTC_TZ, NOW))
    # 5 promoters, 3 passives, 2 detractors of 10 → 30; before: 2 − 2 of 4 → 0
    assert report.current.score == 30
    assert report.current.n == 10
    assert report.previous.score == 0
    assert report.delta == 30


def test_filters_narrow_both_periods(db):
    seed(db)
    period = parse_period("30d", UTC_TZ, NOW)
    billing = metric_report(db, "nps", period, Filters(team="billing"))
    assert (billing.current.score, billing.current.n, billing.previous.score) == (100, 3, 0)
    assert (
        metric_report(db, "nps", period, Filters(agent="omar")).current.score == 0
    )  # 2 pro, 2 det of 7 → 0
    assert metric_report(db, "nps", period, Filters(tag="bug")).current.n == 7
    assert metric_report(db, "nps", period, Filters(tag="vip")).current.n == 3
    assert metric_report(db, "nps", period, Filters(channel="email")).current.score == 100
    assert metric_report(db, "nps", period, Filters(team="billing", tag="bug")).current.n == 0


def test_sql_looking_filter_values_are_plain_text(db):
    seed(db)
    period = parse_period("all", UTC_TZ, NOW)
    for value in ("billing' OR '1'='1", "x'); DROP TABLE responses; --", '" OR 1=1 --'):
        report = metric_report(db, "nps", period, Filters(team=value, tag=value))
        assert report.current.n == 0 and report.current.score is None
    assert db["responses"].count == 17


def test_no_data_is_none_never_zero(db):
    report = metric_report(db, "ces", parse_period("7d", UTC_TZ, NOW))
    assert report.current.score is None
    assert report.previous.score is None
    assert report.delta is None
    assert report.response_rate.rate is None
    data = report_dict(report)
    assert data["score"] is None and data["delta"] is None and data["n"] == 0


def test_csat_report_dict_has_bucket_counts(db):
    seed(db)
    data = report_dict(metric_report(db, "csat", parse_period("30d", UTC_TZ, NOW)))
    assert data["score"] == 66.7
    assert (data["satisfied"], data["neutral"], data["dissatisfied"]) == (2, 0, 1)
    assert data["mean"] == 3.67
    json.dumps(data)  # serialisable as is


def _survey(db, ticket_id: int, state: str, sent: datetime | None, team: str) -> None:
    db.execute(
        "INSERT INTO tickets (id, source, external_id, updated_at) VALUES (?, 'test', ?, 'x')",
        [ticket_id, f"T{ticket_id}"],
    )
    db.execute(
        "INSERT INTO surveys (ticket_id, survey_type, recipient, state, due_at, sent_at, answered_at, team, created_at) "
        "VALUES (?, 'nps', 'U1', ?, 'x', ?, ?, ?, 'x')",
        [
            ticket_id,
            "expired" if state == "answered+expired" else state,
            to_db(sent) if sent else None,
            to_db(sent) if state.startswith("answered") else None,
            team,
        ],  # fmt: skip
    )


def test_response_rate_counts_sent_surveys_under_the_same_filters(db):
    day = NOW - timedelta(days=2)
    for i, (state, team) in enumerate(
        [
            ("answered", "a"),
            ("answered+expired", "a"),
            ("sent", "a"),
            ("expired", "b"),
            ("answered", "b"),
        ]
    ):
        _survey(db, i + 1, state, day, team)
    _survey(db, 10, "scheduled", None, "a")  # not sent: not in the denominator
    _survey(db, 11, "failed", None, "a")
    _survey(db, 12, "answered", NOW - timedelta(days=90), "a")  # outside the period
    period = parse_period("30d", UTC_TZ, NOW)
    overall = response_rate(db, "nps", period)
    assert (overall.answered, overall.sent, overall.rate) == (3, 5, 60.0)
    team_a = response_rate(db, "nps", period, Filters(team="a"))
    assert (team_a.answered, team_a.sent, team_a.rate, team_a.abandoned) == (2, 3, 66.7, 1)


def test_breakdown_by_team_and_by_tag(db):
    seed(db)
    period = parse_period("30d", UTC_TZ, NOW)
    teams = {
        row.key: (row.summary.score, row.summary.n) for row in breakdown(db, "nps", "team", period)
    }
    assert teams == {"technical": (0, 7), "billing": (100, 3)}
    tags = {row.key: row.summary.n for row in breakdown(db, "nps", "tag", period)}
    assert tags == {"bug": 7, "refund": 3, "vip": 3}


def test_weekly_series_uses_local_weeks(db):
    # Sunday 23:30 UTC is already Monday 01:30 in Bucharest: a different ISO week.
    insert_responses(
        db, [answer("nps", 10, datetime(2026, 11, 15, 23, 30, tzinfo=UTC), ticket="late")]
    )
    insert_responses(db, [answer("nps", 0, datetime(2026, 11, 18, 9, 0, tzinfo=UTC), ticket="mid")])
    utc_weeks = weekly_series(db, "nps", 3, UTC_TZ, NOW)
    assert [p.label for p in utc_weeks] == ["2026-W46", "2026-W47", "2026-W48"]
    assert [p.summary.score for p in utc_weeks] == [100, -100, None]
    local = weekly_series(db, "nps", 3, ZoneInfo("Europe/Bucharest"), NOW)
    assert [p.summary.n for p in local] == [0, 2, 0]
    assert local[1].summary.score == 0


def test_weekly_series_applies_filters(db):
    seed(db)
    points = weekly_series(db, "nps", 2, UTC_TZ, NOW, Filters(team="billing"))
    assert sum(p.summary.n for p in points) == 3

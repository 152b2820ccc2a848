"""What a weekly digest says: the week's scores against last week and the 12 weeks before,
what moved them, customers' own words, the follow-up record and delivery failures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from storage.alerts import FollowUpStats, follow_up_stats
from storage.comments import Comment, latest_comments
from storage.effort import EffortReport, effort_report
from storage.filters import Filters
from storage.formulas import ScoreSummary, delta, summarize
from storage.metrics import (
    ResponseRate,
    SeriesPoint,
    breakdown,
    period_clauses,
    response_rate,
    score_counts,
    weekly_series,
)
from storage.periods import Period, iso_weeks
from storage.survey_types import SURVEY_NAMES, SURVEYS
from storage.themes import ThemeStat, theme_report


@dataclass(frozen=True)
class MetricWeek:
    metric: str
    current: ScoreSummary
    previous: ScoreSummary
    baseline: ScoreSummary  # the 12 weeks before this one, pooled

    @property
    def vs_previous(self) -> float | None:
        return delta(self.current.score, self.previous.score)

    @property
    def vs_baseline(self) -> float | None:
        return delta(self.current.score, self.baseline.score)


@dataclass(frozen=True)
class ThemeMove:
    theme: str
    share: float | None
    share_change: float | None
    sentiment: float | None
    sentiment_change: float | None
    impact: float | None
    impact_metric: str

    @property
    def size(self) -> float:
        return abs(self.share_change or 0) / 10 + abs(self.sentiment_change or 0)


@dataclass(frozen=True)
class Digest:
    week: str
    period: Period
    filters: Filters
    metrics: list[MetricWeek]
    rate: ResponseRate
    answers: int
    movers: list[ThemeMove]
    worst: list[Comment]
    best: list[Comment]
    failed: Counter
    follow_up: FollowUpStats
    series: list[SeriesPoint]
    tz: ZoneInfo
    team_moves: list[
        tuple[str, str, ScoreSummary, ScoreSummary]
    ]  # (team, metric, this week, last week)
    #: Handle time, contacts per resolution, one-touch of the tickets closed this week and last.
    effort: EffortReport | None = None
    effort_before: EffortReport | None = None


def digest_week(tz: ZoneInfo, now: datetime) -> tuple[str, Period]:
    """The last complete ISO week in ``tz``: the week a Monday-morning digest reports on."""
    label, start, end = iso_weeks(2, tz, now)[0]
    previous_start = start - (end - start)
    return label, Period(label, start, end, previous_start, start)


def _moves(current: list[ThemeStat], previous: list[ThemeStat]) -> list[ThemeMove]:
    before = {s.theme: s for s in previous}
    moves = []
    for stat in current:
        old = before.get(stat.theme)
        sentiment_change = delta(stat.mean_sentiment, old.mean_sentiment) if old else None
        moves.append(
            ThemeMove(
                stat.theme,
                stat.share,
                stat.share_change,
                stat.mean_sentiment,
                sentiment_change,
                stat.impact,
                stat.impact_metric,
            )
        )
    return sorted([m for m in moves if m.size > 0], key=lambda m: -m.size)


def _failed(db: Database, period: Period, filters: Filters) -> Counter:
    time_sql, params = period_clauses(period, "due_at")
    filter_sql, filter_params = filters.where()
    where = " AND ".join(["state = 'failed'", *time_sql, *filter_sql])
    return Counter(
        {
            error or "unknown": n
            for error, n in db.execute(
                f"SELECT last_error, count(*) FROM surveys WHERE {where} GROUP BY last_error",
                [*params, *filter_params],
            )
        }
    )


def build_digest(db: Database, tz: ZoneInfo, now: datetime, filters: Filters = Filters()) -> Digest:
    week, period = digest_week(tz, now)
    start = period.start
    assert start is not None  # digest_week always returns a bounded week
    before = period.previous()
    baseline = Period("12 weeks before", start - timedelta(weeks=12), start)
    metrics = [
        MetricWeek(
            metric,
            summarize(metric, score_counts(db, metric, period, filters)),
            summarize(metric, score_counts(db, metric, before, filters)),
            summarize(metric, score_counts(db, metric, baseline, filters)),
        )
        for metric in SURVEY_NAMES
    ]
    rates = [response_rate(db, m, period, filters) for m in SURVEY_NAMES]
    rate = ResponseRate(sum(r.answered for r in rates), sum(r.sent for r in rates))
    current_themes = theme_report(db, period, filters)
    previous_themes = theme_report(db, before, filters) if before else []
    worst, _ = latest_comments(db, period, filters, sentiment="negative", limit=50)
    best, _ = latest_comments(db, period, filters, sentiment="positive", limit=50)
    worst.sort(key=lambda c: (SURVEYS[c.survey_type].relative(c.score), c.answered_at))
    best.sort(key=lambda c: (-SURVEYS[c.survey_type].relative(c.score), c.answered_at))
    # the 12 ISO weeks ending with the digest's week: "now" is any moment inside it
    series = weekly_series(db, "nps", 12, tz, start + timedelta(days=1), filters)
    return Digest(
        week=week, period=period, filters=filters, metrics=metrics, rate=rate,
        answers=sum(m.current.n for m in metrics), movers=_moves(current_themes, previous_themes)[:3],
        worst=worst[:2], best=best[:1], failed=_failed(db, period, filters),
        follow_up=follow_up_stats(db, period, filters), series=series, tz=tz,
        team_moves=_team_moves(db, period, filters), effort=effort_report(db, period, filters),
        effort_before=effort_report(db, before, filters) if before else None,
    )  # fmt: skip


#: Which scores the digest compares teams on: what it chooses to show, not a fact of the types.
TEAM_MOVE_METRICS = ("nps", "csat")


def _team_moves(
    db: Database, period: Period, filters: Filters
) -> list[tuple[str, str, ScoreSummary, ScoreSummary]]:
    """Teams whose score changed most against last week (largest drops first), at least 5 answers each."""
    if filters.team:
        return []
    before = period.previous()
    moves = []
    for metric in TEAM_MOVE_METRICS:
        previous = {row.key: row.summary for row in breakdown(db, metric, "team", before, filters)}
        for row in breakdown(db, metric, "team", period, filters):
            old = previous.get(row.key)
            if old and row.summary.n >= 5 and old.n >= 5:
                moves.append((row.key, metric, row.summary, old))
    # both sides have >= 5 answers, so both scores exist
    moves.sort(key=lambda m: ((m[2].score or 0) - (m[3].score or 0)) / SURVEYS[m[1]].score_span)
    return moves[:2]

"""CX metric queries: scores per period with deltas, breakdowns, weekly series.

Every function reads score counts with one indexed GROUP BY and hands them to
``storage.formulas``; Python never walks individual responses.  No Slack here:
callers get plain dataclasses and render them however they like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from storage.filters import Filters
from storage.formulas import ScoreSummary, delta, round_half_up, summarize
from storage.periods import Period, iso_weeks
from storage.survey_types import SURVEYS, names_text
from storage.timestamps import to_db

BREAKDOWN_COLUMNS = {"team": "team", "agent": "agent", "channel": "channel"}


@dataclass(frozen=True)
class ResponseRate:
    """Answered ÷ sent for surveys sent in the period, under the same filters."""

    answered: int
    sent: int

    @property
    def rate(self) -> float | None:
        return round_half_up(100 * self.answered / self.sent, 1) if self.sent else None

    @property
    def abandoned(self) -> int:
        return self.sent - self.answered


@dataclass(frozen=True)
class MetricReport:
    """A metric for a period next to the period before it."""

    period: Period
    filters: Filters
    current: ScoreSummary
    previous: ScoreSummary | None
    response_rate: ResponseRate

    @property
    def delta(self) -> float | None:
        return delta(self.current.score, self.previous.score if self.previous else None)


@dataclass(frozen=True)
class SeriesPoint:
    label: str
    start: datetime
    end: datetime
    summary: ScoreSummary


@dataclass(frozen=True)
class Breakdown:
    key: str
    summary: ScoreSummary
    extra: dict[str, float | None] = field(default_factory=dict)


def _check_metric(metric: str) -> None:
    if metric not in SURVEYS:
        raise ValueError(f"unknown metric {metric!r} (use {names_text()})")


def period_clauses(period: Period | None, column: str) -> tuple[list[str], list[str]]:
    clauses: list[str] = []
    params: list[str] = []
    if period is not None and period.start is not None:
        clauses.append(f"{column} >= ?")
        params.append(to_db(period.start))
    if period is not None and period.end is not None:
        clauses.append(f"{column} < ?")
        params.append(to_db(period.end))
    return clauses, params


def score_counts(
    db: Database, metric: str, period: Period | None, filters: Filters = Filters()
) -> dict[int, int]:
    """``{score: count}`` of answers to one survey type in a period."""
    _check_metric(metric)
    time_sql, time_params = period_clauses(period, "answered_at")
    filter_sql, filter_params = filters.where()
    where = " AND ".join(["survey_type = ?", *time_sql, *filter_sql])
    sql = f"SELECT score, count(*) FROM responses WHERE {where} GROUP BY score"
    return dict(db.execute(sql, [metric, *time_params, *filter_params]).fetchall())


def response_rate(
    db: Database, metric: str | None, period: Period | None, filters: Filters = Filters()
) -> ResponseRate:
    """Surveys sent in the period and how many of those were answered (``metric`` None: all types)."""
    time_sql, time_params = period_clauses(period, "sent_at")
    filter_sql, filter_params = filters.where()
    type_sql, type_params = (["survey_type = ?"], [metric]) if metric else ([], [])
    where = " AND ".join(
        [*type_sql, "sent_at IS NOT NULL", "state IN ('sent', 'answered', 'expired')"]
        + time_sql
        + filter_sql
    )
    # answered_at, not the state: an answered survey later marked expired still counts.
    sql = f"SELECT count(*), count(answered_at) FROM surveys WHERE {where}"
    sent, answered = db.execute(sql, [*type_params, *time_params, *filter_params]).fetchone()
    return ResponseRate(answered=answered, sent=sent)


def metric_report(
    db: Database, metric: str, period: Period, filters: Filters = Filters()
) -> MetricReport:
    """The score for ``period`` with its interval, buckets, delta and response rate."""
    current = summarize(metric, score_counts(db, metric, period, filters))
    before = period.previous()
    previous = summarize(metric, score_counts(db, metric, before, filters)) if before else None
    return MetricReport(
        period, filters, current, previous, response_rate(db, metric, period, filters)
    )


def breakdown(
    db: Database, metric: str, by: str, period: Period | None, filters: Filters = Filters()
) -> list[Breakdown]:
    """The metric per team, agent, channel or tag, largest groups first."""
    _check_metric(metric)
    time_sql, time_params = period_clauses(period, "answered_at")
    filter_sql, filter_params = filters.where()
    where = " AND ".join(["survey_type = ?", *time_sql, *filter_sql])
    if by == "tag":
        sql = (
            "SELECT t.value, score, count(*) FROM responses, json_each(responses.tags) t "
            f"WHERE {where} GROUP BY t.value, score"
        )
    elif by in BREAKDOWN_COLUMNS:
        column = BREAKDOWN_COLUMNS[by]
        sql = (
            f"SELECT {column}, score, count(*) FROM responses "
            f"WHERE {where} AND {column} IS NOT NULL GROUP BY {column}, score"
        )
    else:
        raise ValueError(f"cannot break down by {by!r} (use team, agent, tag or channel)")
    grouped: dict[str, dict[int, int]] = {}
    for key, score, count in db.execute(sql, [metric, *time_params, *filter_params]):
        grouped.setdefault(key, {})[score] = count
    rows = [Breakdown(key, summarize(metric, counts)) for key, counts in grouped.items()]
    return sorted(rows, key=lambda row: (-row.summary.n, row.key))


def weekly_series(
    db: Database,
    metric: str,
    weeks: int,
    tz: ZoneInfo,
    now: datetime,
    filters: Filters = Filters(),
) -> list[SeriesPoint]:
    """The metric per ISO week (local time zone), oldest first, current week last.

    Week bounds are computed in Python and joined as a VALUES table, so SQLite
    does one index range scan per week instead of formatting every timestamp.
    """
    _check_metric(metric)
    bounds = iso_weeks(weeks, tz, now)
    values = ", ".join("(?, ?, ?)" for _ in bounds)
    week_params = [p for i, (_, s, e) in enumerate(bounds) for p in (i, to_db(s), to_db(e))]
    filter_sql, filter_params = filters.where(table="r")
    extra = "".join(f" AND {clause}" for clause in filter_sql)
    sql = (
        f"WITH weeks(idx, start, finish) AS (VALUES {values}) "
        "SELECT weeks.idx, r.score, count(*) FROM weeks JOIN responses r "
        "ON r.survey_type = ? AND r.answered_at >= weeks.start AND r.answered_at < weeks.finish"
        f"{extra} GROUP BY weeks.idx, r.score"
    )
    counts: dict[int, dict[int, int]] = {i: {} for i in range(len(bounds))}
    for idx, score, count in db.execute(sql, [*week_params, metric, *filter_params]):
        counts[idx][score] = count
    return [
        SeriesPoint(label, start, end, summarize(metric, counts[i]))
        for i, (label, start, end) in enumerate(bounds)
    ]


def summary_dict(summary: ScoreSummary) -> dict[str, object]:
    """A summary as plain JSON-ready data (bucket counts also at top level)."""
    return {
        "metric": summary.metric,
        "score": summary.score,
        "n": summary.n,
        "ci_low": summary.ci_low,
        "ci_high": summary.ci_high,
        **summary.buckets,
        "buckets": summary.buckets,
        "counts": {str(score): count for score, count in summary.counts.items()},
        "mean": summary.mean,
        "share_easy": summary.share_easy,
        "small_sample": summary.small_sample,
    }


def report_dict(report: MetricReport) -> dict[str, object]:
    """The report as one JSON object: score, interval, buckets, delta, response rate."""
    period = report.period
    previous = report.previous
    return {
        **summary_dict(report.current),
        "previous_score": previous.score if previous else None,
        "previous_n": previous.n if previous else None,
        "delta": report.delta,
        "response_rate": {
            "answered": report.response_rate.answered,
            "sent": report.response_rate.sent,
            "rate": report.response_rate.rate,
        },
        "period": {
            "label": period.label,
            "start": to_db(period.start) if period.start else None,
            "end": to_db(period.end) if period.end else None,
            "previous_start": to_db(period.previous_start) if period.previous_start else None,
            "previous_end": to_db(period.previous_end) if period.previous_end else None,
        },
        "filters": report.filters.as_dict(),
    }

"""Operational metrics from ticket timestamps: speed, reopens, and what speed does to scores.

The seed articles tie satisfaction to first-response and resolution time;
``satisfaction_by_resolution_time`` shows that link on the team's own data.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from sqlite_utils import Database

from storage.filters import Filters
from storage.formulas import ScoreSummary, round_half_up, summarize
from storage.metrics import period_clauses
from storage.periods import Period

RESOLUTION_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 1h", 3600),
    ("1–4h", 4 * 3600),
    ("4–24h", 24 * 3600),
    ("1–3d", 72 * 3600),
    ("> 3d", float("inf")),
)
_TICKET_COLUMNS = {"agent": "agent_name"}
_SECONDS = "(julianday({end}) - julianday({start})) * 86400.0"


@dataclass(frozen=True)
class OperationsReport:
    tickets_closed: int
    median_first_response: timedelta | None
    median_resolution: timedelta | None
    reopened: int

    @property
    def reopen_rate(self) -> float | None:
        """% of closed tickets reopened at least once; None without tickets."""
        if not self.tickets_closed:
            return None
        return round_half_up(100 * self.reopened / self.tickets_closed, 1)


def ticket_where(period: Period | None, filters: Filters, alias: str = "") -> tuple[str, list[str]]:
    """The WHERE clause of tickets closed in ``period`` matching ``filters``: every
    ticket metric (``/cx ops``, ``storage/effort.py``) counts the same tickets."""
    prefix = f"{alias}." if alias else ""
    time_sql, time_params = period_clauses(period, f"{prefix}closed_at")
    filter_sql, filter_params = filters.where(_TICKET_COLUMNS, table=alias or None)
    clauses = [f"{prefix}closed_at IS NOT NULL", *time_sql, *filter_sql]
    return " AND ".join(clauses), [*time_params, *filter_params]


def _median_seconds(
    db: Database, start: str, end: str, where: str, params: list[str]
) -> timedelta | None:
    expr = _SECONDS.format(start=start, end=end)
    sql = f"SELECT {expr} FROM tickets WHERE {where} AND {start} IS NOT NULL AND {end} IS NOT NULL"
    values = [row[0] for row in db.execute(sql, params) if row[0] is not None and row[0] >= 0]
    return timedelta(seconds=round(statistics.median(values))) if values else None


def operations_report(
    db: Database, period: Period | None, filters: Filters = Filters()
) -> OperationsReport:
    """Closed tickets, median first response and resolution time, reopen count."""
    where, params = ticket_where(period, filters)
    closed, reopened = db.execute(
        f"SELECT count(*), coalesce(sum(reopen_count > 0), 0) FROM tickets WHERE {where}", params
    ).fetchone()
    return OperationsReport(
        tickets_closed=closed,
        median_first_response=_median_seconds(db, "created_at", "first_response_at", where, params),
        median_resolution=_median_seconds(db, "created_at", "closed_at", where, params),
        reopened=reopened,
    )


def _bucket_of(seconds: float) -> str:
    for label, limit in RESOLUTION_BUCKETS:
        if seconds < limit:
            return label
    return RESOLUTION_BUCKETS[-1][0]


def satisfaction_by_resolution_time(
    db: Database, metric: str, period: Period | None, filters: Filters = Filters()
) -> list[tuple[str, ScoreSummary]]:
    """The metric for answers grouped by how long their ticket took to resolve."""
    where, params = ticket_where(period, filters, alias="t")
    expr = _SECONDS.format(start="t.created_at", end="t.closed_at")
    sql = (
        f"SELECT {expr} AS seconds, r.score, count(*) FROM responses r "
        "JOIN surveys s ON s.id = r.survey_id JOIN tickets t ON t.id = s.ticket_id "
        f"WHERE r.survey_type = ? AND t.created_at IS NOT NULL AND {where} "
        "GROUP BY seconds, r.score"
    )
    counts: dict[str, dict[int, int]] = {label: {} for label, _ in RESOLUTION_BUCKETS}
    for seconds, score, count in db.execute(sql, [metric, *params]):
        if seconds is None or seconds < 0:
            continue
        bucket = counts[_bucket_of(round(seconds))]  # julianday gives 3599.99… for one hour
        bucket[score] = bucket.get(score, 0) + count
    return [(label, summarize(metric, counts[label])) for label, _ in RESOLUTION_BUCKETS]

"""Effort metrics from the tickets' own figures: handle time, contacts per resolution, one-touch.

The seed articles ask how much work a resolution takes, for the agent (average
handle time, AHT) and for the customer (how many times they had to write
before it was solved). The figures come from the generic webhook or from the
helpdesk's API at closure (``bot/jobs/figures.py``); a ticket whose source
never said keeps NULL, so each figure is averaged over the tickets that have
it (its own n) and a period where none has it reads "no data", never 0.

cxbot's convention: ``customer_replies`` counts the customer's messages after
the opener, so contacts per resolution = 1 + customer_replies; a ticket is
one-touch when ``agent_replies`` <= 1 and it was never reopened.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from sqlite_utils import Database

from storage.filters import Filters
from storage.formulas import ScoreSummary, round_half_up, summarize
from storage.metrics import summary_dict
from storage.operations import ticket_where
from storage.periods import Period

#: Satisfaction is split by how many contacts the resolution took; 4 and more share a row.
CONTACT_BUCKETS = ("1", "2", "3", "4+")
_BUCKET_SQL = (
    "CASE WHEN t.customer_replies >= 3 THEN '4+' ELSE CAST(1 + t.customer_replies AS TEXT) END"
)


@dataclass(frozen=True)
class EffortReport:
    """Closed tickets' effort figures; each ``*_n`` counts the tickets that have that figure."""

    handle_time_n: int
    median_handle_time: timedelta | None
    mean_handle_time: timedelta | None
    contacts_n: int
    contacts_per_resolution: float | None
    one_touch_n: int
    one_touch: int

    @property
    def one_touch_rate(self) -> float | None:
        """% of tickets with known agent replies solved in at most one, never reopened."""
        if not self.one_touch_n:
            return None
        return round_half_up(100 * self.one_touch / self.one_touch_n, 1)

    @property
    def has_data(self) -> bool:
        return bool(self.handle_time_n or self.contacts_n or self.one_touch_n)


def _seconds(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=round_half_up(value))


def effort_report(
    db: Database, period: Period | None, filters: Filters = Filters()
) -> EffortReport:
    """AHT (median, mean), contacts per resolution and one-touch count of tickets closed in the period.

    Two queries on the same index range as ``operations_report`` (closed_at, or
    team + closed_at): the counts and means in SQL, the median from the handle
    times alone.
    """
    where, params = ticket_where(period, filters)
    row = db.execute(
        "SELECT count(handle_time_seconds), avg(handle_time_seconds), "
        "count(customer_replies), avg(1.0 + customer_replies), "
        "count(agent_replies), coalesce(sum(agent_replies <= 1 AND reopen_count = 0), 0) "
        f"FROM tickets WHERE {where}",
        params,
    ).fetchone()
    aht_n, aht_mean, contacts_n, contacts_mean, touch_n, touch = row
    times = [
        value
        for (value,) in db.execute(
            f"SELECT handle_time_seconds FROM tickets WHERE {where} "
            "AND handle_time_seconds IS NOT NULL",
            params,
        )
    ]
    return EffortReport(
        handle_time_n=aht_n,
        median_handle_time=_seconds(statistics.median(times)) if times else None,
        mean_handle_time=_seconds(aht_mean),
        contacts_n=contacts_n,
        contacts_per_resolution=None if contacts_mean is None else round_half_up(contacts_mean, 2),
        one_touch_n=touch_n,
        one_touch=touch,
    )


def satisfaction_by_contacts(
    db: Database, metric: str, period: Period | None, filters: Filters = Filters()
) -> list[tuple[str, ScoreSummary]]:
    """The metric for answers grouped by how many contacts their ticket took (1, 2, 3, 4+).

    Answers whose ticket has no ``customer_replies`` are left out: their
    number of contacts is unknown, not 1.
    """
    where, params = ticket_where(period, filters, alias="t")
    sql = (
        f"SELECT {_BUCKET_SQL} AS bucket, r.score, count(*) FROM tickets t "
        "JOIN surveys s ON s.ticket_id = t.id JOIN responses r ON r.survey_id = s.id "
        f"WHERE {where} AND t.customer_replies IS NOT NULL AND r.survey_type = ? "
        "GROUP BY bucket, r.score"
    )
    counts: dict[str, dict[int, int]] = {bucket: {} for bucket in CONTACT_BUCKETS}
    for bucket, score, count in db.execute(sql, [*params, metric]):
        counts[bucket][score] = counts[bucket].get(score, 0) + count
    return [(bucket, summarize(metric, counts[bucket])) for bucket in CONTACT_BUCKETS]


@dataclass(frozen=True)
class Effort:
    """Everything ``/cx ops``, ``cxbot metrics ops`` and the digest say about effort, for one period."""

    report: EffortReport
    by_contacts: list[tuple[str, ScoreSummary]]


def effort(
    db: Database, metric: str, period: Period | None, filters: Filters = Filters()
) -> Effort:
    return Effort(
        effort_report(db, period, filters), satisfaction_by_contacts(db, metric, period, filters)
    )


def effort_dict(effort: Effort) -> dict[str, object]:
    """The effort figures as JSON-ready data (``cxbot metrics ops --json``); None: no data."""
    report = effort.report

    def seconds(value: timedelta | None) -> float | None:
        return None if value is None else value.total_seconds()

    return {
        "handle_time_n": report.handle_time_n,
        "median_handle_time_seconds": seconds(report.median_handle_time),
        "mean_handle_time_seconds": seconds(report.mean_handle_time),
        "contacts_n": report.contacts_n,
        "contacts_per_resolution": report.contacts_per_resolution,
        "one_touch_n": report.one_touch_n,
        "one_touch": report.one_touch,
        "one_touch_rate": report.one_touch_rate,
        "by_contacts": [{"contacts": b, **summary_dict(s)} for b, s in effort.by_contacts],
    }

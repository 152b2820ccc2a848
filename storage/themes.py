"""Theme statistics: how often each theme comes up, how it feels, and what it costs the score.

Impact is "the score without this theme's answers minus the score with
them": a theme with impact +8 on NPS means NPS would be 8 points higher if
those customers had been as happy as everyone else — the themes to fix first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from storage.filters import Filters
from storage.formulas import delta, round_half_up, summarize
from storage.metrics import period_clauses, score_counts
from storage.periods import Period

SENTIMENT_VALUE = "CASE c.sentiment WHEN 'negative' THEN -1.0 WHEN 'positive' THEN 1.0 WHEN 'neutral' THEN 0.0 END"


@dataclass(frozen=True)
class ThemeStat:
    theme: str
    count: int
    share: float | None  # % of classified comments in the period
    mean_sentiment: float | None  # −1 (all negative) … +1 (all positive)
    previous_count: int
    previous_share: float | None
    impact: (
        float | None
    )  # score without the theme − score with it (positive = pulls the score down)
    impact_metric: str

    @property
    def share_change(self) -> float | None:
        return delta(self.share, self.previous_share)


def _where(period: Period | None, filters: Filters) -> tuple[str, list]:
    time_sql, time_params = period_clauses(period, "r.answered_at")
    filter_sql, filter_params = filters.where(table="r")
    clauses = ["1 = 1", *time_sql, *filter_sql]
    return " AND ".join(clauses), [*time_params, *filter_params]


def _counts(
    db: Database, period: Period | None, filters: Filters
) -> tuple[dict[str, tuple[int, float | None]], int]:
    where, params = _where(period, filters)
    rows = db.execute(
        f"SELECT t.theme, count(*), avg({SENTIMENT_VALUE}) FROM comment_themes t JOIN responses r ON r.id = t.response_id "
        f"LEFT JOIN classifications c ON c.response_id = r.id WHERE {where} GROUP BY t.theme",
        params,
    ).fetchall()
    total = db.execute(
        f"SELECT count(*) FROM classifications c JOIN responses r ON r.id = c.response_id WHERE {where}",
        params,
    ).fetchone()[0]
    return {theme: (count, mean) for theme, count, mean in rows}, total


def _impacts(
    db: Database, metric: str, period: Period | None, filters: Filters
) -> dict[str, float | None]:
    overall = score_counts(db, metric, period, filters)
    score_all = summarize(metric, overall).score
    where, params = _where(period, filters)
    per_theme: dict[str, dict[int, int]] = {}
    for theme, score, count in db.execute(
        f"SELECT t.theme, r.score, count(*) FROM comment_themes t JOIN responses r ON r.id = t.response_id "
        f"WHERE r.survey_type = ? AND {where} GROUP BY t.theme, r.score",
        [metric, *params],
    ):
        per_theme.setdefault(theme, {})[score] = count
    impacts: dict[str, float | None] = {}
    for theme, counts in per_theme.items():
        without = {s: overall.get(s, 0) - counts.get(s, 0) for s in overall}
        impacts[theme] = delta(summarize(metric, without).score, score_all)
    return impacts


def theme_report(
    db: Database, period: Period, filters: Filters = Filters(), metric: str | None = None
) -> list[ThemeStat]:
    """Every theme seen in the period (or the one before), most frequent first."""
    current, total = _counts(db, period, filters)
    before = period.previous()
    previous, previous_total = _counts(db, before, filters) if before else ({}, 0)
    if metric is None:
        metric = "nps" if score_counts(db, "nps", period, filters) else "csat"
    impacts = _impacts(db, metric, period, filters)
    stats = []
    for theme in sorted(set(current) | set(previous)):
        count, mean = current.get(theme, (0, None))
        previous_count = previous.get(theme, (0, None))[0]
        stats.append(
            ThemeStat(
                theme=theme,
                count=count,
                share=round_half_up(100 * count / total, 1) if total else None,
                mean_sentiment=round_half_up(mean, 2) if mean is not None else None,
                previous_count=previous_count,
                previous_share=round_half_up(100 * previous_count / previous_total, 1)
                if previous_total
                else None,
                impact=impacts.get(theme),
                impact_metric=metric,
            )
        )
    return sorted(stats, key=lambda s: (-s.count, s.theme))

"""Comments with their labels: the "why" behind the scores, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from storage.filters import Filters
from storage.metrics import period_clauses
from storage.periods import Period


@dataclass(frozen=True)
class Comment:
    response_id: int
    survey_type: str
    score: int
    text: str
    answered_at: str
    ticket: str | None
    agent: str | None
    team: str | None
    sentiment: str | None
    themes: tuple[str, ...]
    customer: str | None = None


def latest_comments(
    db: Database,
    period: Period | None,
    filters: Filters = Filters(),
    *,
    metric: str | None = None,
    theme: str | None = None,
    sentiment: str | None = None,
    score: tuple[str, int] | None = None,
    limit: int = 10,
) -> tuple[list[Comment], int]:
    """Up to ``limit`` matching comments, newest first, and how many match in all."""
    time_sql, time_params = period_clauses(period, "r.answered_at")
    filter_sql, filter_params = filters.where(table="r")
    clauses = ["r.comment IS NOT NULL", "r.comment != ''", *time_sql, *filter_sql]
    params: list[object] = [*time_params, *filter_params]
    if metric or score:
        clauses.append("r.survey_type = ?")
        params.append(metric or "nps")
    if score:
        op, value = score
        if op not in ("<", "<=", "=", ">=", ">"):
            raise ValueError(f"bad score operator {op!r}")
        clauses.append(f"r.score {op} ?")
        params.append(value)
    if theme:
        clauses.append(
            "EXISTS (SELECT 1 FROM comment_themes t WHERE t.response_id = r.id AND t.theme = ?)"
        )
        params.append(theme)
    if sentiment:
        clauses.append("c.sentiment = ?")
        params.append(sentiment)
    where = " AND ".join(clauses)
    base = f"FROM responses r LEFT JOIN classifications c ON c.response_id = r.id WHERE {where}"
    total = db.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    rows = db.execute(
        "SELECT r.id, r.survey_type, r.score, r.comment, r.answered_at, r.ticket_ref, r.agent, r.team, c.sentiment, "
        "(SELECT group_concat(theme, ',') FROM (SELECT theme FROM comment_themes WHERE response_id = r.id ORDER BY confidence DESC)), "
        f"r.customer {base} ORDER BY r.answered_at DESC, r.id DESC LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [_comment(row) for row in rows], total


def _comment(row: tuple) -> Comment:
    (response_id, survey_type, score, text, answered_at, ticket, agent, team, sentiment) = row[:9]
    themes, customer = row[9:]
    return Comment(
        response_id, survey_type, score, text, answered_at, ticket, agent, team, sentiment,
        themes=tuple(themes.split(",")) if themes else (), customer=customer,
    )  # fmt: skip

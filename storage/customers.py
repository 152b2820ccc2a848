"""One customer's history, and customers at risk of churning.

Customers are known by Slack user id and/or email; callers pass every key
they know (the bot resolves one from the other through Slack).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from storage.metrics import period_clauses
from storage.periods import Period
from storage.survey_types import SURVEYS
from storage.timestamps import to_db

SHARP_DROP = 0.4  # of the scale


def normalised(survey_type: str, score: int) -> float:
    """A score on 0..1 whatever the survey, so an NPS 9 and a CSAT 2 can be compared."""
    return SURVEYS[survey_type].relative(score)


def is_detractor(survey_type: str, score: int) -> bool:
    return SURVEYS[survey_type].is_detractor(score)


@dataclass(frozen=True)
class CustomerAnswer:
    survey_type: str
    score: int
    comment: str | None
    answered_at: str
    ticket: str | None
    agent: str | None


@dataclass(frozen=True)
class CustomerHistory:
    keys: tuple[str, ...]
    tickets: list[dict]
    answers: list[CustomerAnswer]
    surveys_unanswered: int


def customer_history(db: Database, keys: list[str]) -> CustomerHistory:
    """Tickets, answers (oldest first) and unanswered surveys for any of ``keys``."""
    keys = [k for k in dict.fromkeys(keys) if k]
    marks = ", ".join("?" for _ in keys) or "NULL"
    cursor = db.execute(
        "SELECT source, external_id, status, team, agent_name, created_at, closed_at, reopen_count FROM tickets "
        f"WHERE customer_email IN ({marks}) OR customer_slack_id IN ({marks}) ORDER BY coalesce(closed_at, created_at)",
        [*keys, *keys],
    )
    names = [d[0] for d in cursor.description]
    tickets = [dict(zip(names, row, strict=True)) for row in cursor]
    answers = [
        CustomerAnswer(*row)
        for row in db.execute(
            "SELECT r.survey_type, r.score, r.comment, r.answered_at, r.ticket_ref, r.agent FROM responses r "
            f"LEFT JOIN surveys s ON s.id = r.survey_id WHERE r.customer IN ({marks}) "
            f"OR s.recipient IN ({marks}) OR s.slack_user_id IN ({marks}) ORDER BY r.answered_at",
            [*keys, *keys, *keys],
        )
    ]
    unanswered = db.execute(
        f"SELECT count(*) FROM surveys WHERE (recipient IN ({marks}) OR slack_user_id IN ({marks})) "
        "AND state IN ('sent', 'expired') AND answered_at IS NULL",
        [*keys, *keys],
    ).fetchone()[0]
    return CustomerHistory(tuple(keys), tickets, answers, unanswered)


@dataclass(frozen=True)
class AtRisk:
    customer: str
    reason: str
    latest: CustomerAnswer
    detractors: int
    severity: float


def _customer_answers(db: Database, period: Period) -> dict[str, list[CustomerAnswer]]:
    """Answers of every customer who answered in the period, with their earlier history."""
    time_sql, params = period_clauses(period, "answered_at")
    recent = f"SELECT DISTINCT customer FROM responses WHERE customer IS NOT NULL AND {' AND '.join(time_sql) or '1 = 1'}"
    grouped: dict[str, list[CustomerAnswer]] = {}
    for customer, *fields in db.execute(
        "SELECT customer, survey_type, score, comment, answered_at, ticket_ref, agent FROM responses "
        f"WHERE customer IN ({recent}) ORDER BY customer, answered_at",
        params,
    ):
        grouped.setdefault(customer, []).append(CustomerAnswer(*fields))
    return grouped


def at_risk_customers(db: Database, period: Period, limit: int | None = 20) -> list[AtRisk]:
    """Repeated detractors in the period, or customers whose latest score fell sharply.

    Most severe first; ``limit=None`` returns them all.
    """
    start = to_db(period.start) if period.start else ""
    risky = []
    for customer, answers in _customer_answers(db, period).items():
        in_period = [a for a in answers if not start or a.answered_at >= start]
        latest = answers[-1]
        detractors = sum(is_detractor(a.survey_type, a.score) for a in in_period)
        drop = 0.0
        if len(answers) >= 2:
            drop = normalised(answers[-2].survey_type, answers[-2].score) - normalised(
                latest.survey_type, latest.score
            )
        if detractors >= 2:
            reason = f"{detractors} detractor answers in {period.label}"
        elif drop >= SHARP_DROP and is_detractor(latest.survey_type, latest.score):
            reason = f"dropped from {_drop_text(answers[-2], latest)}"
        else:
            continue
        risky.append(AtRisk(customer, reason, latest, detractors, detractors + drop * 2))
    return sorted(risky, key=lambda r: (-r.severity, r.latest.answered_at))[:limit]


def _drop_text(before: CustomerAnswer, latest: CustomerAnswer) -> str:
    """``NPS 9 to NPS 0``, or with each scale's top when the surveys differ: ``CSAT 5/5 to NPS 0/10``.

    "Dropped from CES 7 to CSAT 1" compared numbers on two scales; the tops
    say that both ends of the drop are ends of their scales.
    """

    def score(answer: CustomerAnswer, top: bool) -> str:
        survey = SURVEYS[answer.survey_type]
        text = f"{survey.label} {answer.score}"
        return f"{text}/{survey.high}" if top else text

    mixed = before.survey_type != latest.survey_type
    return f"{score(before, mixed)} to {score(latest, mixed)}"

"""Builders for test data with hand-checkable numbers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.responses import ResponseRow, insert_responses
from storage.timestamps import to_db


def answer(
    survey: str,
    score: int,
    at: datetime,
    *,
    ticket: str | None = None,
    comment: str | None = None,
    team: str | None = None,
    agent: str | None = None,
    channel: str | None = None,
    tags: tuple[str, ...] = (),
) -> ResponseRow:
    return ResponseRow(
        survey_type=survey, score=score, answered_at=to_db(at), ticket_ref=ticket, comment=comment,
        team=team, agent=agent, channel=channel, tags=tags,
    )  # fmt: skip


def add_scores(db: Database, survey: str, scores: list[int], at: datetime, **attrs) -> None:
    """Insert one answer per score, a second apart, sharing the given attribution."""
    rows = [
        answer(
            survey,
            score,
            at + timedelta(seconds=i),
            ticket=f"{survey}-{at:%Y%m%d%H%M}-{i}-{attrs}",
            **attrs,
        )
        for i, score in enumerate(scores)
    ]
    insert_responses(db, rows)

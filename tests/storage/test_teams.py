"""Known team names come from tickets and from answers imported without tickets."""

from __future__ import annotations

from storage.teams import known_teams
from tests.helpers import add_scores


def test_teams_from_tickets_and_answers_once_each_without_blanks(db, now):
    for n, team in enumerate(["technical", "billing", "technical", None]):
        db.execute(
            "INSERT INTO tickets (source, external_id, team, updated_at) VALUES ('generic', ?, ?, 'x')",
            [f"T{n}", team],
        )
    add_scores(db, "csat", [5, 4], now, team="imported-team")
    add_scores(db, "nps", [9], now, team="billing")
    add_scores(db, "ces", [7], now)  # no team
    assert known_teams(db) == ["billing", "imported-team", "technical"]


def test_no_data_no_teams(db):
    assert known_teams(db) == []

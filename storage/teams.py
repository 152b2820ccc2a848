"""Team names as tickets and answers spell them, for checking a ``team=`` filter."""

from __future__ import annotations

from sqlite_utils import Database

from storage.survey_types import SURVEY_NAMES

# A skip scan: one index seek per distinct team instead of reading every row,
# so listing teams costs milliseconds at millions of rows.
_SKIP_SCAN = """
WITH RECURSIVE t(team) AS (
    SELECT (SELECT min(team) FROM {table} WHERE {scope})
    UNION ALL
    SELECT (SELECT min(team) FROM {table} WHERE {scope} AND team > t.team)
    FROM t WHERE t.team IS NOT NULL
)
SELECT team FROM t WHERE team IS NOT NULL
"""


def known_teams(db: Database) -> list[str]:
    """Every team on a ticket or an answer, sorted."""
    teams = {row[0] for row in db.execute(_SKIP_SCAN.format(table="tickets", scope="1"))}
    for survey_type in SURVEY_NAMES:  # answers are indexed by (survey_type, team, …)
        sql = _SKIP_SCAN.format(table="responses", scope="survey_type = ?")
        teams |= {row[0] for row in db.execute(sql, [survey_type] * 2)}
    return sorted(teams)


class UnknownTeam(ValueError):
    """A team no ticket or answer has; ``teams`` are those that exist (for the message)."""

    def __init__(self, team: str, teams: list[str]):
        self.team, self.teams = team, teams
        super().__init__(
            f"no tickets or answers from team={team!r}; teams: {', '.join(teams) or 'none yet'}"
        )


def stored_team(db: Database, team: str) -> str:
    """The stored spelling of ``team``: exact, else the one case-insensitive match.

    Raises ``UnknownTeam`` otherwise; each caller decides whether that is an
    error (``/cx``), a note (the CLI) or fine (a digest on a fresh install).
    """
    teams = known_teams(db)
    if team in teams:
        return team
    same = [t for t in teams if t.casefold() == team.casefold()]
    if len(same) == 1:
        return same[0]
    raise UnknownTeam(team, teams)

"""``/cx agents`` and ``/cx teams``: one survey's score by agent or by team."""

from __future__ import annotations

from sqlite_utils import Database

from bot.blocks.metrics import leaderboard_blocks
from bot.cx.grammar import SURVEY_WORDS, CxCommand
from bot.cx.subcommand import Asked, Reply, Subcommand
from bot.formatting import METRIC_NAMES
from storage.metrics import Breakdown, breakdown


def _by(command: CxCommand) -> str:
    return command.name[:-1]  # agents → agent


def answer(db: Database, asked: Asked[CxCommand]) -> list[Breakdown]:
    command = asked.command
    metric = command.metric or "nps"
    return breakdown(db, metric, _by(command), command.period, command.filters)


def render(rows: list[Breakdown], asked: Asked[CxCommand]) -> Reply:
    command = asked.command
    metric = command.metric or "nps"
    blocks = leaderboard_blocks(metric, _by(command), rows, command.period_text)
    return Reply(f"{METRIC_NAMES[metric]} by {_by(command)}", blocks)


AGENTS = Subcommand(
    name="agents",
    usage=f"/cx agents [period] [{SURVEY_WORDS}]",
    summary="agent leaderboard",
    answer=answer,
    render=render,
    keys=frozenset({"team", "tag", "channel"}),
    takes_survey=True,
    admin_only="The agent leaderboard",
)
TEAMS = Subcommand(
    name="teams",
    usage=f"/cx teams [period] [{SURVEY_WORDS}]",
    summary="team leaderboard",
    answer=answer,
    render=render,
    keys=frozenset({"tag", "channel"}),
    takes_survey=True,
)

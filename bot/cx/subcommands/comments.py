"""``/cx comments``: the latest matching comments, agents shown to admins and to that agent."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlite_utils import Database

from bot.blocks.metrics import comments_blocks
from bot.cx.grammar import FILTER_KEYS, CxCommand
from bot.cx.subcommand import Asked, Reply, Subcommand, resolve_filters
from bot.cx.subcommands.scores import scope
from bot.themes import resolve_theme
from storage.comments import Comment, latest_comments


@dataclass(frozen=True)
class Comments:
    shown: list[Comment]
    total: int


def resolve(db: Database, asked: Asked[CxCommand]) -> CxCommand:
    """``theme=billing`` → ``billing_pricing`` (an unknown theme lists them), then the filters."""
    command = asked.command
    if command.theme:
        command = replace(command, theme=resolve_theme(command.theme, asked.theme_labels))
    return resolve_filters(db, asked.with_command(command))


def answer(db: Database, asked: Asked[CxCommand]) -> Comments:
    command = asked.command
    score = (command.score.op, command.score.value) if command.score else None
    shown, total = latest_comments(
        db, command.period, command.filters, metric=command.metric, theme=command.theme,
        sentiment=command.sentiment, score=score, limit=command.limit,
    )  # fmt: skip
    return Comments(shown, total)


def render(comments: Comments, asked: Asked[CxCommand]) -> Reply:
    command, viewer = asked.command, asked.viewer
    show_agent = viewer.is_admin or command.filters.agent in viewer.agent_names
    blocks = comments_blocks(
        comments.shown, comments.total, scope(command), asked.theme_labels, show_agent
    )
    return Reply(f"{comments.total} comments", blocks)


SUBCOMMAND = Subcommand(
    name="comments",
    usage="/cx comments [theme=…] [sentiment=negative|neutral|positive] [score<=6] [period] [limit=10] [filters]",
    summary="latest comments",
    answer=answer,
    render=render,
    keys=FILTER_KEYS | {"theme", "sentiment", "limit", "survey"},
    takes_survey=True,
    takes_score=True,
    resolve=resolve,
)

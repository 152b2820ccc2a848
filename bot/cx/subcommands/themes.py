"""``/cx themes``: what comments talk about, and which themes pull the score down."""

from __future__ import annotations

from sqlite_utils import Database

from bot.blocks.metrics import themes_blocks
from bot.cx.grammar import FILTER_KEYS, FILTER_USAGE, CxCommand
from bot.cx.subcommand import Asked, Reply, Subcommand
from storage.themes import ThemeStat, theme_report


def answer(db: Database, asked: Asked[CxCommand]) -> list[ThemeStat]:
    return theme_report(db, asked.command.window, asked.command.filters)


def render(stats: list[ThemeStat], asked: Asked[CxCommand]) -> Reply:
    command = asked.command
    blocks = themes_blocks(
        stats, command.period_text, command.filters.describe(), asked.theme_labels
    )
    return Reply(f"Themes, {command.period_text}", blocks)


SUBCOMMAND = Subcommand(
    name="themes",
    usage=f"/cx themes [period] {FILTER_USAGE}",
    summary="what comments talk about, and what pulls the score down",
    answer=answer,
    render=render,
    keys=FILTER_KEYS,
)

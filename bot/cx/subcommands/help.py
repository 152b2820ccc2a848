"""``/cx`` and ``/cx help``: every subcommand's usage line, from the registry."""

from __future__ import annotations

from bot.blocks.metrics import help_blocks
from bot.cx.grammar import CxCommand
from bot.cx.subcommand import Asked, Reply, Subcommand


def render(_: None, asked: Asked[CxCommand]) -> Reply:
    from bot.cx.registry import help_lines  # the registry lists this module

    return Reply("cxbot help", help_blocks(help_lines()))


SUBCOMMAND: Subcommand[CxCommand, None] = Subcommand(
    name="help",
    usage="/cx help",
    summary="this list",
    render=render,
)

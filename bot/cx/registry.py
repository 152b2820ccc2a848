"""Every ``/cx`` subcommand, in the order ``/cx help`` lists them.

A new subcommand is one module under ``bot/cx/subcommands/`` and one entry
here; help, usage hints, the unknown-subcommand hint, access checks and the
README test all read this list.
"""

from __future__ import annotations

from typing import Any

from bot.cx.subcommand import Subcommand
from bot.cx.subcommands import (
    at_risk,
    comments,
    customer,
    digest,
    help,
    leaderboards,
    ops,
    scores,
    themes,
    trend,
)

_ALL: tuple[Subcommand[Any, Any], ...] = (
    help.SUBCOMMAND,
    *scores.SUBCOMMANDS,
    trend.SUBCOMMAND,
    themes.SUBCOMMAND,
    comments.SUBCOMMAND,
    leaderboards.AGENTS,
    leaderboards.TEAMS,
    customer.SUBCOMMAND,
    at_risk.SUBCOMMAND,
    ops.SUBCOMMAND,
    digest.SUBCOMMAND,
)
SUBCOMMANDS: dict[str, Subcommand[Any, Any]] = {s.name: s for s in _ALL}


def usage_of(name: str | None) -> str:
    """The usage line a hint shows: the subcommand's, or ``/cx help`` for none."""
    found = SUBCOMMANDS.get(name or "")
    return found.usage if found else "/cx help"


def help_lines() -> list[str]:
    """One line per usage: a family sharing one (``nps|csat|ces``) is listed once."""
    lines: list[str] = []
    for subcommand in _ALL:
        if subcommand.help_line not in lines:
            lines.append(subcommand.help_line)
    return lines

"""Answering ``/cx`` text with the registry: parse, look up, query once, render once.

The listener (``bot.listeners.commands``) only decides when the reply goes
out (in the acknowledgement, or later through ``response_url``); everything
about what the reply says is here and in the subcommand modules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.blocks.metrics import denied_blocks, error_blocks
from bot.cx.access import AdminDirectory, Viewer, denial, own_agent_names
from bot.cx.grammar import CxCommand, UsageError, parse_words, split_words
from bot.cx.registry import SUBCOMMANDS
from bot.cx.subcommand import Asked, Reply, Subcommand
from bot.mrkdwn import escape_mrkdwn


@dataclass(frozen=True)
class Question:
    """A parsed command and the subcommand that answers it."""

    subcommand: Subcommand[Any, Any]
    asked: Asked[Any]


@dataclass(frozen=True)
class Answered:
    asked: Asked[Any]
    data: Any


@dataclass(frozen=True)
class Denied:
    reason: str


@dataclass(frozen=True)
class Invalid:
    message: str  # the problem and the usage line


Outcome = Answered | Denied | Invalid


def parse_command(text: str, tz: ZoneInfo, now: datetime) -> tuple[Subcommand[Any, Any], Any]:
    """Everything after ``/cx``: the subcommand named and its parsed command."""
    words = split_words(text or "")
    public = bool(words) and words[0].lower() == "public"
    words = words[1:] if public else words
    if not words:
        return SUBCOMMANDS["help"], CxCommand("help", public=public)
    subcommand = SUBCOMMANDS.get(words[0].lower())
    if subcommand is None:
        known = ", ".join(SUBCOMMANDS)
        raise UsageError(f"unknown subcommand {words[0]!r}; try one of: {known}")
    if subcommand.parse is not None:
        return subcommand, subcommand.parse(words[1:], public)
    return subcommand, parse_words(subcommand.words, words[1:], public, tz, now)


async def prepare(
    text: str,
    user: str,
    channel: str,
    *,
    tz: ZoneInfo,
    now: datetime,
    theme_labels: dict[str, str],
    admins: AdminDirectory,
    client: AsyncWebClient,
) -> Question:
    """Parse, learn whether the asker is an admin, and ask Slack what only Slack knows.

    A Slack look-up is skipped when the answer would be refused anyway (an
    admins-only subcommand asked by someone else). Raises ``UsageError``.
    """
    subcommand, command = parse_command(text, tz, now)
    is_admin = subcommand.answer is not None and await admins.is_admin(user)
    asked: Asked[Any] = Asked(command, Viewer(user, is_admin), tz, now, channel, theme_labels)
    if subcommand.lookup is not None and (is_admin or subcommand.admin_only is None):
        asked = await subcommand.lookup(asked, client)
    return Question(subcommand, asked)


def answer(db: Database, question: Question) -> Outcome:
    """On the database thread, in one call: resolve, check access, query. Plain data out."""
    subcommand, asked = question.subcommand, question.asked
    if subcommand.answer is None:
        return Answered(asked, None)
    try:
        command = subcommand.resolve(db, asked)
        viewer = asked.viewer
        if not viewer.is_admin:
            viewer = replace(viewer, agent_names=own_agent_names(db, viewer.user_id))
        reason = denial(subcommand.admin_only, command.agent, viewer)
        if reason:
            return Denied(reason)
        asked = replace(asked, command=command, viewer=viewer)
        return Answered(asked, subcommand.answer(db, asked))
    except UsageError as exc:
        return Invalid(str(exc))


def reply_for(subcommand: Subcommand[Any, Any], outcome: Outcome) -> tuple[str, Reply]:
    """The response type and the reply; refusals and usage hints are only for the asker."""
    if isinstance(outcome, Invalid):
        return "ephemeral", usage_reply(outcome.message)
    if isinstance(outcome, Denied):
        return "ephemeral", Reply(outcome.reason, denied_blocks(outcome.reason))
    reply = subcommand.render(outcome.data, outcome.asked)
    return ("in_channel" if outcome.asked.command.public else "ephemeral"), reply


def usage_reply(message: str) -> Reply:
    return Reply(escape_mrkdwn(message), error_blocks(message))

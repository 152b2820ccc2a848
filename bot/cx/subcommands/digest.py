"""``/cx digest``: subscribe to, stop, list and preview the weekly digest from Slack."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.blocks.digest import digest_blocks
from bot.cx.digest_command import KEYS, DigestCommand, describe, parse_digest_words
from bot.cx.grammar import UsageError
from bot.cx.subcommand import PENDING, Asked, Reply, Subcommand
from bot.slack_client import slack_error
from storage.digest import Digest, build_digest
from storage.filters import Filters
from storage.subscriptions import subscribe, subscriptions, unsubscribe, validate
from storage.teams import UnknownTeam, stored_team


async def asker_time_zone(
    asked: Asked[DigestCommand], client: AsyncWebClient
) -> Asked[DigestCommand]:
    """Subscriptions and previews default to the asker's Slack time zone (else CXBOT_TIMEZONE)."""
    command = asked.command
    if command.tz or command.action not in ("subscribe", "preview"):
        return asked
    try:
        info = await client.users_info(user=asked.viewer.user_id)
        tz = info["user"].get("tz") or asked.tz.key
    except SlackApiError:
        tz = asked.tz.key
    return asked.with_command(replace(command, tz=tz))


#: What Slack answers a bot that tries to join a private channel (the second is unconfirmed).
_PRIVATE = frozenset({"channel_not_found", "method_not_supported_for_channel_type"})


async def channel_reachable(
    asked: Asked[DigestCommand], client: AsyncWebClient
) -> Asked[DigestCommand]:
    """``subscribe #channel``: make sure the bot can post there now, not on Monday.

    A public channel is joined at once (the digest job would join it anyway). A
    private one is visible only to its members, so a bot that is not in it is
    refused with the fix: someone in the channel types ``/invite @cxbot``. Any
    other Slack fault is left for the digest job, which records it when it posts.
    """
    command = asked.command
    if command.action != "subscribe" or not command.channel:
        return asked
    try:
        await client.conversations_join(channel=command.channel)
    except SlackApiError as exc:
        if slack_error(exc) not in _PRIVATE:
            return asked
        try:
            await client.conversations_info(channel=command.channel)  # a member sees it
        except SlackApiError:
            raise UsageError(
                f"cxbot cannot post in channel {command.channel}: it is a private channel cxbot "
                "is not in. Type /invite @cxbot in that channel, then subscribe again.",
                "digest",
            ) from None
    return asked


async def prepare_digest(
    asked: Asked[DigestCommand], client: AsyncWebClient
) -> Asked[DigestCommand]:
    """What only Slack knows before a digest command is answered."""
    return await channel_reachable(await asker_time_zone(asked, client), client)


def digest_team(db: Database, team: str) -> str:
    """The stored spelling of a digest's team.

    A team no ticket or answer has is refused (``UnknownTeam``, a ValueError)
    while other teams exist: a typo would otherwise mean an empty digest every
    week. On a fresh install, with no teams yet, any name is taken.
    """
    try:
        return stored_team(db, team)
    except UnknownTeam as exc:
        if exc.teams:
            raise
        return team


def resolve(db: Database, asked: Asked[DigestCommand]) -> DigestCommand:
    command = asked.command
    if not command.team:
        return command
    try:
        return replace(command, team=digest_team(db, command.team))
    except ValueError as exc:
        raise UsageError(str(exc), "digest") from None


def _schedule(command: DigestCommand) -> tuple[int, str, str]:
    try:
        return validate(command.day, command.time, command.tz or "UTC")
    except ValueError as exc:
        raise UsageError(str(exc), "digest") from None


def answer(db: Database, asked: Asked[DigestCommand]) -> str | Digest:
    """The confirmation to show, or (for ``preview``) the digest itself."""
    command, user = asked.command, asked.viewer.user_id
    if command.action == "subscribe":
        weekday, at_time, tz = _schedule(command)
        subscription_id = subscribe(
            db, user, command.channel, weekday, at_time, tz, command.team, asked.now
        )
        [created] = [s for s in subscriptions(db, user) if s.id == subscription_id]
        return f"Subscribed to the weekly CX digest {describe(created)}."
    if command.action == "unsubscribe":
        stopped = unsubscribe(db, user, command.channel)
        if stopped:
            return f"Stopped {stopped} digest subscription(s)."
        return "You had no digest subscription to stop."
    if command.action == "list":
        mine = subscriptions(db, user)
        return (
            "\n".join(describe(s) for s in mine)
            or "You have no digest subscriptions. Try `/cx digest subscribe`."
        )
    _, _, tz = _schedule(command)
    return build_digest(db, ZoneInfo(tz), asked.now, Filters(team=command.team))


def render(answered: str | Digest, asked: Asked[DigestCommand]) -> Reply:
    if isinstance(answered, str):
        return Reply(answered)
    return Reply("Weekly CX digest preview", digest_blocks(answered, asked.theme_labels))


def pending(command: DigestCommand) -> str:
    return "Building the digest preview…" if command.action == "preview" else PENDING


SUBCOMMAND = Subcommand(
    name="digest",
    usage="/cx digest subscribe [#channel] [day=mon] [time=09:00] [tz=Europe/Bucharest] [team=…] | unsubscribe [#channel] | list | preview [team=…]",
    summary="the weekly digest to you or a channel; see what it says now",
    answer=answer,
    render=render,
    keys=frozenset().union(*KEYS.values()),
    parse=parse_digest_words,
    resolve=resolve,
    lookup=prepare_digest,
    pending=pending,
)

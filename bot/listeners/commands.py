"""``/cx``: parse, check access, answer in the acknowledgement when fast, else via response_url.

Slack needs the acknowledgement within 3 seconds whatever the database size:
the answer is computed on a worker thread and, if it is not ready after
``FAST_ENOUGH`` seconds, the acknowledgement says so and the answer follows
through ``respond()``.  The trend chart is always rendered and uploaded after.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.digest import digest_blocks
from bot.blocks.metrics import denied_blocks, error_blocks, help_blocks
from bot.cx.access import AdminDirectory, Viewer, denial, own_agent_names
from bot.cx.answers import Reply, answer, digest_team, with_resolved_filters
from bot.cx.charts import trend_png
from bot.cx.digest_command import USAGE as DIGEST_USAGE
from bot.cx.digest_command import describe, is_digest, parse_digest
from bot.cx.grammar import CxCommand, UsageError, parse_command
from bot.formatting import METRIC_NAMES
from bot.settings import Settings
from bot.store import Store
from bot.themes import resolve_theme, theme_labels
from storage.digest import build_digest
from storage.filters import Filters
from storage.metrics import weekly_series
from storage.subscriptions import subscribe, subscriptions, unsubscribe, validate

log = logging.getLogger("cxbot.commands")
FAST_ENOUGH = 2.0
_background: set[asyncio.Task] = set()


def _spawn(coroutine) -> None:
    task = asyncio.ensure_future(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)


async def _customer_emails(client: AsyncWebClient, command: CxCommand) -> tuple[str, ...]:
    """The other key of a customer: a mentioned user's email, or an email's Slack id."""
    subject = command.subject or ""
    try:
        if "@" in subject:
            return ((await client.users_lookupByEmail(email=subject))["user"]["id"],)
        email = (await client.users_info(user=subject))["user"].get("profile", {}).get("email")
        return (email.lower(),) if email else ()
    except SlackApiError:
        return ()


async def _upload_chart(
    client: AsyncWebClient,
    store: Store,
    settings: Settings,
    command: CxCommand,
    channel: str,
    user: str,
    respond: AsyncRespond,
) -> None:
    metric = command.metric or "nps"
    now = datetime.now(UTC)
    try:
        points = await store.run(
            weekly_series, metric, command.weeks, settings.tz, now, command.filters
        )
        title = f"{METRIC_NAMES[metric]} by week · {command.filters.describe()}"
        png = await asyncio.to_thread(trend_png, metric, points, title)
        target = (
            channel
            if command.public
            else (await client.conversations_open(users=user))["channel"]["id"]
        )
        await client.files_upload_v2(
            channel=target, content=png, filename=f"cx-{metric}-trend.png", title=title
        )
    except Exception as exc:  # the sparkline already answered; say why the image is missing
        log.exception("trend chart upload failed")
        await respond(
            response_type="ephemeral",
            text=f"The chart could not be uploaded ({exc}); the sparkline above has the same numbers.",
        )


def register(app: AsyncApp, store: Store, settings: Settings) -> None:
    admins = AdminDirectory(settings.admins, app.client)
    labels = theme_labels(settings)

    async def user_tz(client: AsyncWebClient, user: str) -> str:
        try:
            return (await client.users_info(user=user))["user"].get("tz") or settings.timezone
        except SlackApiError:
            return settings.timezone

    async def digest(
        ack: AsyncAck, command: dict, client: AsyncWebClient, respond: AsyncRespond, now: datetime
    ) -> None:
        user = command["user_id"]
        try:
            parsed = parse_digest(command.get("text", ""))
            if parsed.team:
                parsed = replace(parsed, team=await store.run(digest_team, parsed.team))
            if parsed.action == "subscribe":
                weekday, at_time, tz = validate(
                    parsed.day, parsed.time, parsed.tz or await user_tz(client, user)
                )
        except (UsageError, ValueError) as exc:
            message = str(exc) if isinstance(exc, UsageError) else f"{exc}\nUsage: {DIGEST_USAGE}"
            await ack(response_type="ephemeral", text=message, blocks=error_blocks(message))
            return
        if parsed.action == "subscribe":
            subscription_id = await store.run(
                subscribe, user, parsed.channel, weekday, at_time, tz, parsed.team, now
            )
            [created] = [s for s in await store.run(subscriptions, user) if s.id == subscription_id]
            text = f"Subscribed to the weekly CX digest {describe(created)}."
        elif parsed.action == "unsubscribe":
            stopped = await store.run(unsubscribe, user, parsed.channel)
            text = (
                f"Stopped {stopped} digest subscription(s)."
                if stopped
                else "You had no digest subscription to stop."
            )
        elif parsed.action == "list":
            mine = await store.run(subscriptions, user)
            text = (
                "\n".join(describe(s) for s in mine)
                or "You have no digest subscriptions. Try `/cx digest subscribe`."
            )
        else:
            tz = ZoneInfo(parsed.tz or await user_tz(client, user))
            work = asyncio.ensure_future(
                store.run(build_digest, tz, now, Filters(team=parsed.team))
            )
            done, _ = await asyncio.wait({work}, timeout=FAST_ENOUGH)
            if work in done:
                blocks = digest_blocks(work.result(), labels)
                await ack(response_type="ephemeral", text="Weekly CX digest preview", blocks=blocks)
            else:
                await ack(response_type="ephemeral", text="Building the digest preview…")
                _spawn(_respond_later(_as_reply(work, labels), respond, "ephemeral"))
            return
        await ack(response_type="ephemeral", text=text)

    async def viewer_for(user: str) -> Viewer:
        is_admin = await admins.is_admin(user)
        names = () if is_admin else await store.run(own_agent_names, user)
        return Viewer(user, is_admin, names)

    @app.command("/cx")
    async def cx(
        ack: AsyncAck, command: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        now = datetime.now(UTC)
        if is_digest(command.get("text", "")):
            await digest(ack, command, client, respond, now)
            return
        try:
            parsed = parse_command(command.get("text", ""), settings.tz, now)
            if parsed.theme:
                parsed = replace(parsed, theme=resolve_theme(parsed.theme, theme_labels(settings)))
            if parsed.name != "help":
                parsed = await store.run(with_resolved_filters, parsed)
        except UsageError as exc:
            await ack(response_type="ephemeral", text=str(exc), blocks=error_blocks(str(exc)))
            return
        response_type = "in_channel" if parsed.public else "ephemeral"
        if parsed.name == "help":
            await ack(response_type=response_type, text="cxbot help", blocks=help_blocks())
            return
        user = command["user_id"]
        viewer = await viewer_for(user)
        reason = denial(parsed, viewer)
        if reason:
            await ack(response_type="ephemeral", text=reason, blocks=denied_blocks(reason))
            return
        emails = await _customer_emails(client, parsed) if parsed.name == "customer" else ()
        work = asyncio.ensure_future(
            store.run(answer, parsed, settings.tz, now, viewer, emails, labels=labels)
        )
        done, _ = await asyncio.wait({work}, timeout=FAST_ENOUGH)
        if work in done:
            reply: Reply = work.result()
            await ack(response_type=response_type, text=reply.text, blocks=reply.blocks)
        else:
            await ack(
                response_type="ephemeral",
                text="Crunching the numbers… the answer follows in a moment.",
            )
            _spawn(_respond_later(work, respond, response_type))
        if parsed.name == "trend":
            _spawn(
                _upload_chart(client, store, settings, parsed, command["channel_id"], user, respond)
            )


async def _as_reply(work: asyncio.Future, labels: dict[str, str]) -> Reply:
    return Reply(digest_blocks(await work, labels), "Weekly CX digest preview")


async def _respond_later(work: asyncio.Future, respond: AsyncRespond, response_type: str) -> None:
    try:
        reply: Reply = await work
        await respond(
            response_type=response_type,
            text=reply.text,
            blocks=reply.blocks,
            replace_original=False,
        )
    except Exception:
        log.exception("/cx answer failed")
        await respond(
            response_type="ephemeral",
            text="Sorry, that answer failed; it has been logged. Try a shorter period.",
        )

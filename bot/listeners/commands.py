"""``/cx``: answer in the acknowledgement when fast, else through ``response_url``.

Slack needs the acknowledgement within 3 seconds whatever the database size:
the answer is computed on a database thread and, if it is not ready after
``FAST_ENOUGH`` seconds, the acknowledgement says so and the answer follows
through ``respond()``.  What the answer says is ``bot.cx.service``'s business.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.cx.grammar import UsageError
from bot.cx.service import Answered, Outcome, Question, answer, prepare, reply_for, usage_reply
from bot.listeners.middleware import services
from bot.themes import theme_labels

log = logging.getLogger("cxbot.commands")
FAST_ENOUGH = 2.0
_background: set[asyncio.Task] = set()


def _spawn(coroutine: Coroutine[Any, Any, None]) -> None:
    task = asyncio.ensure_future(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)


async def cx(
    ack: AsyncAck,
    command: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    shared = services(context)
    settings = shared.settings
    try:
        question = await prepare(
            command.get("text", ""),
            command["user_id"],
            command.get("channel_id", ""),
            tz=settings.tz,
            now=datetime.now(UTC),
            theme_labels=theme_labels(settings),
            admins=shared.admins,
            client=client,
        )
    except UsageError as exc:
        reply = usage_reply(str(exc))
        await ack(response_type="ephemeral", text=reply.text, blocks=reply.blocks)
        return
    if question.subcommand.answer is None:  # help: nothing to look up
        response_type, reply = reply_for(question.subcommand, Answered(question.asked, None))
        await ack(response_type=response_type, text=reply.text, blocks=reply.blocks)
        return
    work = asyncio.ensure_future(shared.store.run(answer, question))
    done, _ = await asyncio.wait({work}, timeout=FAST_ENOUGH)
    if work in done:
        response_type, reply = reply_for(question.subcommand, work.result())
        await ack(response_type=response_type, text=reply.text, blocks=reply.blocks)
    else:
        pending = question.subcommand.pending(question.asked.command)
        await ack(response_type="ephemeral", text=pending)
        _spawn(_respond_later(question, work, respond))
    if question.subcommand.after is not None:
        _spawn(_after(question, work, client, respond))


async def _respond_later(
    question: Question, work: asyncio.Future[Outcome], respond: AsyncRespond
) -> None:
    try:
        response_type, reply = reply_for(question.subcommand, await work)
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


async def _after(
    question: Question, work: asyncio.Future[Outcome], client: AsyncWebClient, respond: AsyncRespond
) -> None:
    """What follows an answer (the trend chart), from the same data, once it is there."""
    try:
        outcome = await work
    except Exception:
        return  # the answer's own path reports the failure
    if isinstance(outcome, Answered) and question.subcommand.after is not None:
        await question.subcommand.after(outcome.data, outcome.asked, client, respond)


def register(app: AsyncApp) -> None:
    app.command("/cx")(cx)

"""The comment modal's submission: the text becomes the response's comment."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot.blocks.survey import COMMENT_BLOCK, COMMENT_INPUT, COMMENT_MODAL
from bot.listeners.middleware import services
from storage import surveys as outbox


async def save_comment(ack: AsyncAck, view: dict, context: AsyncBoltContext) -> None:
    value = view["state"]["values"].get(COMMENT_BLOCK, {}).get(COMMENT_INPUT, {}).get("value") or ""
    if value.strip():
        await services(context).store.run(outbox.add_comment, int(view["private_metadata"]), value)
    await ack()


def register(app: AsyncApp) -> None:
    app.view(COMMENT_MODAL)(save_comment)

"""The comment modal's submission: the text becomes the response's comment."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.blocks.survey import COMMENT_BLOCK, COMMENT_INPUT, COMMENT_MODAL
from bot.listeners.guard import tolerant
from bot.store import Store
from storage import surveys as outbox


def register(app: AsyncApp, store: Store) -> None:
    @app.view(COMMENT_MODAL)
    @tolerant
    async def save_comment(ack: AsyncAck, body: dict, view: dict) -> None:
        value = (
            view["state"]["values"].get(COMMENT_BLOCK, {}).get(COMMENT_INPUT, {}).get("value") or ""
        )
        if value.strip():
            await store.run(outbox.add_comment, int(view["private_metadata"]), value)
        await ack()

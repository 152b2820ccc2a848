"""Builds the Bolt app; no network at import.

``AsyncApp`` with ``process_before_response=True`` acknowledges in well under
a millisecond on uvicorn; anything that calls Slack runs in lazy listeners.
Authorization does not depend on Slack being up: Bolt's default calls
``auth.test`` before serving the first request, so a Slack outage at start-up
would make ``/cx`` fail even though its answers come from the local database.
"""

from __future__ import annotations

import asyncio
import logging
import time

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import (
    warning_client_prioritized_and_token_skipped,
    warning_token_skipped,
)
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.cx.access import AdminDirectory
from bot.listeners import register
from bot.listeners.middleware import Services, install
from bot.settings import Settings
from bot.slack_client import request_path_client
from bot.store import Store

log = logging.getLogger("cxbot.app")


class _TokenIsUsed(logging.Filter):
    """Drops Bolt's "`token` (or SLACK_BOT_TOKEN env variable) will be ignored" and "will be unused".

    Bolt says them whenever ``authorize`` or ``client`` is given and
    SLACK_BOT_TOKEN is in the environment; cxbot's ``authorize`` hands Bolt
    exactly that token, so the lines only mislead someone reading the log.
    """

    MISLEADING = frozenset(
        {warning_token_skipped(), warning_client_prioritized_and_token_skipped()}
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.MISLEADING


_BOLT_LOG = logging.getLogger("slack_bolt.AsyncApp")  # Bolt's framework logger for AsyncApp
if not any(isinstance(f, _TokenIsUsed) for f in _BOLT_LOG.filters):
    _BOLT_LOG.addFilter(_TokenIsUsed())


def _authorizer(client: AsyncWebClient, token: str | None, retry_every: float = 60.0):
    identity: dict[str, str] = {}
    last_try = [float("-inf")]

    async def authorize(
        enterprise_id: str | None, team_id: str | None, **_: object
    ) -> AuthorizeResult:
        if not identity and time.monotonic() - last_try[0] >= retry_every:
            last_try[0] = time.monotonic()
            try:
                reply = await asyncio.wait_for(client.auth_test(token=token), timeout=1.0)
                identity.update(
                    user_id=reply["user_id"],
                    bot_id=reply.get("bot_id") or "",
                    team_id=reply.get("team_id") or "",
                )
            except (
                SlackApiError,
                OSError,
                TimeoutError,
            ) as exc:  # Slack down: serve from the database anyway
                log.warning(
                    "auth.test failed (%s); continuing without the bot's identity",
                    type(exc).__name__,
                )
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id or identity.get("team_id"),
            bot_token=token,
            bot_user_id=identity.get("user_id"),
            bot_id=identity.get("bot_id") or None,
        )

    return authorize


def create_app(settings: Settings, store: Store, client: AsyncWebClient | None = None) -> AsyncApp:
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    )
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = client or request_path_client(settings)
    app = AsyncApp(
        client=client,
        signing_secret=secret,
        authorize=_authorizer(client, token),
        process_before_response=True,
    )
    install(app, Services(store, settings, AdminDirectory(settings.admins, client)))
    register(app)
    return app

"""Builds the Bolt app; no network at import.

``AsyncApp`` with ``process_before_response=True`` acknowledges in well under
a millisecond on uvicorn; anything that calls Slack runs in lazy listeners.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.listeners import register
from bot.settings import Settings
from bot.slack_client import request_path_client
from bot.store import Store


def create_app(settings: Settings, store: Store, client: AsyncWebClient | None = None) -> AsyncApp:
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    )
    app = AsyncApp(
        client=client or request_path_client(settings),
        signing_secret=secret,
        process_before_response=True,
    )
    register(app, store, settings)
    return app

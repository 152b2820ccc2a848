"""Bolt listeners, one module per Slack surface; ``register`` maps Slack ids to callbacks."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.listeners import actions, alert_actions, commands, events, home, views
from bot.settings import Settings
from bot.store import Store


def register(app: AsyncApp, store: Store, settings: Settings) -> None:
    actions.register(app, store, settings)
    alert_actions.register(app, store, settings)
    views.register(app, store)
    events.register(app, store)
    commands.register(app, store, settings)
    home.register(app, store, settings)

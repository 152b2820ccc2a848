"""Bolt listeners, one module per Slack surface; ``register`` maps Slack ids to callbacks.

Callbacks are module-level functions; what they share (the store, the
settings, the admin directory) reaches them through Bolt's ``context``,
put there by ``bot.listeners.middleware``.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.listeners import actions, alert_actions, commands, events, home, views


def register(app: AsyncApp) -> None:
    actions.register(app)
    alert_actions.register(app)
    views.register(app)
    events.register(app)
    commands.register(app)
    home.register(app)

"""The helpdesk clients this installation can use: those whose credentials are all set."""

from __future__ import annotations

import importlib

from bot.helpdesks.api import HelpdeskClient
from bot.settings import Settings

VENDORS = ("zendesk", "freshdesk", "jira", "intercom")


def helpdesk_clients(settings: Settings) -> dict[str, HelpdeskClient]:
    """One client per helpdesk with complete API settings (``bot/helpdesks/<vendor>.py``)."""
    clients: dict[str, HelpdeskClient] = {}
    for source, api in settings.helpdesk_apis().items():
        module = importlib.import_module(f"bot.helpdesks.{source}")
        clients[source] = module.make_client(api)
    return clients

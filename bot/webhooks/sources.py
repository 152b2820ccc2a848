"""The webhook sources cxbot accepts, by URL path segment."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.settings import Settings
from bot.webhooks import generic
from storage.tickets import TicketEvent


@dataclass(frozen=True)
class WebhookSource:
    name: str
    verify: Callable[[Mapping[str, str], bytes, Settings], None]
    parse: Callable[[bytes], TicketEvent]


SOURCES: dict[str, WebhookSource] = {
    "generic": WebhookSource("generic", generic.verify, generic.parse),
}

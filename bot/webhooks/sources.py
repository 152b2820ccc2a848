"""The webhook sources cxbot accepts, by URL path segment: /webhooks/<name>."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.settings import Settings
from bot.webhooks import freshdesk, generic, intercom, jira, zendesk
from storage.tickets import TicketEvent


@dataclass(frozen=True)
class WebhookSource:
    name: str
    label: str
    verify: Callable[[Mapping[str, str], bytes, Settings], None]
    parse: Callable[[bytes], TicketEvent]


SOURCES: dict[str, WebhookSource] = {
    module.__name__.rsplit(".", 1)[1]: WebhookSource(
        module.__name__.rsplit(".", 1)[1], module.LABEL, module.verify, module.parse
    )
    for module in (generic, zendesk, freshdesk, jira, intercom)
}

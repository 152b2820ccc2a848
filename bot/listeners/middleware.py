"""What every listener shares, installed once on the app instead of repeated in each.

- ``Services`` reach the callbacks through Bolt's ``context`` (``services(context)``),
  so callbacks are plain module-level functions, importable and testable alone.
- Slack retries an event it thinks we missed; ``skip_retried_events`` lets
  each event id through once (remembered in the database, so a restart
  does not forget it).
- A payload our buttons never produce (hand-made or garbled) would fail the
  same way on every retry; ``ignore_malformed`` logs it and acknowledges it
  instead of answering 500.  Bolt runs global middleware *before* a
  listener, not around it, so a listener's exception can only be caught in
  the app's error handler — which is where this lives.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.cx.access import AdminDirectory
from bot.settings import Settings
from bot.store import Store
from storage.surveys import first_time_event

log = logging.getLogger("cxbot.listeners")
MALFORMED = (ValueError, KeyError, TypeError, IndexError, AttributeError)
_KEY = "cxbot"


@dataclass(frozen=True, eq=False)
class Services:
    """The app's long-lived parts every callback may need."""

    store: Store
    settings: Settings
    admins: AdminDirectory

    def __deepcopy__(self, memo: dict) -> Services:
        # Bolt deep-copies the context for lazy listeners; services are shared, not copied.
        return self


def services(context: AsyncBoltContext) -> Services:
    return context[_KEY]


def provide(shared: Services) -> Callable[..., Awaitable[None]]:
    """Middleware putting ``shared`` into every request's context."""

    async def provide_services(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]):
        context[_KEY] = shared
        await next()

    return provide_services


async def skip_retried_events(
    body: dict, context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
) -> BoltResponse | None:
    """Acknowledge an event id seen before without running its listeners again."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if isinstance(event_id, str) and event_id:
        first = await services(context).store.run(first_time_event, event_id, datetime.now(UTC))
        if not first:
            return BoltResponse(status=200, body="")
    await next()
    return None


async def ignore_malformed(
    error: Exception, body: Any, request: AsyncBoltRequest, logger: logging.Logger
) -> BoltResponse | None:
    """The app's error handler: a malformed payload is acknowledged; anything else stays a 500."""
    if not isinstance(error, MALFORMED):
        logger.exception(f"Failed to run listener function (error: {error})")
        return None
    log.warning("ignored a malformed %s payload: %s", _kind(body), type(error).__name__)
    ack = request.context.get("ack")
    acknowledged = getattr(ack, "response", None)  # keep an answer already given
    return acknowledged or BoltResponse(status=200, body="")


def _kind(body: Any) -> str:
    """``block_actions cx_score_3``, ``view_submission cx_comment_modal``…, for the log."""
    if not isinstance(body, dict):
        return "unreadable"
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        return f"{body.get('type')} {actions[0].get('action_id')}"
    view = body.get("view")
    if isinstance(view, dict):
        return f"{body.get('type')} {view.get('callback_id')}"
    return str(body.get("type") or body.get("command") or "unknown")


def install(app: AsyncApp, shared: Services) -> None:
    app.middleware(provide(shared))
    app.middleware(skip_retried_events)
    app.error(ignore_malformed)

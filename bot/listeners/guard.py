"""Malformed payloads are acknowledged and ignored, never answered with a 500.

Slack retries requests that fail; a payload our buttons never produce (a
hand-made or garbled one) would otherwise fail every time.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("cxbot.listeners")


def tolerant(ack_function: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Wrap an ack function: on a malformed payload, log it, acknowledge, do nothing."""

    @functools.wraps(ack_function)
    async def wrapper(*args, **kwargs):
        try:
            return await ack_function(*args, **kwargs)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            log.warning(
                "ignored a malformed %s payload: %s", ack_function.__name__, type(exc).__name__
            )
            ack = kwargs.get("ack")
            if ack is not None:
                await ack()

    return wrapper

"""What every helpdesk client offers, and the HTTP error mapping they share.

The jobs that call these (surveys, ticket figures, write-back) only need two
outcomes besides success: *try again later* (429, 5xx, timeouts — with the
vendor's own Retry-After when it sends one) and *this will never work*
(bad credentials, no such person, a closed ticket), which becomes a recorded
reason instead of a retry loop.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_RETRY_AFTER = 3600.0


@dataclass(frozen=True)
class Person:
    """What a helpdesk knows of a customer; any field may be missing (hidden, never set)."""

    email: str | None
    name: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class TicketFigures:
    """A ticket's own effort figures; None where the vendor does not record one (never 0).

    ``customer_replies`` counts the customer's messages *after* the one that opened
    the ticket, so contacts per resolution = 1 + customer_replies.
    """

    handle_time_seconds: int | None = None
    customer_replies: int | None = None
    agent_replies: int | None = None
    reopens: int | None = None
    #: When the ticket was created, for helpdesks whose webhooks do not say (Freshdesk).
    created_at: str | None = None


@dataclass(frozen=True)
class WriteBack:
    """One revision of an answer, as it goes onto the ticket.

    ``marker`` is a short unique string the note carries (``cxbot:r12.2``), so a
    retry after a crash can see that the note was already written.
    """

    ticket_ref: str
    note: str
    tags: tuple[str, ...]
    marker: str


class HelpdeskError(Exception):
    """A call to a helpdesk API did not succeed; ``str()`` says why, for people."""


class HelpdeskUnavailable(HelpdeskError):
    """Try again later (429, 5xx, timeout, connection refused)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class HelpdeskRefused(HelpdeskError):
    """Retrying will not help (credentials, permissions, no such person or ticket, locked).

    ``status`` is the HTTP status when the vendor answered one, so ``cxbot
    doctor`` can tell bad credentials (401/403) from a person not found (404).
    """

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class HelpdeskClient(Protocol):
    """One vendor's API, as cxbot's jobs use it."""

    source: str

    def person(self, ref: str) -> Person:
        """The customer the helpdesk knows by ``ref`` (requester id, accountId, contact id)."""
        ...

    def figures(self, ticket_ref: str) -> TicketFigures:
        """The ticket's handle time and reply counts, as far as the vendor records them."""
        ...

    def already_written(self, write: WriteBack) -> bool:
        """Whether a note carrying ``write.marker`` is already on the ticket."""
        ...

    def write_back(self, write: WriteBack) -> None:
        """Add the note (private/internal) and the tags, where the vendor has tags."""
        ...


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait, from ``Retry-After`` (seconds or an HTTP date) or ``X-RateLimit-Reset``
    (Intercom: unix seconds; Jira: ISO 8601); None when the response says nothing."""
    now = time.time() if now is None else now
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.replace(".", "", 1).isdigit():
            return min(float(value), MAX_RETRY_AFTER)
        try:
            return _until(parsedate_to_datetime(value).timestamp(), now)
        except (TypeError, ValueError):
            pass
    reset = (headers.get("x-ratelimit-reset") or "").strip()
    if reset.isdigit():
        return _until(float(reset), now)
    if reset:
        try:
            moment = datetime.fromisoformat(reset.replace("Z", "+00:00"))
        except ValueError:
            return None
        return _until(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp(), now)
    return None


def _until(moment: float, now: float) -> float:
    return min(max(moment - now, 0.0), MAX_RETRY_AFTER)


def call(http: httpx.Client, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
    """One API call; a failure raised as HelpdeskUnavailable or HelpdeskRefused naming ``what``."""
    try:
        response = http.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise HelpdeskUnavailable(f"{what}: timed out") from None
    except httpx.TransportError as exc:
        raise HelpdeskUnavailable(f"{what}: {type(exc).__name__}: {exc}") from None
    status = response.status_code
    if status == 429 or status >= 500:
        raise HelpdeskUnavailable(f"{what}: HTTP {status}", retry_after(response.headers))
    if status in (401, 403):
        raise HelpdeskRefused(
            f"{what}: HTTP {status} — check the API credentials and permissions", status
        )
    if status >= 400:
        raise HelpdeskRefused(f"{what}: HTTP {status} {response.text[:200]}", status)
    return response


def json_of(response: httpx.Response, what: str) -> Any:
    """The response's JSON; a body that is not JSON is a fault worth retrying later."""
    try:
        return response.json()
    except ValueError:
        raise HelpdeskUnavailable(f"{what}: the answer was not JSON") from None

"""Slack Web API clients, configured once: base URL from SLACK_API_URL, retries by purpose.

The background jobs' client retries 429s (honouring Retry-After), 5xx and
connection errors; the client Bolt uses on the 3-second path retries only
connection errors, so a rate-limited Slack never makes an acknowledgement late.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

log = logging.getLogger("cxbot.slack")

# Errors that say the bot's own token is dead (the app was uninstalled, the token revoked or
# never valid): every call fails alike, so sending stops and everything stays queued.
TOKEN_ERRORS = frozenset(
    {"account_inactive", "invalid_auth", "not_authed", "token_revoked", "token_expired"}
)
# Errors after which sending one message again can never work: the survey is marked failed.
PERMANENT_ERRORS = frozenset(
    {
        "users_not_found", "user_not_found", "cannot_dm_bot", "channel_not_found", "not_in_channel",
        "is_archived", "user_disabled", "missing_scope", "msg_too_long", "invalid_blocks",
        "restricted_action", "team_access_not_granted", "ekm_access_denied", "no_permission",
    }
)  # fmt: skip
TOKEN_FIX = (
    "the Slack bot token no longer works ({error}): the app was uninstalled or its token "
    "revoked; reinstall cxbot to the workspace and set the new SLACK_BOT_TOKEN. Surveys, "
    "alerts and digests stay queued until then"
)


class TokenHealth:
    """Whether the bot's own token still works, shared by the sending jobs and ``/healthz``.

    A token error (``account_inactive`` after an uninstall…) is nobody's fault but
    the installation's: failing surveys one by one would lose them all. Once one is
    seen, the jobs stop sending and ask ``auth.test`` at most every ``probe_every``
    seconds whether the token works again (a reinstall with the same token, or a
    restart with a new one) before sending anything.
    """

    def __init__(self, probe_every: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self._probe_every, self._clock = probe_every, clock
        self._lock = threading.Lock()
        self._error: str | None = None
        self._probed_at = 0.0

    @property
    def error(self) -> str | None:
        """The token error that stopped sending, or None while the token works."""
        return self._error

    def failed(self, error: str) -> None:
        """A call answered a token error: stop sending (logged once, with the fix)."""
        with self._lock:
            first, self._error, self._probed_at = self._error is None, error, self._clock()
        if first:
            log.error(TOKEN_FIX.format(error=error))

    def usable(self, client: WebClient) -> bool:
        """True while the token works; after a token error, True only once auth.test passes."""
        with self._lock:
            if self._error is None:
                return True
            if self._clock() - self._probed_at < self._probe_every:
                return False
            self._probed_at = self._clock()
        try:
            client.auth_test()
        except SlackApiError as exc:
            if slack_error(exc) in TOKEN_ERRORS:
                self.failed(slack_error(exc))
            return False
        except OSError:  # Slack unreachable: no news about the token
            return False
        with self._lock:
            self._error = None
        log.info("the Slack bot token works again: sending resumes")
        return True

    def status(self) -> dict[str, str]:
        """What ``/healthz`` shows: ``ok``, or the error and what to do."""
        error = self._error
        return (
            {"slack_token": "ok"}
            if error is None
            else {"slack_token": TOKEN_FIX.format(error=error)}
        )


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code (``channel_not_found``…), or the HTTP status when there is none."""
    return str(exc.response.get("error") or exc.response.status_code)


# What Slack answers a post to a channel the bot is not in (slack.md §4): ``not_in_channel``
# for a public one, ``channel_not_found`` for a private one, which it cannot even see.
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})


def invite_fix(channel: str) -> str:
    """The fix an admin makes for a channel the bot cannot post in (shown in /healthz)."""
    return (
        f"invite @cxbot to <#{channel}> (type /invite @cxbot there; a bot cannot join a "
        "private channel by itself), or check that the channel id is right"
    )


def channel_error(exc: SlackApiError, channel: str) -> str:
    """Slack's error code, followed by the fix when the bot cannot reach the channel."""
    error = slack_error(exc)
    return f"{error}: {invite_fix(channel)}" if error in NOT_A_MEMBER else error


def post_in_channel(client: WebClient, channel: str, **message: Any) -> Any:
    """``chat.postMessage`` that joins a public channel the bot was never invited to.

    Slack refuses a post to a public channel the bot is not in (``not_in_channel``); with
    ``channels:join`` the bot joins it (``conversations.join``) and posts again. A private
    channel answers ``channel_not_found`` instead: only a member can invite the bot there,
    so that error is raised for the caller to record with ``channel_error``.
    """
    try:
        return client.chat_postMessage(channel=channel, **message)
    except SlackApiError as exc:
        if slack_error(exc) != "not_in_channel":
            raise
    client.conversations_join(channel=channel)
    return client.chat_postMessage(channel=channel, **message)


def _token(settings: Settings) -> str | None:
    return settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None


def delivery_client(settings: Settings, timeout: int = 10) -> WebClient:
    """Blocking client for the background jobs, off the request path."""
    return WebClient(
        token=_token(settings),
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def request_path_client(settings: Settings) -> AsyncWebClient:
    """Async client for Bolt listeners: short timeout, no waiting out rate limits."""
    return AsyncWebClient(
        token=_token(settings),
        base_url=settings.slack_api_url,
        timeout=5,
        retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=1)],
    )

"""Slack Web API clients, configured once: base URL from SLACK_API_URL, retries by purpose.

The background jobs' client retries 429s (honouring Retry-After), 5xx and
connection errors; the client Bolt uses on the 3-second path retries only
connection errors, so a rate-limited Slack never makes an acknowledgement late.
"""

from __future__ import annotations

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

# Errors after which sending again can never work: the survey is marked failed with the reason.
PERMANENT_ERRORS = frozenset(
    {
        "users_not_found", "user_not_found", "cannot_dm_bot", "channel_not_found", "not_in_channel",
        "is_archived", "account_inactive", "user_disabled", "invalid_auth", "not_authed",
        "token_revoked", "missing_scope", "msg_too_long", "invalid_blocks", "restricted_action",
        "team_access_not_granted", "ekm_access_denied", "no_permission",
    }
)  # fmt: skip


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

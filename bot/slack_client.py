"""Slack Web API clients, configured once: base URL from SLACK_API_URL, retries by purpose.

The background jobs' client retries 429s (honouring Retry-After), 5xx and
connection errors; the client Bolt uses on the 3-second path retries only
connection errors, so a rate-limited Slack never makes an acknowledgement late.
"""

from __future__ import annotations

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

"""HMAC signature checks, constant-time, with a replay window."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from bot.webhooks.errors import WebhookAuthError

MAX_SKEW_SECONDS = 300


def hmac_hex(secret: str, message: bytes, digest=hashlib.sha256) -> str:
    return hmac.new(secret.encode(), message, digest).hexdigest()


def hmac_base64(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def require_secret(secret: str | None, name: str) -> str:
    if not secret:
        raise WebhookAuthError(f"{name} is not configured on this server")
    return secret


def check_timestamp(raw: str | None, header: str, now: float | None = None) -> str:
    """The timestamp header must be unix seconds within five minutes of now (no replays)."""
    if not raw:
        raise WebhookAuthError(f"missing {header} header")
    try:
        stamp = int(raw.strip())
    except ValueError:
        raise WebhookAuthError(f"{header} must be unix seconds") from None
    if abs((now or time.time()) - stamp) > MAX_SKEW_SECONDS:
        raise WebhookAuthError(f"{header} is more than 5 minutes off; request rejected as stale")
    return raw.strip()


def check_equal(expected: str, given: str | None, header: str) -> None:
    if not given:
        raise WebhookAuthError(f"missing {header} header")
    if not hmac.compare_digest(expected.encode(), given.strip().encode()):
        raise WebhookAuthError(f"{header} does not match the request body")


def sign_generic(secret: str, timestamp: str, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256 of "v1:" + timestamp + ":" + body>`` (what senders compute)."""
    return "v1=" + hmac_hex(secret, b"v1:" + timestamp.encode() + b":" + body)

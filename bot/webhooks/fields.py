"""Field validators shared by the webhook mappers; each error names its field."""

from __future__ import annotations

import re
from typing import Any

from bot.webhooks.errors import WebhookPayloadError
from storage.timestamps import normalize_timestamp

MAX_TEXT = 500
MAX_TAGS = 100
#: An address that can be looked up in Slack; the one test every source applies.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_TS = re.compile(r"^\d{9,11}\.\d{1,6}$")


def optional_text(data: dict, key: str, label: str | None = None) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise WebhookPayloadError(f"{label or key}: must be a string")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise WebhookPayloadError(f"{label or key}: longer than {MAX_TEXT} characters")
    return text or None


def required_text(data: dict, key: str, label: str | None = None) -> str:
    value = optional_text(data, key, label)
    if value is None:
        raise WebhookPayloadError(f"{label or key}: required")
    return value


def optional_time(data: dict, key: str, label: str | None = None) -> str | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        from datetime import UTC, datetime

        try:
            return normalize_timestamp(datetime.fromtimestamp(value, UTC).isoformat())
        except (OverflowError, OSError, ValueError):
            raise WebhookPayloadError(f"{label or key}: not a valid unix time") from None
    if not isinstance(value, str):
        raise WebhookPayloadError(f"{label or key}: must be an ISO-8601 time")
    try:
        return normalize_timestamp(value)
    except ValueError:
        raise WebhookPayloadError(
            f"{label or key}: {value[:40]!r} is not an ISO-8601 time"
        ) from None


def email(value: str | None, label: str) -> str | None:
    if value is not None and not EMAIL.match(value):
        raise WebhookPayloadError(f"{label}: not an email address")
    return value


def slack_user(value: str | None, label: str) -> str | None:
    if value is not None and not _USER.match(value):
        raise WebhookPayloadError(f"{label}: must be a Slack user id (U… or W…)")
    return value


def slack_channel(value: str | None, label: str) -> str | None:
    if value is not None and not _CHANNEL.match(value):
        raise WebhookPayloadError(f"{label}: must be a Slack channel id (C…, G… or D…)")
    return value


def thread_ts(value: str | None, label: str) -> str | None:
    if value is not None and not _TS.match(value):
        raise WebhookPayloadError(f"{label}: must be a Slack message ts like 1700000000.000100")
    return value


def tag_list(value: Any, label: str = "tags") -> tuple[str, ...]:
    """A list of strings, or a space/comma-separated string (some helpdesks send that)."""
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        items = re.split(r"[,\s]+", value)
    elif isinstance(value, list):
        items = value
    else:
        raise WebhookPayloadError(f"{label}: must be a list of strings")
    tags = []
    for item in items:
        if isinstance(item, dict) and "name" in item:
            item = item["name"]
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise WebhookPayloadError(f"{label}: must be a list of strings")
        tag = str(item).strip()
        if tag and tag not in tags:
            tags.append(tag[:MAX_TEXT])
    if len(tags) > MAX_TAGS:
        raise WebhookPayloadError(f"{label}: more than {MAX_TAGS} tags")
    return tuple(tags)


def mapping(data: dict, key: str) -> dict:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WebhookPayloadError(f"{key}: must be an object")
    return value

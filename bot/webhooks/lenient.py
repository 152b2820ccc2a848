"""Helpers for helpdesk payloads whose optional fields vary by account set-up."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from storage.timestamps import normalize_timestamp, to_db


def dig(data: Any, *path: str | int) -> Any:
    """``data[a][b][c]`` or None when any step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int) and isinstance(data, list) and -len(data) <= step < len(data):
            data = data[step]
        elif isinstance(step, str) and isinstance(data, dict):
            data = data.get(step)
        else:
            return None
    return data


def text_or_none(value: Any, limit: int = 500) -> str | None:
    if value is None or isinstance(value, dict | list | bool):
        return None
    text = str(value).strip()
    return text[:limit] or None


def time_or_none(value: Any) -> str | None:
    """ISO-8601, RFC 2822 or unix seconds/milliseconds; None when unreadable.

    An optional timestamp in an odd format must not cost the customer their survey.
    """
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return to_db(datetime.fromtimestamp(seconds, UTC))
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    try:
        return normalize_timestamp(text)
    except ValueError:
        pass
    try:
        return to_db(parsedate_to_datetime(text))
    except (TypeError, ValueError):
        return None

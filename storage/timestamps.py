"""UTC timestamps and durations, in the one text form the database stores.

Every timestamp is stored as fixed-width UTC ISO-8601 with milliseconds
(``2026-11-23T11:17:02.123Z``) so that plain string comparison in SQL orders
and range-filters them correctly and the indexes on them stay usable.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def utc_now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_db(moment: datetime) -> str:
    """Render an aware datetime as the stored UTC text form.

    Naive datetimes are refused: guessing their zone is how scores end up in
    the wrong week.
    """
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: a time zone is required")
    # isoformat() is several times faster than strftime(); the import path needs it.
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:23] + "Z"


def parse_timestamp(text: str) -> datetime:
    """Parse ISO-8601 text into an aware UTC datetime.

    Accepts ``Z`` and ``±hh:mm`` offsets and date-only values (midnight UTC).
    A value without an offset is taken as UTC, which is what helpdesk exports
    without an offset mean in practice.
    """
    value = text.strip()
    if not value:
        raise ValueError("empty timestamp")
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO-8601 timestamp: {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def normalize_timestamp(text: str) -> str:
    """Parse any accepted ISO-8601 text and return the stored form."""
    return to_db(parse_timestamp(text))


def parse_duration(text: str) -> timedelta:
    """Parse ``0s``, ``10m``, ``48h``, ``7d`` or ``2w`` into a timedelta."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 0s, 10m, 48h, 7d)")
    amount, unit = match.groups()
    return timedelta(seconds=int(amount) * _UNIT_SECONDS[unit])


def format_duration(delta: timedelta | None) -> str:
    """Human text for a duration (``2h 05m``); ``—`` when there is none."""
    if delta is None:
        return "—"
    seconds = int(round(delta.total_seconds()))
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"

"""Digest subscriptions and their persistent schedule.

Each subscription stores the ISO week it last received, so a restart never
sends a week twice, and a digest missed while the bot was down goes out once
it is back — as long as it is still the same week.  Times are local to the
subscription's time zone, so 09:00 stays 09:00 across daylight-saving changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlite_utils import Database

from storage.db import write_transaction
from storage.timestamps import parse_timestamp, to_db

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEND_LEASE = timedelta(minutes=2)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Subscription:
    id: int
    subscriber: str
    channel: str | None
    weekday: int
    at_time: str
    timezone: str
    team: str | None
    sent_week: str | None

    def due_moment(self, now: datetime) -> tuple[str, datetime]:
        """This week's ISO label and the UTC instant the digest is due in it."""
        tz = ZoneInfo(self.timezone)
        local_today = now.astimezone(tz).date()
        monday = local_today - timedelta(days=local_today.weekday())
        hours, minutes = (int(part) for part in self.at_time.split(":"))
        moment = datetime.combine(
            monday + timedelta(days=self.weekday), time(hours, minutes), tzinfo=tz
        )
        return week_label(monday), moment.astimezone(UTC)


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def validate(weekday: str, at_time: str, timezone: str) -> tuple[int, str, str]:
    """Checked schedule fields; ValueError names the one that is wrong."""
    day = weekday.lower()[:3]
    if day not in WEEKDAYS:
        raise ValueError(f"day must be one of {', '.join(WEEKDAYS)}, not {weekday!r}")
    match = _TIME.match(at_time)
    if not match:
        raise ValueError(f"time must look like 09:00, not {at_time!r}")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {timezone!r} (use an IANA name like Europe/Bucharest)"
        ) from None
    return WEEKDAYS.index(day), f"{int(match.group(1)):02d}:{match.group(2)}", timezone


def subscribe(
    db: Database,
    subscriber: str,
    channel: str | None,
    weekday: int,
    at_time: str,
    timezone: str,
    team: str | None,
    now: datetime,
) -> int:
    """One subscription per subscriber, channel and team: subscribing again updates the schedule."""
    with write_transaction(db):
        existing = db.execute(
            "SELECT id FROM digest_subscriptions WHERE subscriber = ? AND channel IS ? AND team IS ? AND active = 1",
            [subscriber, channel, team],
        ).fetchone()
        if existing:
            db.execute(
                "UPDATE digest_subscriptions SET weekday = ?, at_time = ?, timezone = ? WHERE id = ?",
                [weekday, at_time, timezone, existing[0]],
            )
            return existing[0]
        row_id = db.execute(
            "INSERT INTO digest_subscriptions (subscriber, channel, weekday, at_time, timezone, team, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [subscriber, channel, weekday, at_time, timezone, team, to_db(now)],
        ).lastrowid
        assert row_id is not None  # an INSERT that did not raise always has a rowid
        return row_id


def unsubscribe(db: Database, subscriber: str, channel: str | None = None) -> int:
    """Stop a subscriber's digests (only to ``channel`` when given); returns how many stopped."""
    clause, params = ("AND channel = ?", [channel]) if channel else ("", [])
    with write_transaction(db):
        return db.execute(
            f"UPDATE digest_subscriptions SET active = 0 WHERE subscriber = ? AND active = 1 {clause}",
            [subscriber, *params],
        ).rowcount


_COLUMNS = "id, subscriber, channel, weekday, at_time, timezone, team, sent_week"


def subscriptions(db: Database, subscriber: str | None = None) -> list[Subscription]:
    clause, params = ("AND subscriber = ?", [subscriber]) if subscriber else ("", [])
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM digest_subscriptions WHERE active = 1 {clause} ORDER BY id", params
    )
    return [Subscription(*row) for row in rows]


def get_subscription(db: Database, subscription_id: int) -> Subscription | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM digest_subscriptions WHERE id = ? AND active = 1",
        [subscription_id],
    ).fetchone()
    return Subscription(*row) if row else None


def claim_due(db: Database, now: datetime) -> list[tuple[Subscription, str]]:
    """Subscriptions whose digest is due this week and not sent yet, claimed (with a lease)."""
    claimed = []
    with write_transaction(db):
        for row in db.execute(
            f"SELECT {_COLUMNS}, attempt_week, attempt_at FROM digest_subscriptions WHERE active = 1"
        ).fetchall():
            subscription, attempt_week, attempt_at = Subscription(*row[:8]), row[8], row[9]
            week, moment = subscription.due_moment(now)
            if now < moment or subscription.sent_week == week:
                continue
            if (
                attempt_week == week
                and attempt_at
                and parse_timestamp(attempt_at) > now - SEND_LEASE
            ):
                continue  # another pass is sending it right now
            db.execute(
                "UPDATE digest_subscriptions SET attempt_week = ?, attempt_at = ? WHERE id = ?",
                [week, to_db(now), subscription.id],
            )
            claimed.append((subscription, week))
    return claimed


def mark_sent(
    db: Database, subscription_id: int, week: str, now: datetime, problem: str | None = None
) -> None:
    """The week's digest is out: never sent again this week, whatever failed after the message.

    ``problem`` is what went wrong after it (a chart that could not be attached),
    kept as the subscription's last error so it stays visible.
    """
    with write_transaction(db):
        db.execute(
            "UPDATE digest_subscriptions SET sent_week = ?, sent_at = ?, last_error = ? WHERE id = ?",
            [week, to_db(now), problem, subscription_id],
        )


def mark_failed(db: Database, subscription_id: int, error: str) -> None:
    """Keep the claim's lease: the next pass after it retries, still within the same week."""
    with write_transaction(db):
        db.execute(
            "UPDATE digest_subscriptions SET last_error = ? WHERE id = ?", [error, subscription_id]
        )

"""Digest schedule: local time zones, daylight-saving changes, restarts, no double sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.db import open_db
from storage.subscriptions import (
    claim_due,
    mark_sent,
    subscribe,
    subscriptions,
    unsubscribe,
    validate,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def sub(db, weekday="mon", at="09:00", tz="Europe/Bucharest", channel=None, team=None) -> int:
    day, time, zone = validate(weekday, at, tz)
    return subscribe(db, "U0MANAGER", channel, day, time, zone, team, utc(2026, 10, 1))


def due_ids(db, now) -> list[int]:
    return [s.id for s, _ in claim_due(db, now)]


def test_due_at_local_time_across_a_dst_change(db):
    sid = sub(db)
    # Monday 19 Oct 2026, 09:00 EEST = 06:00 UTC
    assert due_ids(db, utc(2026, 10, 19, 5, 59)) == []
    assert due_ids(db, utc(2026, 10, 19, 6, 0)) == [sid]
    mark_sent(db, sid, "2026-W43", utc(2026, 10, 19, 6, 0))
    # clocks go back on Sunday 25 Oct: Monday 26 Oct 09:00 EET = 07:00 UTC
    assert due_ids(db, utc(2026, 10, 26, 6, 30)) == []
    assert due_ids(db, utc(2026, 10, 26, 7, 0)) == [sid]


def test_no_double_send_across_restarts(db_path):
    first = open_db(db_path)
    sid = sub(first)
    monday = utc(2026, 11, 23, 7, 5)
    [(subscription, week)] = claim_due(first, monday)
    mark_sent(first, sid, week, monday)
    first.close()
    restarted = open_db(db_path)  # a new process, the same file
    assert due_ids(restarted, monday + timedelta(hours=3)) == []
    assert due_ids(restarted, utc(2026, 11, 29, 23, 0)) == []  # rest of the same week
    assert due_ids(restarted, utc(2026, 11, 30, 7, 1)) == [sid]  # next Monday


def test_a_claim_in_flight_is_not_taken_twice_but_a_dead_one_is_retried(db):
    sid = sub(db)
    monday = utc(2026, 11, 23, 7, 5)
    assert due_ids(db, monday) == [sid]
    assert due_ids(db, monday + timedelta(seconds=30)) == []  # another pass while sending
    assert due_ids(db, monday + timedelta(minutes=3)) == [
        sid
    ]  # the sender died: retried once the lease ran out


def test_missed_while_down_is_sent_once_the_same_week_only(db):
    sid = sub(db)
    # down from Sunday to Wednesday afternoon: Monday's digest goes out on Wednesday
    assert due_ids(db, utc(2026, 11, 25, 15, 0)) == [sid]
    mark_sent(db, sid, "2026-W48", utc(2026, 11, 25, 15, 0))
    other = sub(db, channel="C0CXTEAM1")
    # down all week: when back next Monday at 06:00 UTC only the new week's digest is due at 07:00
    assert due_ids(db, utc(2026, 11, 30, 6, 0)) == []
    assert set(due_ids(db, utc(2026, 11, 30, 7, 0))) == {sid, other}


@pytest.mark.parametrize(
    ("tz", "due_utc"),
    [("Asia/Tehran", utc(2026, 11, 23, 5, 30)), ("America/New_York", utc(2026, 11, 23, 14, 0))],
)
def test_time_zones(db, tz, due_utc):
    sid = sub(db, tz=tz)
    assert due_ids(db, due_utc - timedelta(minutes=1)) == []
    assert due_ids(db, due_utc) == [sid]


def test_friday_afternoon_schedule_and_validation(db):
    sid = sub(db, weekday="friday", at="16:30", tz="UTC")
    assert due_ids(db, utc(2026, 11, 27, 16, 29)) == []
    assert due_ids(db, utc(2026, 11, 27, 16, 30)) == [sid]
    for bad in (
        ("someday", "09:00", "UTC"),
        ("mon", "25:00", "UTC"),
        ("mon", "09:00", "Mars/Base"),
    ):
        with pytest.raises(ValueError):
            validate(*bad)


def test_subscribe_again_updates_and_unsubscribe_stops(db):
    first = sub(db, at="09:00")
    again = sub(db, at="10:00")
    assert first == again and subscriptions(db)[0].at_time == "10:00"
    assert unsubscribe(db, "U0MANAGER") == 1
    assert subscriptions(db) == []

"""Period grammar: rolling windows, calendar units in local time, ranges, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.periods import PeriodError, iso_weeks, parse_period

UTC_TZ = ZoneInfo("UTC")
BUCHAREST = ZoneInfo("Europe/Bucharest")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_rolling_days_end_now_and_compare_with_the_window_before():
    period = parse_period("30d", UTC_TZ, NOW)
    assert period.start == NOW - timedelta(days=30)
    assert period.end == NOW
    previous = period.previous()
    assert (previous.start, previous.end) == (NOW - timedelta(days=60), NOW - timedelta(days=30))


def test_default_period_is_30_days():
    assert parse_period(None, UTC_TZ, NOW).start == NOW - timedelta(days=30)


def test_last_month_in_bucharest_spans_a_dst_change():
    period = parse_period("last-month", BUCHAREST, NOW)
    assert period.start == utc(2026, 9, 30, 21)  # 1 Oct 00:00 EEST (UTC+3)
    assert period.end == utc(2026, 10, 31, 22)  # 1 Nov 00:00 EET (UTC+2)
    assert (period.previous_start, period.previous_end) == (
        utc(2026, 8, 31, 21),
        utc(2026, 9, 30, 21),
    )


def test_this_week_depends_on_the_time_zone():
    sunday_evening_utc = utc(2026, 11, 22, 20)  # already Monday 05:00 in Tokyo
    in_utc = parse_period("this-week", UTC_TZ, sunday_evening_utc)
    in_tokyo = parse_period("this-week", ZoneInfo("Asia/Tokyo"), sunday_evening_utc)
    assert in_utc.start == utc(2026, 11, 16)
    assert in_tokyo.start == utc(2026, 11, 22, 15)  # Monday 23 Nov 00:00 JST


def test_running_week_is_compared_with_the_same_part_of_last_week():
    period = parse_period("this-week", UTC_TZ, NOW)  # Monday noon
    assert (period.start, period.end) == (utc(2026, 11, 23), NOW)
    assert (period.previous_start, period.previous_end) == (
        utc(2026, 11, 16),
        utc(2026, 11, 16, 12),
    )


def test_last_month_in_january_is_december_of_last_year():
    period = parse_period("last-month", UTC_TZ, utc(2027, 1, 10))
    assert (period.start, period.end) == (utc(2026, 12, 1), utc(2027, 1, 1))
    assert period.previous_start == utc(2026, 11, 1)


def test_this_month_on_march_31st_compares_with_all_of_february():
    period = parse_period("this-month", UTC_TZ, utc(2027, 3, 31, 12))
    assert period.previous_start == utc(2027, 2, 1)
    assert period.previous_end == utc(2027, 3, 1)  # elapsed time capped at the month's start


def test_quarter_defaults_to_the_latest_one_that_has_started():
    assert parse_period("q3", UTC_TZ, NOW).start == utc(2026, 7, 1)
    assert parse_period("q4", UTC_TZ, utc(2027, 2, 1)).start == utc(2026, 10, 1)
    explicit = parse_period("2025-q2", UTC_TZ, NOW)
    assert (explicit.start, explicit.end) == (utc(2025, 4, 1), utc(2025, 7, 1))
    assert explicit.previous_start == utc(2025, 1, 1)


def test_year_month_and_day():
    year = parse_period("2025", UTC_TZ, NOW)
    assert (year.start, year.end, year.previous_start) == (
        utc(2025, 1, 1),
        utc(2026, 1, 1),
        utc(2024, 1, 1),
    )
    month = parse_period("2026-02", UTC_TZ, NOW)
    assert (month.start, month.end) == (utc(2026, 2, 1), utc(2026, 3, 1))
    day = parse_period("2026-10-05", UTC_TZ, NOW)
    assert (day.start, day.end, day.previous_start) == (
        utc(2026, 10, 5),
        utc(2026, 10, 6),
        utc(2026, 10, 4),
    )


def test_range_includes_its_last_day_and_compares_with_the_same_number_of_days():
    period = parse_period("2026-10-01..2026-10-31", UTC_TZ, NOW)
    assert (period.start, period.end) == (utc(2026, 10, 1), utc(2026, 11, 1))
    assert (period.previous_start, period.previous_end) == (utc(2026, 8, 31), utc(2026, 10, 1))


def test_all_time_has_no_bounds_and_no_previous():
    period = parse_period("all", UTC_TZ, NOW)
    assert period.is_all and period.end is None
    assert period.previous() is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fortnight", "unknown period"),
        ("0d", "longer than zero"),
        ("2026-02-30", "invalid date"),
        ("2026-10-31..2026-10-01", "ends before"),
        ("2026-10-01..soon", "two dates"),
        ("2026-13", "invalid date"),
    ],
)
def test_bad_periods_explain_themselves(text, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(text, UTC_TZ, NOW)


def test_iso_weeks_across_a_year_boundary():
    weeks = iso_weeks(2, UTC_TZ, utc(2027, 1, 5))
    assert [label for label, _, _ in weeks] == ["2026-W53", "2027-W01"]
    assert weeks[1][1] == utc(2027, 1, 4)


def test_iso_weeks_follow_local_midnight_in_tehran():
    label, start, end = iso_weeks(1, ZoneInfo("Asia/Tehran"), NOW)[0]
    assert label == "2026-W48"
    assert start == utc(2026, 11, 22, 20, 30)  # Monday 00:00 at UTC+3:30
    assert end - start == timedelta(days=7)

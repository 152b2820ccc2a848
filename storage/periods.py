"""Reporting periods: ``7d``, ``this-week``, ``last-month``, ``q3``, ``2026``, ``A..B``…

Calendar periods start at local midnight in the team's time zone
(``CXBOT_TIMEZONE``), so "this week" in Bucharest is Monday 00:00 Bucharest
time, converted to UTC for the queries.  Every period knows its predecessor
of the same length, which is what a "vs previous period" delta compares to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIOD_HELP = (
    "7d, 30d, 12w, today, yesterday, this-week, last-week, this-month, last-month, "
    "this-quarter, last-quarter, this-year, last-year, q3, 2026-q3, 2026, 2026-10, "
    "2026-10-05, 2026-10-01..2026-10-31, all"
)

_ROLLING = re.compile(r"^(\d{1,4})([dwh])$")
_QUARTER = re.compile(r"^(?:(\d{4})-)?q([1-4])(?:-(\d{4}))?$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class PeriodError(ValueError):
    """A period the grammar does not understand; the message lists what it does."""


@dataclass(frozen=True)
class Period:
    """A half-open UTC interval [start, end); both None means all time."""

    label: str
    start: datetime | None
    end: datetime | None
    previous_start: datetime | None = None
    previous_end: datetime | None = None

    @property
    def is_all(self) -> bool:
        return self.start is None

    def previous(self) -> Period | None:
        """The period of the same length just before this one (None for all time)."""
        if self.previous_start is None:
            return None
        return Period(f"before {self.label}", self.previous_start, self.previous_end)


def parse_period(text: str | None, tz: ZoneInfo, now: datetime | None = None) -> Period:
    """Parse a period as typed by a user, relative to ``now`` in time zone ``tz``."""
    label = (text or "30d").strip().lower()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    local_today = now.astimezone(tz).date()
    if label == "all":
        return Period("all", None, None)
    if match := _ROLLING.match(label):
        return _rolling(label, int(match.group(1)), match.group(2), now)
    if ".." in label:
        return _range(label, tz)
    for parser in (_relative, _quarter, _calendar):
        period = parser(label, local_today, tz, now)
        if period is not None:
            return period
    raise PeriodError(f"unknown period {text!r}; use one of: {PERIOD_HELP}")


def _rolling(label: str, amount: int, unit: str, now: datetime) -> Period:
    if amount <= 0:
        raise PeriodError(f"period {label!r} must be longer than zero")
    length = {
        "d": timedelta(days=amount),
        "w": timedelta(weeks=amount),
        "h": timedelta(hours=amount),
    }[unit]
    start = now - length
    return Period(label, start, now, start - length, start)


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _calendar_period(
    label: str, first: date, after: date, prev_first: date, tz: ZoneInfo, now: datetime
) -> Period:
    """A calendar unit [first, after) compared with the unit before it.

    While the unit is still running, the comparison covers the same elapsed
    share of the previous unit, so a Tuesday never competes with a whole week.
    """
    start, end = _local_midnight(first, tz), _local_midnight(after, tz)
    prev_start, prev_end = _local_midnight(prev_first, tz), start
    if start <= now < end:
        elapsed = now - start
        end = now
        prev_end = min(prev_start + elapsed, start)
    return Period(label, start, end, prev_start, prev_end)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _relative(label: str, today: date, tz: ZoneInfo, now: datetime) -> Period | None:
    week = _week_start(today)
    month = _month_start(today)
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    spans = {
        "today": (today, today + timedelta(days=1), today - timedelta(days=1)),
        "yesterday": (today - timedelta(days=1), today, today - timedelta(days=2)),
        "this-week": (week, week + timedelta(days=7), week - timedelta(days=7)),
        "last-week": (week - timedelta(days=7), week, week - timedelta(days=14)),
        "this-month": (month, _month_start(month, -1), _month_start(month, 1)),
        "last-month": (_month_start(month, 1), month, _month_start(month, 2)),
        "this-quarter": (quarter, _month_start(quarter, -3), _month_start(quarter, 3)),
        "last-quarter": (_month_start(quarter, 3), quarter, _month_start(quarter, 6)),
        "this-year": (
            date(today.year, 1, 1),
            date(today.year + 1, 1, 1),
            date(today.year - 1, 1, 1),
        ),
        "last-year": (
            date(today.year - 1, 1, 1),
            date(today.year, 1, 1),
            date(today.year - 2, 1, 1),
        ),
    }
    if label not in spans:
        return None
    first, after, prev_first = spans[label]
    return _calendar_period(label, first, after, prev_first, tz, now)


def _quarter(label: str, today: date, tz: ZoneInfo, now: datetime) -> Period | None:
    match = _QUARTER.match(label)
    if not match:
        return None
    number = int(match.group(2))
    year_text = match.group(1) or match.group(3)
    year = int(year_text) if year_text else today.year
    first = date(year, 3 * (number - 1) + 1, 1)
    if not year_text and first > today:
        # "q4" typed in February means the q4 that has happened: last year's.
        first = date(year - 1, first.month, 1)
    return _calendar_period(label, first, _month_start(first, -3), _month_start(first, 3), tz, now)


def _calendar(label: str, today: date, tz: ZoneInfo, now: datetime) -> Period | None:
    try:
        if match := _YEAR.match(label):
            year = int(match.group(1))
            first = date(year, 1, 1)
            return _calendar_period(
                label, first, date(year + 1, 1, 1), date(year - 1, 1, 1), tz, now
            )
        if match := _MONTH.match(label):
            first = date(int(match.group(1)), int(match.group(2)), 1)
            return _calendar_period(
                label, first, _month_start(first, -1), _month_start(first, 1), tz, now
            )
        if match := _DAY.match(label):
            first = date(*(int(g) for g in match.groups()))
            one = timedelta(days=1)
            return _calendar_period(label, first, first + one, first - one, tz, now)
    except ValueError as exc:
        raise PeriodError(f"invalid date in period {label!r}: {exc}") from None
    return None


def _range(label: str, tz: ZoneInfo) -> Period:
    """``A..B`` with both ends as dates, inclusive of the whole last day."""
    left, _, right = label.partition("..")
    try:
        first, last = date.fromisoformat(left.strip()), date.fromisoformat(right.strip())
    except ValueError:
        raise PeriodError(
            f"range {label!r} must be two dates like 2026-10-01..2026-10-31"
        ) from None
    if last < first:
        raise PeriodError(f"range {label!r} ends before it starts")
    start = _local_midnight(first, tz)
    end = _local_midnight(last + timedelta(days=1), tz)
    days = (last - first).days + 1
    prev_start = _local_midnight(first - timedelta(days=days), tz)
    return Period(label, start, end, prev_start, start)


def iso_weeks(count: int, tz: ZoneInfo, now: datetime) -> list[tuple[str, datetime, datetime]]:
    """The last ``count`` ISO weeks (current one included) as (label, UTC start, UTC end)."""
    if count < 1:
        raise PeriodError("weeks must be at least 1")
    today = now.astimezone(tz).date()
    first = _week_start(today) - timedelta(weeks=count - 1)
    weeks = []
    for i in range(count):
        monday = first + timedelta(weeks=i)
        year, week, _ = monday.isocalendar()
        weeks.append(
            (
                f"{year}-W{week:02d}",
                _local_midnight(monday, tz),
                _local_midnight(monday + timedelta(days=7), tz),
            )
        )
    return weeks

"""Business days: Monday to Friday in an IANA time zone, less optional company holidays.

Deadlines keep the local wall-clock time of their start, so a reminder due "5 business days after
an application sent Friday 17:30 in New York" falls on the next Friday at 17:30 New York time,
whatever DST change happens in between.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def is_business_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def add_business_days(
    start: datetime, days: int, tz: str, holidays: Iterable[date] = ()
) -> datetime:
    """The moment `days` business days after `start`, at the same local time, in UTC."""
    if start.tzinfo is None:
        raise ValueError("start must be time-zone aware")
    zone = ZoneInfo(tz)
    holiday_set = set(holidays)
    local = start.astimezone(zone)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day, holiday_set):
            counted += 1
    wall = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)
    return wall.astimezone(UTC)


def business_days_between(
    start: datetime, end: datetime, tz: str, holidays: Iterable[date] = ()
) -> int:
    """Whole business days elapsed from `start` to `end` (0 when `end` is before the first)."""
    count = 0
    while add_business_days(start, count + 1, tz, holidays) <= end:
        count += 1
    return count

"""Counting days the way the rules are stated, to check the moments the workflows pick."""

from datetime import date, datetime, timedelta


def business_days_after(start: datetime, moment: datetime, holidays: set[date]) -> int:
    """How many business days (Monday to Friday, less holidays) fall after `start`'s date, up to
    and including `moment`'s date (both in UTC)."""
    day, count = start.date(), 0
    while day < moment.date():
        day += timedelta(days=1)
        count += day.weekday() < 5 and day not in holidays
    return count


def next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def same_moments(found: list[datetime | None], expected: list[datetime]) -> bool:
    """The same moments, to a few seconds: what the workflow stamps with its own clock (a start,
    a handler's answer) runs a little after the moment the test read."""
    return len(found) == len(expected) and all(
        f is not None and abs(f - e) < timedelta(seconds=5)
        for f, e in zip(found, expected, strict=True)
    )


def same_time_of_day(moment: datetime, other: datetime) -> bool:
    """Whole days apart, to a few seconds."""
    return (moment - other + timedelta(seconds=5)) % timedelta(days=1) < timedelta(seconds=10)

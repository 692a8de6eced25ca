"""Business days: Monday to Friday in an IANA time zone, less optional company holidays.

A deadline "N business days after" a moment falls on the N-th business day after the moment's
local date, at the moment's local wall-clock time. So 5 business days after Friday 17:30 in New
York is the next Friday at 17:30 New York time, whatever DST change happens in between, and a
moment on a weekend or holiday counts from the next business day (1 business day after Saturday
10:00 is Monday 10:00). Dates are always taken in the given zone, never in UTC: Friday 21:00 in
New York is already Saturday in UTC, yet it is a Friday for the client.

Wall-clock times the target day does not have are settled the usual way: a time skipped by a
DST change (02:30 on a spring-forward day) lands just after the change (03:30), and a time the
day has twice (01:30 on a fall-back day) is the first of the two.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())


def parse_holidays(values: Iterable[str]) -> frozenset[date]:
    """Company holidays from their ISO dates ("2026-12-25")."""
    return frozenset(date.fromisoformat(value) for value in values)


def is_business_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() not in WEEKEND and day not in frozenset(holidays)


def next_business_day(day: date, holidays: Iterable[date] = ()) -> date:
    """The first business day strictly after `day`."""
    holiday_set = frozenset(holidays)
    day += timedelta(days=1)
    while not is_business_day(day, holiday_set):
        day += timedelta(days=1)
    return day


def add_business_days(
    start: datetime, days: int, tz: str, holidays: Iterable[date] = ()
) -> datetime:
    """The moment `days` business days after `start`, at the same local time, in UTC."""
    if start.tzinfo is None:
        raise ValueError("start must be time-zone aware")
    if days < 0:
        raise ValueError("days must not be negative")
    zone = ZoneInfo(tz)
    holiday_set = frozenset(holidays)
    local = start.astimezone(zone)
    day = local.date()
    for _ in range(days):
        day = next_business_day(day, holiday_set)
    return _at(day, local.time(), zone)


def business_days_between(
    start: datetime, end: datetime, tz: str, holidays: Iterable[date] = ()
) -> int:
    """Whole business days elapsed from `start` to `end`: the largest n for which
    `add_business_days(start, n, ...)` is not after `end` (0 when `end` comes before the first)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be time-zone aware")
    zone = ZoneInfo(tz)
    holiday_set = frozenset(holidays)
    local = start.astimezone(zone)
    last_day = end.astimezone(zone).date()
    day = local.date()
    count = 0
    while True:
        day = next_business_day(day, holiday_set)
        # A day after `end`'s local date can only give a later moment: stop there.
        if day > last_day or _at(day, local.time(), zone) > end:
            return count
        count += 1


def _at(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """`day` at the wall-clock time `wall` in `zone`, in UTC (fold 0: see the module's note)."""
    return datetime.combine(day, wall.replace(fold=0), tzinfo=zone).astimezone(UTC)

"""Engagement weeks and timesheets.

Week n runs seven days from the start date, `start + 7(n-1)` to `start + 7n`, local midnight to
local midnight in the client's billing zone. An ended engagement's last week is cut short at the
end. The client reviews a week's timesheet until 3 days after the week ends; then the week is paid.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.proration import local_midnight

REVIEW_DAYS = 3
MAX_HOURS_PER_WEEK = Decimal(7 * 24)


def week_start_date(start_date: date, week: int) -> date:
    return start_date + timedelta(days=7 * (week - 1))


@dataclass(frozen=True)
class Week:
    number: int
    first_day: date
    starts_at: datetime
    ends_at: datetime  # exclusive: the next week's start, or the engagement's end
    review_until: datetime  # the client's review window closes; the payout is released


def week(start_date: date, number: int, tz: str, ended_at: datetime | None = None) -> Week:
    if number < 1:
        raise ValueError("weeks are numbered from 1")
    first = week_start_date(start_date, number)
    starts_at = local_midnight(first, tz)
    ends_at = local_midnight(first + timedelta(days=7), tz)
    if ended_at is not None and ended_at < ends_at:
        ends_at = max(ended_at, starts_at)
    return Week(number, first, starts_at, ends_at, review_deadline(ends_at, tz))


def review_deadline(week_end: datetime, tz: str) -> datetime:
    """Three calendar days after the week's end, at the same local time (DST-proof)."""
    zone = ZoneInfo(tz)
    local = week_end.astimezone(zone)
    later = datetime.combine(local.date() + timedelta(days=REVIEW_DAYS), local.time(), zone)
    return later.astimezone(UTC)


def week_number_at(start_date: date, moment: datetime, tz: str) -> int:
    """The week `moment` falls in; 0 before the start date."""
    day = moment.astimezone(ZoneInfo(tz)).date()
    if day < start_date:
        return 0
    return (day - start_date).days // 7 + 1


class Review(StrEnum):
    NONE = "none"  # not reviewed: approved automatically when the window closes
    APPROVED = "approved"  # the client approved the hours as submitted, over the schedule too
    DISPUTED = "disputed"  # the client corrected the hours


def approved_hours(
    submitted: Decimal | None,
    scheduled: Decimal,
    review: Review,
    corrected: Decimal | None = None,
) -> Decimal:
    """The hours a week pays: none without a timesheet; the corrected hours of a dispute; the
    submitted hours when the client approved them; else the submitted hours up to the schedule."""
    if submitted is None:
        return Decimal(0)
    if review is Review.DISPUTED:
        if corrected is None:
            raise ValueError("a dispute carries the corrected hours")
        return corrected
    if review is Review.APPROVED:
        return submitted
    return min(submitted, scheduled)

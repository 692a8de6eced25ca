"""The monthly seat fee and its proration in the client's billing time zone.

On acceptance the client pays for the rest of the month, the acceptance day included:
`round_half_up(fee × days_remaining / days_in_month)`; then the full fee on the 1st of every month
(local midnight in the billing zone) while the engagement is active.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from domain.money import round_half_up

SEAT_FEE_CENTS = {"standard": 24000, "volume": 18000}


def monthly_seat_fee(plan: str) -> int:
    try:
        return SEAT_FEE_CENTS[plan]
    except KeyError:
        raise ValueError(f"unknown plan {plan!r}") from None


def billing_date(moment: datetime, tz: str) -> date:
    """The calendar day `moment` falls on in the billing zone."""
    if moment.tzinfo is None:
        raise ValueError("moment must be time-zone aware")
    return moment.astimezone(ZoneInfo(tz)).date()


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def month_key(day: date) -> str:
    """The ledger period of a month: "2026-11"."""
    return f"{day.year:04d}-{day.month:02d}"


def next_month(day: date) -> date:
    """The 1st of the month after `day`'s."""
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def local_midnight(day: date, tz: str) -> datetime:
    """The instant (UTC) a calendar day begins in a zone."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


@dataclass(frozen=True)
class Proration:
    cents: int
    days_remaining: int
    days_in_month: int
    billing_date: date


def prorated_seat_fee(fee_cents: int, accepted_at: datetime, tz: str) -> Proration:
    """The first charge: the rest of the acceptance month, the acceptance day included."""
    day = billing_date(accepted_at, tz)
    total = days_in_month(day)
    remaining = total - day.day + 1
    return Proration(round_half_up(fee_cents * remaining, total), remaining, total, day)

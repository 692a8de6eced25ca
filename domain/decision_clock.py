"""The decision clock (PRODUCT.md, "Decisions and feedback").

After a round the client decides within 3 to 5 business days, counted in the client's time zone
from the interview's end. The client (the job post's owner) is reminded at 3 and at 5 business
days, then every business day after, through the 10th; at 5 the contractor is told the candidacy
is still under review. A decision (advance or reject) stops the clock at once; a hold stops
nothing.

Rules this module fixes where PRODUCT.md is silent:
- "Daily after" means every following business day, at the same local time: nobody is reminded
  on a weekend or a company holiday.
- Reminders stop after the 10th business day (two working weeks, seven reminders). The candidacy
  then stays pending until the client decides, rejects or closes the job post.
- A round's outcome may be recorded late, after some reminder moments. Client reminders whose
  moment had passed are not sent (the client is acting on the candidacy at that very moment);
  the contractor's update is sent at once if its moment had passed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from domain.business_days import add_business_days

FIRST_REMINDER_BUSINESS_DAYS = 3
DECISION_DUE_BUSINESS_DAYS = 5
LAST_REMINDER_BUSINESS_DAYS = 10
CONTRACTOR_UPDATE_BUSINESS_DAYS = DECISION_DUE_BUSINESS_DAYS

REMINDER_BUSINESS_DAYS = (
    FIRST_REMINDER_BUSINESS_DAYS,
    *range(DECISION_DUE_BUSINESS_DAYS, LAST_REMINDER_BUSINESS_DAYS + 1),
)


@dataclass(frozen=True)
class Tick:
    """One moment of the clock: what is due then."""

    at: datetime
    business_days: int  # business days elapsed since the interview's end
    remind_client: bool
    update_contractor: bool


def decision_clock(ended_at: datetime, tz: str, holidays: Iterable[date] = ()) -> list[Tick]:
    """Every tick of the clock for an interview that ended at `ended_at`, in order."""
    holiday_set = frozenset(holidays)
    days = sorted({*REMINDER_BUSINESS_DAYS, CONTRACTOR_UPDATE_BUSINESS_DAYS})
    return [
        Tick(
            at=add_business_days(ended_at, n, tz, holiday_set),
            business_days=n,
            remind_client=n in REMINDER_BUSINESS_DAYS,
            update_contractor=n == CONTRACTOR_UPDATE_BUSINESS_DAYS,
        )
        for n in days
    ]


def ticks_from(ticks: list[Tick], now: datetime) -> list[Tick]:
    """The ticks still to come when the clock starts at `now`: passed client reminders are
    dropped; a passed contractor update becomes a tick at `now`."""
    overdue_update = any(t.update_contractor and t.at <= now for t in ticks)
    upcoming = [t for t in ticks if t.at > now]
    if overdue_update:
        passed = max(t.business_days for t in ticks if t.at <= now)
        return [Tick(now, passed, remind_client=False, update_contractor=True), *upcoming]
    return upcoming


def contractor_update_at(ended_at: datetime, tz: str, holidays: Iterable[date] = ()) -> datetime:
    """When the contractor hears at the latest: a decision, or the "still under review" update."""
    return add_business_days(ended_at, CONTRACTOR_UPDATE_BUSINESS_DAYS, tz, holidays)

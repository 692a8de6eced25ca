"""The decision clock (PRODUCT.md, "Decisions and feedback").

After a round the client decides within 3 to 5 business days, counted in the client's time zone
from the interview's end. The client (the job post's owner) is reminded at 3 and at 5 business
days, then every business day after until the decision; at 5 the contractor is told the candidacy
is still under review. A decision (advance or reject) stops the clock at once; a hold stops
nothing.

Rules this module fixes where PRODUCT.md is silent:
- "Daily after" means every following business day, at the same local time: nobody is reminded
  on a weekend or a company holiday.
- The clock has no end of its own: it runs until the client decides, rejects or closes the job
  post (each reminder is one timer and one activity, so even a year of them keeps the history
  small).
- A round's outcome may be recorded late, after some reminder moments. Client reminders whose
  moment had passed are not sent (the client is acting on the candidacy at that very moment);
  the contractor's update is sent at once if its moment had passed.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain, count

from domain.business_days import add_business_days

FIRST_REMINDER_BUSINESS_DAYS = 3
DECISION_DUE_BUSINESS_DAYS = 5
CONTRACTOR_UPDATE_BUSINESS_DAYS = DECISION_DUE_BUSINESS_DAYS


@dataclass(frozen=True)
class Tick:
    """One moment of the clock: what is due then."""

    at: datetime
    business_days: int  # business days elapsed since the interview's end
    remind_client: bool
    update_contractor: bool


def decision_clock(ended_at: datetime, tz: str, holidays: Iterable[date] = ()) -> Iterator[Tick]:
    """Every tick of the clock for an interview that ended at `ended_at`, in order, without end:
    3 business days, then 5 and each business day after."""
    holiday_set = frozenset(holidays)
    for n in chain([FIRST_REMINDER_BUSINESS_DAYS], count(DECISION_DUE_BUSINESS_DAYS)):
        yield Tick(
            at=add_business_days(ended_at, n, tz, holiday_set),
            business_days=n,
            remind_client=True,
            update_contractor=n == CONTRACTOR_UPDATE_BUSINESS_DAYS,
        )


def ticks_from(ticks: Iterable[Tick], now: datetime) -> Iterator[Tick]:
    """The ticks still to come when the clock starts at `now`: passed client reminders are
    dropped; a passed contractor update becomes a tick at `now`."""
    overdue_update = False
    passed = 0
    for tick in ticks:
        if tick.at <= now:
            overdue_update = overdue_update or tick.update_contractor
            passed = tick.business_days
            continue
        if overdue_update:
            yield Tick(now, passed, remind_client=False, update_contractor=True)
            overdue_update = False
        yield tick


def contractor_update_at(ended_at: datetime, tz: str, holidays: Iterable[date] = ()) -> datetime:
    """When the contractor hears at the latest: a decision, or the "still under review" update."""
    return add_business_days(ended_at, CONTRACTOR_UPDATE_BUSINESS_DAYS, tz, holidays)

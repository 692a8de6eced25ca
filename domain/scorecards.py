"""Scorecards (PRODUCT.md, "Decisions and feedback").

Each panel member of an interview submits one scorecard: a rating on a four-point scale and
notes. The panel is named on the interview request (client users of the job post's company; the
requesting client when none is named). A second scorecard from the same member for the same
interview replaces the first: people correct themselves, and the latest word is the one to keep.

Members whose scorecard is missing are reminded 1 h after the interview's end, then every
business day at that same local time (no reminders on weekends or company holidays). Reminders
stop when every member has submitted, when the round's decision
lands or when the candidacy ends. When the round's completion becomes known only after some
reminder moments have passed, one reminder goes out at once for all of them.
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import count

from domain.business_days import add_business_days

NOTES_MAX_LENGTH = 5000
MAX_PANEL_SIZE = 10
FIRST_REMINDER_AFTER_END = timedelta(hours=1)


class Rating(StrEnum):
    STRONG_NO = "strong_no"
    NO = "no"
    YES = "yes"
    STRONG_YES = "strong_yes"


def panel_or_requester(panel: Sequence[str] | None, requester_id: str) -> list[str]:
    """The panel as named (each member once, in order), or the requester alone."""
    members = list(dict.fromkeys(panel or ()))
    return members or [requester_id]


def missing_members(panel: Sequence[str], submitted: Iterable[str]) -> list[str]:
    """Panel members without a scorecard, in panel order."""
    done = frozenset(submitted)
    return [member for member in panel if member not in done]


def reminder_times(
    ended_at: datetime, tz: str, holidays: Iterable[date] = ()
) -> Iterator[datetime]:
    """Every reminder moment for an interview that ended at `ended_at`, in order, without end."""
    first = ended_at + FIRST_REMINDER_AFTER_END
    holiday_set = frozenset(holidays)
    yield first
    for n in count(1):
        yield add_business_days(first, n, tz, holiday_set)


def reminders_from(times: Iterable[datetime], now: datetime) -> Iterator[datetime]:
    """The reminder moments still to come at `now`; passed ones become one reminder now."""
    any_passed = False
    for at in times:
        if at <= now:
            any_passed = True
            continue
        if any_passed:
            yield now
            any_passed = False
        yield at

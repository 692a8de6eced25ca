"""Timing rules of a booked interview (PRODUCT.md, "Booked" and the outcome that follows)."""

import hashlib
import hmac
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from domain.business_days import add_business_days

JOIN_OPENS_BEFORE_START = timedelta(minutes=10)
REMINDERS_BEFORE_START: tuple[tuple[str, timedelta], ...] = (
    ("24h", timedelta(hours=24)),
    ("1h", timedelta(hours=1)),
)
FIRST_OUTCOME_REMINDER_AFTER_END = timedelta(hours=1)
OUTCOME_REMINDER_BUSINESS_DAYS = 5
THANK_INTERVIEWER_WITHIN = timedelta(hours=24)
# A cancellation closer than this to the start is recorded as late (PRODUCT.md, "Cancellation").
LATE_CANCELLATION_WITHIN = timedelta(hours=24)
# How often a contractor may move one round's booking; after that only the client can.
CONTRACTOR_RESCHEDULES_PER_ROUND = 2


def can_join(start: datetime, end: datetime, now: datetime) -> bool:
    """The video room opens 10 minutes before the start and closes at the end (excluded)."""
    return start - JOIN_OPENS_BEFORE_START <= now < end


def has_started(start: datetime, now: datetime) -> bool:
    """From its start on, a booking can no longer be cancelled or moved."""
    return now >= start


def is_late_cancellation(start: datetime, now: datetime) -> bool:
    """Under 24 h before the start (23 h 59 min: late; exactly 24 h or more: not late)."""
    return start - now < LATE_CANCELLATION_WITHIN


def contractor_reschedules_left(done: int) -> int:
    return max(CONTRACTOR_RESCHEDULES_PER_ROUND - done, 0)


def reminder_times(start: datetime, booked_at: datetime) -> list[tuple[str, datetime]]:
    """(label, when) of the reminders still ahead at booking time, earliest first."""
    return [
        (label, start - before)
        for label, before in REMINDERS_BEFORE_START
        if start - before > booked_at
    ]


def outcome_reminder_times(end: datetime, tz: str, holidays: Iterable[date] = ()) -> list[datetime]:
    """1 h after the end, then the same time on each of the next 5 business days."""
    first = end + FIRST_OUTCOME_REMINDER_AFTER_END
    days = list(holidays)
    return [first] + [
        add_business_days(first, n, tz, days) for n in range(1, OUTCOME_REMINDER_BUSINESS_DAYS + 1)
    ]


def video_room_token(secret: str, interview_id: str, sequence: int) -> str:
    """A room name nobody can guess from the interview id; a new booking gets a new room."""
    message = f"{interview_id}:{sequence}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def join_token(secret: str, interview_id: str, sequence: int) -> str:
    """The token of one booking's join link (`/interviews/<id>/join?token=...`): a link from an
    earlier booking of the interview carries another token and is refused."""
    message = f"join:{interview_id}:{sequence}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:24]

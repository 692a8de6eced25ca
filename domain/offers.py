"""Offers: the terms a client proposes, their rules, and the ids of offers and engagements.

An offer expires 7 days after its latest version was sent (the contractor is reminded at day 5);
only the latest version can be accepted; acceptance is the contract signature.
"""

from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from domain.money import HOURS_JSON, HOURS_PLACES

EXPIRES_AFTER = timedelta(days=7)
REMINDER_AFTER = timedelta(days=5)
MAX_HOURS_PER_WEEK = Decimal(80)
LATEST_START = timedelta(days=365)


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAYS = list(Weekday)

WeeklyHours = Annotated[
    Decimal, Field(gt=0, le=MAX_HOURS_PER_WEEK, decimal_places=HOURS_PLACES), HOURS_JSON
]


class Schedule(BaseModel):
    """The weekly schedule and the rate: what a timesheet is capped at and paid by."""

    hourly_rate_cents: int = Field(gt=0, le=1_000_000)
    hours_per_week: WeeklyHours
    working_days: list[Weekday] = Field(min_length=1, max_length=7)

    @field_validator("working_days")
    @classmethod
    def distinct_days_in_order(cls, days: list[Weekday]) -> list[Weekday]:
        if len(set(days)) != len(days):
            raise ValueError("working_days must not repeat a day")
        return sorted(days, key=WEEKDAYS.index)


class OfferTerms(Schedule):
    start_date: date
    currency: str = Field(default="USD", pattern="^[A-Z]{3}$")
    message: str | None = Field(default=None, max_length=5000)


def start_date_problems(start_date: date, today: date) -> list[str]:
    """`today` is the day in the client's billing zone."""
    if start_date < today:
        return [f"start_date {start_date.isoformat()} is in the past"]
    if start_date > today + LATEST_START:
        return ["start_date must be within a year"]
    return []


def offer_workflow_id(job_post_id: str, contractor_id: str) -> str:
    return f"offer-{job_post_id}-{contractor_id}"


def engagement_workflow_id(job_post_id: str, contractor_id: str) -> str:
    return f"engagement-{job_post_id}-{contractor_id}"


def parse_pair_id(prefix: str, workflow_id: str) -> tuple[str, str] | None:
    """(job post id, contractor id) of an `offer-...` or `engagement-...` id, else None."""
    parts = workflow_id.split("-")
    if len(parts) != 3 or parts[0] != prefix:
        return None
    return parts[1], parts[2]

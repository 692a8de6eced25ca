"""Inputs, state, messages and projections of EngagementWorkflow. The state is also what
continue-as-new carries from one run to the next, so it holds only what is still open (unpaid
weeks)."""

from abc import ABC, abstractmethod
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field
from temporalio import activity

from contracts.offer import OfferProjection
from domain.money import Hours
from domain.offers import Schedule, Weekday, WeeklyHours
from domain.weeks import Review


class EngagementStatus(StrEnum):
    SCHEDULED = "scheduled"  # signed, before the start date
    ACTIVE = "active"
    ENDED = "ended"  # no more weeks or fees; the last week is still paid


class WeekStatus(StrEnum):
    AWAITING = "awaiting"  # no timesheet yet
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DISPUTED = "disputed"
    PAID = "paid"  # settled with a timesheet (the payout may be 0)
    MISSED = "missed"  # settled without a timesheet: nothing paid


class TermsChange(BaseModel):
    from_week: int
    terms: Schedule
    requested_at: datetime


class WeekState(BaseModel):
    week: int
    first_day: date
    ends_at: datetime
    review_until: datetime
    status: WeekStatus = WeekStatus.AWAITING
    hours: Hours | None = None
    submitted_at: datetime | None = None
    review: Review = Review.NONE
    corrected_hours: Hours | None = None
    dispute_reason: str | None = None
    scheduled_hours: Decimal
    hourly_rate_cents: int
    paid_hours: Hours | None = None
    payout_cents: int | None = None
    reminded: bool = False  # the contractor was reminded of a missing timesheet
    revision: int = 0  # orders the week's projection writes


class EngagementState(BaseModel):
    engagement_id: str
    offer_id: str
    candidacy_id: str
    job_post_id: str
    company_id: str
    owner_id: str
    contractor_id: str
    plan: str
    seat_fee_cents: int
    currency: str = "USD"
    billing_tz: str
    signed_at: datetime
    start_date: date
    status: EngagementStatus = EngagementStatus.SCHEDULED
    terms_schedule: list[TermsChange]
    ended_at: datetime | None = None
    end_reason: str | None = None
    last_week: int | None = None  # set when ended: 0 when it ended before the start
    open_weeks: list[WeekState] = Field(default_factory=list)  # started and not yet settled
    next_week_to_settle: int = 1
    next_week_to_open: int = 1
    next_fee_month: date | None = None  # None until the prorated first month is charged
    kickoff_reminded: bool = False
    training_reminded: bool = False
    charged_cents: int = 0
    paid_cents: int = 0
    runs: int = 1
    projection_version: int = 0

    def terms_for_week(self, week: int) -> Schedule:
        current = self.terms_schedule[0].terms
        for change in self.terms_schedule:
            if change.from_week <= week:
                current = change.terms
        return current


class EngagementStart(BaseModel):
    state: EngagementState


class TimesheetRequest(BaseModel):
    week: int = Field(ge=1)
    hours: Hours
    by: str


class ApproveRequest(BaseModel):
    week: int = Field(ge=1)
    by: str


class DisputeRequest(BaseModel):
    week: int = Field(ge=1)
    corrected_hours: Hours
    reason: str = Field(min_length=1, max_length=2000)
    by: str


class TermsRequest(BaseModel):
    """Only the fields given change; the rest stay as they are."""

    hourly_rate_cents: int | None = Field(default=None, gt=0, le=1_000_000)
    hours_per_week: WeeklyHours | None = None
    working_days: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)
    by: str


class EndRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)
    by: str


class EngagementProjection(BaseModel):
    state: EngagementState
    at: datetime


class WeekProjection(BaseModel):
    engagement_id: str
    company_id: str
    contractor_id: str
    week: WeekState


class EngagementActivities(ABC):
    """Starting an engagement, and the rows offers, engagements and weeks are listed from
    (activities/engagements.py)."""

    @activity.defn
    @abstractmethod
    async def start_engagement(self, start: EngagementStart) -> str: ...

    @activity.defn
    @abstractmethod
    async def project_offer(self, projection: OfferProjection) -> None: ...

    @activity.defn
    @abstractmethod
    async def project_engagement(self, projection: EngagementProjection) -> None: ...

    @activity.defn
    @abstractmethod
    async def project_week(self, projection: WeekProjection) -> None: ...

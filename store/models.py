"""The tables. Workflows own the live state; these rows are what lists and reports read."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.job_posts import JobPostStatus
from domain.slots import SlotStatus
from store.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def _when(nullable: bool = False, **kw: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, **kw))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


class Company(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    plan: str = Field(max_length=16)  # standard | volume
    billing_tz: str = Field(default="UTC", max_length=64)
    holidays: list[str] = _json(list)  # ISO dates skipped by business-day clocks


class User(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    role: str = Field(index=True, max_length=16)  # a domain.roles.Role
    company_id: str | None = Field(default=None, foreign_key="company.id", index=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320, unique=True)
    tz: str = Field(default="UTC", max_length=64)
    token_hash: str = Field(max_length=64, unique=True)


class ContractorProfile(SQLModel, table=True):
    user_id: str = Field(primary_key=True, foreign_key="user.id")
    headline: str = Field(default="", max_length=300)
    skills: list[str] = _json(list)
    industries: list[str] = _json(list)
    languages: list[str] = _json(list)
    hourly_rate_cents: int
    currency: str = Field(default="USD", max_length=3)


class JobPost(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    company_id: str = Field(foreign_key="company.id", index=True)
    owner_id: str = Field(foreign_key="user.id")
    title: str = Field(max_length=200)
    description: str = Field(default="")
    budget_min_cents: int
    budget_max_cents: int
    currency: str = Field(default="USD", max_length=3)
    industry: str = Field(max_length=100)
    languages: list[str] = _json(list)
    tz: str = Field(default="UTC", max_length=64)
    interview_plan: list[dict[str, Any]] = _json(list)
    status: str = Field(default=JobPostStatus.OPEN, max_length=16)
    created_at: datetime = _when()
    closed_at: datetime | None = _when(nullable=True)
    # The close's progress, written by JobPostCloseWorkflow (null until the post is closed).
    closing: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Candidacy(SQLModel, table=True):
    """A projection of CandidacyWorkflow for lists; the workflow is the source of truth."""

    id: str = Field(primary_key=True, max_length=100)  # the workflow id
    job_post_id: str = Field(foreign_key="jobpost.id", index=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    contractor_id: str = Field(foreign_key="user.id", index=True)
    source: str = Field(max_length=16)  # applied | invited
    stage: str = Field(index=True, max_length=32)
    round: int = Field(default=0)
    rounds_total: int = Field(default=0)
    created_at: datetime = _when()
    updated_at: datetime = _when()
    # The workflow's own ordering of projection writes, so a late retry never moves it back.
    version: int = Field(default=0)

    __table_args__ = (UniqueConstraint("job_post_id", "contractor_id"),)


class HandpickedCandidate(SQLModel, table=True):
    job_post_id: str = Field(foreign_key="jobpost.id", primary_key=True)
    contractor_id: str = Field(foreign_key="user.id", primary_key=True)
    added_by: str = Field(foreign_key="user.id")
    added_at: datetime = _when()


class SavedCandidate(SQLModel, table=True):
    job_post_id: str = Field(foreign_key="jobpost.id", primary_key=True)
    contractor_id: str = Field(foreign_key="user.id", primary_key=True)
    saved_at: datetime = _when()


class Slot(SQLModel, table=True):
    """An interview time a client offers for one round of one job post."""

    id: str = Field(primary_key=True, max_length=32)
    job_post_id: str = Field(foreign_key="jobpost.id", index=True)
    round: int
    start: datetime = _when()
    end: datetime = _when()
    status: str = Field(default=SlotStatus.OPEN, max_length=16)
    interview_id: str | None = Field(default=None, max_length=120)
    created_at: datetime = _when()
    booked_at: datetime | None = _when(nullable=True)


class Notification(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", index=True)
    event_key: str = Field(max_length=200)
    kind: str = Field(max_length=64)
    subject: str = Field(max_length=300)
    body_text: str
    body_html: str
    link: str | None = Field(default=None, max_length=500)
    created_at: datetime = _when()
    read_at: datetime | None = _when(nullable=True)
    emailed_at: datetime | None = _when(nullable=True)
    # The email goes out at most once (notifications/delivery.py). `email_attempt` names the
    # attempt sending it now (cleared when that attempt ends without sending), taken at
    # `email_attempted_at`; `email_data_at` is when the message data began to go to the SMTP
    # server: from then on, with `emailed_at` empty, it may have been delivered and is never
    # sent again.
    email_attempt: str | None = Field(default=None, max_length=32)
    email_attempted_at: datetime | None = _when(nullable=True)
    email_data_at: datetime | None = _when(nullable=True)

    __table_args__ = (UniqueConstraint("user_id", "event_key"),)

    @property
    def email_uncertain(self) -> bool:
        """The message data went to the SMTP server and no answer came back."""
        return self.emailed_at is None and self.email_data_at is not None


class Thread(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    company_id: str = Field(foreign_key="company.id", index=True)
    contractor_id: str = Field(foreign_key="user.id", index=True)
    relay_token: str = Field(max_length=64, unique=True)
    hired: bool = Field(default=False)
    created_at: datetime = _when()

    __table_args__ = (UniqueConstraint("company_id", "contractor_id"),)


class Message(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    thread_id: str = Field(foreign_key="thread.id", index=True)
    sender_id: str | None = Field(default=None, foreign_key="user.id")  # None: system message
    kind: str = Field(default="user", max_length=16)  # user | system
    body: str
    event_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = _when()


class LedgerEntry(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=32)
    engagement_id: str = Field(index=True, max_length=100)
    company_id: str = Field(foreign_key="company.id", index=True)
    contractor_id: str = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=16)  # seat_fee | payout
    period: str = Field(max_length=32)  # 2026-11, week-1, ...
    amount_cents: int
    currency: str = Field(default="USD", max_length=3)
    idempotency_key: str = Field(max_length=200, unique=True)
    description: str = Field(default="", max_length=300)
    effective_on: str = Field(max_length=10)  # the ISO date it is for
    created_at: datetime = _when()


class IdempotencyRecord(SQLModel, table=True):
    """The stored answer to a POST made with an Idempotency-Key header."""

    user_id: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=200)
    method: str = Field(max_length=8)
    path: str = Field(max_length=500)
    body_hash: str = Field(max_length=64)
    status_code: int | None = None  # None while the first request is still being answered
    response_body: str | None = None
    created_at: datetime = _when()


# --- Messages and notifications ---


class Cancellation(SQLModel, table=True):
    """Something that was cancelled (an interview id, ...). Notifications about it that are still
    unsent when it is cancelled are never sent (NotifyRequest.subject_id)."""

    subject_id: str = Field(primary_key=True, max_length=200)
    reason: str = Field(default="", max_length=300)
    cancelled_at: datetime = _when()


# --- scorecards -----------------------------------------------------------------------------


class Scorecard(SQLModel, table=True):
    """A panel member's rating of one interview: one per member and interview (a second one
    replaces the first)."""

    interview_id: str = Field(primary_key=True, max_length=120)
    panel_member_id: str = Field(primary_key=True, foreign_key="user.id", max_length=32)
    candidacy_id: str = Field(index=True, max_length=100)
    job_post_id: str = Field(foreign_key="jobpost.id", index=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    contractor_id: str = Field(foreign_key="user.id")
    round: int
    rating: str = Field(max_length=16)  # strong_no | no | yes | strong_yes
    notes: str = Field(default="")
    submitted_at: datetime = _when()
    updated_at: datetime = _when()


# --- Offers, engagements, timesheets, campaigns --------------------------------------------------


class Offer(SQLModel, table=True):
    """A projection of OfferWorkflow. Once accepted, its signed terms are the contract record."""

    id: str = Field(primary_key=True, max_length=100)  # the workflow id
    candidacy_id: str = Field(index=True, max_length=100)
    job_post_id: str = Field(foreign_key="jobpost.id", index=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    contractor_id: str = Field(foreign_key="user.id", index=True)
    status: str = Field(index=True, max_length=16)  # open | countered | accepted | declined ...
    version: int  # the latest version's number
    terms: dict[str, Any] = _json(dict)  # the latest version's terms
    sent_at: datetime = _when()
    updated_at: datetime = _when()
    signed_at: datetime | None = _when(nullable=True)
    signed_version: int | None = None
    signed_terms: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    signature: str | None = Field(default=None, max_length=64)  # SHA-256 of the signed record
    projection_version: int = Field(default=0)


class Engagement(SQLModel, table=True):
    """A projection of EngagementWorkflow for lists, the workforce and reports."""

    id: str = Field(primary_key=True, max_length=100)  # the workflow id
    offer_id: str = Field(max_length=100)
    candidacy_id: str = Field(max_length=100)
    job_post_id: str = Field(foreign_key="jobpost.id", index=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    contractor_id: str = Field(foreign_key="user.id", index=True)
    status: str = Field(index=True, max_length=16)  # scheduled | active | ended
    plan: str = Field(max_length=16)
    seat_fee_cents: int
    currency: str = Field(default="USD", max_length=3)
    billing_tz: str = Field(max_length=64)
    start_date: date
    terms: dict[str, Any] = _json(dict)  # the schedule and rate in force now
    terms_schedule: list[dict[str, Any]] = _json(list)  # every change: from_week and terms
    signed_at: datetime = _when()
    ended_at: datetime | None = _when(nullable=True)
    last_week: int | None = None
    created_at: datetime = _when()
    updated_at: datetime = _when()
    projection_version: int = Field(default=0)


class Timesheet(SQLModel, table=True):
    """One week of an engagement: hours submitted, the client's review, what it paid.
    Hours are stored in hundredths (3750 = 37.5 h)."""

    engagement_id: str = Field(primary_key=True, max_length=100)
    week: int = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    contractor_id: str = Field(foreign_key="user.id", index=True)
    first_day: date
    ends_at: datetime = _when()
    review_until: datetime = _when()
    status: str = Field(max_length=16)  # awaiting | submitted | approved | disputed | paid | missed
    submitted_hundredths: int | None = None
    submitted_at: datetime | None = _when(nullable=True)
    review: str = Field(default="none", max_length=16)  # none | approved | disputed
    corrected_hundredths: int | None = None
    dispute_reason: str | None = Field(default=None, max_length=2000)
    scheduled_hundredths: int
    hourly_rate_cents: int
    paid_hundredths: int | None = None
    payout_cents: int | None = None
    revision: int = Field(default=0)


class CampaignAssignment(SQLModel, table=True):
    """A hired contractor assigned to one of the client's named campaigns."""

    engagement_id: str = Field(primary_key=True, max_length=100)
    campaign: str = Field(primary_key=True, max_length=100)
    company_id: str = Field(foreign_key="company.id", index=True)
    assigned_by: str = Field(foreign_key="user.id")
    assigned_at: datetime = _when()

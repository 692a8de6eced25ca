"""Inputs, outputs and messages of OfferWorkflow, the outcome it tells the candidacy, its
projection, and the withdrawal of an open offer when its candidacy ends."""

from abc import ABC, abstractmethod
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from temporalio import activity

from domain.offers import OfferTerms, WeeklyHours


class OfferStatus(StrEnum):
    OPEN = "open"  # awaiting the contractor
    COUNTERED = "countered"  # the contractor proposed other terms; the client may revise
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


ANSWERED = frozenset(
    {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN, OfferStatus.EXPIRED}
)


class OfferStart(BaseModel):
    offer_id: str
    candidacy_id: str
    job_post_id: str
    company_id: str
    owner_id: str
    contractor_id: str
    plan: str  # the company's plan: its seat fee is charged on acceptance
    billing_tz: str
    terms: OfferTerms
    sent_at: datetime
    sent_by: str


class OfferVersion(BaseModel):
    version: int
    terms: OfferTerms
    sent_at: datetime
    sent_by: str
    reminder_at: datetime
    expires_at: datetime


class CounterProposal(BaseModel):
    version: int  # the version it answers
    hourly_rate_cents: int
    hours_per_week: WeeklyHours
    message: str | None = None
    at: datetime


class Signature(BaseModel):
    """The contract: who accepted which version's exact terms, when; `digest` seals the record."""

    version: int
    terms: OfferTerms
    signed_by: str
    signed_at: datetime
    digest: str


class OfferState(BaseModel):
    offer_id: str
    candidacy_id: str
    job_post_id: str
    company_id: str
    contractor_id: str
    status: OfferStatus
    version: int
    versions: list[OfferVersion]
    counters: list[CounterProposal] = Field(default_factory=list)
    decline_reason: str | None = None
    withdraw_reason: str | None = None
    answered_at: datetime | None = None
    signature: Signature | None = None
    engagement_id: str | None = None

    @property
    def latest(self) -> OfferVersion:
        return self.versions[-1]


class AcceptRequest(BaseModel):
    version: int = Field(ge=1, description="the version accepted: only the latest can be")
    by: str


class DeclineRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class CounterRequest(BaseModel):
    version: int = Field(ge=1)
    hourly_rate_cents: int = Field(gt=0, le=1_000_000)
    hours_per_week: WeeklyHours
    message: str | None = Field(default=None, max_length=2000)


class ReviseRequest(BaseModel):
    terms: OfferTerms
    by: str


class WithdrawOfferRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)
    # False when the candidacy ended: its own notice tells the contractor, once.
    tell_contractor: bool = True


class OfferOutcomeKind(StrEnum):
    HIRED = "hired"
    DECLINED = "declined"
    EXPIRED = "expired"


class OfferOutcome(BaseModel):
    """What OfferWorkflow signals to the candidacy when the offer ends it."""

    outcome: OfferOutcomeKind
    offer_id: str
    engagement_id: str | None = None
    reason: str | None = None


class OfferProjection(BaseModel):
    state: OfferState
    projection_version: int
    at: datetime


class WithdrawOpenOffer(BaseModel):
    offer_id: str
    reason: str = Field(max_length=2000)


class OfferEndingActivities(ABC):
    """Pulling a candidacy's open offer (activities/offer_endings.py)."""

    @activity.defn
    @abstractmethod
    async def withdraw_open_offer(self, request: WithdrawOpenOffer) -> bool:
        """True when an open offer was withdrawn now; False when there was none open."""

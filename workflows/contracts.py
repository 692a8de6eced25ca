"""Inputs, outputs and messages of the hiring workflows: small pydantic models, one argument each,
so fields can be added without breaking running workflows."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.plans import Round
from domain.stages import Stage


class CandidacyStart(BaseModel):
    candidacy_id: str
    job_post_id: str
    company_id: str
    owner_id: str  # the job post's owner, who reviews applications
    contractor_id: str
    source: str  # applied | invited
    rounds: list[Round]
    client_tz: str = "UTC"
    holidays: list[str] = Field(default_factory=list)


class StageChange(BaseModel):
    stage: Stage
    at: datetime
    note: str | None = None


class InterviewRef(BaseModel):
    interview_id: str
    round: int
    status: str
    start: datetime | None = None
    end: datetime | None = None
    outcome: str | None = None


class CandidacyState(BaseModel):
    candidacy_id: str
    job_post_id: str
    company_id: str
    contractor_id: str
    source: str
    stage: Stage
    round: int = 0  # the round being interviewed or decided, 0 before the first
    rounds_total: int
    interviews: list[InterviewRef] = Field(default_factory=list)
    feedback: str | None = None
    on_hold: bool = False
    history: list[StageChange] = Field(default_factory=list)
    next_update_by: datetime | None = None  # when the contractor can expect news


class RejectRequest(BaseModel):
    feedback: str | None = Field(default=None, max_length=2000)
    by: str  # user id


class WithdrawRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class ShortlistRequest(BaseModel):
    by: str


class InterviewRequest(BaseModel):
    message: str | None = Field(default=None, max_length=2000)
    by: str


class DecisionKind(StrEnum):
    ADVANCE = "advance"
    REJECT = "reject"
    HOLD = "hold"


class Decision(BaseModel):
    decision: DecisionKind
    feedback: str | None = Field(default=None, max_length=2000)
    by: str


class InterviewStart(BaseModel):
    interview_id: str
    candidacy_id: str
    job_post_id: str
    company_id: str
    owner_id: str
    contractor_id: str
    round: int
    round_spec: Round
    message: str | None = None
    client_tz: str = "UTC"


class InterviewStatus(StrEnum):
    AWAITING_SLOT = "awaiting_slot"
    BOOKED = "booked"
    AWAITING_OUTCOME = "awaiting_outcome"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class ClaimRequest(BaseModel):
    slot_id: str


class Booking(BaseModel):
    slot_id: str
    start: datetime
    end: datetime


class NoShowSide(StrEnum):
    CLIENT = "client"
    CONTRACTOR = "contractor"


class OutcomeKind(StrEnum):
    COMPLETED = "completed"
    NO_SHOW = "no_show"


class Outcome(BaseModel):
    outcome: OutcomeKind
    no_show_side: NoShowSide | None = None
    notes: str | None = Field(default=None, max_length=5000)


class InterviewState(BaseModel):
    interview_id: str
    candidacy_id: str
    job_post_id: str
    contractor_id: str
    round: int
    kind: str
    duration_minutes: int
    status: InterviewStatus
    message: str | None = None
    booking: Booking | None = None
    outcome: Outcome | None = None


class InterviewResult(BaseModel):
    interview_id: str
    status: InterviewStatus
    outcome: Outcome | None = None

"""Inputs, outputs and messages of the hiring workflows (candidacies, their interviews and
scorecards, a round's slot pool) and of the activities they run: small pydantic models, one
argument each, so fields can be added without breaking running workflows."""

from abc import ABC, abstractmethod
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, computed_field, model_validator
from temporalio import activity

from contracts.notify import Notice
from domain.plans import Round
from domain.scorecards import MAX_PANEL_SIZE, NOTES_MAX_LENGTH, Rating
from domain.stages import Stage
from domain.status_text import candidacy_status_text


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
    panel: list[str] = Field(default_factory=list)  # user ids of the client's panel members


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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_text(self) -> str:
        """Where the candidacy stands, in plain words."""
        return candidacy_status_text(self.stage, self.round, self.rounds_total, self.on_hold)


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
    # Client users of the job post's company who interview and send scorecards; `by` when empty.
    panel: list[str] = Field(default_factory=list, max_length=MAX_PANEL_SIZE)


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
    holidays: list[str] = Field(default_factory=list)  # the company's, as ISO dates
    panel: list[str] = Field(default_factory=list)  # client users who interview with the owner
    # The round's interview may be requested again after the client cancelled the request: each
    # request is an attempt of its own (notifications keyed apart), and the calendar invite's
    # SEQUENCE goes on from where the previous attempt left it.
    attempt: int = 1
    first_sequence: int = 0


class InterviewStatus(StrEnum):
    AWAITING_ASSESSMENT = "awaiting_assessment"
    ASSESSMENT_OVERDUE = "assessment_overdue"
    AWAITING_SLOT = "awaiting_slot"
    BOOKED = "booked"
    AWAITING_OUTCOME = "awaiting_outcome"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class ClaimRequest(BaseModel):
    slot_id: str


class Side(StrEnum):
    CLIENT = "client"
    CONTRACTOR = "contractor"


class CancelRequest(BaseModel):
    by: str  # user id
    side: Side
    reason: str = Field(min_length=1, max_length=2000)
    withdraw_slot: bool = False  # the client takes the slot away instead of reopening it
    cancel_request: bool = False  # the client ends the round's request altogether


class RescheduleRequest(BaseModel):
    slot_id: str
    by: str
    side: Side
    reason: str | None = Field(default=None, max_length=2000)


class EndingNotice(Notice):
    """What the candidacy tells some of the people involved when it ends (withdrawn, closed,
    rejected). When the interview still holds a booking, its calendar cancellation is attached
    to this same notice (same event key), so each of them hears of the ending once."""


class CandidacyEnded(BaseModel):
    stage: str  # the candidacy's terminal stage
    notices: list[EndingNotice] = Field(default_factory=list)


class InterviewClosed(BaseModel):
    """Asks the candidacy to answer once it no longer runs this interview."""

    interview_id: str


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
    # The calendar invite's SEQUENCE: raised on every change of the booking after the first.
    sequence: int = 0
    booked_at: datetime | None = None
    cancelled_booking: Booking | None = None  # the last booking that was cancelled
    assessment: "AssessmentState | None" = None
    cancellations: list["BookingCancellation"] = Field(default_factory=list)
    reschedules: list["BookingMove"] = Field(default_factory=list)
    contractor_reschedules_left: int = 2
    attempt: int = 1


class BookingCancellation(BaseModel):
    """A booking that ended before its start: by one side (with the reason), or with the
    candidacy (withdrawn, closed, rejected)."""

    cause: str  # cancelled | request_cancelled | withdrawn | closed | rejected
    side: Side | None = None
    by: str | None = None
    reason: str | None = None  # contact details masked: both sides read it before a hire
    at: datetime
    slot_id: str
    start: datetime
    end: datetime
    late: bool  # under 24 h before the start
    slot_reopened: bool  # open again for others; else withdrawn or already too close to book
    sequence: int  # the invite's SEQUENCE of the cancellation


class BookingMove(BaseModel):
    side: Side
    by: str
    reason: str | None = None
    at: datetime
    from_slot_id: str
    from_start: datetime
    to_slot_id: str
    to_start: datetime
    sequence: int  # the invite's SEQUENCE of the new booking


class InterviewResult(BaseModel):
    interview_id: str
    status: InterviewStatus
    outcome: Outcome | None = None
    booking: Booking | None = None  # the interview's time, when it was booked
    sequence: int = 0  # the invite's last SEQUENCE


# --- take-home assessments ------------------------------------------------------------------


class AssessmentState(BaseModel):
    instructions: str
    sent_at: datetime
    due_at: datetime
    submitted_at: datetime | None = None
    link: str | None = None
    text: str | None = None
    late: bool = False  # submitted after the due date
    waived: bool = False  # the client advanced without a submission
    extensions: int = 0


class AssessmentSubmission(BaseModel):
    link: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")
    text: str | None = Field(default=None, max_length=20000)

    @model_validator(mode="after")
    def link_or_text(self) -> "AssessmentSubmission":
        if not (self.link or (self.text or "").strip()):
            raise ValueError("a submission needs a link or some text")
        return self


class AssessmentExtension(BaseModel):
    due_at: datetime | None = Field(default=None, description="the new due date, with offset")
    extra_days: int | None = Field(default=None, ge=1, le=30, description="added to the due date")
    by: str = ""

    @model_validator(mode="after")
    def one_of(self) -> "AssessmentExtension":
        if (self.due_at is None) == (self.extra_days is None):
            raise ValueError("give either due_at or extra_days")
        return self


InterviewState.model_rebuild()


# --- the slot pool of a job post round ------------------------------------------------------


class SlotPoolStart(BaseModel):
    job_post_id: str
    round: int
    owner_id: str
    company_id: str
    carried: "SlotPoolState | None" = None  # the state handed over by continue-as-new


class PoolMember(BaseModel):
    interview_id: str
    contractor_id: str


class SlotsAdded(BaseModel):
    batch_id: str  # the first new slot's id: one notification per batch
    count: int
    first_start: datetime


class SlotPoolState(BaseModel):
    job_post_id: str
    round: int
    waiting: list[PoolMember] = Field(default_factory=list)
    open_slots: int = 0
    prompts_unanswered: int = 0
    prompts_total: int = 0
    last_prompt_at: datetime | None = None
    ops_alerted: bool = False
    delayed_told: list[str] = Field(default_factory=list)  # contractors told of the delay
    batches_seen: list[str] = Field(default_factory=list)  # recent SlotsAdded.batch_id
    # What the pool decides claims from, handed over by continue-as-new (a fresh run loads the
    # round's slots from the database, their projection).
    slots: list["PoolSlot"] | None = None
    unprojected: list[str] = Field(default_factory=list)  # slot ids whose rows are behind
    untold: list["SlotBooked"] = Field(default_factory=list)  # bookings their interview awaits
    closed: bool = False


from contracts.slot_pool import PoolSlot, SlotBooked  # noqa: E402

SlotPoolState.model_rebuild()
SlotPoolStart.model_rebuild()


# --- scorecards -----------------------------------------------------------------------------


class ScorecardSubmission(BaseModel):
    """A panel member's scorecard for one interview of the candidacy."""

    interview_id: str
    panel_member_id: str
    rating: Rating
    notes: str = Field(default="", max_length=NOTES_MAX_LENGTH)


class SaveScorecard(BaseModel):
    """What the candidacy asks the store to keep."""

    candidacy_id: str
    job_post_id: str
    company_id: str
    contractor_id: str
    round: int
    submission: ScorecardSubmission
    at: datetime


class KeptScorecard(BaseModel):
    """A panel member's scorecard of an interview, as the store keeps it."""

    interview_id: str
    candidacy_id: str
    round: int
    panel_member_id: str
    rating: Rating
    notes: str
    submitted_at: datetime
    updated_at: datetime


class SavedScorecard(KeptScorecard):
    replaced: bool = False  # True when it replaced the member's earlier scorecard


# --- activities -----------------------------------------------------------------------------

# The type of the error a refused booking fails with (not a failure of the activity).
SLOT_UNAVAILABLE = "SlotUnavailable"


class CandidacyProjection(BaseModel):
    candidacy_id: str
    job_post_id: str
    company_id: str
    contractor_id: str
    source: str
    stage: str
    round: int
    rounds_total: int
    version: int
    at: datetime


class BookSlotRequest(BaseModel):
    slot_id: str
    interview_id: str
    job_post_id: str
    round: int
    now: datetime
    # The slot the interview keeps while it books this one (a reschedule's current booking).
    keep_slot_id: str | None = None


class ReleaseSlotRequest(BaseModel):
    slot_id: str
    interview_id: str
    reopen: bool = True
    waiting: bool = False  # the interview waits for a slot again (a cancelled booking)


class CandidacyActivities(ABC):
    """The candidacy's row (activities/candidacies.py)."""

    @activity.defn
    @abstractmethod
    async def project_candidacy(self, projection: CandidacyProjection) -> None:
        """Upsert the row; an older version (a late retry) never overwrites a newer one."""


class ScorecardActivities(ABC):
    """Scorecards' rows (activities/scorecards.py)."""

    @activity.defn
    @abstractmethod
    async def save_scorecard(self, request: SaveScorecard) -> SavedScorecard: ...


class SlotActivities(ABC):
    """An interview's own bookings and releases, through the round's slot pool
    (activities/slots.py)."""

    @activity.defn
    @abstractmethod
    async def book_slot(self, request: BookSlotRequest) -> Booking:
        """Book a slot for the interview; a refusal fails with SLOT_UNAVAILABLE."""

    @activity.defn
    @abstractmethod
    async def release_slot(self, request: ReleaseSlotRequest) -> None: ...

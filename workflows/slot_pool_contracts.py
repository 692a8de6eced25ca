"""What crosses the boundary of a job post round's slot pool (`SlotPoolWorkflow`): the slots it
decides on, the claims, releases and proposals it takes, the bookings it tells interviews of, and
the batches of rows it writes to the database (the projection the API lists from)."""

from datetime import datetime

from pydantic import BaseModel, Field

OPEN = "open"
BOOKED = "booked"
WITHDRAWN = "withdrawn"


class PoolSlot(BaseModel):
    id: str
    start: datetime
    end: datetime
    status: str = OPEN  # open | booked | withdrawn
    round: int | None = None  # set when read from a row: a claim of another round is refused
    interview_id: str | None = None
    booked_at: datetime | None = None


class SlotClaim(BaseModel):
    """A contractor's claim (through the API), or a booking an interview itself asks for (a
    reschedule: `keep_slot_id` is the booking it moves from, released in the same step)."""

    interview_id: str
    slot_id: str
    contractor_id: str = ""
    keep_slot_id: str | None = None
    by_interview: bool = False


class SlotRelease(BaseModel):
    """Give a booked slot back: open again, or withdrawn (`reopen` false). With `waiting`, the
    interview waits for a slot again (a cancelled booking) and may claim at once."""

    interview_id: str
    slot_id: str
    reopen: bool = True
    waiting: bool = False
    contractor_id: str = ""


class SlotBooked(BaseModel):
    """Told to an interview once the pool booked a slot for it (signal `slot_booked`);
    `candidacy_told`: its candidacy was told first (signal `interview_changed`)."""

    interview_id: str
    slot_id: str
    start: datetime
    end: datetime
    booked_at: datetime
    candidacy_told: bool = False


class HeldSlot(BaseModel):
    """The slot the pool holds for an interview (query `held_slot`), if any."""

    slot: PoolSlot | None = None


class SlotSeen(BaseModel):
    """What a claim's route waits for: the interview has taken in the booking of this slot."""

    slot_id: str


class ProposedSlots(BaseModel):
    """New slots, already stored by the API (which checked them against every round)."""

    batch_id: str
    slots: list[PoolSlot] = Field(min_length=1)


class WithdrawSlot(BaseModel):
    slot_id: str


class SlotProjection(BaseModel):
    """One batch: rows to write (as the pool holds them), then interviews to tell."""

    job_post_id: str
    round: int
    rows: list[PoolSlot] = Field(default_factory=list)
    tell: list[SlotBooked] = Field(default_factory=list)


class ProjectionResult(BaseModel):
    ended: list[str] = Field(default_factory=list)  # interviews told that no longer run


class RoundSlotsQuery(BaseModel):
    job_post_id: str
    round: int
    slot_id: str | None = None  # one slot (of any round), or every slot of the round


class ClaimVerdict(BaseModel):
    """Whether an interview the pool has not heard from waits for a slot (and why not)."""

    claimable: bool
    reason: str = ""

"""What crosses the boundary of a job post round's slot pool (`SlotPoolWorkflow`): the slots it
decides on, the claims, releases and proposals it takes, the bookings it tells interviews of, and
the batches of rows it writes to the database (the projection the API lists from), the names of
the signals an interview tells it through an activity, and its activities. Its start and state
are in contracts/hiring.py."""

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from temporalio import activity

from domain.slots import SlotStatus

# Names, not methods: an interview tells the pool these through an activity whose payload carries
# the name (SlotPoolNotice.signal; workflows/slot_pool_client.py maps it to the handler), and
# workflows/slot_pool.py imports the interview package, which could not import it back.
CONTRACTOR_WAITING = "contractor_waiting"  # payload: PoolMember
CONTRACTOR_LEFT = "contractor_left"  # payload: PoolMember (booked: no longer waiting)
INTERVIEW_ENDED = "interview_ended"  # payload: PoolMember (whatever it holds goes back)
SLOTS_ADDED = "slots_added"  # payload: SlotsAdded
SLOTS_WITHDRAWN = "slots_withdrawn"  # payload: {}
# Told to an interview's candidacy as its status or booking changes (payload: InterviewRef). By
# name: workflows/candidacy.py imports the interview package, which could not import it back.
INTERVIEW_CHANGED = "interview_changed"

# The slot statuses under the names the slot pool reads them by.
OPEN = SlotStatus.OPEN
BOOKED = SlotStatus.BOOKED
WITHDRAWN = SlotStatus.WITHDRAWN


class PoolSlot(BaseModel):
    id: str
    start: datetime
    end: datetime
    status: SlotStatus = SlotStatus.OPEN
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
    `candidacy_told`: its candidacy was told first (signal `interview_changed`), as the pool's
    batches did before the candidacy read bookings from the interview; now always False."""

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


class OpsUsers(BaseModel):
    user_ids: list[str]


class SlotPoolNotice(BaseModel):
    """A signal for a job post round's SlotPoolWorkflow, which is started if it is not running."""

    job_post_id: str
    round: int
    owner_id: str
    company_id: str
    signal: str  # a key of workflows/slot_pool_client.py NOTICE_SIGNALS
    payload: dict[str, Any] = Field(default_factory=dict)


class SlotPoolActivities(ABC):
    """The pool's rows, the interviews it asks and tells, the ops users it alerts
    (activities/slot_pool.py)."""

    @activity.defn
    @abstractmethod
    async def round_slots(self, query: RoundSlotsQuery) -> list[PoolSlot]: ...

    @activity.defn
    @abstractmethod
    async def project_slots(self, batch: SlotProjection) -> ProjectionResult: ...

    @activity.defn
    @abstractmethod
    async def interview_claimable(self, interview_id: str) -> ClaimVerdict: ...

    @activity.defn
    @abstractmethod
    async def ops_user_ids(self) -> OpsUsers: ...

    @activity.defn
    @abstractmethod
    async def tell_slot_pool(self, notice: SlotPoolNotice) -> None:
        """Signal the round's pool, starting it when it is not running."""

    def activities(self) -> list[Any]:
        """What a worker registers."""
        return [
            self.round_slots,
            self.project_slots,
            self.interview_claimable,
            self.ops_user_ids,
            self.tell_slot_pool,
        ]

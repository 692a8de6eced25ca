"""A claim answers as soon as the round's slot pool has booked the slot; the interview hears of
the booking a moment later, in the pool's next batch. Until it has, what may follow a 200 at
once takes the booking from the pool, the authority on slots (or, when no run of the pool is
going, from the rows it wrote): the interview's view shows it as booked, and a cancel or a move
made meanwhile first waits until the interview holds it. The candidacy is never told of a
booking (the interview's other changes, yes): its view of a round waiting for a slot always
reads the booking from the interview, or the pool."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.workflows import Workflows
from contracts.hiring import Booking, CandidacyState, InterviewState, InterviewStatus
from contracts.slot_pool import BOOKED, PoolSlot, SlotSeen
from store.models import Slot
from store.pool_slots import as_pool_slot
from workflows.candidacy import CandidacyWorkflow
from workflows.interview import InterviewWorkflow

AWAITING_SLOT = InterviewStatus.AWAITING_SLOT


async def pool_booking(
    temporal: Workflows,
    session: AsyncSession,
    job_post_id: str,
    round_number: int,
    interview_id: str,
) -> PoolSlot | None:
    """The slot the round's pool holds for the interview, told to it or not yet."""
    held = await temporal.held_slot(job_post_id, round_number, interview_id)
    if held is not None:
        return held.slot
    # No run is going: the rows show every booking the pool made.
    row = (
        await session.exec(
            select(Slot).where(
                Slot.job_post_id == job_post_id,
                Slot.round == round_number,
                Slot.interview_id == interview_id,
                Slot.status == BOOKED,
            )
        )
    ).first()
    await session.commit()  # the read's connection goes back at once
    return as_pool_slot(row) if row is not None else None


def _not_yet_taken_in(state: InterviewState, held: PoolSlot | None) -> bool:
    """The pool holds a booking the interview, waiting for a slot, has not taken in yet (not
    the one it has just cancelled, which the pool is about to give back)."""
    if held is None or state.status != AWAITING_SLOT:
        return False
    if not state.cancellations:
        return True
    last = state.cancellations[-1]
    return held.id != last.slot_id or (held.booked_at is not None and held.booked_at > last.at)


def _as_booked(state: InterviewState, held: PoolSlot) -> InterviewState:
    return state.model_copy(
        update={
            "status": InterviewStatus.BOOKED,
            "booking": Booking(slot_id=held.id, start=held.start, end=held.end),
            "booked_at": held.booked_at,
            # As the interview will: every booking after the first raises the SEQUENCE.
            "sequence": state.sequence + (1 if state.cancelled_booking is not None else 0),
        }
    )


async def interview_state(
    temporal: Workflows,
    session: AsyncSession,
    interview_id: str,
    job_post_id: str,
    round_number: int,
) -> InterviewState:
    """The interview's state, with the booking the pool made for it and it has not taken in."""
    state: InterviewState = await temporal.query(interview_id, InterviewWorkflow.status)
    if state.status != AWAITING_SLOT:
        return state
    held = await pool_booking(temporal, session, job_post_id, round_number, interview_id)
    if held is None or not _not_yet_taken_in(state, held):
        return state
    return _as_booked(state, held)


async def candidacy_state(
    temporal: Workflows, session: AsyncSession, candidacy_id: str
) -> CandidacyState:
    """The candidacy's state, with a round waiting for a slot shown booked when its interview
    holds a booking (taken in or not yet) the candidacy has not heard of."""
    state: CandidacyState = await temporal.query(candidacy_id, CandidacyWorkflow.status)
    refs = []
    for ref in state.interviews:
        if ref.status == AWAITING_SLOT.value:
            interview = await interview_state(
                temporal, session, ref.interview_id, state.job_post_id, ref.round
            )
            booking = interview.booking
            if interview.status == InterviewStatus.BOOKED and booking is not None:
                update = {"status": interview.status.value, "start": booking.start}
                ref = ref.model_copy(update={**update, "end": booking.end})
        refs.append(ref)
    return state.model_copy(update={"interviews": refs})


async def taken_in(
    temporal: Workflows,
    session: AsyncSession,
    interview_id: str,
    job_post_id: str,
    round_number: int,
) -> bool:
    """Wait until the interview holds the booking the pool made for it (True at once when it
    took it in since); False when there is none it has not taken in yet (or it did not take it
    in in time)."""
    held = await pool_booking(temporal, session, job_post_id, round_number, interview_id)
    if held is None:
        return False
    state: InterviewState = await temporal.query(interview_id, InterviewWorkflow.status)
    if state.booking is not None and state.booking.slot_id == held.id:
        return True  # taken in since the refusal: going again finds it
    if not _not_yet_taken_in(state, held):
        return False
    seen = await temporal.await_next_step(
        interview_id, InterviewWorkflow.caught_up, SlotSeen(slot_id=held.id)
    )
    return seen is not None

"""Interview slots a client proposes for one round of a job post.

New slots are stored here (checked against every round of the job post) and handed to the
round's slot pool, which decides every claim and withdrawal (workflows/slot_pool.py), announces
new slots to the contractors waiting and reprompts the client when times run short. The list of
open slots answers from the pool while a run of it is going, from the rows it wrote otherwise."""

import logging
from datetime import datetime

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field, field_validator
from sqlmodel import col, select
from temporalio.service import RPCError

from api.access import job_post_for_owner, owns_company_resource, refuse_closed
from api.deps import AppSettings, Caller, ClientUser, Now, Session, Temporal
from api.errors import not_found
from api.schemas import (
    LONGEST_ROUND_MINUTES,
    ROUND_DURATIONS,
    SHORTEST_ROUND_MINUTES,
    RoundNumber,
)
from contracts.hiring import InterviewStatus, SlotPoolStart
from contracts.slot_pool import OPEN, PoolSlot, ProposedSlots, WithdrawSlot
from domain.ids import interview_workflow_id, new_id
from domain.plans import ALLOWED_DURATIONS, Round
from domain.roles import Role
from domain.slots import MIN_NOTICE, SlotStatus, Window, blocks_new_slots, slot_problems
from store.models import JobPost, Slot
from workflows.interview import InterviewWorkflow
from workflows.slot_pool import SlotPoolWorkflow
from workflows.slot_pool_client import pool_start

router = APIRouter(tags=["slots"])
log = logging.getLogger(__name__)

LAST_YEAR = 9999
SLOT_STATUSES = tuple(SlotStatus)


class SlotIn(BaseModel):
    start: datetime = Field(description="ISO 8601 with an offset")
    duration_minutes: int = Field(
        ge=SHORTEST_ROUND_MINUTES,
        le=LONGEST_ROUND_MINUTES,
        description=f"one the round's kind allows: {ROUND_DURATIONS}",
    )

    @field_validator("start")
    @classmethod
    def within_the_calendar(cls, start: datetime) -> datetime:
        # Its end must still be a date: no slot is proposed in the year 9999.
        if start.year >= LAST_YEAR:
            raise ValueError(f"start must be before the year {LAST_YEAR}")
        return start


class SlotsIn(BaseModel):
    slots: list[SlotIn] = Field(min_length=1, max_length=50)


class SlotOut(BaseModel):
    id: str
    job_post_id: str
    round: int
    start: datetime
    end: datetime
    status: str


def _round_of(job_post: JobPost, number: int) -> Round:
    if not 1 <= number <= len(job_post.interview_plan):
        raise not_found(f"round {number} of this job post")
    return Round.model_validate(job_post.interview_plan[number - 1])


async def _taken_windows(session: Session, job_post_id: str, now: datetime) -> list[Window]:
    """Booked slots and still bookable open slots of every round of the job post."""
    rows = await session.exec(
        select(Slot).where(
            Slot.job_post_id == job_post_id,
            col(Slot.status).in_((SlotStatus.OPEN, SlotStatus.BOOKED)),
        )
    )
    return [Window(r.start, r.end) for r in rows if blocks_new_slots(r.status, r.start, now)]


def _pool_of(job_post: JobPost, number: int) -> SlotPoolStart:
    return pool_start(job_post.id, number, job_post.owner_id, job_post.company_id)


@router.post(
    "/job-posts/{job_post_id}/rounds/{number}/slots",
    response_model=list[SlotOut],
    status_code=201,
)
async def propose_slots(
    job_post_id: str,
    number: RoundNumber,
    body: SlotsIn,
    user: ClientUser,
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
    now: Now,
) -> list[SlotOut]:
    """Propose times: at least 2 h and at most 60 days ahead, a duration the round allows, no
    overlap with another open or booked slot of the job post. Bad slots: 422 naming each.
    Contractors waiting to book this round are told of the new times."""
    job_post = await job_post_for_owner(session, user, job_post_id, allow_ops=False)
    refuse_closed(job_post)
    round_ = _round_of(job_post, number)
    naive = [
        f"slots[{i}] ({s.start.isoformat()}): start needs a time zone offset"
        for i, s in enumerate(body.slots)
        if s.start.tzinfo is None
    ]
    if naive:
        raise HTTPException(422, "; ".join(naive))
    windows = [Window.of(s.start, s.duration_minutes) for s in body.slots]
    problems = slot_problems(
        windows,
        await _taken_windows(session, job_post_id, now),
        ALLOWED_DURATIONS[round_.kind],
        now,
    )
    if problems:
        raise HTTPException(422, "; ".join(problems))
    rows = [
        Slot(
            id=new_id("sl"),
            job_post_id=job_post_id,
            round=number,
            start=w.start,
            end=w.end,
            created_at=now,
        )
        for w in windows
    ]
    session.add_all(rows)
    await session.commit()
    proposed = ProposedSlots(
        batch_id=rows[0].id,
        slots=[PoolSlot(id=r.id, start=r.start, end=r.end, round=number) for r in rows],
    )
    try:
        await temporal.update_slot_pool(
            settings.temporal_task_queue,
            _pool_of(job_post, number),
            SlotPoolWorkflow.add_slots,
            proposed,
            in_flight=settings.pool_updates_in_flight,
            queued=settings.pool_updates_queued,
        )
    except (RPCError, HTTPException) as error:
        # The slots are stored: the pool reads a slot it has not heard of when it is claimed;
        # only the announcement to those waiting is lost.
        log.warning(
            "slot pool of %s round %s not told of new slots: %s", job_post.id, number, error
        )
    return [SlotOut.model_validate(r, from_attributes=True) for r in rows]


@router.get("/job-posts/{job_post_id}/rounds/{number}/slots", response_model=list[SlotOut])
async def list_open_slots(
    job_post_id: str,
    number: RoundNumber,
    user: Caller,
    session: Session,
    temporal: Temporal,
    now: Now,
) -> list[SlotOut]:
    """Open, still bookable slots, by start: for the owner, or a contractor asked to pick one
    (or to move their booking to another). As the round's slot pool holds them (a slot claimed
    a moment ago is not listed; one it has not heard of, as its row shows it), or, when no run
    of the pool is going, as its rows show them."""
    job_post = await session.get(JobPost, job_post_id)
    if job_post is None:
        raise not_found("job post")
    if not owns_company_resource(user, job_post.company_id) and user.role != Role.OPS:
        if user.role != Role.CONTRACTOR or not await _has_pending_request(
            temporal, interview_workflow_id(job_post_id, user.id, number)
        ):
            raise not_found("job post")
    _round_of(job_post, number)
    in_pool = {s.id: s for s in await temporal.known_slots(job_post_id, number) or []}
    rows = await session.exec(
        select(Slot)
        .where(
            Slot.job_post_id == job_post_id,
            Slot.round == number,
            col(Slot.status).in_(SLOT_STATUSES if in_pool else (OPEN,)),
            col(Slot.start) >= now + MIN_NOTICE,
        )
        .order_by(col(Slot.start))
    )
    slots = [SlotOut.model_validate(r, from_attributes=True) for r in rows]
    for slot in slots:
        held = in_pool.get(slot.id)
        if held is not None:
            slot.status = held.status
    return [s for s in slots if s.status == OPEN]


async def _has_pending_request(temporal: Temporal, interview_id: str) -> bool:
    try:
        state = await temporal.query(interview_id, InterviewWorkflow.status)
    except RPCError:
        return False
    return state.status in (InterviewStatus.AWAITING_SLOT, InterviewStatus.BOOKED)


@router.delete("/job-posts/{job_post_id}/rounds/{number}/slots/{slot_id}", status_code=204)
async def withdraw_slot(
    job_post_id: str,
    number: RoundNumber,
    slot_id: str,
    user: ClientUser,
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
) -> Response:
    """Withdraw an open slot (a booked one is cancelled through its interview:
    POST /interviews/{id}/cancel with `withdraw_slot`)."""
    job_post = await job_post_for_owner(session, user, job_post_id, allow_ops=False)
    slot = await session.get(Slot, slot_id)
    if slot is None or slot.job_post_id != job_post_id or slot.round != number:
        raise not_found("slot")
    # Decided by the round's pool, like a claim: a slot booked a moment ago stays booked (409).
    await temporal.update_slot_pool(
        settings.temporal_task_queue,
        _pool_of(job_post, number),
        SlotPoolWorkflow.withdraw,
        WithdrawSlot(slot_id=slot_id),
        in_flight=settings.pool_updates_in_flight,
        queued=settings.pool_updates_queued,
    )
    return Response(status_code=204)

"""Interview slots a client proposes for one round of a job post.

Adding or withdrawing slots tells the round's slot pool (new slots are announced to the
contractors waiting; the pool reprompts the client when times run short). Claims do not go
through here: see api/routes/interviews.py."""

import logging
from datetime import datetime

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import update
from sqlmodel import col, select
from temporalio.service import RPCError

from activities.contracts import SlotPoolNotice
from activities.slot_pool import SLOTS_ADDED, SLOTS_WITHDRAWN
from api.access import job_post_for_owner, owns_company_resource
from api.deps import AppSettings, Caller, ClientUser, Now, Session, Temporal
from api.errors import not_found
from api.schemas import (
    LONGEST_ROUND_MINUTES,
    ROUND_DURATIONS,
    SHORTEST_ROUND_MINUTES,
    RoundNumber,
)
from domain.ids import interview_workflow_id, new_id
from domain.plans import ALLOWED_DURATIONS, Round
from domain.slots import MIN_NOTICE, Window, blocks_new_slots, slot_problems
from store.models import JobPost, Slot
from workflows.contracts import InterviewStatus, SlotsAdded
from workflows.interview import InterviewWorkflow

router = APIRouter(tags=["slots"])
log = logging.getLogger(__name__)

LAST_YEAR = 9999


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
            Slot.job_post_id == job_post_id, col(Slot.status).in_(("open", "booked"))
        )
    )
    return [Window(r.start, r.end) for r in rows if blocks_new_slots(r.status, r.start, now)]


async def _tell_pool(
    temporal: Temporal,
    settings: AppSettings,
    job_post: JobPost,
    number: RoundNumber,
    signal: str,
    payload: dict[str, object],
) -> None:
    """Best effort: the slots are saved whatever happens here; the pool looks at the database
    again on its next change, so a lost signal delays an announcement, never a booking."""
    notice = SlotPoolNotice(
        job_post_id=job_post.id,
        round=number,
        owner_id=job_post.owner_id,
        company_id=job_post.company_id,
        signal=signal,
        payload=payload,
    )
    try:
        await temporal.tell_slot_pool(settings.temporal_task_queue, notice)
    except RPCError as error:
        log.warning("slot pool of %s round %s not told %s: %s", job_post.id, number, signal, error)


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
    if job_post.status != "open":
        raise HTTPException(409, "this job post is closed")
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
    added = SlotsAdded(batch_id=rows[0].id, count=len(rows), first_start=min(r.start for r in rows))
    await _tell_pool(
        temporal, settings, job_post, number, SLOTS_ADDED, added.model_dump(mode="json")
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
    """Open, still bookable slots: for the owner, or a contractor asked to pick one (or to move
    their booking to another)."""
    job_post = await session.get(JobPost, job_post_id)
    if job_post is None:
        raise not_found("job post")
    if not owns_company_resource(user, job_post.company_id) and user.role != "ops":
        if user.role != "contractor" or not await _has_pending_request(
            temporal, interview_workflow_id(job_post_id, user.id, number)
        ):
            raise not_found("job post")
    _round_of(job_post, number)
    rows = await session.exec(
        select(Slot)
        .where(
            Slot.job_post_id == job_post_id,
            Slot.round == number,
            Slot.status == "open",
            col(Slot.start) >= now + MIN_NOTICE,
        )
        .order_by(col(Slot.start))
    )
    return [SlotOut.model_validate(r, from_attributes=True) for r in rows]


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
    # Conditional, like a claim: a slot booked a moment ago stays booked.
    result = await session.exec(
        update(Slot)
        .where(col(Slot.id) == slot_id, col(Slot.status) == "open")
        .values(status="withdrawn")
    )
    await session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(slot)
        raise HTTPException(409, f"only an open slot can be withdrawn; this one is {slot.status}")
    await _tell_pool(temporal, settings, job_post, number, SLOTS_WITHDRAWN, {})
    return Response(status_code=204)

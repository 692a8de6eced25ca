"""Interview slots a client proposes for one round of a job post."""

from datetime import datetime

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field
from sqlmodel import col, select
from temporalio.service import RPCError

from api.access import job_post_for_owner, owns_company_resource
from api.deps import Caller, ClientUser, Now, Session, Temporal
from api.errors import not_found
from domain.ids import interview_workflow_id, new_id
from domain.plans import ALLOWED_DURATIONS, Round
from domain.slots import MIN_NOTICE, Window, slot_problems
from store.models import JobPost, Slot
from workflows.contracts import InterviewStatus
from workflows.interview import InterviewWorkflow

router = APIRouter(tags=["slots"])


class SlotIn(BaseModel):
    start: datetime = Field(description="ISO 8601 with an offset")
    duration_minutes: int


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


async def _taken_windows(session: Session, job_post_id: str) -> list[Window]:
    rows = await session.exec(
        select(Slot).where(
            Slot.job_post_id == job_post_id, col(Slot.status).in_(("open", "booked"))
        )
    )
    return [Window(r.start, r.end) for r in rows]


@router.post(
    "/job-posts/{job_post_id}/rounds/{number}/slots",
    response_model=list[SlotOut],
    status_code=201,
)
async def propose_slots(
    job_post_id: str, number: int, body: SlotsIn, user: ClientUser, session: Session, now: Now
) -> list[SlotOut]:
    """Propose times: at least 2 h and at most 60 days ahead, a duration the round allows, no
    overlap with another open or booked slot of the job post. Bad slots: 422 naming each."""
    job_post = await job_post_for_owner(session, user, job_post_id, allow_ops=False)
    if job_post.status != "open":
        raise HTTPException(409, "this job post is closed")
    round_ = _round_of(job_post, number)
    if any(s.start.tzinfo is None for s in body.slots):
        raise HTTPException(422, "every slot start needs a time zone offset")
    windows = [Window.of(s.start, s.duration_minutes) for s in body.slots]
    problems = slot_problems(
        windows, await _taken_windows(session, job_post_id), ALLOWED_DURATIONS[round_.kind], now
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
    return [SlotOut.model_validate(r, from_attributes=True) for r in rows]


@router.get("/job-posts/{job_post_id}/rounds/{number}/slots", response_model=list[SlotOut])
async def list_open_slots(
    job_post_id: str, number: int, user: Caller, session: Session, temporal: Temporal, now: Now
) -> list[SlotOut]:
    """Open, still bookable slots: for the owner, or a contractor asked to pick one."""
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
        state = await temporal.get_workflow_handle(interview_id).query(InterviewWorkflow.status)
    except RPCError:
        return False
    return bool(state.status == InterviewStatus.AWAITING_SLOT)


@router.delete("/job-posts/{job_post_id}/rounds/{number}/slots/{slot_id}", status_code=204)
async def withdraw_slot(
    job_post_id: str, number: int, slot_id: str, user: ClientUser, session: Session
) -> Response:
    """Withdraw an open slot (a booked one is cancelled through its interview)."""
    await job_post_for_owner(session, user, job_post_id, allow_ops=False)
    slot = await session.get(Slot, slot_id)
    if slot is None or slot.job_post_id != job_post_id or slot.round != number:
        raise not_found("slot")
    if slot.status != "open":
        raise HTTPException(409, f"only an open slot can be withdrawn; this one is {slot.status}")
    slot.status = "withdrawn"
    session.add(slot)
    await session.commit()
    return Response(status_code=204)

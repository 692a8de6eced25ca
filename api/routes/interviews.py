"""Interviews: claiming a slot, the live state, the outcome."""

from fastapi import APIRouter
from pydantic import BaseModel

from api.access import interview_for
from api.deps import Caller, Session, Temporal
from api.workflows import query, update
from workflows.contracts import Booking, ClaimRequest, InterviewState, Outcome
from workflows.interview import InterviewWorkflow

router = APIRouter(tags=["interviews"])


class ClaimIn(BaseModel):
    slot_id: str


@router.post(
    "/interviews/{interview_id}/claim",
    response_model=Booking,
    responses={409: {"description": "slot taken, expired, withdrawn or of another round"}},
)
async def claim(
    interview_id: str, body: ClaimIn, user: Caller, session: Session, temporal: Temporal
) -> Booking:
    """Book one open slot: 200 booked, or 409 with the reason."""
    await interview_for(session, user, interview_id, client=False, contractor=True, ops=False)
    booking: Booking = await update(
        temporal, interview_id, InterviewWorkflow.claim, ClaimRequest(slot_id=body.slot_id)
    )
    return booking


@router.get("/interviews/{interview_id}", response_model=InterviewState)
async def get_interview(
    interview_id: str, user: Caller, session: Session, temporal: Temporal
) -> InterviewState:
    await interview_for(session, user, interview_id, client=True, contractor=True)
    state: InterviewState = await query(temporal, interview_id, InterviewWorkflow.status)
    return state


@router.post("/interviews/{interview_id}/outcome", response_model=InterviewState)
async def record_outcome(
    interview_id: str, body: Outcome, user: Caller, session: Session, temporal: Temporal
) -> InterviewState:
    """After the end: completed, or no-show (and which side)."""
    await interview_for(session, user, interview_id, client=True, contractor=False, ops=False)
    state: InterviewState = await update(
        temporal, interview_id, InterviewWorkflow.record_outcome, body
    )
    return state

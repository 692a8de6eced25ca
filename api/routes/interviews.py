"""Interviews: claiming a slot, the live state, the calendar invite, the video room, the outcome."""

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from activities.invites import (
    CANCEL,
    REQUEST,
    build_invite,
    invite_description,
    invite_summary,
)
from api.access import interview_for
from api.deps import AppSettings, Caller, Now, Session, Temporal
from api.errors import raise_from_update
from api.workflows import query, update
from domain.interviews import JOIN_OPENS_BEFORE_START, can_join, video_room_token
from workflows.contracts import Booking, ClaimRequest, InterviewState, InterviewStatus, Outcome
from workflows.interview import UNAVAILABLE, InterviewWorkflow

router = APIRouter(tags=["interviews"])


class ClaimIn(BaseModel):
    slot_id: str


class JoinOut(BaseModel):
    url: str
    start: str
    end: str


@router.post(
    "/interviews/{interview_id}/claim",
    response_model=Booking,
    responses={
        409: {
            "description": "slot taken, expired, withdrawn or of another round; interview "
            "already booked; take-home assessment not submitted"
        },
        503: {"description": "the booking could not be decided right now; try again"},
    },
)
async def claim(
    interview_id: str, body: ClaimIn, user: Caller, session: Session, temporal: Temporal
) -> Booking:
    """Book one open slot: 200 booked, or 409 with the reason. Final either way."""
    await interview_for(session, user, interview_id, client=False, contractor=True, ops=False)
    handle = temporal.get_workflow_handle(interview_id)
    try:
        booking: Booking = await handle.execute_update(
            InterviewWorkflow.claim, ClaimRequest(slot_id=body.slot_id)
        )
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        if isinstance(cause, ApplicationError) and cause.type == UNAVAILABLE:
            raise HTTPException(503, cause.message) from error
        raise_from_update(error)
    except RPCError as error:
        raise_from_update(error)
    return booking


@router.get("/interviews/{interview_id}", response_model=InterviewState)
async def get_interview(
    interview_id: str, user: Caller, session: Session, temporal: Temporal
) -> InterviewState:
    await interview_for(session, user, interview_id, client=True, contractor=True)
    state: InterviewState = await query(temporal, interview_id, InterviewWorkflow.status)
    return state


@router.get(
    "/interviews/{interview_id}/invite.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "the current invite"},
        409: {"description": "the interview was never booked"},
    },
)
async def invite(
    interview_id: str,
    user: Caller,
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
    now: Now,
) -> Response:
    """The calendar invite as it stands: METHOD:REQUEST while booked, METHOD:CANCEL once
    cancelled; the same UID for the interview's whole life, SEQUENCE raised on each change."""
    job_post, _, round_number = await interview_for(
        session, user, interview_id, client=True, contractor=True
    )
    state: InterviewState = await query(temporal, interview_id, InterviewWorkflow.status)
    if state.booking is not None:
        method, booking, stamp = REQUEST, state.booking, state.booked_at or now
    elif state.cancelled_booking is not None:
        method, booking, stamp = CANCEL, state.cancelled_booking, now
    else:
        raise HTTPException(409, "this interview has not been booked yet")
    data = build_invite(
        interview_id=interview_id,
        relay_domain=settings.relay_domain,
        method=method,
        sequence=state.sequence,
        start=booking.start,
        end=booking.end,
        stamp=stamp,
        summary=invite_summary(job_post.title, round_number, state.kind),
        description=invite_description(settings.public_base_url, interview_id),
        location=f"{settings.public_base_url}/interviews/{interview_id}/join",
        attendee_email=user.email,
    )
    return Response(
        data,
        media_type=f"text/calendar; method={method}; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="invite.ics"'},
    )


@router.get(
    "/interviews/{interview_id}/join",
    response_model=JoinOut,
    responses={
        409: {
            "description": "outside the window: from 10 minutes before the start "
            "until the end (excluded), while booked"
        }
    },
)
async def join(
    interview_id: str,
    user: Caller,
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
    now: Now,
) -> JoinOut:
    """The video room link, from 10 minutes before the start until the end (at the end: 409).
    Each booking gets its own room, so a moved interview's old link leads nowhere."""
    await interview_for(session, user, interview_id, client=True, contractor=True)
    state: InterviewState = await query(temporal, interview_id, InterviewWorkflow.status)
    booking = state.booking
    if booking is None or state.status != InterviewStatus.BOOKED:
        raise HTTPException(409, f"no booked interview to join; this interview is {state.status}")
    if not can_join(booking.start, booking.end, now):
        opens = booking.start - JOIN_OPENS_BEFORE_START
        if now < opens:
            raise HTTPException(409, f"the video room opens at {opens.isoformat()}")
        raise HTTPException(409, "the interview has ended")
    token = video_room_token(settings.video_room_secret, interview_id, state.sequence)
    return JoinOut(
        url=f"{settings.video_base_url.rstrip('/')}/{token}",
        start=booking.start.isoformat(),
        end=booking.end.isoformat(),
    )


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

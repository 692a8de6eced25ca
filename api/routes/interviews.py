"""Interviews: claiming a slot, cancelling or moving the booking, the live state, the calendar
invite, the video room, the outcome."""

import hmac
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field, field_validator

from api import pending_bookings
from api.access import interview_for, interview_parties
from api.deps import AppSettings, Caller, Now, Session, Temporal
from contracts.hiring import (
    Booking,
    CancelRequest,
    InterviewClosed,
    InterviewState,
    InterviewStatus,
    Outcome,
    RescheduleRequest,
    Side,
)
from contracts.notify import CANCEL, REQUEST
from contracts.slot_pool import SlotClaim
from domain.ids import candidacy_workflow_id
from domain.interviews import JOIN_OPENS_BEFORE_START, can_join, join_token, video_room_token
from domain.roles import Role
from notifications.ics import build_invite, invite_description, invite_summary, join_link
from store.models import User
from workflows.candidacy import CandidacyWorkflow
from workflows.interview import InterviewWorkflow
from workflows.slot_pool import SlotPoolWorkflow
from workflows.slot_pool_client import pool_start

router = APIRouter(tags=["interviews"])


class ClaimIn(BaseModel):
    slot_id: str


class CancelIn(BaseModel):
    reason: str = Field(
        min_length=1, max_length=2000, description="required; the other side reads it"
    )
    withdraw_slot: bool = Field(
        default=False,
        description="client only: take the slot away (withdrawn) instead of reopening it",
    )
    cancel_request: bool = Field(
        default=False,
        description="client only: cancel the round's interview request itself; the candidacy "
        "then waits for the round to be requested again (POST "
        "/candidacies/{id}/interview-requests)",
    )

    @field_validator("reason")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a reason is required")
        return value.strip()


class RescheduleIn(BaseModel):
    slot_id: str = Field(description="an open slot of the same round")
    reason: str | None = Field(default=None, max_length=2000)


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
        503: {
            "description": "too many claims wait for this round's slots (Retry-After), or the "
            "booking could not be decided right now; try again"
        },
    },
)
async def claim(
    interview_id: str,
    body: ClaimIn,
    user: Caller,
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
) -> Booking:
    """Book one open slot: 200 booked, or 409 with the reason. Final either way. The round's
    slot pool decides, and the answer comes as soon as it has: the interview and the candidacy
    take the booking in a moment later, and meanwhile show it from the pool (what follows a 200
    can follow at once). A burst of claims waits its turn; 503 with Retry-After only when too
    many already wait."""
    parties, contractor_id, round_number = await interview_parties(
        session, user, interview_id, client=False, contractor=True, ops=False
    )
    return await temporal.update_slot_pool(
        settings.temporal_task_queue,
        pool_start(parties.job_post_id, round_number, parties.owner_id, parties.company_id),
        SlotPoolWorkflow.claim,
        SlotClaim(interview_id=interview_id, slot_id=body.slot_id, contractor_id=contractor_id),
        in_flight=settings.pool_updates_in_flight,
        queued=settings.pool_updates_queued,
    )


def _side_of(user: User) -> Side:
    return Side.CONTRACTOR if user.role == Role.CONTRACTOR else Side.CLIENT


@dataclass(frozen=True)
class _Updates:
    """Updates of one interview, of `round_` of `job_post_id`."""

    temporal: Temporal
    session: Session
    interview_id: str
    job_post_id: str
    round_: int

    async def run(self, method: Any, arg: Any) -> Any:
        """Run an update of the interview. Refused (409) while the interview has not yet taken
        in the booking the pool just made for it, it goes again once it has."""
        try:
            return await self.temporal.update(self.interview_id, method, arg)
        except HTTPException as refused:
            if refused.status_code != 409 or not await pending_bookings.taken_in(
                self.temporal, self.session, self.interview_id, self.job_post_id, self.round_
            ):
                raise
        return await self.temporal.update(self.interview_id, method, arg)

    async def change(self, method: Any, arg: Any) -> Any:
        """Run a booking change (see `run`); answers once the interview has taken the change in
        and the candidacy shows it (see `caught_up`)."""
        changed = await self.run(method, arg)
        if changed.status == InterviewStatus.CANCELLED:  # the request's end: see `cancel`
            return changed
        return (
            await self.temporal.await_next_step(self.interview_id, InterviewWorkflow.caught_up)
            or changed
        )


@router.post(
    "/interviews/{interview_id}/cancel",
    response_model=InterviewState,
    responses={
        403: {"description": "withdraw_slot or cancel_request by the contractor"},
        409: {
            "description": "nothing booked (without cancel_request), the interview has "
            "started or taken place, or it is already cancelled"
        },
        422: {"description": "no reason"},
    },
)
async def cancel(
    interview_id: str, body: CancelIn, user: Caller, session: Session, temporal: Temporal
) -> InterviewState:
    """Cancel the booking before its start, by either side, with a reason. The slot opens again
    when it is still bookable (2 h ahead or more), unless the client withdraws it
    (`withdraw_slot`); the other side is told the reason (notification with the calendar's
    CANCEL, and a message in the pair's thread); the round waits for a new claim. Under 24 h
    before the start the cancellation is recorded as late (`cancellations[-1].late`).

    With `cancel_request` (client) the round's interview request itself ends: the booking, if
    any, is cancelled as above, the interview ends as cancelled and the candidacy waits for the
    client to request that round again. Answers once the candidacy takes that new request."""
    job_post, contractor_id, round_number = await interview_for(
        session, user, interview_id, client=True, contractor=True, ops=False
    )
    side = _side_of(user)
    if side == Side.CONTRACTOR and (body.withdraw_slot or body.cancel_request):
        raise HTTPException(403, "only the client can withdraw the slot or cancel the request")
    request = CancelRequest(
        by=user.id,
        side=side,
        reason=body.reason,
        withdraw_slot=body.withdraw_slot,
        cancel_request=body.cancel_request,
    )
    updates = _Updates(temporal, session, interview_id, job_post.id, round_number)
    state: InterviewState = await updates.change(InterviewWorkflow.cancel, request)
    if body.cancel_request:
        await temporal.update(
            candidacy_workflow_id(job_post.id, contractor_id),
            CandidacyWorkflow.interview_closed,
            InterviewClosed(interview_id=interview_id),
        )
    return state


@router.post(
    "/interviews/{interview_id}/reschedule",
    response_model=InterviewState,
    responses={
        409: {
            "description": "the new slot is taken, withdrawn, expired or of another round (the "
            "booking stands as it was); nothing booked; the interview has started; the "
            "contractor already moved it twice (only the client can now)"
        },
        503: {"description": "the new booking could not be decided right now; try again"},
    },
)
async def reschedule(
    interview_id: str, body: RescheduleIn, user: Caller, session: Session, temporal: Temporal
) -> InterviewState:
    """Move the booking to another open slot of the round in one step, by either side: the new
    slot is booked before the old one is released, so a refusal leaves the booking as it was.
    The calendar invite keeps its UID with a higher SEQUENCE; the earlier join link stops
    working. The contractor may move a round's booking twice; then only the client can."""
    job_post, _, round_number = await interview_for(
        session, user, interview_id, client=True, contractor=True, ops=False
    )
    request = RescheduleRequest(
        slot_id=body.slot_id, by=user.id, side=_side_of(user), reason=body.reason
    )
    updates = _Updates(temporal, session, interview_id, job_post.id, round_number)
    state: InterviewState = await updates.change(InterviewWorkflow.reschedule, request)
    return state


@router.get("/interviews/{interview_id}", response_model=InterviewState)
async def get_interview(
    interview_id: str, user: Caller, session: Session, temporal: Temporal
) -> InterviewState:
    """The interview's live state (a booking the slot pool has just made shows at once)."""
    parties, _, round_number = await interview_parties(
        session, user, interview_id, client=True, contractor=True
    )
    return await pending_bookings.interview_state(
        temporal, session, interview_id, parties.job_post_id, round_number
    )


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
    state = await pending_bookings.interview_state(
        temporal, session, interview_id, job_post.id, round_number
    )
    if state.booking is not None:
        method, booking, stamp = REQUEST, state.booking, state.booked_at or now
    elif state.cancelled_booking is not None:
        method, booking, stamp = CANCEL, state.cancelled_booking, now
    else:
        raise HTTPException(409, "this interview has not been booked yet")
    join_url = join_link(
        settings.public_base_url, settings.video_room_secret, interview_id, state.sequence
    )
    data = build_invite(
        interview_id=interview_id,
        relay_domain=settings.relay_domain,
        method=method,
        sequence=state.sequence,
        start=booking.start,
        end=booking.end,
        stamp=stamp,
        summary=invite_summary(job_post.title, round_number, state.kind),
        description=invite_description(settings.public_base_url, interview_id, join_url),
        location=join_url,
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
            "until the end (excluded), while booked; or a link (token) of an earlier booking"
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
    token: str | None = Query(
        default=None,
        description="the booking's token, as in the invite's link; a token of an earlier "
        "(moved or cancelled) booking is refused",
    ),
) -> JoinOut:
    """The video room link, from 10 minutes before the start until the end (at the end: 409).
    Each booking gets its own room and its own join link (`?token=`, in the invite and the
    booking emails), so a moved or cancelled booking's link leads nowhere: 409."""
    parties, _, round_number = await interview_parties(
        session, user, interview_id, client=True, contractor=True
    )
    state = await pending_bookings.interview_state(
        temporal, session, interview_id, parties.job_post_id, round_number
    )
    booking = state.booking
    if booking is None or state.status != InterviewStatus.BOOKED:
        raise HTTPException(409, f"no booked interview to join; this interview is {state.status}")
    current = join_token(settings.video_room_secret, interview_id, state.sequence)
    if token is not None and not hmac.compare_digest(token, current):
        raise HTTPException(
            409,
            "this join link belongs to an earlier booking of the interview, which was moved or "
            f"cancelled; it now starts at {booking.start.isoformat()}",
        )
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
    """After the end: completed, or no-show (and which side). Answers once the candidacy has
    taken the result in: a decision on the round can follow at once."""
    job_post, contractor_id, round_number = await interview_for(
        session, user, interview_id, client=True, contractor=False, ops=False
    )
    updates = _Updates(temporal, session, interview_id, job_post.id, round_number)
    state: InterviewState = await updates.run(InterviewWorkflow.record_outcome, body)
    # The candidacy takes the round's result in (a decision is then due) before the answer.
    await temporal.await_next_step(
        candidacy_workflow_id(job_post.id, contractor_id),
        CandidacyWorkflow.interview_closed,
        InterviewClosed(interview_id=interview_id),
    )
    return state

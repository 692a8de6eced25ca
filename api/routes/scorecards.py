"""Scorecards: each panel member of an interview rates it (strong_no, no, yes, strong_yes) with
notes, once the interview has ended. One scorecard per member and interview: a second one
replaces the first (201 the first time, 200 when replacing).

Who may: the interview's panel members (named on the interview request; the requesting client
by default). Other users of the job post's company and ops can see the interview, so they get
403; anyone else (other companies, the contractor) gets 404, as for anything not theirs.
Scorecards are the client's: the contractor never sees them."""

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field
from sqlmodel import col, select

from api import pending_bookings
from api.access import interview_for
from api.deps import Caller, Session, Temporal
from api.errors import not_found
from contracts.hiring import (
    CandidacyState,
    InterviewStatus,
    KeptScorecard,
    SavedScorecard,
    ScorecardSubmission,
)
from domain.ids import candidacy_workflow_id
from domain.scorecards import NOTES_MAX_LENGTH, Rating
from store.models import Scorecard
from workflows.candidacy import CandidacyWorkflow

router = APIRouter(tags=["scorecards"])

# Scorecards are about an interview that took place: once it ended, before or after the outcome.
SCORABLE = frozenset({InterviewStatus.AWAITING_OUTCOME, InterviewStatus.COMPLETED})


class ScorecardIn(BaseModel):
    rating: Rating
    notes: str = Field(default="", max_length=NOTES_MAX_LENGTH)


class ScorecardOut(KeptScorecard):
    pass


@router.post(
    "/interviews/{interview_id}/scorecards",
    response_model=ScorecardOut,
    status_code=201,
    responses={
        200: {"description": "replaced the member's earlier scorecard"},
        403: {"description": "the caller is not on this interview's panel"},
        404: {"description": "no such interview, or not the caller's company's"},
        409: {"description": "the interview has not ended, was a no-show or was cancelled"},
    },
)
async def submit_scorecard(
    interview_id: str,
    body: ScorecardIn,
    user: Caller,
    session: Session,
    temporal: Temporal,
    response: Response,
) -> ScorecardOut:
    """A panel member's scorecard for an interview that has ended."""
    job_post, contractor_id, round_number = await interview_for(
        session, user, interview_id, client=True, contractor=False, ops=True
    )
    candidacy_id = candidacy_workflow_id(job_post.id, contractor_id)
    candidacy: CandidacyState = await temporal.query(candidacy_id, CandidacyWorkflow.status)
    ref = next((r for r in candidacy.interviews if r.interview_id == interview_id), None)
    if ref is None:
        raise not_found("interview")
    if user.id not in ref.panel:
        raise HTTPException(403, "only the interview's panel members send scorecards")
    interview = await pending_bookings.interview_state(
        temporal, session, interview_id, job_post.id, round_number
    )
    if interview.status not in SCORABLE:
        raise HTTPException(
            409,
            "scorecards are for an interview that took place; "
            f"this one is {interview.status.value}",
        )
    saved: SavedScorecard = await temporal.update(
        candidacy_id,
        CandidacyWorkflow.submit_scorecard,
        ScorecardSubmission(
            interview_id=interview_id,
            panel_member_id=user.id,
            rating=body.rating,
            notes=body.notes,
        ),
    )
    response.status_code = 200 if saved.replaced else 201
    return ScorecardOut.model_validate(saved.model_dump())


@router.get("/interviews/{interview_id}/scorecards", response_model=list[ScorecardOut])
async def list_scorecards(interview_id: str, user: Caller, session: Session) -> list[ScorecardOut]:
    """The interview's scorecards, for its company's users and ops."""
    await interview_for(session, user, interview_id, client=True, contractor=False, ops=True)
    rows = await session.exec(
        select(Scorecard)
        .where(Scorecard.interview_id == interview_id)
        .order_by(col(Scorecard.submitted_at))
    )
    return [ScorecardOut.model_validate(r, from_attributes=True) for r in rows]

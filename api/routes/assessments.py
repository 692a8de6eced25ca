"""Take-home assessments: the contractor submits, the client extends. The state lives in the
current round's interview workflow; these paths are the candidacy's, as the API fixes them.

Overdue, the client may also advance anyway (POST /candidacies/{id}/decision, advance: the
interview becomes bookable without a submission) or reject (POST /candidacies/{id}/reject)."""

from typing import Any

from fastapi import APIRouter, HTTPException

from api.access import candidacy_for
from api.deps import Caller, Session, Temporal
from contracts.hiring import (
    AssessmentExtension,
    AssessmentSubmission,
    CandidacyState,
    InterviewState,
)
from domain.stages import Stage
from store.models import User
from workflows.candidacy import CandidacyWorkflow
from workflows.interview import InterviewWorkflow

router = APIRouter(tags=["assessments"])


async def _current_interview(temporal: Temporal, candidacy_id: str) -> str:
    state: CandidacyState = await temporal.query(candidacy_id, CandidacyWorkflow.status)
    current = state.interviews[-1] if state.interviews else None
    if state.stage != Stage.INTERVIEWING or current is None or current.round != state.round:
        raise HTTPException(
            409, f"no interview round is in progress; this candidacy is {state.stage.value}"
        )
    return current.interview_id


async def _current_interview_update(
    session: Session,
    user: User,
    temporal: Temporal,
    candidacy_id: str,
    method: Any,
    arg: Any,
    *,
    by_client: bool,
) -> InterviewState:
    """The current round's interview after the update, run by the candidacy's client (else its
    contractor); anyone else: 404."""
    await candidacy_for(
        session, user, candidacy_id, client=by_client, contractor=not by_client, ops=False
    )
    interview_id = await _current_interview(temporal, candidacy_id)
    state: InterviewState = await temporal.update(interview_id, method, arg)
    return state


@router.post(
    "/candidacies/{candidacy_id}/assessment/submission",
    response_model=InterviewState,
    responses={409: {"description": "no assessment open for the current round"}},
)
async def submit(
    candidacy_id: str,
    body: AssessmentSubmission,
    user: Caller,
    session: Session,
    temporal: Temporal,
) -> InterviewState:
    """The contractor hands in the current round's take-home: a link, text, or both. A late
    submission is accepted (and marked late) until the client has decided otherwise."""
    return await _current_interview_update(
        session,
        user,
        temporal,
        candidacy_id,
        InterviewWorkflow.submit_assessment,
        body,
        by_client=False,
    )


@router.post(
    "/candidacies/{candidacy_id}/assessment/extension",
    response_model=InterviewState,
    responses={
        409: {"description": "no assessment open for the current round"},
        422: {"description": "the new due date is past or more than 60 days away"},
    },
)
async def extend(
    candidacy_id: str,
    body: AssessmentExtension,
    user: Caller,
    session: Session,
    temporal: Temporal,
) -> InterviewState:
    """The client moves the due date: `due_at` (a new date) or `extra_days` (added to the
    current due date). The contractor is told; the 24 h reminder follows the new date."""
    extension = body.model_copy(update={"by": user.id})
    return await _current_interview_update(
        session,
        user,
        temporal,
        candidacy_id,
        InterviewWorkflow.extend_assessment,
        extension,
        by_client=True,
    )
